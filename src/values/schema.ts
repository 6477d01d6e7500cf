// The values schema: the single description of a cluster's values file. It is both the
// runtime validator (unknown keys, types, ranges) and, through z.infer, the TypeScript type
// the constructs are written against. Optional fields are left undefined here so that each
// construct owns its documented @default; only the values file says what a cluster differs in.
import { z } from 'zod';
import { dindArgConflicts } from './dind-args.js';
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
} from './formats.js';

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
  /** How often ESO re-reads 1Password. @default 1h */
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

export const PoolSchema = z.strictObject({
  /** Deployment name; also the prefix of the pool's ConfigMap. */
  name: dnsLabel,
  /** @default 1 */
  replicas: z.number().int('expected a whole number').min(0, 'expected replicas >= 0').optional(),
  /** Name the runner registers under in Forgejo. */
  runnerName: z.string().min(1).regex(/^\S+$/, 'expected a runner name without spaces'),
  /** Runner labels, e.g. "k8s:docker://image:tag". */
  labels: z.array(z.string().regex(/^[^\s,]+$/, 'expected a label without spaces or commas')).min(1, 'expected at least one label'),
  /** Jobs run at once. @default 1 */
  capacity: z.number().int('expected a whole number').min(1, 'expected capacity >= 1').optional(),
  /** Longest a job may run. @default 3h */
  timeout: goDuration.optional(),
  /** How long a stopping runner waits for running jobs. @default 3h */
  shutdownTimeout: goDuration.optional(),
  /** Pod grace period; must cover shutdownTimeout. @default shutdownTimeout + 5 minutes */
  terminationGracePeriodSeconds: z.number().int().min(0).optional(),
  /** @default info */
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal']).optional(),
  /** 1Password field holding this pool's 40-hex runner secret (registration mode offline). @default the pool name */
  runnerSecretProperty: z.string().min(1).optional(),
  runnerResources: ResourcesSchema.optional(),
  dindResources: ResourcesSchema.optional(),
});

export const ValuesSchema = z.strictObject({
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
    /** @default the namespace */
    applicationName: dnsSubdomain.optional(),
    /** @default default */
    project: dnsSubdomain.optional(),
    repoURL: z.string().min(1, 'expected the git URL ArgoCD clones'),
    /** @default main */
    targetRevision: z.string().min(1).optional(),
  }),
  /** @default forgejo-runner */
  namespace: dnsLabel.optional(),
  forgejoUrl: httpUrl,
  /** TZ for the runner and its jobs. @default UTC */
  timezone: z.string().regex(/^[A-Za-z_+\-/0-9]+$/, 'expected an IANA time zone such as America/Los_Angeles').optional(),
  secretStore: z.strictObject({
    /** @default ClusterSecretStore */
    kind: z.enum(['ClusterSecretStore', 'SecretStore']).optional(),
    name: dnsSubdomain,
  }),
  registration: z.discriminatedUnion('mode', [tokenRegistration, offlineRegistration]),
  /** The zot registry push credential. Absent: no registry auth is wired. */
  zot: z
    .strictObject({
      registry: registryHost,
      username: z.string().min(1).regex(/^[^\s:]+$/, 'expected a user name without spaces or ":"'),
      /** Secret (and ExternalSecret) name. @default the item name */
      secretName: dnsSubdomain.optional(),
      ...onePasswordField,
      /** Env var in the runner pod and its jobs. @default ZOT_CI_API_KEY */
      envVar: envVarName.optional(),
      /** Hand the key to every job through runner.env_file. @default true */
      bridgeToJobs: z.boolean().optional(),
      /** Add Reloader's secret.reloader.stakater.com/reload annotation. @default false */
      reloader: z.boolean().optional(),
    })
    .optional(),
  images: z.strictObject({ runner: imageRef, dind: imageRef }),
  dind: z
    .strictObject({
      /** Pull-through mirrors for Docker Hub, written to daemon.json. @default none */
      registryMirrors: z.array(httpUrl).optional(),
      /** Bridge MTU for job containers (overlay networks often need < 1500). @default dockerd's */
      mtu: z.number().int().min(576, 'expected an MTU >= 576').max(9216, 'expected an MTU <= 9216').optional(),
      /** Extra dockerd flags. @default none */
      extraArgs: z.array(z.string().regex(/^--?[A-Za-z0-9]/, 'expected a dockerd flag starting with "-"')).optional(),
    })
    .superRefine((dind, ctx) => {
      // Flags that crash dockerd next to the generated daemon.json, or reopen the API (dind-args.ts).
      const sources = { mtu: dind.mtu !== undefined, registryMirrors: (dind.registryMirrors?.length ?? 0) > 0 };
      for (const c of dindArgConflicts(dind.extraArgs ?? [], sources)) {
        ctx.addIssue({ code: 'custom', path: ['extraArgs', c.index], message: c.message });
      }
    })
    .optional(),
  /** The runner pods' NetworkPolicy. @default enabled, ingress denied, egress unrestricted */
  networkPolicy: z
    .strictObject({
      /** Deny all ingress to the runner pods. @default true */
      enabled: z.boolean().optional(),
      /**
       * Restrict egress to DNS plus these destinations (jobs share it: they lose the internet).
       * NetworkPolicy has no host names: give CIDRs or namespace labels. @default egress unrestricted
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

export type Values = z.output<typeof ValuesSchema>;
