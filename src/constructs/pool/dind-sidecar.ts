// Pool part: the Docker-in-Docker sidecar that runs the jobs' containers. The only privileged
// container of the pod; it holds no Secret.
import { DIND_ENDPOINT } from './dind-endpoint.js';
import { resources } from './runner-container.js';
import type { ContainerResources } from './types.js';
import type { ContainerPart, PodVolume } from './volumes.js';
import type { ConfigMapFile } from '../hashed-config-map.js';

export interface DindSidecarProps {
  readonly image: string;
  /** Native sidecar (restartPolicy Always in initContainers) or an ordinary container with a preStop wait. */
  readonly nativeSidecar: boolean;
  /** dockerd's image and layer store. */
  readonly storage: PodVolume;
  /** The volume holding daemon.json, and the file itself. */
  readonly config: PodVolume;
  readonly daemonJson: ConfigMapFile;
  /** Extra dockerd flags. @default none */
  readonly extraArgs?: readonly string[];
  /** @default no requests or limits */
  readonly resources?: ContainerResources;
}

/** Review notes of the sidecar, relative to the container. */
export function dindNotes(nativeSidecar: boolean): Record<string, string> {
  return {
    'securityContext.privileged': 'dockerd needs it; only DinD gets it, never the runner',
    'env[name=DOCKER_TLS_CERTDIR].value': `empty: plain TCP on port ${DIND_ENDPOINT.port}, for the runner in this pod`,
    ...(nativeSidecar
      ? { restartPolicy: 'native sidecar: starts before the runner and stops after it, so jobs finish' }
      : { 'lifecycle.preStop': 'Kubernetes < 1.29 has no native sidecars: keep dockerd up until the runner exits' }),
  };
}

export function dindSidecar(props: DindSidecarProps): ContainerPart {
  return {
    container: {
      name: 'dind',
      image: props.image,
      ...(props.nativeSidecar ? { restartPolicy: 'Always' } : {}),
      ...(props.extraArgs?.length ? { args: [...props.extraArgs] } : {}),
      securityContext: { privileged: true },
      env: [{ name: 'DOCKER_TLS_CERTDIR', value: '' }],
      // dockerd takes ~16 s to bind plain TCP (it sleeps on purpose); 3 minutes before giving up.
      startupProbe: { exec: { command: ['docker', 'info'] }, periodSeconds: 2, failureThreshold: 90, timeoutSeconds: 5 },
      ...(props.nativeSidecar
        ? {}
        : {
            lifecycle: {
              preStop: { exec: { command: ['/bin/sh', '-c', 'while pgrep -f "forgejo-runner daemon" >/dev/null; do sleep 2; done'] } },
            },
          }),
      ...resources(props.resources),
    },
    mounts: [
      props.storage.at('/var/lib/docker'),
      props.config.file(props.daemonJson, `/etc/docker/${props.daemonJson.key}`, { readOnly: true }),
    ],
  };
}
