// The runner installation as one L3 construct: a Namespace, the 1Password ExternalSecrets for
// registration (and optionally a registry credential), and per pool either a RunnerPool
// (Deployment, mode `deployment`) or an EphemeralRunnerPool (KEDA ScaledJob, mode `ephemeral`)
// with the scaler's token ExternalSecret and TriggerAuthentication. It is a Construct, not a
// Chart, so it composes into any cdk8s app's own chart.
import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { Namespace } from '../../imports/k8s.ts';
import { EphemeralRunnerPool, type EphemeralScalingOptions } from './keda/ephemeral-runner-pool.ts';
import { runnerLabelName } from './keda/forgejo-runner-trigger.ts';
import { ForgejoTokenAuthentication } from './keda/trigger-authentication.ts';
import { kubeObject } from './kube-object.ts';
import { standardLabels } from './labels.ts';
import { explain, setFileStem } from './metadata.ts';
import { OnePasswordSecret, type SecretKeyHandle, type SecretStoreRef } from './onepassword-secret.ts';
import { RunnerPool, type RunnerPoolProps } from './pool/runner-pool.ts';
import type { RunnerRegistration } from './pool/types.ts';
import { RunnerNetworkPolicy, type RunnerNetworkPolicyProps } from './runner-network-policy.ts';

/**
 * Pod Security Admission labels of the Namespace: DinD runs privileged, so `enforce` must allow
 * it; `warn` and `audit` at baseline still report every privileged pod, so anything privileged
 * besides DinD shows up (kubectl warnings, the audit log).
 */
export const POD_SECURITY_LABELS: Readonly<Record<string, string>> = {
  'pod-security.kubernetes.io/enforce': 'privileged',
  'pod-security.kubernetes.io/warn': 'baseline',
  'pod-security.kubernetes.io/audit': 'baseline',
};

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
  /** Deployment (or ScaledJob) name (a DNS-1123 label), unique among the pools. @default forgejo-runner */
  readonly name?: string;
  /** 1Password field with this pool's 40-hex runner secret (offline registration). @default registration.property, else the pool name */
  readonly runnerSecretProperty?: string;
  /**
   * `deployment`: long-lived runner pods (RunnerPool). `ephemeral`: a KEDA ScaledJob whose pods
   * each run one job (EphemeralRunnerPool); needs offline registration, `scalerToken`, label names
   * no other pool serves, and no `replicas` or `capacity`.
   * @default deployment
   */
  readonly mode?: 'deployment' | 'ephemeral';
  /** Scaling of an ephemeral pool (mode `ephemeral` only). @default see EphemeralScalingOptions */
  readonly ephemeral?: EphemeralScalingOptions;
}

/** The NetworkPolicy of each pool (RunnerNetworkPolicy). */
export interface ForgejoRunnerNetworkPolicy extends Pick<RunnerNetworkPolicyProps, 'egressAllowList'> {
  /** One NetworkPolicy per pool (Deployment and ephemeral alike), denying all ingress to its pods. @default true */
  readonly enabled?: boolean;
}

/** The Forgejo API token KEDA's forgejo-runner scaler polls with, in 1Password. */
export interface ForgejoScalerToken {
  /** 1Password item title. */
  readonly item: string;
  /** Field of the item. @default token */
  readonly property?: string;
  /** Secret (and ExternalSecret) name; also the TriggerAuthentication's name. @default forgejo-scaler-token */
  readonly secretName?: string;
  /** @default 1h */
  readonly refreshInterval?: string;
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
  /** @default see ForgejoRunnerNetworkPolicy (on: ingress denied, egress unrestricted) */
  readonly networkPolicy?: ForgejoRunnerNetworkPolicy;
  /**
   * The scaler's Forgejo API token (read scope of the pools' scope: read:user, read:repository,
   * read:organization or read:admin). Required when a pool is ephemeral.
   * @default no token (no ephemeral pool)
   */
  readonly scalerToken?: ForgejoScalerToken;
}

const DEFAULT_REGISTRATION: ForgejoRunnerRegistration = { mode: 'token', secretName: 'forgejo-runner-env', item: 'forgejo-runner' };

export class ForgejoRunner extends Construct {
  public readonly namespace: string;
  public readonly namespaceObject?: ApiObject;
  /** The ExternalSecret the runners register with. */
  public readonly registrationSecret: OnePasswordSecret<string, never>;
  public readonly zotSecret?: OnePasswordSecret<string, typeof ZOT_JOB_ENV_FILE>;
  /** The Deployment pools (mode `deployment`). */
  public readonly pools: readonly RunnerPool[];
  /** The KEDA pools (mode `ephemeral`). */
  public readonly ephemeralPools: readonly EphemeralRunnerPool[];
  /** The scaler's token ExternalSecret, when a pool is ephemeral. */
  public readonly scalerTokenSecret?: OnePasswordSecret<string, never>;
  /** The TriggerAuthentication every ephemeral pool's trigger names. */
  public readonly scalerAuthentication?: ForgejoTokenAuthentication;
  /** One per pool (Deployment and ephemeral), unless networkPolicy.enabled is false. */
  public readonly networkPolicies: readonly RunnerNetworkPolicy[];

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
    const ephemeral = (p: (typeof pools)[number]) => p.mode === 'ephemeral';
    pools.forEach((p, i) => {
      const where = `pools[${i}] (${p.name})`;
      if (p.mode !== undefined && p.mode !== 'deployment' && p.mode !== 'ephemeral') fail(`${where}.mode "${p.mode}" is not deployment or ephemeral`);
      if (!ephemeral(p)) {
        if (p.ephemeral) fail(`${where} sets ephemeral options but its mode is deployment; set mode: 'ephemeral' or drop them`);
        return;
      }
      if ((props.registration ?? DEFAULT_REGISTRATION).mode !== 'offline') {
        fail(`${where} is ephemeral but registration.mode is not offline; every Job pod must be the one runner derived from the pool's secret (create-runner-file)`);
      }
      if (!props.scalerToken) fail(`${where} is ephemeral but scalerToken is not set; KEDA's scaler needs a Forgejo API token`);
      if (p.replicas !== undefined) fail(`${where} is ephemeral and sets replicas; KEDA decides the pod count: use ephemeral.maxReplicaCount`);
      if (p.capacity !== undefined) fail(`${where} is ephemeral and sets capacity; one-job runs one job per pod: use ephemeral.maxReplicaCount`);
      // The scaler counts the jobs Forgejo returns for these label NAMES, running ones included.
      const names = new Set(p.labels.map(runnerLabelName));
      pools.forEach((q, j) => {
        const shared = j === i ? undefined : q.labels.map(runnerLabelName).find((n) => names.has(n));
        if (shared) fail(`${where} is ephemeral and shares label name "${shared}" with pools[${j}] (${q.name}); the scaler would count that pool's jobs too`);
      });
    });

    if (props.createNamespace ?? true) {
      this.namespaceObject = kubeObject<Namespace>(this, 'Namespace', {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: namespace, labels: { ...POD_SECURITY_LABELS } },
      });
      setFileStem(this.namespaceObject, `namespace-${namespace}`);
      explain(this.namespaceObject, 'metadata.labels', 'Pod Security: enforce privileged because DinD runs privileged; warn and audit at baseline report anything else privileged');
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

    const common = (options: (typeof pools)[number]) => {
      const { runnerSecretProperty: _offlineOnly, mode: _mode, ephemeral: _scaling, ...pool } = options;
      return {
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
      };
    };

    this.pools = pools.filter((p) => !ephemeral(p)).map((options) => {
      const runnerPool = new RunnerPool(this, `Pool-${options.name}`, { ...common(options), annotations: reloader });
      if (reloader) explain(runnerPool.deployment, 'metadata.annotations', 'Reloader restarts the pods when the zot key Secret changes');
      return runnerPool;
    });

    const ephemeralPools = pools.filter(ephemeral);
    if (ephemeralPools.length > 0 && props.scalerToken) {
      const token = props.scalerToken;
      const secretName = token.secretName ?? 'forgejo-scaler-token';
      this.scalerTokenSecret = new OnePasswordSecret(this, 'ScalerToken', {
        name: secretName,
        namespace,
        store,
        labels,
        refreshInterval: token.refreshInterval,
        keys: { token: { item: token.item, property: token.property ?? 'token' } },
        description: `Forgejo API token of KEDA's forgejo-runner scaler (1Password "${token.item}"); it only reads the job queue.`,
      });
      this.scalerAuthentication = new ForgejoTokenAuthentication(this, 'ScalerAuthentication', {
        name: secretName,
        namespace,
        token: this.scalerTokenSecret.key('token'),
        labels: standardLabels({ instance: namespace, component: 'autoscaling' }),
      });
    }
    this.ephemeralPools = ephemeralPools.map((options) => {
      const { capacity: _noCapacity, replicas: _noReplicas, ...pool } = common(options); // both rejected above
      return new EphemeralRunnerPool(this, `Pool-${options.name}`, {
        ...pool,
        ...options.ephemeral,
        authentication: this.scalerAuthentication!,
      });
    });

    // Every pool runs privileged DinD pods: each gets its own policy, selecting its pods by the
    // pool's own selector.
    const policy = props.networkPolicy;
    this.networkPolicies =
      (policy?.enabled ?? true)
        ? [...this.pools.map((p) => [p, p.deployment.name] as const), ...this.ephemeralPools.map((p) => [p, p.scaledJob.name] as const)].map(
            ([pool, name]) =>
              new RunnerNetworkPolicy(this, `NetworkPolicy-${name}`, {
                name,
                namespace,
                pool,
                labels: standardLabels({ instance: name, component: 'runner' }),
                egressAllowList: policy?.egressAllowList,
              }),
          )
        : [];
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
