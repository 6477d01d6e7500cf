// Pool part: the two files the runner pod reads from its ConfigMap, built from typed objects:
// config.yaml for forgejo-runner and daemon.json for the DinD sidecar's dockerd, in one
// content-hashed ConfigMap (a config change renames it and so rolls the pods).
import { Construct } from 'constructs';
import { emitYaml } from '../../util/yaml.ts';
import { HashedConfigMap, type ConfigMapFile } from '../hashed-config-map.ts';
import type { SecretKeyHandle } from '../onepassword-secret.ts';
import { DIND_ENDPOINT, dindDockerHost } from './dind-endpoint.ts';
import { RUNNER_PATHS } from './runner-container.ts';
import type { DindOptions } from './pool-pod.ts';

/** The subset of forgejo-runner's config.yaml (v12) this project sets. */
export interface RunnerConfigFile {
  readonly log: { readonly level: string };
  readonly runner: {
    readonly file: string;
    readonly capacity: number;
    readonly timeout: string;
    readonly shutdown_timeout: string;
    readonly envs: Readonly<Record<string, string>>;
    readonly env_file?: string;
    readonly labels?: readonly string[];
  };
  readonly container: {
    readonly network: string;
    readonly docker_host: string;
  };
}

/** Comments for config.yaml, keyed by dotted path; '' is the file header. */
export type ConfigComments = Readonly<Record<string, string>>;

/** Renders config.yaml with comments above the keys they explain. */
export function renderRunnerConfig(config: RunnerConfigFile, comments: ConfigComments): string {
  const { '': header, ...fields } = comments;
  const body = emitYaml(config as unknown as Record<string, unknown>, { sortKeys: false, comments: new Map(Object.entries(fields)) });
  const text = header ? `# ${header}\n\n${body}` : body;
  return text;
}

/** The subset of dockerd's daemon.json this project sets. */
export interface DaemonConfigFile {
  readonly 'registry-mirrors'?: readonly string[];
  readonly mtu?: number;
}

export function renderDaemonConfig(config: DaemonConfigFile): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

/** Resolved settings (the pool applies the defaults documented on RunnerPoolProps). */
export interface RunnerConfigProps {
  /** The pool: names the ConfigMap (`<pool>-config-<hash>`) and the config header. */
  readonly poolName: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly logLevel: string;
  readonly capacity: number;
  readonly timeout: string;
  readonly shutdownTimeout: string;
  /** The pod's grace period, quoted in a comment next to shutdown_timeout. */
  readonly terminationGracePeriodSeconds: number;
  /** TZ handed to every job. @default none */
  readonly timezone?: string;
  /** Plain env vars for every job. @default none */
  readonly jobEnv?: Readonly<Record<string, string>>;
  /** The dotenv file runner.env_file names, mounted under RUNNER_PATHS.jobSecretsDir. @default none */
  readonly jobEnvFile?: SecretKeyHandle;
  /** Labels written into runner.labels (offline registration writes none into the state file). @default none */
  readonly runnerLabels?: readonly string[];
  /** daemon.json's settings (registryMirrors, mtu). @default dockerd's */
  readonly dind?: Pick<DindOptions, 'registryMirrors' | 'mtu'>;
}

/** A pool's config.yaml (forgejo-runner) and daemon.json (dockerd) in one HashedConfigMap. */
export class RunnerConfig extends Construct {
  public readonly configMap: HashedConfigMap;
  /** config.yaml, for the runner's `--config`. */
  public readonly configYaml: ConfigMapFile;
  /** daemon.json, for the DinD sidecar. */
  public readonly daemonJson: ConfigMapFile;

  constructor(scope: Construct, id: string, props: RunnerConfigProps) {
    super(scope, id);
    const jobEnvFilePath = props.jobEnvFile ? `${RUNNER_PATHS.jobSecretsDir}/${props.jobEnvFile.key}` : undefined;
    const config: RunnerConfigFile = {
      log: { level: props.logLevel },
      runner: {
        file: RUNNER_PATHS.stateFile,
        capacity: props.capacity,
        timeout: props.timeout,
        shutdown_timeout: props.shutdownTimeout,
        envs: { DOCKER_HOST: dindDockerHost(), ...(props.timezone ? { TZ: props.timezone } : {}), ...props.jobEnv },
        ...(jobEnvFilePath ? { env_file: jobEnvFilePath } : {}),
        ...(props.runnerLabels ? { labels: [...props.runnerLabels] } : {}),
      },
      container: { network: 'host', docker_host: dindDockerHost() },
    };
    const configYaml = renderRunnerConfig(config, {
      '': `forgejo-runner config for pool ${props.poolName} (keys as of forgejo-runner v12)`,
      'runner.shutdown_timeout': `running jobs get this long to finish on pod termination; the pod's grace period is ${props.terminationGracePeriodSeconds} s`,
      'runner.envs': 'Env vars injected into all job containers',
      ...(props.jobEnvFile
        ? {
            'runner.env_file':
              `dotenv from Secret ${props.jobEnvFile.secretName}, read at start. Every job gets its variables, fork pull requests\n` +
              'included, unmasked in logs; jobCredential delivery forgejoSecret masks the key and withholds it from forks',
          }
        : {}),
      ...(config.runner.labels ? { 'runner.labels': 'create-runner-file writes no labels: they come from here' } : {}),
      'container.network': 'Job execution image is set via the runner labels',
      'container.docker_host': `DinD on the pod loopback (TCP, bound to ${DIND_ENDPOINT.host} only); jobs share the pod network, so they reach it too`,
    });
    const daemonJson = renderDaemonConfig({
      ...(props.dind?.registryMirrors?.length ? { 'registry-mirrors': [...props.dind.registryMirrors] } : {}),
      ...(props.dind?.mtu ? { mtu: props.dind.mtu } : {}),
    });
    this.configMap = new HashedConfigMap(this, 'ConfigMap', {
      baseName: `${props.poolName}-config`,
      namespace: props.namespace,
      labels: props.labels,
      files: { 'config.yaml': configYaml, 'daemon.json': daemonJson },
    });
    this.configYaml = this.configMap.file('config.yaml');
    this.daemonJson = this.configMap.file('daemon.json');
  }
}
