// Pool part: the forgejo-runner container. It registers (or writes its identity file), waits
// for DinD, then runs `forgejo-runner daemon`; it is never privileged.
import type { EnvVar, ResourceRequirements } from '../../../imports/k8s.ts';
import type { SecretKeyHandle } from '../onepassword-secret.ts';
import { runnerStartupScript } from '../startup-script.ts';
import { dindDockerHost, dindHttpUrl } from './dind-endpoint.ts';
import { runnerReadinessCommand } from './runner-probes.ts';
import type { ContainerResources, RunnerRegistration } from './types.ts';
import { PodVolume, secretEnvVar, type ContainerPart } from './volumes.ts';

/** Where the runner container keeps its files. */
export const RUNNER_PATHS = {
  /** emptyDir: the runner's state survives container restarts, not pod restarts. */
  dataDir: '/data',
  /** runner.file of config.yaml: the registration state. */
  stateFile: '/data/.runner',
  configDir: '/config',
  configFile: '/config/config.yaml',
  /** Read-only mount of the job env file's Secret. */
  jobSecretsDir: '/secrets/jobs',
  /** Read-only mount of the runner secret's key in a ScaledJob pod (offline registration). */
  runnerSecretDir: '/secrets/runner',
  zoneinfo: '/usr/share/zoneinfo',
} as const;

/** The volumes the runner container mounts; the pod's volumes are derived from them. */
export interface RunnerVolumes {
  readonly data: PodVolume;
  readonly config: PodVolume;
  readonly zoneinfo: PodVolume;
  /** The Secret file runner.env_file names. @default not mounted */
  readonly jobSecrets?: PodVolume;
}

export interface RunnerContainerProps {
  readonly image: string;
  readonly forgejoUrl: string;
  readonly runnerName: string;
  readonly labels: readonly string[];
  readonly registration: RunnerRegistration;
  /** @default no TZ (UTC) */
  readonly timezone?: string;
  /** Extra env vars: plain values or Secret keys. @default none */
  readonly env?: Readonly<Record<string, string | SecretKeyHandle>>;
  readonly volumes: RunnerVolumes;
  /** @default no requests or limits */
  readonly resources?: ContainerResources;
  /**
   * The shell script the container runs, e.g. an ephemeral pool's one-job script. A custom
   * script gets no readiness probe: the probe looks for `forgejo-runner daemon`, which only the
   * start-up script runs (a one-job pod is never a Service or rollout target).
   * @default the daemon start-up script (startup-script.ts), with a readiness probe
   */
  readonly script?: string;
  /**
   * The pod is a KEDA ScaledJob's Job template. KEDA resolves the env of the template's first
   * container before it builds the scaler, reading every Secret it names with the operator's
   * rights, and one missing Secret fails the pool's scaler (kedacore/keda
   * pkg/scaling/resolver/scale_resolvers.go ResolveContainerEnv, pkg/scaling/scalers_builder.go).
   * So the runner secret comes as a read-only file (env RUNNER_SECRET_FILE names it) (Secret env
   * vars of `env` are refused by ForgejoRunnerScaledJob); RUNNER_LABELS is left out (one-job reads
   * runner.labels of the config).
   * @default false
   */
  readonly scaledJobPod?: boolean;
}

/** Review notes of the runner container, relative to the container. */
export function runnerNotes(daemon: boolean): Record<string, string> {
  return daemon
    ? { readinessProbe: 'ready once the daemon runs with an identity: a failed registration never drains the old pod' }
    : {};
}

export function runnerContainer(props: RunnerContainerProps): ContainerPart {
  const job = props.scaledJobPod ?? false;
  const reg = props.registration;
  const secretFile = reg.mode === 'offline' && job ? PodVolume.secretFile('runner-secret', reg.runnerSecret) : undefined;
  const env: EnvVar[] = [
    ...(props.timezone ? [{ name: 'TZ', value: props.timezone }] : []),
    { name: 'DOCKER_HOST', value: dindDockerHost() },
    { name: 'FORGEJO_URL', value: props.forgejoUrl },
    { name: 'RUNNER_NAME', value: props.runnerName },
    ...(job ? [] : [{ name: 'RUNNER_LABELS', value: props.labels.join(',') }]),
    ...(reg.mode === 'offline'
      ? [secretFile ? { name: 'RUNNER_SECRET_FILE', value: `${RUNNER_PATHS.runnerSecretDir}/${reg.runnerSecret.key}` } : secretEnvVar('RUNNER_SECRET', reg.runnerSecret)]
      : []),
    ...Object.entries(props.env ?? {}).map(([name, value]) => (typeof value === 'string' ? { name, value } : secretEnvVar(name, value))),
  ];
  const names = env.map((e) => e.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new Error(`env var ${duplicate} is set twice in the runner container (runnerEnv repeats a variable the runner sets)`);

  const v = props.volumes;
  return {
    container: {
      name: 'runner',
      image: props.image,
      env,
      command: [
        '/bin/sh',
        '-c',
        props.script ??
        runnerStartupScript({
          registration: props.registration.mode,
          configPath: RUNNER_PATHS.configFile,
          stateFile: RUNNER_PATHS.stateFile,
          dockerUrl: dindHttpUrl(),
        }),
      ],
      // Ready = the daemon runs and has an identity: a surge rollout drains the old pod only then.
      ...(props.script === undefined
        ? { readinessProbe: { exec: { command: runnerReadinessCommand({ stateFile: RUNNER_PATHS.stateFile }) }, periodSeconds: 5, failureThreshold: 3, timeoutSeconds: 5 } }
        : {}),
      ...(reg.mode === 'token' ? { envFrom: [{ secretRef: { name: reg.tokenSecret.secretName } }] } : {}),
      ...resources(props.resources),
    },
    mounts: [
      v.data.at(RUNNER_PATHS.dataDir),
      v.config.at(RUNNER_PATHS.configDir),
      v.zoneinfo.at(RUNNER_PATHS.zoneinfo, { readOnly: true }),
      ...(v.jobSecrets ? [v.jobSecrets.at(RUNNER_PATHS.jobSecretsDir, { readOnly: true })] : []),
      ...(secretFile ? [secretFile.at(RUNNER_PATHS.runnerSecretDir, { readOnly: true })] : []),
    ],
  };
}

/** Requests/limits as Kubernetes writes them; nothing when neither is set. */
export function resources(r: ContainerResources | undefined): { resources?: ResourceRequirements } {
  if (!r || (!r.requests && !r.limits)) return {};
  const list = (l?: { cpu?: string; memory?: string }): Record<string, string> | undefined =>
    l ? Object.fromEntries(Object.entries(l).filter((e): e is [string, string] => e[1] !== undefined)) : undefined;
  return { resources: { ...(r.requests ? { requests: list(r.requests) } : {}), ...(r.limits ? { limits: list(r.limits) } : {}) } };
}
