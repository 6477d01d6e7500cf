// One pool of Forgejo Actions runners: a Deployment whose pods run forgejo-runner next to a
// Docker-in-Docker daemon that executes the jobs, and the ConfigMap with both their configs.
// The parts live next to this file: runner-config.ts (ConfigMap), runner-container.ts,
// dind-sidecar.ts, volumes.ts (mounts carry their volumes), runner-pod.ts (the pod spec),
// dind-endpoint.ts (the one DinD address).
//
// Built from the typed API shapes rather than cdk8s-plus's Deployment: every cdk8s-plus
// default differs from production (2 replicas, imagePullPolicy Always, hashed names, 1500m/2Gi
// limits, runAsNonRoot, no privilege escalation, a metadata.addr pod label), and DinD needs
// privileged mode, which cdk8s-plus's defaults contradict. Here every field is set on purpose.
import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { Deployment } from '../../../imports/k8s.js';
import { durationSeconds } from '../../util/duration.js';
import { kubeObject } from '../kube-object.js';
import { standardLabels } from '../labels.js';
import { explain } from '../metadata.js';
import type { SecretKeyHandle } from '../onepassword-secret.js';
import { RunnerConfig } from './runner-config.js';
import { runnerPod } from './runner-pod.js';
import type { ContainerResources, RunnerRegistration } from './types.js';

import {
  DEFAULT_DIND_IMAGE,
  DEFAULT_RUNNER_IMAGE,
  DEFAULT_SHUTDOWN_TIMEOUT,
  GRACE_MARGIN_SECONDS,
} from './defaults.js';

export { DEFAULT_DIND_IMAGE, DEFAULT_RUNNER_IMAGE, DEFAULT_SHUTDOWN_TIMEOUT, GRACE_MARGIN_SECONDS, NATIVE_SIDECAR_MIN_MINOR } from './defaults.js';

export interface RunnerPoolProps {
  /** Deployment name, `app` label and ConfigMap prefix (a DNS-1123 label). */
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
  /** @default 1 */
  readonly replicas?: number;
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
  /** Deployment annotations, e.g. Reloader's. @default none */
  readonly annotations?: Readonly<Record<string, string>>;
}

export class RunnerPool extends Construct {
  public readonly deployment: ApiObject;
  public readonly config: RunnerConfig;
  /** Seconds Kubernetes waits before SIGKILL. */
  public readonly terminationGracePeriodSeconds: number;

  constructor(scope: Construct, id: string, props: RunnerPoolProps) {
    super(scope, id);
    const fail = (message: string): never => {
      throw new Error(`RunnerPool ${props.name}: ${message}`);
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
    const replicas = props.replicas ?? 1;
    if (!Number.isInteger(replicas) || replicas < 0) fail(`replicas is ${props.replicas}; expected a whole number >= 0`);
    const capacity = props.capacity ?? 1;
    if (!Number.isInteger(capacity) || capacity < 1) fail(`capacity is ${props.capacity}; expected a whole number >= 1`);
    if (props.registration.mode === 'offline' && replicas > 1) {
      fail(`replicas ${replicas} with offline registration would run ${replicas} pods as one runner identity; use replicas 1, or token registration`);
    }
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
    if (props.jobEnvFile && props.registration.mode === 'token' && props.registration.tokenSecret.secretName === props.jobEnvFile.secretName) {
      fail('jobEnvFile must not live in the registration Secret: envFrom would expose it to the runner as an env var');
    }
    this.terminationGracePeriodSeconds = grace;
    const nativeSidecar = props.nativeSidecar ?? true;
    const labels = { app: props.name, ...standardLabels({ instance: props.name, component: 'runner' }) };

    this.config = new RunnerConfig(this, 'Config', {
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

    let pod;
    try {
      pod = runnerPod({
        runnerImage: props.runnerImage ?? DEFAULT_RUNNER_IMAGE,
        dindImage: props.dindImage ?? DEFAULT_DIND_IMAGE,
        forgejoUrl: props.forgejoUrl,
        runnerName: props.runnerName ?? props.name,
        labels: props.labels,
        registration: props.registration,
        config: this.config,
        nativeSidecar,
        terminationGracePeriodSeconds: grace,
        timezone: props.timezone,
        secretEnv: props.secretEnv,
        jobEnvFile: props.jobEnvFile,
        dindExtraArgs: props.dindExtraArgs,
        runnerResources: props.runnerResources,
        dindResources: props.dindResources,
      });
    } catch (e) {
      throw new Error(`RunnerPool ${props.name}: ${(e as Error).message}`);
    }

    const body: Deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels,
        ...(props.annotations ? { annotations: { ...props.annotations } } : {}),
      },
      spec: {
        replicas,
        selector: { matchLabels: { app: props.name } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          metadata: { labels, ...(props.podAnnotations ? { annotations: { ...props.podAnnotations } } : {}) },
          spec: pod.spec,
        },
      },
    };
    this.deployment = kubeObject(this, 'Resource', body);

    const d = this.deployment;
    explain(d, 'spec.selector', 'immutable: a changed selector forces delete and recreate, so it stays app only');
    explain(d, 'spec.strategy', 'surge first: the old pod drains its jobs while the new one takes new jobs');
    for (const [path, why] of pod.notes) explain(d, `spec.template.spec.${path}`, why);
    explain(d, 'spec.template.spec.terminationGracePeriodSeconds', `runner.shutdown_timeout (${shutdownTimeout}) + margin: kubelet must not kill running jobs`);
  }
}
