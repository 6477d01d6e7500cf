// Pool part: the Docker-in-Docker sidecar that runs the jobs' containers. The only privileged
// container of the pod; it holds no Secret.
import { PropsCheck } from '../props-error.ts';
import { checkDindExtraArgs, daemonJsonSources, type DaemonJsonSources } from './dind-args.ts';
import { DIND_ENDPOINT, dindDockerHost } from './dind-endpoint.ts';
import { resources } from './runner-container.ts';
import { dindPreStopCommand } from './runner-probes.ts';
import type { ContainerResources } from './types.ts';
import type { ContainerPart, PodVolume } from './volumes.ts';
import type { ConfigMapFile } from '../hashed-config-map.ts';

export interface DindSidecarProps {
  readonly image: string;
  /** Native sidecar (restartPolicy Always in initContainers) or an ordinary container with a preStop wait. */
  readonly nativeSidecar: boolean;
  /** dockerd's image and layer store. */
  readonly storage: PodVolume;
  /** The volume holding daemon.json, and the file itself. */
  readonly config: PodVolume;
  readonly daemonJson: ConfigMapFile;
  /** Extra dockerd flags; checked against daemonJson and the hosts (checkDindExtraArgs). @default none */
  readonly extraArgs?: readonly string[];
  /** @default no requests or limits */
  readonly resources?: ContainerResources;
}

/** dockerd's unix socket: the startup probe's `docker info` (no DOCKER_HOST in DinD) uses it. */
const DIND_SOCKET = 'unix:///var/run/docker.sock';

/**
 * DinD's args. Args starting with `dockerd` replace the docker:dind entrypoint's default hosts
 * (the unix socket plus tcp://0.0.0.0:2375, i.e. the pod IP, reachable from every pod) and keep
 * its dind set-up (docker-library/docker dockerd-entrypoint.sh). The TCP host is DIND_ENDPOINT:
 * the pod's loopback, which the runner and its jobs (container.network: host) share.
 */
export function dindArgs(extraArgs: readonly string[], sources: DaemonJsonSources): string[] {
  // The same rules as the constructs' dind.extraArgs (dind-args.ts): no part builds args that skip them.
  const check = new PropsCheck('dindArgs');
  checkDindExtraArgs(check, ['extraArgs'], extraArgs, sources);
  check.done();
  return ['dockerd', `--host=${DIND_SOCKET}`, `--host=${dindDockerHost()}`, ...extraArgs];
}

/** Review notes of the sidecar, relative to the container. */
export function dindNotes(nativeSidecar: boolean): Record<string, string> {
  return {
    'securityContext.privileged': 'dockerd needs it; only DinD gets it, never the runner',
    'env[name=DOCKER_TLS_CERTDIR].value': `empty: no TLS; the args bind plain TCP to ${DIND_ENDPOINT.host}:${DIND_ENDPOINT.port} only, so only this pod reaches it`,
    args: `replace the entrypoint's tcp://0.0.0.0:${DIND_ENDPOINT.port} (the whole cluster) with the unix socket and loopback`,
    ...(nativeSidecar
      ? { restartPolicy: 'native sidecar: starts before the runner and stops after it, so jobs finish' }
      : { 'lifecycle.preStop': 'Kubernetes < 1.29 has no native sidecars: keep dockerd up until the runner daemon (anchored pgrep) exits' }),
  };
}

export function dindSidecar(props: DindSidecarProps): ContainerPart {
  const check = new PropsCheck('dindSidecar');
  let sources: DaemonJsonSources | undefined;
  try {
    sources = daemonJsonSources(props.daemonJson.configMap.content(props.daemonJson.key));
  } catch (e) {
    check.fail(['daemonJson'], `expected a daemon.json dockerd can read: ${(e as Error).message}`);
  }
  if (sources) checkDindExtraArgs(check, ['extraArgs'], props.extraArgs ?? [], sources);
  check.done();
  return {
    container: {
      name: 'dind',
      image: props.image,
      ...(props.nativeSidecar ? { restartPolicy: 'Always' } : {}),
      args: dindArgs(props.extraArgs ?? [], sources!),
      securityContext: { privileged: true },
      env: [{ name: 'DOCKER_TLS_CERTDIR', value: '' }],
      // docker info uses the unix socket; 3 minutes before giving up (dockerd's deliberate 15 s
      // sleep for plain TCP applies only to non-loopback addresses).
      startupProbe: { exec: { command: ['docker', 'info'] }, periodSeconds: 2, failureThreshold: 90, timeoutSeconds: 5 },
      ...(props.nativeSidecar
        ? {}
        : {
            lifecycle: {
              preStop: { exec: { command: dindPreStopCommand() } },
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
