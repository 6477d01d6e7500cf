// An ExternalSecret that copies 1Password fields into a Kubernetes Secret through the cluster's
// secret store. Consumers never spell the Secret's name or keys: they ask this construct for a
// typed handle, and asking for a key it does not produce is a compile error (literal key types)
// or, for names that come from values, an error at synth.
import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { ExternalSecret } from '../../imports/external-secrets.ts';
import { dotenvTemplate } from './dotenv.ts';
import { kubeObject } from './kube-object.ts';
import { PropsCheck } from './props-error.ts';
import { dnsSubdomain, envVarName, goDuration, labelValue, metadataKey, oneOf, SECRET_STORE_KINDS, secretKey } from './rules.ts';
import { explain, setFileStem } from './metadata.ts';

/** The External Secrets store that reads 1Password. */
export interface SecretStoreRef {
  /** @default ClusterSecretStore */
  readonly kind?: (typeof SECRET_STORE_KINDS)[number];
  /** Name of the store (a DNS-1123 subdomain). */
  readonly name: string;
}

/** The rules of a store reference, at `prefix` (e.g. ['secretStore']). */
export function checkSecretStore(check: PropsCheck, prefix: readonly (string | number)[], store: SecretStoreRef): void {
  check.check([...prefix, 'name'], dnsSubdomain(store.name));
  if (store.kind !== undefined) check.check([...prefix, 'kind'], oneOf(SECRET_STORE_KINDS)(store.kind));
}

/** Where one key's value lives in 1Password. */
export interface OnePasswordField {
  /** Item title in the vault. */
  readonly item: string;
  /** Field of the item. */
  readonly property: string;
}

/** Props of OnePasswordSecret: Secret key -> 1Password field, and optional dotenv files rendered from keys. */
export interface OnePasswordSecretProps<K extends string, F extends string> {
  /** Name of the ExternalSecret and of the Secret it creates. */
  readonly name: string;
  readonly namespace: string;
  readonly store: SecretStoreRef;
  /** Secret key -> 1Password field. */
  readonly keys: Readonly<Record<K, OnePasswordField>>;
  /**
   * Extra Secret keys holding dotenv files rendered from some of the keys (ESO template).
   * @default no files
   */
  readonly dotenvFiles?: Readonly<Record<F, readonly K[]>>;
  /** How often ESO re-reads 1Password. @default 1h */
  readonly refreshInterval?: string;
  /** Comment for the reviewer, written above the manifest. @default none */
  readonly description?: string;
  /** @default no labels */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Labels of the Secret ESO creates, through `spec.target.template.metadata.labels` (with a
   * target template, ESO copies the template's labels to the Secret, not the ExternalSecret's:
   * ESO pkg/controllers/externalsecret/externalsecret_controller_template.go `setMetadata`).
   * @default no labels on the Secret
   */
  readonly secretLabels?: Readonly<Record<string, string>>;
}

/**
 * One key of the Secret, for a secretKeyRef or a secret volume item. It carries the construct
 * that creates the Secret, so a consumer cannot name a Secret or key nobody declared: get one
 * from `OnePasswordSecret.key()` or `.file()`; constructing one checks the key exists.
 */
export class SecretKeyHandle {
  public readonly secret: OnePasswordSecret<string, string>;
  public readonly key: string;

  constructor(secret: OnePasswordSecret<string, string>, key: string) {
    this.secret = secret;
    this.key = key;
    if (!secret.hasKey(key)) {
      throw new Error(`Secret ${secret.secretName} has no key "${key}"; it has: ${secret.keyNames().join(', ')}`);
    }
  }

  /** Name of the Kubernetes Secret. */
  public get secretName(): string {
    return this.secret.secretName;
  }

  /** Namespace of the Secret (a pod can only read Secrets of its own namespace). */
  public get namespace(): string {
    return this.secret.namespace;
  }
}

/** The whole Secret, for envFrom (every key becomes an env var). */
export class SecretEnvSource {
  public readonly secret: OnePasswordSecret<string, string>;

  constructor(secret: OnePasswordSecret<string, string>) {
    this.secret = secret;
  }

  public get secretName(): string {
    return this.secret.secretName;
  }

  public get namespace(): string {
    return this.secret.namespace;
  }

  /** Whether the Secret holds this key (envFrom turns it into an env var of the same name). */
  public hasKey(key: string): boolean {
    return this.secret.hasKey(key);
  }
}

/**
 * An External Secrets ExternalSecret copying 1Password fields into a Secret. Consumers take typed
 * handles (`key()`, `file()`, `envSource()`), never the Secret's name.
 */
export class OnePasswordSecret<K extends string = string, F extends string = never> extends Construct {
  /** Name of the Secret ESO creates. */
  public readonly secretName: string;
  public readonly namespace: string;
  /** The ExternalSecret object (for review notes of a caller that set its fields). */
  public readonly resource: ApiObject;
  private readonly valueKeys: ReadonlySet<string>;
  private readonly fileKeys: ReadonlySet<string>;

  constructor(scope: Construct, id: string, props: OnePasswordSecretProps<K, F>) {
    super(scope, id);
    const keys = Object.keys(props.keys) as K[];
    const files = Object.keys(props.dotenvFiles ?? {}) as F[];
    const check = new PropsCheck(`OnePasswordSecret ${props.name}`);
    check.check(['name'], dnsSubdomain(props.name));
    checkSecretStore(check, ['store'], props.store);
    if (props.refreshInterval !== undefined) check.check(['refreshInterval'], goDuration(props.refreshInterval));
    if (keys.length === 0) check.fail(['keys'], 'expected at least one Secret key mapped to a 1Password field');
    for (const k of keys) check.check(['keys', k], secretKey(k));
    for (const f of files) {
      check.check(['dotenvFiles', f], secretKey(f));
      if ((keys as string[]).includes(f)) check.fail(['dotenvFiles', f], 'has the name of a key; rename one');
      for (const k of props.dotenvFiles?.[f] ?? []) {
        if (!(keys as string[]).includes(k)) check.fail(['dotenvFiles', f], `uses key "${k}", which is not in keys`);
        else check.check(['dotenvFiles', f], envVarName(k));
      }
    }
    const secretLabels = Object.entries(props.secretLabels ?? {});
    for (const [k, v] of secretLabels) {
      check.check(['secretLabels', k], metadataKey(k));
      check.check(['secretLabels', k], labelValue(v));
    }
    check.done();
    this.secretName = props.name;
    this.namespace = props.namespace;
    this.valueKeys = new Set(keys);
    this.fileKeys = new Set(files);

    // With a data template, ESO's default mergePolicy (Replace) writes only the template's keys to
    // the Secret, so each plain key is templated too: the Secret then holds exactly keys + files.
    // A template with metadata only keeps every spec.data key (ESO ApplyTemplate, `noTemplate`).
    const template =
      files.length === 0 && secretLabels.length === 0
        ? undefined
        : {
            engineVersion: 'v2' as const,
            ...(secretLabels.length > 0 ? { metadata: { labels: Object.fromEntries(secretLabels) } } : {}),
            ...(files.length > 0
              ? {
                  data: Object.fromEntries([
                    ...keys.map((k) => [k, `{{ .${k} }}`]),
                    ...files.map((f) => [f, dotenvTemplate(props.dotenvFiles?.[f] ?? [])]),
                  ]),
                }
              : {}),
          };

    // The external-secrets.io/v1 CRD schema is checked after synthesis (src/validate/schemas.ts).
    const resource = kubeObject<ExternalSecret>(this, 'Resource', {
      apiVersion: 'external-secrets.io/v1',
      kind: 'ExternalSecret',
      metadata: {
        name: props.name,
        namespace: props.namespace,
        ...(props.labels ? { labels: { ...props.labels } } : {}),
      },
      spec: {
        refreshInterval: props.refreshInterval ?? '1h',
        secretStoreRef: { kind: props.store.kind ?? 'ClusterSecretStore', name: props.store.name },
        target: { name: props.name, creationPolicy: 'Owner', ...(template ? { template } : {}) },
        data: keys.map((k) => ({ secretKey: k, remoteRef: { key: props.keys[k].item, property: props.keys[k].property } })),
      },
    });
    this.resource = resource;
    setFileStem(resource, `externalsecret-${props.name}`);
    if (props.description) explain(resource, '', props.description);
    explain(resource, 'spec.target.creationPolicy', 'Owner: ESO owns the Secret; deleting this ExternalSecret deletes it');
    if (template?.data) {
      explain(resource, 'spec.target.template.data', 'Replace (default mergePolicy) keeps only these keys, so every key is listed');
    }
  }

  /** Handle for a key copied from 1Password. */
  public key(name: K): SecretKeyHandle {
    if (!this.valueKeys.has(name)) {
      throw new Error(`Secret ${this.secretName} has no key "${name}"; it has: ${[...this.valueKeys].join(', ')}`);
    }
    return new SecretKeyHandle(this, name);
  }

  /** Handle for a rendered dotenv file. */
  public file(name: F): SecretKeyHandle {
    if (!this.fileKeys.has(name)) {
      throw new Error(`Secret ${this.secretName} has no file "${name}"; it has: ${[...this.fileKeys].join(', ') || 'none'}`);
    }
    return new SecretKeyHandle(this, name);
  }

  /** The whole Secret as an env source (every key becomes an env var). */
  public envSource(): SecretEnvSource {
    return new SecretEnvSource(this);
  }

  /** Whether the Secret ESO builds holds this key (a 1Password key or a dotenv file). */
  public hasKey(key: string): boolean {
    return this.valueKeys.has(key) || this.fileKeys.has(key);
  }

  /** Every key of the Secret ESO builds. */
  public keyNames(): string[] {
    return [...this.valueKeys, ...this.fileKeys];
  }
}
