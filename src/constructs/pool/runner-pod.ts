// Pool part: the runner pod (runner container + DinD sidecar + the volumes their mounts name).
// A plain function of its props, so the same pod serves a Deployment's template and a Job's
// (e.g. a KEDA ScaledJob's jobTargetRef.template).
import type { PodSpec } from '../../../imports/k8s.ts';
import type { SecretKeyHandle } from '../onepassword-secret.ts';
import { dindNotes, dindSidecar } from './dind-sidecar.ts';
import type { RunnerConfig } from './runner-config.ts';
import { RUNNER_PATHS, runnerContainer, runnerNotes } from './runner-container.ts';
import type { ContainerResources, RunnerRegistration } from './types.ts';
import type { RunnerEnvValue } from './pool-pod.ts';
import { PodVolume, podVolumes, toContainer } from './volumes.ts';

/** Resolved settings of one runner pod (RunnerPool applies the documented defaults). */
export interface RunnerPodProps {
  readonly runnerImage: string;
  readonly dindImage: string;
  readonly forgejoUrl: string;
  readonly runnerName: string;
  readonly labels: readonly string[];
  readonly registration: RunnerRegistration;
  /** The ConfigMap with config.yaml and daemon.json. */
  readonly config: RunnerConfig;
  readonly nativeSidecar: boolean;
  readonly terminationGracePeriodSeconds: number;
  /** @default no TZ (UTC) */
  readonly timezone?: string;
  /** Extra env vars of the runner container. @default none */
  readonly runnerEnv?: Readonly<Record<string, RunnerEnvValue>>;
  /** Mounted read-only for runner.env_file. @default none */
  readonly jobEnvFile?: SecretKeyHandle;
  /** @default none */
  readonly dindExtraArgs?: readonly string[];
  /** @default no requests or limits */
  readonly runnerResources?: ContainerResources;
  /** @default no requests or limits */
  readonly dindResources?: ContainerResources;
  /** The runner container's shell script. @default the daemon start-up script (startup-script.ts) */
  readonly runnerScript?: string;
  /** @default see RunnerContainerProps.scaledJobPod */
  readonly scaledJobPod?: boolean;
}

export interface RunnerPod {
  readonly spec: PodSpec;
  /** Review notes, field paths relative to the pod spec. */
  readonly notes: ReadonlyMap<string, string>;
}

export function runnerPod(props: RunnerPodProps): RunnerPod {
  const config = PodVolume.configMap('config', props.config.configMap);
  const jobSecrets = props.jobEnvFile ? PodVolume.secretFile('job-secrets', props.jobEnvFile) : undefined;
  const runner = runnerContainer({
    image: props.runnerImage,
    forgejoUrl: props.forgejoUrl,
    runnerName: props.runnerName,
    labels: props.labels,
    registration: props.registration,
    timezone: props.timezone,
    env: props.runnerEnv,
    resources: props.runnerResources,
    script: props.runnerScript,
    scaledJobPod: props.scaledJobPod,
    volumes: {
      data: PodVolume.emptyDir('data'),
      config,
      zoneinfo: PodVolume.hostPath('zoneinfo', RUNNER_PATHS.zoneinfo, 'Directory'),
      ...(jobSecrets ? { jobSecrets } : {}),
    },
  });
  const dind = dindSidecar({
    image: props.dindImage,
    nativeSidecar: props.nativeSidecar,
    storage: PodVolume.emptyDir('dind-storage'),
    config,
    daemonJson: props.config.daemonJson,
    extraArgs: props.dindExtraArgs,
    resources: props.dindResources,
  });
  // Init containers first: the order Kubernetes starts them, and the order volumes are listed.
  const [initContainers, containers] = props.nativeSidecar ? [[dind], [runner]] : [[], [runner, dind]];
  const spec: PodSpec = {
    terminationGracePeriodSeconds: props.terminationGracePeriodSeconds,
    ...(props.nativeSidecar ? {} : { shareProcessNamespace: true }),
    ...(initContainers.length ? { initContainers: initContainers.map(toContainer) } : {}),
    containers: containers.map(toContainer),
    volumes: podVolumes([...initContainers, ...containers]),
  };

  const dindPath = `${props.nativeSidecar ? 'initContainers' : 'containers'}[name=dind]`;
  const notes = new Map<string, string>([
    ...Object.entries(runnerNotes(props.runnerScript === undefined)).map(([path, why]): [string, string] => [`containers[name=runner].${path}`, why]),
    ...Object.entries(dindNotes(props.nativeSidecar)).map(([path, why]): [string, string] => [`${dindPath}.${path}`, why]),
  ]);
  if (!props.nativeSidecar) notes.set('shareProcessNamespace', 'lets the DinD preStop see the runner process');
  if (jobSecrets) notes.set(`volumes[name=${jobSecrets.name}]`, 'the dotenv file runner.env_file reads; a pod restart picks up a new value');
  return { spec, notes };
}
