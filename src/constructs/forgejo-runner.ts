// The runner installation as one L3 construct: a Namespace, the 1Password ExternalSecrets for
// registration (and optionally a registry credential), and one RunnerPool per pool. It is a
// Construct, not a Chart, so it composes into any cdk8s app's own chart.
import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { Namespace } from '../../imports/k8s.js';
import { kubeObject } from './kube-object.js';
import { standardLabels } from './labels.js';
import { explain, setFileStem } from './metadata.js';
import { OnePasswordSecret, type SecretKeyHandle, type SecretStoreRef } from './onepassword-secret.js';
import { RunnerPool, type RunnerPoolProps } from './pool/runner-pool.js';
import type { RunnerRegistration } from './pool/types.js';

/** The job env file in the zot Secret. */
const ZOT_JOB_ENV_FILE = 'jobs.env';

/** Where the runner's registration secret lives in 1Password. */
export interface ForgejoRunnerRegistration {
  /**
   * `token`: register once with a one-time token when the state file is missing.
   * `offline`: derive a fixed identity from a 40-hex secret per pool on every start.
   */
  readonly mode: 'token' | 'offline';
  /** Secret (and ExternalSecret) name. */
  readonly secretName: string;
  /** 1Password item title. */
  readonly item: string;
  /** Field of the item. @default `runner_reg` (token); each pool's `runnerSecretProperty` (offline) */
  readonly property?: string;
  /** How often ESO re-reads 1Password. @default 1h */
  readonly refreshInterval?: string;
}

/** A zot registry push credential, handed to the runner and (optionally) to every job. */
export interface ZotCredential {
  /** Registry host, e.g. registry.example.org; jobs get it as ZOT_REGISTRY. */
  readonly registry: string;
  /** Registry user; jobs get it as ZOT_CI_USERNAME. */
  readonly username: string;
  /** 1Password item title holding the API key. */
  readonly item: string;
  /** @default credential */
  readonly property?: string;
  /** Secret (and ExternalSecret) name. @default the item name */
  readonly secretName?: string;
  /** @default 1h */
  readonly refreshInterval?: string;
  /** Env var in the runner pod and its jobs. @default ZOT_CI_API_KEY */
  readonly envVar?: string;
  /** Hand the key to every job through runner.env_file. @default true */
  readonly bridgeToJobs?: boolean;
  /** Add Stakater Reloader's secret.reloader.stakater.com/reload annotation. @default false */
  readonly reloader?: boolean;
}

/** One pool: RunnerPoolProps minus what the installation decides for every pool. */
export interface ForgejoRunnerPoolOptions
  extends Omit<
    RunnerPoolProps,
    | 'name'
    | 'namespace'
    | 'forgejoUrl'
    | 'registration'
    | 'runnerImage'
    | 'dindImage'
    | 'timezone'
    | 'secretEnv'
    | 'jobEnvFile'
    | 'jobEnv'
    | 'registryMirrors'
    | 'dindMtu'
    | 'dindExtraArgs'
    | 'nativeSidecar'
    | 'annotations'
  > {
  /** Deployment name (a DNS-1123 label), unique among the pools. @default forgejo-runner */
  readonly name?: string;
  /** 1Password field with this pool's 40-hex runner secret (offline registration). @default registration.property, else the pool name */
  readonly runnerSecretProperty?: string;
}

export interface ForgejoRunnerProps {
  /** Forgejo instance URL the runners register with. */
  readonly forgejoUrl: string;
  /** The External Secrets store that reads 1Password. */
  readonly secretStore: SecretStoreRef;
  /** Runner pools; at least one. */
  readonly pools: readonly ForgejoRunnerPoolOptions[];
  /** @default forgejo-runner */
  readonly namespace?: string;
  /** Create the Namespace object. @default true */
  readonly createNamespace?: boolean;
  /** @default token registration: Secret forgejo-runner-env from 1Password item "forgejo-runner", field runner_reg */
  readonly registration?: ForgejoRunnerRegistration;
  /** @default no registry credential */
  readonly zot?: ZotCredential;
  /** @default see RunnerPoolProps.runnerImage and dindImage */
  readonly images?: { readonly runner?: string; readonly dind?: string };
  /** TZ of the runners and jobs. @default UTC */
  readonly timezone?: string;
  /** Plain env vars for every job (runner.envs). @default none */
  readonly jobEnv?: Readonly<Record<string, string>>;
  /** @default see RunnerPoolProps.registryMirrors, dindMtu, dindExtraArgs */
  readonly dind?: { readonly registryMirrors?: readonly string[]; readonly mtu?: number; readonly extraArgs?: readonly string[] };
  /** @default see RunnerPoolProps.nativeSidecar */
  readonly nativeSidecar?: boolean;
}

const DEFAULT_REGISTRATION: ForgejoRunnerRegistration = { mode: 'token', secretName: 'forgejo-runner-env', item: 'forgejo-runner' };

export class ForgejoRunner extends Construct {
  public readonly namespace: string;
  public readonly namespaceObject?: ApiObject;
  /** The ExternalSecret the runners register with. */
  public readonly registrationSecret: OnePasswordSecret<string, never>;
  public readonly zotSecret?: OnePasswordSecret<string, typeof ZOT_JOB_ENV_FILE>;
  public readonly pools: readonly RunnerPool[];

  constructor(scope: Construct, id: string, props: ForgejoRunnerProps) {
    super(scope, id);
    const namespace = props.namespace ?? 'forgejo-runner';
    this.namespace = namespace;
    const fail = (message: string): never => {
      throw new Error(`ForgejoRunner ${namespace}: ${message}`);
    };
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(namespace) || namespace.length > 63) {
      fail('namespace must be a DNS-1123 label (lowercase letters, digits, "-"; at most 63 characters)');
    }
    if (!isHttpUrl(props.forgejoUrl)) fail(`forgejoUrl "${props.forgejoUrl}" is not an http:// or https:// URL`);
    if (!props.secretStore.name) fail('secretStore.name is empty; name the (Cluster)SecretStore that reads 1Password');
    if (props.pools.length === 0) fail('pools is empty; give at least one pool with its labels');
    const pools = props.pools.map((p) => ({ ...p, name: p.name ?? 'forgejo-runner' }));
    pools.forEach((p, i) => {
      const first = pools.findIndex((q) => q.name === p.name);
      if (first !== i) fail(`pools[${i}].name "${p.name}" is already used by pools[${first}]; give each pool its own name`);
    });

    if (props.createNamespace ?? true) {
      this.namespaceObject = kubeObject<Namespace>(this, 'Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      setFileStem(this.namespaceObject, `namespace-${namespace}`);
    }

    const store = props.secretStore;
    const labels = standardLabels({ instance: namespace, component: 'secrets' });
    const reg = props.registration ?? DEFAULT_REGISTRATION;
    let registrationFor: (pool: (typeof pools)[number]) => RunnerRegistration;
    if (reg.mode === 'token') {
      const tokenSecret = new OnePasswordSecret(this, 'RegistrationToken', {
        name: reg.secretName,
        namespace,
        store,
        labels,
        refreshInterval: reg.refreshInterval,
        keys: { RUNNER_TOKEN: { item: reg.item, property: reg.property ?? 'runner_reg' } },
        description: `Runner registration token (1Password "${reg.item}"); non-secret settings live in the Deployment so changing them rolls it.`,
      });
      this.registrationSecret = tokenSecret;
      registrationFor = () => ({ mode: 'token', tokenSecret: tokenSecret.envSource() });
    } else {
      const propertyOf = (p: (typeof pools)[number]) => p.runnerSecretProperty ?? reg.property ?? p.name;
      const owner = new Map<string, string>();
      for (const pool of pools) {
        const other = owner.get(propertyOf(pool));
        if (other) {
          fail(
            `pools ${other} and ${pool.name} read the same 1Password field "${propertyOf(pool)}" and would share one runner ` +
              'identity; give each pool its own runnerSecretProperty',
          );
        }
        owner.set(propertyOf(pool), pool.name);
      }
      const identity = new OnePasswordSecret(this, 'RunnerIdentity', {
        name: reg.secretName,
        namespace,
        store,
        labels,
        refreshInterval: reg.refreshInterval,
        keys: Object.fromEntries(pools.map((p) => [p.name, { item: reg.item, property: propertyOf(p) }])),
        description: `40-hex runner secrets (1Password "${reg.item}"), one per pool: the same secret always yields the same runner UUID.`,
      });
      this.registrationSecret = identity;
      registrationFor = (pool) => ({ mode: 'offline', runnerSecret: identity.key(pool.name) });
    }

    let zotEnv: Record<string, SecretKeyHandle> | undefined;
    let zotJobFile: SecretKeyHandle | undefined;
    const zot = props.zot;
    if (zot) {
      const envVar = zot.envVar ?? 'ZOT_CI_API_KEY';
      const bridge = zot.bridgeToJobs ?? true;
      this.zotSecret = new OnePasswordSecret(this, 'ZotApiKey', {
        name: zot.secretName ?? zot.item,
        namespace,
        store,
        labels,
        refreshInterval: zot.refreshInterval,
        keys: { [envVar]: { item: zot.item, property: zot.property ?? 'credential' } },
        dotenvFiles: bridge ? { [ZOT_JOB_ENV_FILE]: [envVar] } : undefined,
        description:
          `zot push credential of ${zot.username}@${zot.registry} (1Password "${zot.item}"). ` +
          'Expires every 90 days: see the README runbook "Rotating the zot CI key".',
      });
      zotEnv = { [envVar]: this.zotSecret.key(envVar) };
      zotJobFile = bridge ? this.zotSecret.file(ZOT_JOB_ENV_FILE) : undefined;
    }
    const reloader = zot?.reloader ? { 'secret.reloader.stakater.com/reload': this.zotSecret!.secretName } : undefined;

    this.pools = pools.map((options) => {
      const { runnerSecretProperty: _offlineOnly, ...pool } = options;
      const runnerPool = new RunnerPool(this, `Pool-${pool.name}`, {
        ...pool,
        namespace,
        forgejoUrl: props.forgejoUrl,
        registration: registrationFor(options),
        runnerImage: props.images?.runner,
        dindImage: props.images?.dind,
        timezone: props.timezone,
        secretEnv: zotEnv,
        jobEnvFile: zotJobFile,
        jobEnv: { ...(zot ? { ZOT_REGISTRY: zot.registry, ZOT_CI_USERNAME: zot.username } : {}), ...props.jobEnv },
        registryMirrors: props.dind?.registryMirrors,
        dindMtu: props.dind?.mtu,
        dindExtraArgs: props.dind?.extraArgs,
        nativeSidecar: props.nativeSidecar,
        annotations: reloader,
      });
      if (reloader) explain(runnerPool.deployment, 'metadata.annotations', 'Reloader restarts the pods when the zot key Secret changes');
      return runnerPool;
    });
  }
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !/\s/.test(s);
  } catch {
    return false;
  }
}
