// An ExternalSecret that copies 1Password fields into a Kubernetes Secret through the cluster's
// secret store. Consumers never spell the Secret's name or keys: they ask this construct for a
// typed handle, and asking for a key it does not produce is a compile error (literal key types)
// or, for names that come from values, an error at synth.
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ExternalSecret } from '../../imports/external-secrets.ts';
import { dotenvTemplate } from './dotenv.ts';
import { explain, setFileStem } from './metadata.ts';

export interface SecretStoreRef {
  /** @default ClusterSecretStore */
  readonly kind?: 'ClusterSecretStore' | 'SecretStore';
  readonly name: string;
}

/** Where one key's value lives in 1Password. */
export interface OnePasswordField {
  /** Item title in the vault. */
  readonly item: string;
  /** Field of the item. */
  readonly property: string;
}

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

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

export class OnePasswordSecret<K extends string = string, F extends string = never> extends Construct {
  /** Name of the Secret ESO creates. */
  public readonly secretName: string;
  public readonly namespace: string;
  private readonly valueKeys: ReadonlySet<string>;
  private readonly fileKeys: ReadonlySet<string>;

  constructor(scope: Construct, id: string, props: OnePasswordSecretProps<K, F>) {
    super(scope, id);
    const keys = Object.keys(props.keys) as K[];
    const files = Object.keys(props.dotenvFiles ?? {}) as F[];
    if (keys.length === 0) throw new Error(`OnePasswordSecret ${props.name}: keys is empty; map at least one Secret key to a 1Password field`);
    for (const k of [...keys, ...files]) {
      if (!SECRET_KEY.test(k)) throw new Error(`OnePasswordSecret ${props.name}: "${k}" is not a valid Secret key (letters, digits, "-", "_", ".")`);
    }
    for (const f of files) {
      if ((keys as string[]).includes(f)) throw new Error(`OnePasswordSecret ${props.name}: file "${f}" has the name of a key; rename one`);
      for (const k of props.dotenvFiles![f]) {
        if (!(keys as string[]).includes(k)) throw new Error(`OnePasswordSecret ${props.name}: file "${f}" uses key "${k}", which is not in keys`);
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new Error(`OnePasswordSecret ${props.name}: key "${k}" cannot be a dotenv variable name`);
      }
    }
    this.secretName = props.name;
    this.namespace = props.namespace;
    this.valueKeys = new Set(keys);
    this.fileKeys = new Set(files);

    // With a template, ESO's default mergePolicy (Replace) writes only the template's keys to the
    // Secret, so each plain key is templated too: the Secret then holds exactly keys + files.
    const template =
      files.length === 0
        ? undefined
        : {
            engineVersion: 'v2' as const,
            data: Object.fromEntries([
              ...keys.map((k) => [k, `{{ .${k} }}`]),
              ...files.map((f) => [f, dotenvTemplate(props.dotenvFiles![f])]),
            ]),
          };

    const model = new ExternalSecret({
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
    model.validate(); // against the external-secrets.io/v1 CRD schema
    const resource = new ApiObject(this, 'Resource', model.toJSON() as never);
    setFileStem(resource, `externalsecret-${props.name}`);
    if (props.description) explain(resource, '', props.description);
    explain(resource, 'spec.target.creationPolicy', 'Owner: ESO owns the Secret; deleting this ExternalSecret deletes it');
    if (template) {
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
