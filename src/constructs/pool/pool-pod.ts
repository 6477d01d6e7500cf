// Pool part: what every pool shape shares, the Deployment pool (runner-pool.ts) and the ephemeral
// KEDA pool (keda/ephemeral-runner-pool.ts): the props of the runner pod, their validation, the
// config ConfigMap and the pod itself. Each pool only adds its workload around the pod, so both
// run the same containers, Secrets, env file, zoneinfo and resources.
import type { Construct } from 'constructs';
import { durationSeconds } from '../../util/duration.ts';
import { standardLabels } from '../labels.ts';
import type { SecretKeyHandle } from '../onepassword-secret.ts';
import { dindArgConflicts } from './dind-args.ts';
import { DEFAULT_DIND_IMAGE, DEFAULT_RUNNER_IMAGE, DEFAULT_SHUTDOWN_TIMEOUT, GRACE_MARGIN_SECONDS } from './defaults.ts';
import { RunnerConfig } from './runner-config.ts';
import { runnerPod, type RunnerPod } from './runner-pod.ts';
import type { ContainerResources, RunnerRegistration } from './types.ts';

/** The runner pod of a pool, whatever workload runs it. */
export interface RunnerPodTemplateProps {
  /** Workload name, `app` label and ConfigMap prefix (a DNS-1123 label). */
  readonly name: string;
  readonly namespace: string;
  /** Forgejo instance URL. */
  readonly forgejoUrl: string;
  /** Runner labels ("name:docker://image"); at least one. */
  readonly labels: readonly string[];
  readonly registration: RunnerRegistration;
  /** Name the runner registers under. @default the pool name */
  readonly runnerName?: string;
  /** @default DEFAULT_RUNNER_IMAGE (code.forgejo.org/forgejo/runner:12.7.0) */
  readonly runnerImage?: string;
  /** @default DEFAULT_DIND_IMAGE (docker:27-dind) */
  readonly dindImage?: string;
  /** Jobs run at once. @default 1 */
  readonly capacity?: number;
  /** Longest a job may run (Go duration). @default 3h */
  readonly timeout?: string;
  /** How long a stopping runner lets running jobs finish (Go duration). @default DEFAULT_SHUTDOWN_TIMEOUT (3h) */
  readonly shutdownTimeout?: string;
  /** Must cover shutdownTimeout. @default shutdownTimeout plus GRACE_MARGIN_SECONDS */
  readonly terminationGracePeriodSeconds?: number;
  /** @default info */
  readonly logLevel?: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
  /** TZ for the runner and its jobs; the host's zoneinfo is mounted. @default UTC (no TZ set) */
  readonly timezone?: string;
  /** Env vars of the runner container read from Secrets (not passed to jobs). @default none */
  readonly secretEnv?: Readonly<Record<string, SecretKeyHandle>>;
  /** A dotenv file in a Secret, mounted read-only and named by runner.env_file: every job gets its variables. @default none */
  readonly jobEnvFile?: SecretKeyHandle;
  /** Plain env vars for every job (runner.envs). @default DOCKER_HOST and TZ only */
  readonly jobEnv?: Readonly<Record<string, string>>;
  /** Docker Hub pull-through mirrors for DinD. @default none */
  readonly registryMirrors?: readonly string[];
  /** Bridge MTU of DinD's job containers. @default dockerd's own (1500) */
  readonly dindMtu?: number;
  /** Extra dockerd flags. @default none */
  readonly dindExtraArgs?: readonly string[];
  /**
   * Run DinD as a native sidecar (init container with restartPolicy Always, Kubernetes >= 1.29)
   * so it starts before and stops after the runner. Otherwise an ordinary container whose
   * preStop waits for the runner to exit.
   * @default true
   */
  readonly nativeSidecar?: boolean;
  /** @default no requests or limits */
  readonly runnerResources?: ContainerResources;
  /** @default no requests or limits: a limit throttles or OOM-kills image builds */
  readonly dindResources?: ContainerResources;
  /** Pod-template annotations. @default none */
  readonly podAnnotations?: Readonly<Record<string, string>>;
}

/** The validated pod of a pool, with the settings its workload needs. */
export interface PoolPod {
  readonly config: RunnerConfig;
  readonly pod: RunnerPod;
  /** Labels of the workload and its pods (`app` plus the standard labels). */
  readonly labels: Readonly<Record<string, string>>;
  /** The labels that select exactly this pool's pods (a subset of `labels`): the Deployment's selector, the NetworkPolicy's podSelector. */
  readonly selector: Readonly<Record<string, string>>;
  readonly terminationGracePeriodSeconds: number;
  readonly shutdownTimeout: string;
}

/**
 * Validates the props (errors start with `what`, e.g. `RunnerPool runners`), then builds the
 * pool's RunnerConfig under `scope` (id `Config`) and its runner pod. `runnerScript` replaces the
 * runner container's script (default: the daemon start-up script).
 */
export function poolPod(scope: Construct, what: string, props: RunnerPodTemplateProps, runnerScript?: string): PoolPod {
  const fail = (message: string): never => {
    throw new Error(`${what}: ${message}`);
  };
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(props.name) || props.name.length > 63) {
    fail('name must be a DNS-1123 label (lowercase letters, digits, "-"; at most 63 characters)');
  }
  if (props.labels.length === 0) fail('labels is empty; give at least one runner label such as "docker:docker://node:20"');
  for (const label of props.labels) {
    if (!/^[^\s,]+$/.test(label)) fail(`labels entry "${label}" contains a space or comma (RUNNER_LABELS is comma-separated)`);
  }
  for (const [prop, image] of [['runnerImage', props.runnerImage], ['dindImage', props.dindImage]] as const) {
    // An image without tag or digest silently floats to :latest.
    if (image !== undefined && !/:[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(image) && !image.includes('@sha256:')) {
      fail(`${prop} "${image}" has no tag or digest; pin one (e.g. docker:27-dind)`);
    }
  }
  const capacity = props.capacity ?? 1;
  if (!Number.isInteger(capacity) || capacity < 1) fail(`capacity is ${props.capacity}; expected a whole number >= 1`);
  const seconds = (prop: string, value: string): number => {
    try {
      return durationSeconds(value);
    } catch {
      return fail(`${prop} "${value}" is not a Go duration such as "3h" or "90m"`);
    }
  };
  const timeout = props.timeout ?? '3h';
  seconds('timeout', timeout);
  const shutdownTimeout = props.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT;
  const shutdownSeconds = seconds('shutdownTimeout', shutdownTimeout);
  const grace = props.terminationGracePeriodSeconds ?? Math.ceil(shutdownSeconds) + GRACE_MARGIN_SECONDS;
  if (grace < shutdownSeconds) {
    fail(
      `terminationGracePeriodSeconds (${grace}) is shorter than shutdownTimeout ` +
        `(${shutdownTimeout} = ${shutdownSeconds} s): Kubernetes would kill running jobs before the runner ` +
        `lets them finish. Raise terminationGracePeriodSeconds to at least ${Math.ceil(shutdownSeconds)} ` +
        `(or omit it to get shutdownTimeout + ${GRACE_MARGIN_SECONDS} s), or lower shutdownTimeout.`,
    );
  }
  // A pod reads Secrets of its own namespace only: a handle from elsewhere would never resolve.
  const secrets: [string, { namespace: string; secretName: string }][] = [
    ...Object.entries(props.secretEnv ?? {}).map(([k, h]): [string, SecretKeyHandle] => [`secretEnv.${k}`, h]),
    ...(props.jobEnvFile ? [['jobEnvFile', props.jobEnvFile] as [string, SecretKeyHandle]] : []),
    props.registration.mode === 'token'
      ? ['registration.tokenSecret', props.registration.tokenSecret]
      : ['registration.runnerSecret', props.registration.runnerSecret],
  ];
  for (const [prop, s] of secrets) {
    if (s.namespace !== props.namespace) {
      fail(`${prop} is Secret ${s.secretName} of namespace ${s.namespace}, but the pool runs in ${props.namespace}`);
    }
  }
  // The values schema checks the same rules with file and line; a library caller gets them here.
  const conflicts = dindArgConflicts(props.dindExtraArgs ?? [], {
    mtu: props.dindMtu !== undefined,
    registryMirrors: (props.registryMirrors?.length ?? 0) > 0,
    names: { mtu: 'dindMtu', registryMirrors: 'registryMirrors' },
  });
  if (conflicts.length > 0) fail(`dindExtraArgs[${conflicts[0]!.index}] ${conflicts[0]!.message}`);
  if (props.jobEnvFile && props.registration.mode === 'token' && props.registration.tokenSecret.secretName === props.jobEnvFile.secretName) {
    fail('jobEnvFile must not live in the registration Secret: envFrom would expose it to the runner as an env var');
  }
  const selector = { app: props.name };
  const labels = { ...selector, ...standardLabels({ instance: props.name, component: 'runner' }) };

  const config = new RunnerConfig(scope, 'Config', {
    poolName: props.name,
    namespace: props.namespace,
    labels,
    logLevel: props.logLevel ?? 'info',
    capacity,
    timeout,
    shutdownTimeout,
    terminationGracePeriodSeconds: grace,
    timezone: props.timezone,
    jobEnv: props.jobEnv,
    jobEnvFile: props.jobEnvFile,
    runnerLabels: props.registration.mode === 'offline' ? props.labels : undefined,
    registryMirrors: props.registryMirrors,
    mtu: props.dindMtu,
  });

  let pod: RunnerPod;
  try {
    pod = runnerPod({
      runnerImage: props.runnerImage ?? DEFAULT_RUNNER_IMAGE,
      dindImage: props.dindImage ?? DEFAULT_DIND_IMAGE,
      forgejoUrl: props.forgejoUrl,
      runnerName: props.runnerName ?? props.name,
      labels: props.labels,
      registration: props.registration,
      config,
      nativeSidecar: props.nativeSidecar ?? true,
      terminationGracePeriodSeconds: grace,
      timezone: props.timezone,
      secretEnv: props.secretEnv,
      jobEnvFile: props.jobEnvFile,
      dindExtraArgs: props.dindExtraArgs,
      runnerResources: props.runnerResources,
      dindResources: props.dindResources,
      runnerScript,
    });
  } catch (e) {
    return fail((e as Error).message);
  }
  return { config, pod, labels, selector, terminationGracePeriodSeconds: grace, shutdownTimeout };
}
