// The two files the runner pod reads from its ConfigMap, built from typed objects:
// config.yaml for forgejo-runner and daemon.json for the DinD sidecar's dockerd.
import { Document, isMap, isPair, isScalar, type Pair, type YAMLMap } from 'yaml';

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
  const doc = new Document(config);
  for (const [path, text] of Object.entries(comments)) {
    if (path === '') {
      doc.commentBefore = ` ${text}`;
      continue;
    }
    const pair = findPair(doc.contents as YAMLMap, path.split('.'));
    if (!pair) throw new Error(`config.yaml comment for "${path}": no such key`);
    (pair.key as { commentBefore?: string }).commentBefore = ` ${text}`;
  }
  return doc.toString({ lineWidth: 0 });
}

function findPair(map: YAMLMap, path: readonly string[]): Pair | undefined {
  const [head, ...rest] = path;
  const pair = map.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === head) as Pair | undefined;
  if (!pair || rest.length === 0) return pair;
  return isMap(pair.value) ? findPair(pair.value, rest) : undefined;
}

/** The subset of dockerd's daemon.json this project sets. */
export interface DaemonConfigFile {
  readonly 'registry-mirrors'?: readonly string[];
  readonly mtu?: number;
}

export function renderDaemonConfig(config: DaemonConfigFile): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}
