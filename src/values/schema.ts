// The values schema: the single description of a cluster's values file. It is the runtime
// validator (unknown keys, types, ranges, and the rules that relate fields of the file, so every
// error gets its file and line); valuesToProps (to-props.ts) maps the result to construct props.
// Optional fields are left undefined here: each default is written once, as `@default` on the
// construct props named in the comments ("default: Props.field").
import * as z from 'zod';
import { DEFAULT_SHUTDOWN_TIMEOUT, NATIVE_SIDECAR_MIN_MINOR } from '../constructs/pool/defaults.ts';
import { durationSeconds } from '../util/duration.ts';
import { dindArgConflicts } from '../constructs/pool/dind-args.ts';
import {
  dnsLabel,
  dnsSubdomain,
  envVarName,
  goDuration,
  httpUrl,
  imageRef,
  quantity,
  registryHost,
  repoPath,
} from './formats.ts';

const resourceList = z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() });

/** Requests/limits for one container. Empty by default: limits on DinD throttle or OOM-kill builds. */
export const ResourcesSchema = z.strictObject({
  requests: resourceList.optional(),
  limits: resourceList.optional(),
});

/** Where a value lives in 1Password: the item and the field (property) in the blumeops vault. */
const onePasswordField = {
  /** 1Password item title. */
  item: z.string().min(1, 'expected the 1Password item title'),
  /** Field of the item. */
  property: z.string().min(1, 'expected the 1Password field name').optional(),
  /** How often ESO re-reads 1Password. default: OnePasswordSecretProps.refreshInterval */
  refreshInterval: goDuration.optional(),
};

const tokenRegistration = z.strictObject({
  /** Register with a one-time token when /data/.runner is missing (today's behaviour). */
  mode: z.literal('token'),
  /** Secret (and ExternalSecret) that carries RUNNER_TOKEN into the runner by envFrom. */
  secretName: dnsSubdomain,
  ...onePasswordField,
});

const offlineRegistration = z.strictObject({
  /** Derive the runner's identity from a 40-hex secret on every start (create-runner-file). */
  mode: z.literal('offline'),
  /** Secret (and ExternalSecret) that carries each pool's runner secret. */
  secretName: dnsSubdomain,
  ...onePasswordField,
});

const count = (least: number) => z.number().int('expected a whole number').min(least, `expected a number >= ${least}`);
/** Owner, repository and organization names as the scaler puts them into its API path. */
const forgejoName = z.string().regex(/^[A-Za-z0-9_.-]+$/, 'expected a Forgejo name (letters, digits, "-", "_", ".")');

/** Which jobs KEDA's forgejo-runner scaler counts (the scope the runner is registered in). */
const ScopeSchema = z.discriminatedUnion('kind', [
  /** The token owner's jobs (the scaler's default; token scope read:user). */
  z.strictObject({ kind: z.literal('user') }),
  /** One repository's jobs (read:repository). */
  z.strictObject({ kind: z.literal('repo'), owner: forgejoName, repo: forgejoName }),
  /** One organization's jobs (read:organization). */
  z.strictObject({ kind: z.literal('org'), org: forgejoName }),
  /** Every job of the instance (admin API, read:admin); adminToken: true must say so (checked below, with its line). */
  z.strictObject({ kind: z.literal('global'), adminToken: z.boolean().optional() }),
]);

/** Scaling of an ephemeral pool (mode: ephemeral). Defaults: EphemeralScalingOptions (ForgejoRunnerScaledJobProps, EphemeralScriptProps). */
const EphemeralSchema = z.strictObject({
  /** default: ForgejoRunnerScaledJobProps.scope */
  scope: ScopeSchema.optional(),
  /** default: ForgejoRunnerScaledJobProps.minReplicaCount */
  minReplicaCount: count(0).optional(),
  /** default: ForgejoRunnerScaledJobProps.maxReplicaCount */
  maxReplicaCount: count(1).optional(),
  /** Seconds between two polls of the Forgejo API. default: ForgejoRunnerScaledJobProps.pollingInterval */
  pollingInterval: count(1).optional(),
  /** default: ForgejoRunnerScaledJobProps.successfulJobsHistoryLimit */
  successfulJobsHistoryLimit: count(0).optional(),
  /** default: ForgejoRunnerScaledJobProps.failedJobsHistoryLimit */
  failedJobsHistoryLimit: count(0).optional(),
  /** `one-job --wait`. default: EphemeralScriptProps.waitForTask */
  waitForTask: z.boolean().optional(),
});

export const PoolSchema = z.strictObject({
  /** deployment: long-lived runner pods; ephemeral: a KEDA ScaledJob, one job per pod. default: ForgejoRunnerPoolOptions.mode */
  mode: z.enum(['deployment', 'ephemeral']).optional(),
  /** Scaling of an ephemeral pool. */
  ephemeral: EphemeralSchema.optional(),
  /** Deployment name; also the prefix of the pool's ConfigMap. */
  name: dnsLabel,
  /** default: RunnerPoolProps.replicas */
  replicas: z.number().int('expected a whole number').min(0, 'expected replicas >= 0').optional(),
  /** Name the runner registers under in Forgejo. */
  runnerName: z.string().min(1).regex(/^\S+$/, 'expected a runner name without spaces'),
  /** Runner labels, e.g. "k8s:docker://image:tag". */
  labels: z.array(z.string().regex(/^[^\s,]+$/, 'expected a label without spaces or commas')).min(1, 'expected at least one label'),
  /** Jobs run at once. default: RunnerPoolProps.capacity */
  capacity: z.number().int('expected a whole number').min(1, 'expected capacity >= 1').optional(),
  /** Longest a job may run. default: RunnerPoolProps.timeout */
  timeout: goDuration.optional(),
  /** How long a stopping runner waits for running jobs. default: RunnerPoolProps.shutdownTimeout */
  shutdownTimeout: goDuration.optional(),
  /** Pod grace period; must cover shutdownTimeout. default: RunnerPoolProps.terminationGracePeriodSeconds */
  terminationGracePeriodSeconds: z.number().int().min(0).optional(),
  /** default: RunnerPoolProps.logLevel */
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).optional(),
  /** 1Password field holding this pool's 40-hex runner secret (registration mode offline). default: ForgejoRunnerPoolOptions.runnerSecretProperty */
  runnerSecretProperty: z.string().min(1).optional(),
  runnerResources: ResourcesSchema.optional(),
  dindResources: ResourcesSchema.optional(),
});

const ValuesObject = z.strictObject({
  /** Where synth writes, relative to the repository root. */
  output: z.strictObject({
    /** Directory ArgoCD syncs; owned by the generator (every file in it is replaced). */
    manifests: repoPath,
    /** The ArgoCD Application file. */
    application: repoPath,
  }),
  /** Minor version of the cluster's Kubernetes, e.g. "1.34": decides native sidecar support. */
  kubernetesVersion: z.string().regex(/^1\.\d+$/, 'expected a Kubernetes minor version such as "1.34" (quote it)'),
  argocd: z.strictObject({
    /** default: ArgoApplicationProps.name */
    applicationName: dnsSubdomain.optional(),
    /** default: ArgoApplicationProps.project */
    project: dnsSubdomain.optional(),
    repoURL: z.string().min(1, 'expected the git URL ArgoCD clones'),
    /** default: ArgoApplicationProps.targetRevision */
    targetRevision: z.string().min(1).optional(),
  }),
  /** default: ForgejoRunnerProps.namespace */
  namespace: dnsLabel.optional(),
  forgejoUrl: httpUrl,
  /** TZ for the runner and its jobs. default: ForgejoRunnerProps.timezone */
  timezone: z.string().regex(/^[A-Za-z_+\-/0-9]+$/, 'expected an IANA time zone such as America/Los_Angeles').optional(),
  secretStore: z.strictObject({
    /** default: SecretStoreRef.kind */
    kind: z.enum(['ClusterSecretStore', 'SecretStore']).optional(),
    name: dnsSubdomain,
  }),
  registration: z.discriminatedUnion('mode', [tokenRegistration, offlineRegistration]),
  /** The zot registry push credential. Absent: no registry auth is wired. */
  zot: z
    .strictObject({
      registry: registryHost,
      username: z.string().min(1).regex(/^[^\s:]+$/, 'expected a user name without spaces or ":"'),
      /** Secret (and ExternalSecret) name. default: ZotCredential.secretName */
      secretName: dnsSubdomain.optional(),
      ...onePasswordField,
      /** Env var in the runner pod and its jobs. default: ZotCredential.envVar */
      envVar: envVarName.optional(),
      /** Hand the key to every job through runner.env_file. default: ZotCredential.bridgeToJobs */
      bridgeToJobs: z.boolean().optional(),
      /** Add Reloader's secret.reloader.stakater.com/reload annotation. default: ZotCredential.reloader */
      reloader: z.boolean().optional(),
    })
    .optional(),
  images: z.strictObject({ runner: imageRef, dind: imageRef }),
  dind: z
    .strictObject({
      /** Pull-through mirrors for Docker Hub, written to daemon.json. default: RunnerPoolProps.registryMirrors */
      registryMirrors: z.array(httpUrl).optional(),
      /** Bridge MTU for job containers (overlay networks often need < 1500). default: RunnerPoolProps.dindMtu */
      mtu: z.number().int().min(576, 'expected an MTU >= 576').max(9216, 'expected an MTU <= 9216').optional(),
      /** Extra dockerd flags. default: RunnerPoolProps.dindExtraArgs */
      extraArgs: z.array(z.string().regex(/^--?[A-Za-z0-9]/, 'expected a dockerd flag starting with "-"')).optional(),
    })
    .superRefine((dind, ctx) => {
      // Flags that crash dockerd next to the generated daemon.json, or reopen the API (constructs/pool/dind-args.ts;
      // the pool constructs apply the same rules to their props).
      const sources = { mtu: dind.mtu !== undefined, registryMirrors: (dind.registryMirrors?.length ?? 0) > 0 };
      for (const c of dindArgConflicts(dind.extraArgs ?? [], sources)) {
        ctx.addIssue({ code: 'custom', path: ['extraArgs', c.index], message: c.message });
      }
    })
    .optional(),
  /** The runner pods' NetworkPolicy, one per pool. default: ForgejoRunnerProps.networkPolicy */
  networkPolicy: z
    .strictObject({
      /** Deny all ingress to each pool's pods. default: ForgejoRunnerNetworkPolicy.enabled */
      enabled: z.boolean().optional(),
      /**
       * Restrict egress to DNS plus these destinations (jobs share it: they lose the internet).
       * NetworkPolicy has no host names: give CIDRs or namespace labels. default: RunnerNetworkPolicyProps.egressAllowList
       */
      egressAllowList: z
        .array(
          z
            .strictObject({
              cidr: z.string().regex(/^(\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/, 'expected an IP block such as 203.0.113.10/32').optional(),
              except: z.array(z.string().min(1)).optional(),
              namespaceLabels: z.record(z.string().min(1), z.string()).optional(),
              ports: z
                .array(z.strictObject({ port: z.number().int().min(1).max(65535), protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional() }))
                .optional(),
            })
            .refine((a) => (a.cidr === undefined) !== (a.namespaceLabels === undefined), 'expected exactly one of cidr, namespaceLabels'),
        )
        .optional(),
    })
    .optional(),
  /** Extra plain env vars for every job (runner.envs). */
  jobEnv: z.record(envVarName, z.string()).optional(),
  /** The Forgejo API token of KEDA's scaler, in 1Password; required by ephemeral pools. */
  scalerToken: z
    .strictObject({
      /** Secret, ExternalSecret and TriggerAuthentication name. default: ForgejoScalerToken.secretName */
      secretName: dnsSubdomain.optional(),
      ...onePasswordField,
    })
    .optional(),
  pools: z
    .array(PoolSchema)
    .min(1, 'expected at least one runner pool')
    .superRefine((pools, ctx) => {
      // Pool names become Deployment names: two equal names would be one object written twice.
      const seen = new Map<string, number>();
      pools.forEach((pool, i) => {
        const first = seen.get(pool.name);
        if (first !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: [i, 'name'],
            message: `expected a unique pool name; "${pool.name}" is already used by pools[${first}]`,
          });
        } else {
          seen.set(pool.name, i);
        }
      });
    }),
});

/**
 * Rules that relate fields of the values file, checked here so each error points at the line of
 * the field to change. (The constructs check the same invariants of their props for library
 * users; a values file that passes here never trips them.)
 */
export const ValuesSchema = ValuesObject.superRefine((values, ctx) => {
  values.pools.forEach((pool, i) => {
    // The pod's grace period must let running jobs finish before kubelet's SIGKILL.
    const shutdownTimeout = pool.shutdownTimeout ?? DEFAULT_SHUTDOWN_TIMEOUT;
    const shutdownSeconds = Math.ceil(durationSeconds(shutdownTimeout));
    if (pool.terminationGracePeriodSeconds !== undefined && pool.terminationGracePeriodSeconds < shutdownSeconds) {
      ctx.addIssue({
        code: 'custom',
        path: ['pools', i, 'terminationGracePeriodSeconds'],
        message:
          `expected at least ${shutdownSeconds} (shutdownTimeout ${shutdownTimeout}), got ${pool.terminationGracePeriodSeconds}: ` +
          'Kubernetes would kill running jobs before the runner lets them finish; omit it to get shutdownTimeout plus a margin',
      });
    }
  });
  checkEphemeralPools(values, ctx);
  if (values.registration.mode !== 'offline') return;
  // Offline registration: one 40-hex secret is one runner identity.
  const owner = new Map<string, number>();
  values.pools.forEach((pool, i) => {
    if ((pool.replicas ?? 1) > 1) {
      ctx.addIssue({
        code: 'custom',
        path: ['pools', i, 'replicas'],
        message: `expected replicas 0 or 1 with registration.mode offline: ${pool.replicas} pods would run as one runner identity (use registration.mode token to scale)`,
      });
    }
    const property = pool.runnerSecretProperty ?? values.registration.property ?? pool.name;
    const first = owner.get(property);
    if (first !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['pools', i, pool.runnerSecretProperty ? 'runnerSecretProperty' : 'name'],
        message: `expected a 1Password field of its own: pools[${first}] already reads "${property}", and two pools would share one runner identity (set runnerSecretProperty)`,
      });
    } else {
      owner.set(property, i);
    }
  });
});

/** Rules of ephemeral (KEDA) pools, each reported at the line of the field to change. */
function checkEphemeralPools(values: z.output<typeof ValuesObject>, ctx: z.RefinementCtx): void {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  // Same as runnerLabelName() of the trigger: the name is the part before ":".
  const names = (labels: readonly string[]) => labels.map((l) => l.split(':')[0]!);
  const minor = Number(values.kubernetesVersion.split('.')[1]);
  let reportedVersion = false;
  values.pools.forEach((pool, i) => {
    if (pool.mode !== 'ephemeral') {
      if (pool.ephemeral) issue(['pools', i, 'ephemeral'], 'expected mode: ephemeral on a pool with ephemeral settings (this pool is a Deployment)');
      return;
    }
    if (values.registration.mode !== 'offline') {
      issue(
        ['pools', i, 'mode'],
        'expected registration.mode offline for an ephemeral pool: every Job pod must be the one runner registered on the server ' +
          '(create-runner-file --secret); token registration would add a runner to Forgejo per pod',
      );
    }
    if (!values.scalerToken) {
      issue(['pools', i, 'mode'], 'expected a top-level scalerToken (1Password item and field of a Forgejo API token) for KEDA\'s forgejo-runner scaler');
    }
    if (pool.replicas !== undefined) {
      issue(['pools', i, 'replicas'], 'expected no replicas on an ephemeral pool: KEDA decides the pod count (set ephemeral.maxReplicaCount)');
    }
    if (pool.capacity !== undefined) {
      issue(['pools', i, 'capacity'], 'expected no capacity on an ephemeral pool: one-job runs exactly one job per pod (set ephemeral.maxReplicaCount)');
    }
    const scope = pool.ephemeral?.scope;
    if (scope?.kind === 'global' && scope.adminToken !== true) {
      issue(
        ['pools', i, 'ephemeral', 'scope', 'adminToken'],
        'expected adminToken: true with scope global: the scaler reads the admin API, so the token must be a site administrator\'s (read:admin)',
      );
    }
    if (minor < NATIVE_SIDECAR_MIN_MINOR && !reportedVersion) {
      reportedVersion = true;
      issue(
        ['kubernetesVersion'],
        `expected Kubernetes >= 1.${NATIVE_SIDECAR_MIN_MINOR} for ephemeral pools (pools[${i}]): a Job pod completes only when DinD is a native sidecar`,
      );
    }
    // The scaler counts the jobs of these label NAMES, running ones included: nobody else may serve them.
    const own = names(pool.labels);
    own.forEach((name, j) => {
      if (own.indexOf(name) !== j) {
        issue(['pools', i, 'labels', j], `expected each label name once in an ephemeral pool; "${name}" is already labels[${own.indexOf(name)}]`);
        return;
      }
      const other = values.pools.findIndex((q, k) => k !== i && names(q.labels).includes(name));
      if (other >= 0) {
        issue(
          ['pools', i, 'labels', j],
          `expected label name "${name}" to be served by this ephemeral pool only; pools[${other}] (${values.pools[other]!.name}) serves it too, ` +
            'and KEDA would count that pool\'s jobs as this one\'s',
        );
      }
    });
  });
}

export type Values = z.output<typeof ValuesSchema>;
