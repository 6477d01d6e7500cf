// One pool of Forgejo Actions runners: a Deployment whose pods run forgejo-runner next to a
// Docker-in-Docker daemon that executes the jobs, and the ConfigMap with both their configs.
//
// Built from the typed API shapes rather than cdk8s-plus's Deployment: every cdk8s-plus
// default differs from production (2 replicas, imagePullPolicy Always, hashed names, 1500m/2Gi
// limits, runAsNonRoot, no privilege escalation, a metadata.addr pod label), and DinD needs
// privileged mode, which cdk8s-plus's defaults contradict. Here every field is set on purpose.
import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { Container, Deployment, EnvVar, ResourceRequirements, Volume, VolumeMount } from '../../imports/k8s.js';
import { kubeObject } from './kube-object.js';
import { HashedConfigMap } from './hashed-config-map.js';
import { standardLabels } from './labels.js';
import type { SecretEnvSource, SecretKeyHandle } from './onepassword-secret.js';
import { explain } from './review-notes.js';
import { renderDaemonConfig, renderRunnerConfig, type RunnerConfigFile } from './runner-config.js';
import { dindPreStopCommand, runnerReadinessCommand } from './runner-probes.js';
import { runnerStartupScript } from './startup-script.js';
import { syncWave, SyncWave } from './sync-wave.js';
import { durationSeconds } from '../util/duration.js';

/** dockerd's plain-TCP port in DinD, bound to the pod's loopback only. */
export const DIND_PORT = 2375;
/** Where the runner, its config and the jobs (container.network: host) reach dockerd. */
const DIND_LOOPBACK = `tcp://127.0.0.1:${DIND_PORT}`;
/** Seconds a new runner pod must stay ready before a rollout counts it available. */
export const MIN_READY_SECONDS = 10;
const CONFIG_DIR = '/config';
const DATA_DIR = '/data';
const JOB_SECRETS_DIR = '/secrets/jobs';
/** Seconds added to shutdown_timeout so the runner can report job results before SIGKILL. */
export const GRACE_MARGIN_SECONDS = 300;
/** First Kubernetes minor version with native sidecars on by default (SidecarContainers beta). */
export const NATIVE_SIDECAR_MIN_MINOR = 29;

export interface ContainerResources {
  readonly requests?: { readonly cpu?: string; readonly memory?: string };
  readonly limits?: { readonly cpu?: string; readonly memory?: string };
}

/** How the runner proves its identity to Forgejo. */
export type RunnerRegistration =
  | {
      /** Register with a one-time token when the state file is missing (needs RUNNER_TOKEN). */
      readonly mode: 'token';
      /** Secret whose keys become env vars; must hold RUNNER_TOKEN. */
      readonly tokenSecret: SecretEnvSource;
    }
  | {
      /** Derive a fixed identity from a 40-hex shared secret on every start. */
      readonly mode: 'offline';
      readonly runnerSecret: SecretKeyHandle;
    };

export interface RunnerPoolProps {
  /** Deployment name, `app` label and ConfigMap prefix. */
  readonly name: string;
  readonly namespace: string;
  readonly runnerImage: string;
  readonly dindImage: string;
  /** Forgejo instance URL. */
  readonly forgejoUrl: string;
  /** Name the runner registers under. */
  readonly runnerName: string;
  /** Runner labels ("name:docker://image"). */
  readonly labels: readonly string[];
  readonly registration: RunnerRegistration;
  /** @default 1 */
  readonly replicas?: number;
  /** Jobs run at once. @default 1 */
  readonly capacity?: number;
  /** @default 3h */
  readonly timeout?: string;
  /** How long a stopping runner lets running jobs finish. @default 3h */
  readonly shutdownTimeout?: string;
  /** @default shutdownTimeout plus GRACE_MARGIN_SECONDS */
  readonly terminationGracePeriodSeconds?: number;
  /** @default info */
  readonly logLevel?: string;
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
  /** Pod-template annotations, e.g. Reloader's. @default none */
  readonly podAnnotations?: Readonly<Record<string, string>>;
  /** Deployment annotations, e.g. Reloader's. @default sync wave only */
  readonly annotations?: Readonly<Record<string, string>>;
}

export class RunnerPool extends Construct {
  public readonly deployment: ApiObject;
  public readonly configMap: HashedConfigMap;
  /** Seconds Kubernetes waits before SIGKILL. */
  public readonly terminationGracePeriodSeconds: number;
  /** Labels that select this pool's pods (the Deployment's selector). */
  public readonly podSelector: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: RunnerPoolProps) {
    super(scope, id);
    const shutdownTimeout = props.shutdownTimeout ?? '3h';
    const shutdownSeconds = durationSeconds(shutdownTimeout);
    const grace = props.terminationGracePeriodSeconds ?? Math.ceil(shutdownSeconds) + GRACE_MARGIN_SECONDS;
    if (grace < shutdownSeconds) {
      throw new Error(
        `pool ${props.name}: terminationGracePeriodSeconds (${grace}) is shorter than shutdownTimeout ` +
          `(${shutdownTimeout} = ${shutdownSeconds} s): Kubernetes would kill running jobs before the runner ` +
          `lets them finish. Raise terminationGracePeriodSeconds to at least ${Math.ceil(shutdownSeconds)} ` +
          `(or omit it to get shutdownTimeout + ${GRACE_MARGIN_SECONDS} s), or lower shutdownTimeout.`,
      );
    }
    if (props.jobEnvFile && props.registration.mode === 'token' && props.registration.tokenSecret.secretName === props.jobEnvFile.secretName) {
      throw new Error(`pool ${props.name}: the job env file must not live in the registration Secret: envFrom would expose it to the runner as an env var`);
    }
    this.terminationGracePeriodSeconds = grace;
    const nativeSidecar = props.nativeSidecar ?? true;
    const labels = { app: props.name, ...standardLabels({ instance: props.name, component: 'runner' }) };
    this.podSelector = { app: props.name };

    const jobEnvFilePath = props.jobEnvFile ? `${JOB_SECRETS_DIR}/${props.jobEnvFile.key}` : undefined;
    const config: RunnerConfigFile = {
      log: { level: props.logLevel ?? 'info' },
      runner: {
        file: `${DATA_DIR}/.runner`,
        capacity: props.capacity ?? 1,
        timeout: props.timeout ?? '3h',
        shutdown_timeout: shutdownTimeout,
        envs: {
          DOCKER_HOST: DIND_LOOPBACK,
          ...(props.timezone ? { TZ: props.timezone } : {}),
          ...props.jobEnv,
        },
        ...(jobEnvFilePath ? { env_file: jobEnvFilePath } : {}),
        ...(props.registration.mode === 'offline' ? { labels: [...props.labels] } : {}),
      },
      container: { network: 'host', docker_host: DIND_LOOPBACK },
    };
    const configYaml = renderRunnerConfig(config, {
      '': `forgejo-runner config for pool ${props.name} (keys as of forgejo-runner v12)`,
      'runner.shutdown_timeout': `running jobs get this long to finish on pod termination; the pod's grace period is ${grace} s`,
      'runner.envs': 'Env vars injected into all job containers',
      ...(jobEnvFilePath
        ? { 'runner.env_file': `dotenv from Secret ${props.jobEnvFile!.secretName}, read at start: every job gets its variables` }
        : {}),
      ...(config.runner.labels ? { 'runner.labels': 'create-runner-file writes no labels: they come from here' } : {}),
      'container.network': 'Job execution image is set via the runner labels',
      'container.docker_host': 'DinD on the pod loopback (TCP, bound to 127.0.0.1 only); jobs share the pod network, so they reach it too',
    });
    const daemonJson = renderDaemonConfig({
      ...(props.registryMirrors?.length ? { 'registry-mirrors': [...props.registryMirrors] } : {}),
      ...(props.dindMtu ? { mtu: props.dindMtu } : {}),
    });
    this.configMap = new HashedConfigMap(this, 'Config', {
      baseName: `${props.name}-config`,
      namespace: props.namespace,
      labels,
      files: { 'config.yaml': configYaml, 'daemon.json': daemonJson },
    });

    const env: EnvVar[] = [
      ...(props.timezone ? [{ name: 'TZ', value: props.timezone }] : []),
      { name: 'DOCKER_HOST', value: DIND_LOOPBACK },
      { name: 'FORGEJO_URL', value: props.forgejoUrl },
      { name: 'RUNNER_NAME', value: props.runnerName },
      { name: 'RUNNER_LABELS', value: props.labels.join(',') },
      ...(props.registration.mode === 'offline'
        ? [secretEnvVar('RUNNER_SECRET', props.registration.runnerSecret)]
        : []),
      ...Object.entries(props.secretEnv ?? {}).map(([name, handle]) => secretEnvVar(name, handle)),
    ];
    const envNames = env.map((e) => e.name);
    const duplicate = envNames.find((n, i) => envNames.indexOf(n) !== i);
    if (duplicate) throw new Error(`pool ${props.name}: env var ${duplicate} is set twice in the runner container`);

    const runnerMounts: VolumeMount[] = [
      { name: 'data', mountPath: DATA_DIR },
      { name: 'config', mountPath: CONFIG_DIR },
      { name: 'zoneinfo', mountPath: '/usr/share/zoneinfo', readOnly: true },
      ...(props.jobEnvFile ? [{ name: 'job-secrets', mountPath: JOB_SECRETS_DIR, readOnly: true }] : []),
    ];
    const runner: Container = {
      name: 'runner',
      image: props.runnerImage,
      env,
      command: [
        '/bin/sh',
        '-c',
        runnerStartupScript({
          registration: props.registration.mode,
          configPath: `${CONFIG_DIR}/config.yaml`,
          stateFile: `${DATA_DIR}/.runner`,
          dockerUrl: `http://127.0.0.1:${DIND_PORT}`,
        }),
      ],
      // Ready = the daemon runs and has an identity: a surge rollout drains the old pod only then.
      readinessProbe: {
        exec: { command: runnerReadinessCommand({ stateFile: `${DATA_DIR}/.runner` }) },
        periodSeconds: 5,
        failureThreshold: 3,
        timeoutSeconds: 5,
      },
      ...(props.registration.mode === 'token'
        ? { envFrom: [{ secretRef: { name: props.registration.tokenSecret.secretName } }] }
        : {}),
      volumeMounts: runnerMounts,
      ...resources(props.runnerResources),
    };

    const daemonFile = this.configMap.file('daemon.json');
    const dind: Container = {
      name: 'dind',
      image: props.dindImage,
      ...(nativeSidecar ? { restartPolicy: 'Always' } : {}),
      // Args starting with `dockerd` replace the entrypoint's default hosts (unix socket plus
      // tcp://0.0.0.0:2375) and keep its dind set-up (docker-library/docker dockerd-entrypoint.sh).
      args: ['dockerd', '--host=unix:///var/run/docker.sock', `--host=${DIND_LOOPBACK}`, ...(props.dindExtraArgs ?? [])],
      securityContext: { privileged: true },
      env: [{ name: 'DOCKER_TLS_CERTDIR', value: '' }],
      // docker info uses the unix socket; 3 minutes before giving up (dockerd's deliberate 15 s
      // sleep for plain TCP applies only to non-loopback addresses).
      startupProbe: { exec: { command: ['docker', 'info'] }, periodSeconds: 2, failureThreshold: 90, timeoutSeconds: 5 },
      ...(nativeSidecar
        ? {}
        : {
            lifecycle: {
              preStop: {
                exec: { command: dindPreStopCommand() },
              },
            },
          }),
      volumeMounts: [
        { name: 'dind-storage', mountPath: '/var/lib/docker' },
        { name: 'config', mountPath: `/etc/docker/${daemonFile.key}`, subPath: daemonFile.key, readOnly: true },
      ],
      ...resources(props.dindResources),
    };

    const volumes: Volume[] = [
      { name: 'data', emptyDir: {} },
      { name: 'dind-storage', emptyDir: {} },
      { name: 'config', configMap: { name: this.configMap.name } },
      { name: 'zoneinfo', hostPath: { path: '/usr/share/zoneinfo', type: 'Directory' } },
      ...(props.jobEnvFile
        ? [
            {
              name: 'job-secrets',
              secret: {
                secretName: props.jobEnvFile.secretName,
                items: [{ key: props.jobEnvFile.key, path: props.jobEnvFile.key }],
              },
            },
          ]
        : []),
    ];

    const body: Deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels,
        annotations: { ...syncWave(SyncWave.WORKLOAD), ...props.annotations },
      },
      spec: {
        replicas: props.replicas ?? 1,
        minReadySeconds: MIN_READY_SECONDS,
        selector: { matchLabels: { ...this.podSelector } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          metadata: { labels, ...(props.podAnnotations ? { annotations: { ...props.podAnnotations } } : {}) },
          spec: {
            terminationGracePeriodSeconds: grace,
            ...(nativeSidecar ? { initContainers: [dind], containers: [runner] } : { shareProcessNamespace: true, containers: [runner, dind] }),
            volumes,
          },
        },
      },
    };
    this.deployment = kubeObject(this, 'Resource', body);

    const d = this.deployment;
    const dindPath = `spec.template.spec.${nativeSidecar ? 'initContainers' : 'containers'}[name=dind]`;
    explain(d, 'spec.selector', 'immutable: a changed selector forces delete and recreate, so it stays app only');
    explain(d, 'spec.strategy', 'surge first: the old pod drains its jobs while the new one takes new jobs');
    explain(d, 'spec.template.spec.terminationGracePeriodSeconds', `runner.shutdown_timeout (${shutdownTimeout}) + margin: kubelet must not kill running jobs`);
    explain(d, `${dindPath}.securityContext.privileged`, 'dockerd needs it; only DinD gets it, never the runner');
    explain(d, `${dindPath}.env[name=DOCKER_TLS_CERTDIR].value`, 'empty: no TLS; the args bind plain TCP to 127.0.0.1:2375 only, so it is reachable only inside the pod');
    explain(d, `${dindPath}.args`, 'replace the entrypoint\'s tcp://0.0.0.0:2375 (the whole cluster) with the unix socket and loopback');
    explain(d, 'spec.minReadySeconds', 'a new pod counts as available only after staying ready this long');
    explain(d, 'spec.template.spec.containers[name=runner].readinessProbe', 'ready once the daemon runs with an identity: a failed registration never drains the old pod');
    if (nativeSidecar) {
      explain(d, `${dindPath}.restartPolicy`, 'native sidecar: starts before the runner and stops after it, so jobs finish');
    } else {
      explain(d, 'spec.template.spec.shareProcessNamespace', 'lets the DinD preStop see the runner process');
      explain(d, `${dindPath}.lifecycle.preStop`, 'Kubernetes < 1.29 has no native sidecars: keep dockerd up until the runner exits');
    }
    if (props.jobEnvFile) {
      explain(d, 'spec.template.spec.volumes[name=job-secrets]', 'the dotenv file runner.env_file reads; a pod restart picks up a new value');
    }
  }
}

function secretEnvVar(name: string, handle: SecretKeyHandle): EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: handle.secretName, key: handle.key } } };
}

function resources(r: ContainerResources | undefined): { resources?: ResourceRequirements } {
  if (!r || (!r.requests && !r.limits)) return {};
  const list = (l?: { cpu?: string; memory?: string }): Record<string, string> | undefined =>
    l ? Object.fromEntries(Object.entries(l).filter((e): e is [string, string] => e[1] !== undefined)) : undefined;
  return { resources: { ...(r.requests ? { requests: list(r.requests) } : {}), ...(r.limits ? { limits: list(r.limits) } : {}) } };
}
