// The values schema: the shape of a cluster's values file (unknown keys, types). Its runtime
// check gives file:line errors for what only the file knows (output paths, kubernetesVersion,
// keys and types); every rule about a setting lives in the construct that takes it as a prop,
// and the CLI maps a construct's PropsError back to the line of the values field that fed the
// prop (locate.ts). valuesToProps (to-props.ts) maps the result to props. Optional fields are
// left undefined: each default is written once, as `@default` on the construct props.
import * as z from 'zod';
import { JOB_CREDENTIAL_DELIVERIES, LOG_LEVELS, POOL_MODES, PROTOCOLS, REGISTRATION_MODES, SCOPE_KINDS, SECRET_STORE_KINDS } from '../constructs/rules.ts';
import { repoPath } from './formats.ts';

const str = z.string();
const num = z.number();
const stringMap = z.record(z.string(), z.string());
/** A quantity may be written as a YAML number ("2") or string ("500m"); props take strings. */
const quantity = z.union([z.string(), z.number()]).transform((q) => String(q));
const resourceList = z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() });

/** ContainerResources: requests/limits for one container. */
export const ResourcesSchema = z.strictObject({ requests: resourceList.optional(), limits: resourceList.optional() });

/** PodExtensions: values files give plain env values only (a Secret key handle is a library object). */
const podExtensions = {
  runnerEnv: stringMap.optional(),
  podLabels: stringMap.optional(),
  podAnnotations: stringMap.optional(),
};

/** ForgejoScalerToken / the 1Password part of the other secrets. */
const onePasswordField = { item: str, property: str.optional(), refreshInterval: str.optional() };

/** ForgejoRunnerScope: which jobs KEDA's forgejo-runner scaler counts (which fields each kind takes is the construct's rule). */
const ScopeSchema = z.strictObject({
  kind: z.enum(SCOPE_KINDS),
  user: str.optional(),
  owner: str.optional(),
  repo: str.optional(),
  org: str.optional(),
  adminToken: z.boolean().optional(),
});

/** EphemeralScalingOptions. */
const EphemeralSchema = z.strictObject({
  scope: ScopeSchema.optional(),
  minReplicaCount: num.optional(),
  maxReplicaCount: num.optional(),
  pollingInterval: num.optional(),
  successfulJobsHistoryLimit: num.optional(),
  failedJobsHistoryLimit: num.optional(),
  activeDeadlineSeconds: num.optional(),
  waitForTask: z.boolean().optional(),
});

/** ForgejoRunnerPoolOptions (the pool's name is required in a values file). */
export const PoolSchema = z.strictObject({
  mode: z.enum(POOL_MODES).optional(),
  ephemeral: EphemeralSchema.optional(),
  name: str,
  replicas: num.optional(),
  runnerName: str.optional(),
  labels: z.array(str),
  allowHostLabels: z.boolean().optional(),
  capacity: num.optional(),
  timeout: str.optional(),
  shutdownTimeout: str.optional(),
  terminationGracePeriodSeconds: num.optional(),
  logLevel: z.enum(LOG_LEVELS).optional(),
  runnerSecretProperty: str.optional(),
  runnerResources: ResourcesSchema.optional(),
  dindResources: ResourcesSchema.optional(),
  ...podExtensions,
});

export const ValuesSchema = z.strictObject({
  /** Where synth writes, relative to the repository root (checked by perimeter.ts). */
  output: z.strictObject({
    /** Directory ArgoCD syncs; owned by the generator (every file in it is replaced). */
    manifests: repoPath,
    /** The ArgoCD Application file. */
    application: repoPath,
  }),
  /** Minor version of the cluster's Kubernetes, e.g. "1.34": decides ForgejoRunnerProps.nativeSidecar. */
  kubernetesVersion: z.string().regex(/^1\.\d+$/, 'expected a Kubernetes minor version such as "1.34" (quote it)'),
  /** ArgoApplicationProps (applicationName is its `name`). */
  argocd: z.strictObject({ applicationName: str.optional(), project: str.optional(), repoURL: str, targetRevision: str.optional() }),
  namespace: str.optional(),
  forgejoUrl: str,
  timezone: str.optional(),
  secretStore: z.strictObject({ kind: z.enum(SECRET_STORE_KINDS).optional(), name: str }),
  registration: z.strictObject({ mode: z.enum(REGISTRATION_MODES), secretName: str, ...onePasswordField }),
  /** ForgejoRunnerProps.jobCredential (formerly `zot`, see RENAMED_KEYS). */
  jobCredential: z
    .strictObject({
      registry: str,
      username: str,
      secretName: str.optional(),
      ...onePasswordField,
      envVars: z.strictObject({ apiKey: str, registry: str, username: str }),
      delivery: z.enum(JOB_CREDENTIAL_DELIVERIES).optional(),
      reloader: z.boolean().optional(),
      description: str.optional(),
    })
    .optional(),
  images: z.strictObject({ runner: str.optional(), dind: str.optional() }).optional(),
  dind: z.strictObject({ registryMirrors: z.array(str).optional(), mtu: num.optional(), extraArgs: z.array(str).optional() }).optional(),
  networkPolicy: z
    .strictObject({
      enabled: z.boolean().optional(),
      egressAllowList: z
        .array(
          z.strictObject({
            cidr: str.optional(),
            except: z.array(str).optional(),
            namespaceLabels: stringMap.optional(),
            ports: z.array(z.strictObject({ port: num, protocol: z.enum(PROTOCOLS).optional() })).optional(),
          }),
        )
        .optional(),
    })
    .optional(),
  jobEnv: stringMap.optional(),
  ...podExtensions,
  scalerToken: z.strictObject({ secretName: str.optional(), kedaNamespace: str.optional(), ...onePasswordField }).optional(),
  pools: z.array(PoolSchema),
});

export type Values = z.output<typeof ValuesSchema>;

/** Keys of earlier values files that have a new name: an unknown-key error names the new one. */
export const RENAMED_KEYS: Readonly<Record<string, string>> = {
  zot: 'jobCredential',
  envVar: 'envVars.apiKey',
  bridgeToJobs: 'delivery (envFile or none)',
};
