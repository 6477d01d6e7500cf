// The two files the runner pod reads from its ConfigMap, built from typed objects:
// config.yaml for forgejo-runner and daemon.json for the DinD sidecar's dockerd.
import { emitYaml } from '../util/yaml.js';

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
