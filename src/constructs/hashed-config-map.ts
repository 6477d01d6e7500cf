// A ConfigMap named with a hash of its content, like kustomize's configMapGenerator: changing a
// file changes the name, which changes the pod template, which rolls the Deployment.
import { createHash } from 'node:crypto';
import { Construct } from 'constructs';
import type { ConfigMap } from '../../imports/k8s.ts';
import { kubeObject } from './kube-object.ts';
import { explain, setFileStem } from './metadata.ts';

export interface HashedConfigMapProps {
  /** Name before the hash suffix, e.g. `forgejo-runner-config`. */
  readonly baseName: string;
  readonly namespace: string;
  /** File name -> content. */
  readonly files: Readonly<Record<string, string>>;
  /** @default no labels */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A key of the ConfigMap, handed to consumers so they mount files that exist; it carries its ConfigMap. */
export interface ConfigMapFile {
  readonly configMap: HashedConfigMap;
  readonly configMapName: string;
  readonly key: string;
}

/** A ConfigMap named after a hash of its content, so a change renames it and rolls the pods that mount it. */
export class HashedConfigMap extends Construct {
  /** Full name, with the content hash. */
  public readonly name: string;
  private readonly files: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: HashedConfigMapProps) {
    super(scope, id);
    if (Object.keys(props.files).length === 0) {
      throw new Error(`HashedConfigMap ${props.baseName}: files is empty; give it at least one file`);
    }
    this.name = `${props.baseName}-${contentHash(props.files)}`;
    this.files = { ...props.files };
    const resource = kubeObject<ConfigMap>(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: this.name,
        namespace: props.namespace,
        labels: props.labels ? { ...props.labels } : undefined,
      },
      data: { ...props.files },
    });
    setFileStem(resource, `configmap-${props.baseName}`);
    explain(resource, 'metadata.name', 'content-hash suffix: a config change renames the ConfigMap and rolls the pods');
  }

  /** Handle for one file; throws if this ConfigMap does not hold it. */
  public file(key: string): ConfigMapFile {
    if (!Object.hasOwn(this.files, key)) {
      throw new Error(`ConfigMap ${this.name} has no file "${key}"; it has: ${Object.keys(this.files).join(', ')}`);
    }
    return { configMap: this, configMapName: this.name, key };
  }

  /** The content of one file (e.g. for a consumer's checks against what it mounts); throws if this ConfigMap does not hold it. */
  public content(key: string): string {
    this.file(key);
    return this.files[key]!;
  }
}

/** First 10 hex digits of a sha256 of the sorted files, with kustomize's substitutions (no vowels, 0, 1, 3). */
export function contentHash(files: Readonly<Record<string, string>>): string {
  const canonical = JSON.stringify(Object.keys(files).sort().map((k) => [k, files[k]]));
  const hex = createHash('sha256').update(canonical).digest('hex').slice(0, 10);
  const swap: Record<string, string> = { '0': 'g', '1': 'h', '3': 'k', a: 'm', e: 't' };
  return hex.replace(/[013ae]/g, (c) => swap[c]!);
}
