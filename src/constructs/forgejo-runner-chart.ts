// Composes one cluster's runner installation from its typed values: namespace, secrets, pools.
import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import type { Namespace } from '../../imports/k8s.js';
import { kubeObject } from './kube-object.js';
import type { Values } from '../values/schema.js';
import { ArgoApplication } from './argocd-application.js';
import { standardLabels } from './labels.js';
import { OnePasswordSecret, type SecretKeyHandle } from './onepassword-secret.js';
import { explain, setFileStem } from './review-notes.js';
import { RunnerNetworkPolicy } from './runner-network-policy.js';
import { NATIVE_SIDECAR_MIN_MINOR, RunnerPool, type RunnerRegistration } from './runner-pool.js';
import { syncWave, SyncWave } from './sync-wave.js';

const DEFAULT_NAMESPACE = 'forgejo-runner';
/** Pod Security Admission: DinD needs privileged; everything else is reported at baseline. */
const POD_SECURITY_LABELS = {
  'pod-security.kubernetes.io/enforce': 'privileged',
  'pod-security.kubernetes.io/warn': 'baseline',
  'pod-security.kubernetes.io/audit': 'baseline',
};
/** The job env file in the zot Secret. */
const ZOT_JOB_ENV_FILE = 'jobs.env';

/** Everything Argo CD syncs: goes to values.output.manifests. */
export class ForgejoRunnerChart extends Chart {
  public readonly pools: readonly RunnerPool[];
  public readonly zotSecret?: OnePasswordSecret<string, typeof ZOT_JOB_ENV_FILE>;

  constructor(scope: Construct, id: string, values: Values) {
    const namespace = values.namespace ?? DEFAULT_NAMESPACE;
    super(scope, id, { disableResourceNameHashes: true });

    const ns = kubeObject<Namespace>(this, 'Namespace', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace, labels: POD_SECURITY_LABELS, annotations: syncWave(SyncWave.NAMESPACE) },
    });
    setFileStem(ns, `namespace-${namespace}`);
    explain(ns, 'metadata.labels', 'Pod Security: enforce privileged because DinD runs privileged; warn and audit at baseline report anything else privileged');

    const store = { kind: values.secretStore.kind, name: values.secretStore.name };
    const labels = standardLabels({ instance: namespace, component: 'secrets' });
    const reg = values.registration;
    let registrationFor: (pool: Values['pools'][number]) => RunnerRegistration;
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
      registrationFor = () => ({ mode: 'token', tokenSecret: tokenSecret.envSource() });
    } else {
      this.assertOfflinePools(values);
      const keys = Object.fromEntries(
        values.pools.map((p) => [p.name, { item: reg.item, property: p.runnerSecretProperty ?? reg.property ?? p.name }]),
      );
      const identity = new OnePasswordSecret(this, 'RunnerIdentity', {
        name: reg.secretName,
        namespace,
        store,
        labels,
        refreshInterval: reg.refreshInterval,
        keys,
        description: `40-hex runner secrets (1Password "${reg.item}"), one per pool: the same secret always yields the same runner UUID.`,
      });
      registrationFor = (pool) => ({ mode: 'offline', runnerSecret: identity.key(pool.name) });
    }

    let zotEnv: Record<string, SecretKeyHandle> | undefined;
    let zotJobFile: SecretKeyHandle | undefined;
    const zot = values.zot;
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

    const [major, minor] = values.kubernetesVersion.split('.').map(Number) as [number, number];
    const nativeSidecar = major > 1 || minor >= NATIVE_SIDECAR_MIN_MINOR;
    const reloader = zot?.reloader ? { 'secret.reloader.stakater.com/reload': this.zotSecret!.secretName } : undefined;

    this.pools = values.pools.map(
      (pool) =>
        new RunnerPool(this, `Pool-${pool.name}`, {
          name: pool.name,
          namespace,
          runnerImage: values.images.runner,
          dindImage: values.images.dind,
          forgejoUrl: values.forgejoUrl,
          runnerName: pool.runnerName,
          labels: pool.labels,
          registration: registrationFor(pool),
          replicas: pool.replicas,
          capacity: pool.capacity,
          timeout: pool.timeout,
          shutdownTimeout: pool.shutdownTimeout,
          terminationGracePeriodSeconds: pool.terminationGracePeriodSeconds,
          logLevel: pool.logLevel,
          timezone: values.timezone,
          secretEnv: zotEnv,
          jobEnvFile: zotJobFile,
          jobEnv: {
            ...(zot ? { ZOT_REGISTRY: zot.registry, ZOT_CI_USERNAME: zot.username } : {}),
            ...values.jobEnv,
          },
          registryMirrors: values.dind?.registryMirrors,
          dindMtu: values.dind?.mtu,
          dindExtraArgs: values.dind?.extraArgs,
          nativeSidecar,
          runnerResources: pool.runnerResources,
          dindResources: pool.dindResources,
          annotations: reloader,
        }),
    );
    if (values.networkPolicy?.enabled ?? true) {
      for (const pool of this.pools) {
        new RunnerNetworkPolicy(this, `NetworkPolicy-${pool.node.id}`, {
          name: pool.deployment.name,
          namespace,
          podSelector: pool.podSelector,
          labels: standardLabels({ instance: pool.deployment.name, component: 'runner' }),
          egressAllowList: values.networkPolicy?.egressAllowList,
        });
      }
    }
    if (reloader) {
      for (const pool of this.pools) explain(pool.deployment, 'metadata.annotations', 'Reloader restarts the pods when the zot key Secret changes');
    }
  }

  private assertOfflinePools(values: Values): void {
    const reg = values.registration;
    const owner = new Map<string, string>();
    for (const pool of values.pools) {
      if ((pool.replicas ?? 1) > 1) {
        throw new Error(
          `pool ${pool.name}: replicas ${pool.replicas} with registration.mode offline would run ${pool.replicas} pods ` +
            'as one runner identity; use replicas 1 per pool, or registration.mode token',
        );
      }
      const property = pool.runnerSecretProperty ?? reg.property ?? pool.name;
      const other = owner.get(property);
      if (other) {
        throw new Error(
          `pools ${other} and ${pool.name} read the same 1Password field "${property}" and would share one runner ` +
            'identity; give each pool its own runnerSecretProperty',
        );
      }
      owner.set(property, pool.name);
    }
  }
}

/** The Argo CD Application: goes to values.output.application, outside the synced directory. */
export class ArgoApplicationChart extends Chart {
  constructor(scope: Construct, id: string, values: Values) {
    super(scope, id, { disableResourceNameHashes: true });
    const namespace = values.namespace ?? DEFAULT_NAMESPACE;
    new ArgoApplication(this, 'Application', {
      name: values.argocd.applicationName ?? namespace,
      repoURL: values.argocd.repoURL,
      targetRevision: values.argocd.targetRevision,
      project: values.argocd.project,
      path: values.output.manifests,
      destinationNamespace: namespace,
    });
  }
}
