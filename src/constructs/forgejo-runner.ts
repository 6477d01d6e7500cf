// The runner installation as one L3 construct: a Namespace, the 1Password ExternalSecrets for
// registration (and optionally a job credential), and per pool either a RunnerPool (Deployment,
// mode `deployment`) or an EphemeralRunnerPool (KEDA ScaledJob, mode `ephemeral`) with the
// scaler's token ExternalSecret and TriggerAuthentication. It is a Construct, not a Chart, so it
// composes into any cdk8s app's own chart.
import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { Namespace } from '../../imports/k8s.ts';
import { checkJobCredential, JobCredential, type JobCredentialOptions } from './job-credential.ts';
import { EphemeralRunnerPool, type EphemeralScalingOptions } from './keda/ephemeral-runner-pool.ts';
import { checkScalerToken, checkScalerTokenStore, ForgejoScalerAuthentication, type ForgejoScalerToken } from './keda/scaler-authentication.ts';
import { kubeObject } from './kube-object.ts';
import { standardLabels } from './labels.ts';
import { explain, setFileStem } from './metadata.ts';
import { checkSecretStore, type SecretStoreRef } from './onepassword-secret.ts';
import {
  checkPodExtensions,
  checkPoolSettings,
  checkSharedPoolSettings,
  type InstallationSettings,
  type PodExtensions,
  type PoolSettings,
  type SharedPoolSettings,
} from './pool/pool-pod.ts';
import { checkReplicas, RunnerPool } from './pool/runner-pool.ts';
import { checkScaling } from './keda/forgejo-runner-scaled-job.ts';
import { PropsCheck } from './props-error.ts';
import { dnsLabel, oneOf, POOL_MODES, runnerLabelName } from './rules.ts';
import { checkRegistration, runnerSecretPropertyOf, RunnerRegistrationSecret, type ForgejoRunnerRegistration } from './runner-registration.ts';
import { RunnerNetworkPolicy, type RunnerNetworkPolicyProps } from './runner-network-policy.ts';

export type { ForgejoRunnerRegistration } from './runner-registration.ts';
export type { ForgejoScalerToken } from './keda/scaler-authentication.ts';

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

/** One pool: its own settings; what every pool shares is a prop of ForgejoRunner. */
export interface ForgejoRunnerPoolOptions extends PoolSettings {
  /** Deployment (or ScaledJob) name (a DNS-1123 label), unique among the pools. @default forgejo-runner */
  readonly name?: string;
  /** Runner pods of a Deployment pool; 0 or 1 with offline registration. @default 1 */
  readonly replicas?: number;
  /** 1Password field with this pool's 40-hex runner secret (offline registration). @default registration.property, else the pool name */
  readonly runnerSecretProperty?: string;
  /**
   * `deployment`: long-lived runner pods (RunnerPool). `ephemeral`: a KEDA ScaledJob whose pods
   * each run one job (EphemeralRunnerPool); needs offline registration, `scalerToken`, label names
   * no other pool serves, and no `replicas` or `capacity`.
   * @default deployment
   */
  readonly mode?: (typeof POOL_MODES)[number];
  /** Scaling of an ephemeral pool (mode `ephemeral` only). @default see EphemeralScalingOptions */
  readonly ephemeral?: EphemeralScalingOptions;
}

/** The NetworkPolicy of each pool (RunnerNetworkPolicy). */
export interface ForgejoRunnerNetworkPolicy extends Pick<RunnerNetworkPolicyProps, 'egressAllowList'> {
  /** One NetworkPolicy per pool (Deployment and ephemeral alike), denying all ingress to its pods. @default true */
  readonly enabled?: boolean;
}

/** A Forgejo Actions runner installation; the settings every pool shares are given once here. */
export interface ForgejoRunnerProps extends InstallationSettings, PodExtensions {
  /** The External Secrets store that reads 1Password. */
  readonly secretStore: SecretStoreRef;
  /** Runner pools; at least one. */
  readonly pools: readonly ForgejoRunnerPoolOptions[];
  /** A DNS-1123 label. @default forgejo-runner */
  readonly namespace?: string;
  /** Create the Namespace object. @default true */
  readonly createNamespace?: boolean;
  /** @default token registration: Secret forgejo-runner-env from 1Password item "forgejo-runner", field runner_reg */
  readonly registration?: ForgejoRunnerRegistration;
  /** A registry credential for the runner and its jobs. @default none */
  readonly jobCredential?: JobCredentialOptions;
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
const DEFAULT_POOL_NAME = 'forgejo-runner';

/**
 * A Forgejo Actions runner installation: Namespace, registration Secret, optional job
 * credential, one RunnerPool or EphemeralRunnerPool per pool, and a NetworkPolicy per pool.
 * Every prop is checked here; an invalid one is a PropsError naming its path (e.g.
 * `pools[1].ephemeral.maxReplicaCount`).
 */
export class ForgejoRunner extends Construct {
  public readonly namespace: string;
  /** The Namespace, unless createNamespace is false. */
  public readonly namespaceObject?: ApiObject;
  /** The registration ExternalSecret and each pool's handle to it. */
  public readonly registration: RunnerRegistrationSecret;
  /** The job credential's ExternalSecret and handles, when jobCredential is set. */
  public readonly jobCredential?: JobCredential;
  /** The Deployment pools (mode `deployment`). */
  public readonly pools: readonly RunnerPool[];
  /** The KEDA pools (mode `ephemeral`). */
  public readonly ephemeralPools: readonly EphemeralRunnerPool[];
  /** The scaler's token Secret and TriggerAuthentication, when a pool is ephemeral. */
  public readonly scalerAuthentication?: ForgejoScalerAuthentication;
  /** One per pool (Deployment and ephemeral), unless networkPolicy.enabled is false. */
  public readonly networkPolicies: readonly RunnerNetworkPolicy[];

  constructor(scope: Construct, id: string, props: ForgejoRunnerProps) {
    super(scope, id);
    const namespace = props.namespace ?? 'forgejo-runner';
    this.namespace = namespace;
    const check = new PropsCheck(`ForgejoRunner ${namespace}`);
    checkProps(check, props);
    check.done();
    const pools = props.pools.map((p) => ({ ...p, name: p.name ?? DEFAULT_POOL_NAME }));
    const registration = props.registration ?? DEFAULT_REGISTRATION;

    if (props.createNamespace ?? true) this.namespaceObject = namespaceObject(this, namespace);
    const store = props.secretStore;
    const labels = standardLabels({ instance: namespace, component: 'secrets' });
    this.registration = new RunnerRegistrationSecret(this, 'Registration', { registration, namespace, store, labels, pools });
    const credential = props.jobCredential && new JobCredential(this, 'JobCredential', { ...props.jobCredential, namespace, store, labels });
    this.jobCredential = credential;
    const ephemeral = pools.some((p) => p.mode === 'ephemeral');
    const scaler =
      ephemeral && props.scalerToken
        ? new ForgejoScalerAuthentication(this, 'Scaler', {
            ...props.scalerToken,
            namespace,
            store,
            secretLabels: labels,
            labels: standardLabels({ instance: namespace, component: 'autoscaling' }),
          })
        : undefined;
    this.scalerAuthentication = scaler;

    // What every pool shares, resolved once and handed to each pool as it is.
    const shared: SharedPoolSettings = {
      namespace,
      forgejoUrl: props.forgejoUrl,
      images: props.images,
      timezone: props.timezone,
      jobEnv: { ...credential?.jobEnv, ...props.jobEnv },
      jobEnvFile: credential?.jobEnvFile,
      dind: props.dind,
      nativeSidecar: props.nativeSidecar,
    };
    const { deployments, jobs } = this.buildPools(props, pools, shared, credential, scaler);
    this.pools = deployments;
    this.ephemeralPools = jobs;
    this.networkPolicies = this.buildNetworkPolicies(namespace, props.networkPolicy);
  }

  /** One RunnerPool or EphemeralRunnerPool per pool: the pool's own settings plus the shared ones, as they are. */
  private buildPools(
    props: ForgejoRunnerProps,
    pools: readonly (ForgejoRunnerPoolOptions & { readonly name: string })[],
    shared: SharedPoolSettings,
    credential: JobCredential | undefined,
    scaler: ForgejoScalerAuthentication | undefined,
  ): { deployments: RunnerPool[]; jobs: EphemeralRunnerPool[] } {
    const built = new PropsCheck(`ForgejoRunner ${shared.namespace}`);
    const deployments: RunnerPool[] = [];
    const jobs: EphemeralRunnerPool[] = [];
    pools.forEach(({ mode, ephemeral: scaling, replicas, ...own }, i) => {
      const pool = {
        ...shared,
        ...own,
        registration: this.registration.for(own.name),
        // An ephemeral pool's runner gets no Secret env (KEDA would read it: RunnerContainerProps.scaledJobPod);
        // its jobs get the credential through the job env file, and one-job itself never uses it.
        runnerEnv: { ...(mode === 'ephemeral' ? {} : credential?.runnerEnv), ...props.runnerEnv, ...own.runnerEnv },
        podLabels: { ...props.podLabels, ...own.podLabels },
        podAnnotations: props.podAnnotations || own.podAnnotations ? { ...props.podAnnotations, ...own.podAnnotations } : undefined,
      };
      built.nested(['pools', i], () => {
        if (mode !== 'ephemeral') {
          const annotations = credential?.workloadAnnotations;
          const p = new RunnerPool(this, `Pool-${own.name}`, { ...pool, replicas, annotations });
          if (annotations) explain(p.deployment, 'metadata.annotations', 'Reloader restarts the pods when the job credential Secret changes');
          deployments.push(p);
        } else if (scaler) {
          jobs.push(new EphemeralRunnerPool(this, `Pool-${own.name}`, { ...pool, ephemeral: scaling, authentication: scaler.authentication }));
        }
      });
    });
    built.done();
    return { deployments, jobs };
  }

  /** Every pool runs privileged DinD pods: each gets its own policy, selecting its pods by the pool's own selector. */
  private buildNetworkPolicies(namespace: string, policy: ForgejoRunnerNetworkPolicy | undefined): RunnerNetworkPolicy[] {
    if (!(policy?.enabled ?? true)) return [];
    const check = new PropsCheck(`ForgejoRunner ${namespace}`);
    const pools = [...this.pools.map((p) => [p, p.deployment.name] as const), ...this.ephemeralPools.map((p) => [p, p.scaledJob.name] as const)];
    const policies = pools.flatMap(([pool, name]) => {
      const built = check.nested(['networkPolicy'], () => {
        const labels = standardLabels({ instance: name, component: 'runner' });
        return new RunnerNetworkPolicy(this, `NetworkPolicy-${name}`, { name, namespace, pool, labels, egressAllowList: policy?.egressAllowList });
      });
      return built ? [built] : [];
    });
    check.done();
    return policies;
  }
}

function namespaceObject(scope: Construct, namespace: string): ApiObject {
  const ns = kubeObject<Namespace>(scope, 'Namespace', {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace, labels: { ...POD_SECURITY_LABELS } },
  });
  setFileStem(ns, `namespace-${namespace}`);
  explain(ns, 'metadata.labels', 'Pod Security: enforce privileged because DinD runs privileged; warn and audit at baseline report anything else privileged');
  return ns;
}

/** The rules of the installation's own props, and those that relate pools to each other. */
function checkProps(check: PropsCheck, props: ForgejoRunnerProps): void {
  if (props.namespace !== undefined) check.check(['namespace'], dnsLabel(props.namespace));
  checkSharedPoolSettings(check, props);
  checkPodExtensions(check, [], props);
  checkSecretStore(check, ['secretStore'], props.secretStore);
  if (props.registration) checkRegistration(check, ['registration'], props.registration);
  if (props.jobCredential) checkJobCredential(check, ['jobCredential'], props.jobCredential);
  if (props.scalerToken) {
    checkScalerToken(check, ['scalerToken'], props.scalerToken);
    checkScalerTokenStore(check, ['scalerToken'], props.scalerToken, props.secretStore);
  }
  if (props.pools.length === 0) check.fail(['pools'], 'expected at least one runner pool');
  const registration = props.registration ?? DEFAULT_REGISTRATION;
  const pools = props.pools.map((p) => ({ ...p, name: p.name ?? DEFAULT_POOL_NAME }));
  const names = new Map<string, number>();
  const fields = new Map<string, number>();
  pools.forEach((pool, i) => {
    const at = (...path: (string | number)[]) => ['pools', i, ...path];
    checkPoolSettings(check, at(), pool);
    if (pool.replicas !== undefined && pool.mode !== 'ephemeral') checkReplicas(check, at('replicas'), pool.replicas, registration.mode);
    if (pool.ephemeral) checkScaling(check, at('ephemeral'), pool.ephemeral);
    const first = names.get(pool.name);
    if (first !== undefined) check.fail(at('name'), `expected a unique pool name; "${pool.name}" is already used by pools[${first}]`);
    else names.set(pool.name, i);
    if (registration.mode === 'offline') {
      // One 40-hex secret is one runner identity.
      const field = runnerSecretPropertyOf(registration, pool);
      const owner = fields.get(field);
      if (owner !== undefined) {
        check.fail(
          at(pool.runnerSecretProperty ? 'runnerSecretProperty' : 'name'),
          `expected a 1Password field of its own: pools[${owner}] already reads "${field}", and two pools would share one runner identity (set runnerSecretProperty)`,
        );
      } else fields.set(field, i);
    }
    if (pool.mode !== undefined && !check.check(at('mode'), oneOf(POOL_MODES)(pool.mode))) return;
    if (pool.mode === 'ephemeral') checkEphemeralPool(check, props, pools, pool, i);
    else if (pool.ephemeral) check.fail(at('ephemeral'), 'expected mode: ephemeral on a pool with ephemeral settings (this pool is a Deployment)');
  });
}

/** Rules of an ephemeral (KEDA) pool that involve the installation or the other pools. */
function checkEphemeralPool(
  check: PropsCheck,
  props: ForgejoRunnerProps,
  pools: readonly (ForgejoRunnerPoolOptions & { name: string })[],
  pool: ForgejoRunnerPoolOptions,
  i: number,
): void {
  const at = (...path: (string | number)[]) => ['pools', i, ...path];
  if ((props.registration ?? DEFAULT_REGISTRATION).mode !== 'offline') {
    check.fail(
      at('mode'),
      'expected registration.mode offline for an ephemeral pool: every Job pod must be the one runner registered on the server ' +
        '(create-runner-file --secret); token registration would add a runner to Forgejo per pod',
    );
  }
  if (!props.scalerToken) check.fail(at('mode'), "expected a scalerToken (1Password item and field of a Forgejo API token) for KEDA's forgejo-runner scaler");
  if (props.nativeSidecar === false) {
    check.fail(['nativeSidecar'], `expected a native sidecar (Kubernetes >= 1.29) for ephemeral pools (pools[${i}]): a Job pod completes only when DinD is one`);
  }
  if (pool.replicas !== undefined) check.fail(at('replicas'), 'expected no replicas on an ephemeral pool: KEDA decides the pod count (set ephemeral.maxReplicaCount)');
  if (pool.capacity !== undefined) check.fail(at('capacity'), 'expected no capacity on an ephemeral pool: one-job runs exactly one job per pod (set ephemeral.maxReplicaCount)');
  // The scaler counts the jobs of these label NAMES, running ones included: nobody else may serve them.
  pool.labels.map(runnerLabelName).forEach((name, j) => {
    const other = pools.findIndex((q, k) => k !== i && q.labels.map(runnerLabelName).includes(name));
    if (other >= 0) {
      check.fail(
        at('labels', j),
        `expected label name "${name}" to be served by this ephemeral pool only; pools[${other}] (${pools[other]?.name}) serves it too, ` +
          "and KEDA would count that pool's jobs as this one's",
      );
    }
  });
}
