// Pool part: what every pool shape shares, the Deployment pool (runner-pool.ts) and the ephemeral
// KEDA pool (keda/ephemeral-runner-pool.ts): the props of the runner pod, their validation, the
// config ConfigMap and the pod itself. Each pool only adds its workload around the pod, so both
// run the same containers, Secrets, env file, zoneinfo and resources.
import type { Construct } from 'constructs';
import { durationSeconds } from '../../util/duration.ts';
import { standardLabels } from '../labels.ts';
import { SecretKeyHandle } from '../onepassword-secret.ts';
import { PropsCheck, type PropPath } from '../props-error.ts';
import {
  between,
  dnsLabel,
  dockerdFlag,
  envVarName,
  goDuration,
  httpUrl,
  imageRef,
  labelValue,
  LOG_LEVELS,
  metadataKey,
  oneOf,
  quantity,
  repeatedLabelNames,
  runnerLabel,
  runnerName,
  timeZone,
  wholeNumber,
  type LogLevel,
} from '../rules.ts';
import { dindArgConflicts } from './dind-args.ts';
import { DEFAULT_DIND_IMAGE, DEFAULT_RUNNER_IMAGE, DEFAULT_SHUTDOWN_TIMEOUT, GRACE_MARGIN_SECONDS } from './defaults.ts';
import { RunnerConfig } from './runner-config.ts';
import { runnerPod, type RunnerPod } from './runner-pod.ts';
import type { ContainerResources, RunnerRegistration } from './types.ts';

/** The Docker-in-Docker daemon of every pod of a pool. */
export interface DindOptions {
  /** Docker Hub pull-through mirrors (http or https URLs), written to daemon.json. @default none */
  readonly registryMirrors?: readonly string[];
  /** Bridge MTU of the job containers, 576 to 9216 (overlay networks often need < 1500). @default dockerd's own (1500) */
  readonly mtu?: number;
  /** Extra dockerd flags; none may repeat a daemon.json key or add a --host. @default none */
  readonly extraArgs?: readonly string[];
}

/** The images of a pool's pods, each with an explicit tag or digest. */
export interface RunnerImages {
  /** @default DEFAULT_RUNNER_IMAGE (code.forgejo.org/forgejo/runner:12.7.0) */
  readonly runner?: string;
  /** @default DEFAULT_DIND_IMAGE (docker:27-dind) */
  readonly dind?: string;
}

/** An env var of the runner container: a plain value or a Secret key. */
export type RunnerEnvValue = string | SecretKeyHandle;

/** The pod settings that can be given for all pools and for one pool (the pool's entries win). */
export interface PodExtensions {
  /** Extra env vars of the runner container (not passed to jobs): plain values or Secret key handles. @default none */
  readonly runnerEnv?: Readonly<Record<string, RunnerEnvValue>>;
  /** Extra pod labels (not the selector label `app`). @default none */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** Pod-template annotations. @default none */
  readonly podAnnotations?: Readonly<Record<string, string>>;
}

/** What one pool decides for itself. */
export interface PoolSettings extends PodExtensions {
  /**
   * Runner labels ("name:docker://image"); at least one, no spaces or commas, each name once and
   * of the characters A-Z a-z 0-9 . _ ~ - only.
   */
  readonly labels: readonly string[];
  /**
   * Accept host labels (`name:host`, or a bare `name`): their jobs run inside the runner
   * container itself, next to its secrets and without DinD's isolation.
   * @default false (only `name:docker://image` labels)
   */
  readonly allowHostLabels?: boolean;
  /** Name the runner registers under (no spaces). @default the pool name */
  readonly runnerName?: string;
  /** Jobs run at once. @default 1 */
  readonly capacity?: number;
  /** Longest a job may run (Go duration). @default 3h */
  readonly timeout?: string;
  /** How long a stopping runner lets running jobs finish (Go duration). @default DEFAULT_SHUTDOWN_TIMEOUT (3h) */
  readonly shutdownTimeout?: string;
  /** Must cover shutdownTimeout. @default shutdownTimeout plus GRACE_MARGIN_SECONDS */
  readonly terminationGracePeriodSeconds?: number;
  /** @default info */
  readonly logLevel?: LogLevel;
  /** @default no requests or limits */
  readonly runnerResources?: ContainerResources;
  /** @default no requests or limits: a limit throttles or OOM-kills image builds */
  readonly dindResources?: ContainerResources;
}

/** What an installation decides for all its pools, as ForgejoRunner takes it. */
export interface InstallationSettings {
  /** Forgejo instance URL (http or https). */
  readonly forgejoUrl: string;
  /** @default see RunnerImages */
  readonly images?: RunnerImages;
  /** TZ for the runner and its jobs (an IANA name); the host's zoneinfo is mounted. @default UTC (no TZ set) */
  readonly timezone?: string;
  /** Plain env vars for every job (runner.envs). @default DOCKER_HOST and TZ only */
  readonly jobEnv?: Readonly<Record<string, string>>;
  /** @default see DindOptions */
  readonly dind?: DindOptions;
  /**
   * Run DinD as a native sidecar (init container with restartPolicy Always, Kubernetes >= 1.29)
   * so it starts before and stops after the runner. Otherwise an ordinary container whose
   * preStop waits for the runner to exit.
   * @default true
   */
  readonly nativeSidecar?: boolean;
}

/** What every pool of an installation shares, resolved once (ForgejoRunner hands it to each pool as it is). */
export interface SharedPoolSettings extends InstallationSettings {
  readonly namespace: string;
  /** A dotenv file in a Secret, mounted read-only and named by runner.env_file: every job gets its variables. @default none */
  readonly jobEnvFile?: SecretKeyHandle;
}

/** The runner pod of a pool, whatever workload runs it. */
export interface RunnerPodTemplateProps extends PoolSettings, SharedPoolSettings {
  /** Workload name, `app` label and ConfigMap prefix (a DNS-1123 label). */
  readonly name: string;
  readonly registration: RunnerRegistration;
}

/** The validated pod of a pool, with the settings its workload needs. */
export interface PoolPod {
  readonly config: RunnerConfig;
  readonly pod: RunnerPod;
  /** Labels of the workload (`app` plus the standard labels). */
  readonly labels: Readonly<Record<string, string>>;
  /** Labels of the pods: the workload's plus podLabels. */
  readonly podLabels: Readonly<Record<string, string>>;
  /** The labels that select exactly this pool's pods (a subset of `labels`): the Deployment's selector, the NetworkPolicy's podSelector. */
  readonly selector: Readonly<Record<string, string>>;
  readonly terminationGracePeriodSeconds: number;
  readonly shutdownTimeout: string;
}

/** The rules of the settings shared by all pools; ForgejoRunner checks them once at its own paths. */
export function checkSharedPoolSettings(check: PropsCheck, s: InstallationSettings): void {
  check.check(['forgejoUrl'], httpUrl(s.forgejoUrl));
  if (s.images?.runner !== undefined) check.check(['images', 'runner'], imageRef(s.images.runner));
  if (s.images?.dind !== undefined) check.check(['images', 'dind'], imageRef(s.images.dind));
  if (s.timezone !== undefined) check.check(['timezone'], timeZone(s.timezone));
  for (const name of Object.keys(s.jobEnv ?? {})) check.check(['jobEnv', name], envVarName(name));
  const dind = s.dind ?? {};
  (dind.registryMirrors ?? []).forEach((m, i) => check.check(['dind', 'registryMirrors', i], httpUrl(m)));
  if (dind.mtu !== undefined) check.check(['dind', 'mtu'], between(576, 9216, 'an MTU')(dind.mtu));
  (dind.extraArgs ?? []).forEach((a, i) => check.check(['dind', 'extraArgs', i], dockerdFlag(a)));
  // Flags that crash dockerd next to the generated daemon.json, or reopen the API (dind-args.ts).
  const sources = { mtu: dind.mtu !== undefined, registryMirrors: (dind.registryMirrors?.length ?? 0) > 0 };
  for (const c of dindArgConflicts(dind.extraArgs ?? [], sources)) check.fail(['dind', 'extraArgs', c.index], c.message);
}

/** The rules of runnerEnv, podLabels and podAnnotations (for all pools or one). */
export function checkPodExtensions(check: PropsCheck, prefix: PropPath, e: PodExtensions): void {
  for (const [name, value] of Object.entries(e.runnerEnv ?? {})) {
    check.check([...prefix, 'runnerEnv', name], envVarName(name));
    if (typeof value !== 'string' && !(value instanceof SecretKeyHandle)) {
      check.fail([...prefix, 'runnerEnv', name], 'expected a string or a SecretKeyHandle (OnePasswordSecret.key())');
    }
  }
  for (const [key, value] of Object.entries(e.podLabels ?? {})) {
    if (check.check([...prefix, 'podLabels', key], metadataKey(key))) check.check([...prefix, 'podLabels', key], labelValue(value));
    if (key === 'app') check.fail([...prefix, 'podLabels', key], 'app is the pool\'s selector label; pick another key');
  }
  for (const key of Object.keys(e.podAnnotations ?? {})) check.check([...prefix, 'podAnnotations', key], metadataKey(key));
}

function checkResources(check: PropsCheck, prefix: PropPath, r: ContainerResources | undefined): void {
  for (const kind of ['requests', 'limits'] as const) {
    for (const [resource, value] of Object.entries(r?.[kind] ?? {})) {
      if (value !== undefined) check.check([...prefix, kind, resource], quantity(String(value)));
    }
  }
}

/** The resolved pool settings (defaults applied here, once), or undefined where a rule failed. */
interface ResolvedPoolSettings {
  readonly capacity: number;
  readonly timeout: string;
  readonly shutdownTimeout: string;
  readonly shutdownSeconds: number;
  readonly grace: number;
  readonly logLevel: LogLevel;
}

/**
 * The rules of one pool's own settings at `prefix` (ForgejoRunner checks each pool with it, so a
 * values file gets every problem in one run), and their defaults.
 */
export function checkPoolSettings(check: PropsCheck, prefix: PropPath, props: PoolSettings & { readonly name: string }): ResolvedPoolSettings {
  const at = (...path: (string | number)[]) => [...prefix, ...path];
  check.check(at('name'), dnsLabel(props.name));
  checkPodExtensions(check, prefix, props);
  if (props.labels.length === 0) check.fail(at('labels'), 'expected at least one runner label such as "docker:docker://node:20"');
  const labelRule = runnerLabel({ allowHostLabels: props.allowHostLabels });
  props.labels.forEach((label, i) => check.check(at('labels', i), labelRule(label)));
  for (const [i, message] of repeatedLabelNames(props.labels)) check.fail(at('labels', i), message);
  if (props.runnerName !== undefined) check.check(at('runnerName'), runnerName(props.runnerName));
  const capacity = props.capacity ?? 1;
  check.check(at('capacity'), wholeNumber(1)(capacity));
  const timeout = props.timeout ?? '3h';
  check.check(at('timeout'), goDuration(timeout));
  const shutdownTimeout = props.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT;
  const shutdownOk = check.check(at('shutdownTimeout'), goDuration(shutdownTimeout));
  const shutdownSeconds = shutdownOk ? durationSeconds(shutdownTimeout) : 0;
  const grace = props.terminationGracePeriodSeconds ?? Math.ceil(shutdownSeconds) + GRACE_MARGIN_SECONDS;
  if (check.check(at('terminationGracePeriodSeconds'), wholeNumber(0)(grace)) && grace < shutdownSeconds) {
    check.fail(
      at('terminationGracePeriodSeconds'),
      `expected at least ${Math.ceil(shutdownSeconds)} (shutdownTimeout ${shutdownTimeout}), got ${grace}: Kubernetes would kill running jobs ` +
        `before the runner lets them finish; omit it to get shutdownTimeout + ${GRACE_MARGIN_SECONDS} s, or lower shutdownTimeout`,
    );
  }
  const logLevel = props.logLevel ?? 'info';
  check.check(at('logLevel'), oneOf(LOG_LEVELS)(logLevel));
  checkResources(check, at('runnerResources'), props.runnerResources);
  checkResources(check, at('dindResources'), props.dindResources);
  return { capacity, timeout, shutdownTimeout, shutdownSeconds, grace, logLevel };
}

/**
 * Validates the props (a PropsError naming `what`, e.g. `RunnerPool runners`), then builds the
 * pool's RunnerConfig under `scope` (id `Config`) and its runner pod. `runnerScript` replaces the
 * runner container's script (default: the daemon start-up script); `scaledJobPod`: see
 * RunnerContainerProps.scaledJobPod.
 */
export function poolPod(scope: Construct, what: string, props: RunnerPodTemplateProps, runnerScript?: string, scaledJobPod = false): PoolPod {
  const check = new PropsCheck(what);
  checkSharedPoolSettings(check, props);
  const { capacity, timeout, shutdownTimeout, grace, logLevel } = checkPoolSettings(check, [], props);
  // A pod reads Secrets of its own namespace only: a handle from elsewhere would never resolve.
  const secrets: [PropPath, { namespace: string; secretName: string }][] = [
    ...Object.entries(props.runnerEnv ?? {}).flatMap(([k, h]): [PropPath, SecretKeyHandle][] => (h instanceof SecretKeyHandle ? [[['runnerEnv', k], h]] : [])),
    ...(props.jobEnvFile ? [[['jobEnvFile'], props.jobEnvFile] as [PropPath, SecretKeyHandle]] : []),
    props.registration.mode === 'token'
      ? [['registration', 'tokenSecret'], props.registration.tokenSecret]
      : [['registration', 'runnerSecret'], props.registration.runnerSecret],
  ];
  for (const [path, s] of secrets) {
    if (s.namespace !== props.namespace) check.fail(path, `is Secret ${s.secretName} of namespace ${s.namespace}, but the pool runs in ${props.namespace}`);
  }
  if (props.jobEnvFile && props.registration.mode === 'token' && props.registration.tokenSecret.secretName === props.jobEnvFile.secretName) {
    check.fail(['jobEnvFile'], 'must not live in the registration Secret: envFrom would expose it to the runner as an env var');
  }
  check.done();

  const selector = { app: props.name };
  const labels = { ...selector, ...standardLabels({ instance: props.name, component: 'runner' }) };
  const dind = props.dind ?? {};
  const config = new RunnerConfig(scope, 'Config', {
    poolName: props.name,
    namespace: props.namespace,
    labels,
    logLevel,
    capacity,
    timeout,
    shutdownTimeout,
    terminationGracePeriodSeconds: grace,
    timezone: props.timezone,
    jobEnv: props.jobEnv,
    jobEnvFile: props.jobEnvFile,
    runnerLabels: props.registration.mode === 'offline' ? props.labels : undefined,
    dind,
  });

  let pod: RunnerPod;
  try {
    pod = runnerPod({
      runnerImage: props.images?.runner ?? DEFAULT_RUNNER_IMAGE,
      dindImage: props.images?.dind ?? DEFAULT_DIND_IMAGE,
      forgejoUrl: props.forgejoUrl,
      runnerName: props.runnerName ?? props.name,
      labels: props.labels,
      registration: props.registration,
      config,
      nativeSidecar: props.nativeSidecar ?? true,
      terminationGracePeriodSeconds: grace,
      timezone: props.timezone,
      runnerEnv: props.runnerEnv,
      jobEnvFile: props.jobEnvFile,
      dindExtraArgs: dind.extraArgs,
      runnerResources: props.runnerResources,
      dindResources: props.dindResources,
      runnerScript,
      scaledJobPod,
    });
  } catch (e) {
    // The parts' own checks (e.g. an env var the runner sets itself): reported at runnerEnv.
    const failed = new PropsCheck(what);
    failed.fail(['runnerEnv'], (e as Error).message);
    failed.done();
    throw e;
  }
  const podLabels = { ...labels, ...props.podLabels };
  return { config, pod, labels, podLabels, selector, terminationGracePeriodSeconds: grace, shutdownTimeout };
}
