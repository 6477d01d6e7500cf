// An ephemeral runner pool: a KEDA ScaledJob that starts one Kubernetes Job per waiting Forgejo
// job, each running `forgejo-runner one-job` in a fresh pod, and scales to zero when none wait.
//
// Facts this relies on (checked against the sources; see also forgejo-runner-trigger.ts):
// - KEDA >= 2.18 has the forgejo-runner scaler (kedacore/keda #6488). A ScaledJob creates no Job
//   while nothing is queued in every version since (pkg/scaling/scaledjob/metrics.go,
//   pkg/scaling/executor/scale_jobs.go). Built and validated against 2.20.2: 2.20 reports the
//   scaler's activity correctly (#7532, which fixed #7527, a ScaledObject that never reached
//   zero) and no longer logs Forgejo's error bodies (#7469).
// - KEDA copies every ScaledJob label onto its Jobs, over its own defaults, except the keys of
//   annotation scaledjob.keda.sh/job-excluded-labels (>= 2.18; pkg/scaling/executor/scale_jobs.go
//   generateJobs), and every annotation without exception.
// - Forgejo's job count includes running jobs; KEDA's `default` scaling strategy creates
//   min(maxReplicaCount, queue length) minus the Jobs still running, which is right for a count
//   that includes this pool's own running jobs (keda-docs 2.20 reference/scaledjob-spec.md).
// - rollout `default` deletes the running Jobs whenever the ScaledJob changes (e.g. a new config
//   hash): `gradual` lets running CI jobs finish and gives only new Jobs the new spec (same page).
// - A Job pod completes when its main containers exit; a native sidecar (init container with
//   restartPolicy Always) is stopped by the kubelet after that, so DinD must be one. A second main
//   container would keep the pod, and the Job, running after the runner exits.
// - forgejo-runner 12.7 `one-job` exits 1 when Forgejo hands it no task (another pod took it),
//   12.8.0/12.8.1 exit 0, >= 12.8.2 exit 2 (forgejo/runner #1477). Retrying such a pod inside the
//   same Job only holds a slot KEDA counts as running, so the runner's non-zero exit fails the Job.
import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { PodSpec } from '../../../imports/k8s.ts';
import { kubeObject } from '../kube-object.ts';
import { PropsCheck, type PropPath } from '../props-error.ts';
import { wholeNumber } from '../rules.ts';

/** Why the first container's env may not come from Secrets (the start of the message). */
export const KEDA_READS_ENV = "KEDA reads the env of the Job template's first container (and fails the scaler when a Secret is missing)";

/** KEDA's annotation naming ScaledJob labels it must not copy onto Jobs (comma-separated, no spaces). */
const JOB_EXCLUDED_LABELS = 'scaledjob.keda.sh/job-excluded-labels';
/**
 * Labels kept off the Jobs: `managed-by: cdk8s` would claim Jobs KEDA creates (KEDA's own
 * `keda-operator` stays), and Argo CD's label tracking (`instance`) would make them look like the
 * Application's, OutOfSync, pruned while they run.
 */
const JOBS_KEEP_OFF = ['app.kubernetes.io/managed-by', 'app.kubernetes.io/instance'] as const;

const DEFAULT_MIN_REPLICAS = 0;
const DEFAULT_MAX_REPLICAS = 1;
import { explain } from '../metadata.ts';
import { forgejoRunnerTriggerMetadata, type ForgejoRunnerScope, type ForgejoRunnerTriggerMetadata } from './forgejo-runner-trigger.ts';
import type { ForgejoTokenAuthentication } from './trigger-authentication.ts';

/** A pod template: the pod's labels and annotations, and its spec. */
export interface PodTemplate {
  /** @default no labels or annotations */
  readonly metadata?: { readonly labels?: Readonly<Record<string, string>>; readonly annotations?: Readonly<Record<string, string>> };
  readonly spec: PodSpec;
}

/** Props of ForgejoRunnerScaledJob: the runner pod, the trigger (forge, labels, scope) and the scaling counts. */
export interface ForgejoRunnerScaledJobProps {
  /** Name of the ScaledJob (and prefix of the Jobs KEDA creates). */
  readonly name: string;
  readonly namespace: string;
  /**
   * The runner pod: the runner container (running `one-job`) as the only main container, DinD as a
   * native sidecar in initContainers. restartPolicy is set to Never here; another value is an error.
   */
  readonly podTemplate: PodTemplate;
  /** @default runner */
  readonly runnerContainerName?: string;
  /** Forgejo base URL: the trigger's `address`. */
  readonly forgejoUrl: string;
  /**
   * The pool's runner labels (`name:docker://image`); the trigger counts jobs whose `runs-on`
   * names are all among their names. No other runner may serve these names: its running jobs
   * would be counted as this pool's.
   */
  readonly labels: readonly string[];
  /** Which jobs count; should match the scope the runner is registered in. @default { kind: 'user' } */
  readonly scope?: ForgejoRunnerScope;
  /** Holds the Forgejo token the scaler uses. */
  readonly authentication: ForgejoTokenAuthentication;
  /** Jobs kept waiting for work even with no job queued. @default 0 (scale to zero) */
  readonly minReplicaCount?: number;
  /** Most runner pods at once; each runs a privileged DinD. @default 1 (the Deployment pool's default replicas) */
  readonly maxReplicaCount?: number;
  /** Seconds between two queries of the Forgejo API. @default 30 (KEDA's default) */
  readonly pollingInterval?: number;
  /** Finished Jobs kept for `kubectl logs`. @default 3 */
  readonly successfulJobsHistoryLimit?: number;
  /** Failed Jobs kept, including "no task" exits. @default 5 */
  readonly failedJobsHistoryLimit?: number;
  /** Retries of a Job's pod for failures other than the runner's own exit. @default 0 */
  readonly backoffLimit?: number;
  /** Hard limit on a Job's run time, including the CI job. @default none (runner.timeout bounds the CI job) */
  readonly activeDeadlineSeconds?: number;
  /** @default no labels */
  readonly metadataLabels?: Readonly<Record<string, string>>;
}

/** The keda.sh/v1alpha1 ScaledJob as written here (the CRD schema is checked after synthesis, src/validate/schemas.ts). */
interface ScaledJobBody {
  readonly apiVersion: 'keda.sh/v1alpha1';
  readonly kind: 'ScaledJob';
  readonly metadata: { readonly name: string; readonly namespace: string; readonly labels?: Record<string, string>; readonly annotations: Record<string, string> };
  readonly spec: Record<string, unknown>;
}

/** The scaling props a ForgejoRunnerScaledJob counts with. */
type ScalingCounts = Pick<
  ForgejoRunnerScaledJobProps,
  'minReplicaCount' | 'maxReplicaCount' | 'pollingInterval' | 'successfulJobsHistoryLimit' | 'failedJobsHistoryLimit' | 'backoffLimit' | 'activeDeadlineSeconds'
>;

/** The rules of the scaling counts at `prefix` (ForgejoRunner checks each ephemeral pool's with it). */
export function checkScaling(check: PropsCheck, prefix: PropPath, props: ScalingCounts): void {
  const count = (field: keyof ScalingCounts, least: number) => {
    const value = props[field];
    if (value !== undefined) check.check([...prefix, field], wholeNumber(least)(value));
  };
  count('minReplicaCount', 0);
  count('maxReplicaCount', 1);
  count('pollingInterval', 1);
  count('successfulJobsHistoryLimit', 0);
  count('failedJobsHistoryLimit', 0);
  count('backoffLimit', 0);
  count('activeDeadlineSeconds', 1);
  const min = props.minReplicaCount ?? DEFAULT_MIN_REPLICAS;
  const max = props.maxReplicaCount ?? DEFAULT_MAX_REPLICAS;
  if (Number.isInteger(min) && Number.isInteger(max) && max >= 1 && min > max) {
    check.fail([...prefix, 'minReplicaCount'], `expected at most maxReplicaCount (${max}), got ${min}; KEDA would silently use ${max}`);
  }
}

/**
 * A KEDA ScaledJob whose `forgejo-runner` trigger starts one Job per waiting Forgejo job, each
 * running the given runner pod once. The building block of EphemeralRunnerPool.
 */
export class ForgejoRunnerScaledJob extends Construct {
  public readonly resource: ApiObject;
  /** The trigger metadata as synthesized. */
  public readonly triggerMetadata: ForgejoRunnerTriggerMetadata;

  constructor(scope: Construct, id: string, props: ForgejoRunnerScaledJobProps) {
    super(scope, id);
    const what = `ForgejoRunnerScaledJob ${props.name}`;
    const runnerName = props.runnerContainerName ?? 'runner';
    const min = props.minReplicaCount ?? DEFAULT_MIN_REPLICAS;
    const max = props.maxReplicaCount ?? DEFAULT_MAX_REPLICAS;
    const pollingInterval = props.pollingInterval ?? 30;
    const successful = props.successfulJobsHistoryLimit ?? 3;
    const failed = props.failedJobsHistoryLimit ?? 5;
    const backoffLimit = props.backoffLimit ?? 0;

    const check = new PropsCheck(what);
    checkScaling(check, [], { ...props, backoffLimit });
    const pod = checkPodTemplate(check, props.podTemplate, runnerName);
    const trigger = check.nested([], () => forgejoRunnerTriggerMetadata(what, { address: props.forgejoUrl, labels: props.labels, scope: props.scope }));
    check.done();
    if (!pod || !trigger) throw new Error(`${what}: no pod spec or trigger after the checks`); // reported above: unreachable
    this.triggerMetadata = trigger;

    const body: ScaledJobBody = {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledJob',
      metadata: {
        name: props.name,
        namespace: props.namespace,
        ...(props.metadataLabels ? { labels: { ...props.metadataLabels } } : {}),
        annotations: { [JOB_EXCLUDED_LABELS]: JOBS_KEEP_OFF.join(',') },
      },
      spec: {
        jobTargetRef: {
          template: { ...props.podTemplate, spec: { ...pod, restartPolicy: 'Never' } },
          backoffLimit,
          podFailurePolicy: {
            // Rules are evaluated in order and the first match wins (batch/v1 PodFailurePolicy.rules).
            // An evicted or preempted pod's runner also exits non-zero (143 on SIGTERM), so the
            // DisruptionTarget rule must come first, or every eviction would fail the Job.
            rules: [
              { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
              { action: 'FailJob', onExitCodes: { containerName: runnerName, operator: 'NotIn', values: [0] } },
            ],
          },
          ...(props.activeDeadlineSeconds !== undefined ? { activeDeadlineSeconds: props.activeDeadlineSeconds } : {}),
        },
        pollingInterval,
        minReplicaCount: min,
        maxReplicaCount: max,
        successfulJobsHistoryLimit: successful,
        failedJobsHistoryLimit: failed,
        rollout: { strategy: 'gradual' },
        scalingStrategy: { strategy: 'default' },
        triggers: [
          {
            type: 'forgejo-runner',
            metadata: { ...this.triggerMetadata },
            authenticationRef: {
              name: props.authentication.name,
              ...(props.authentication.kind === 'ClusterTriggerAuthentication' ? { kind: props.authentication.kind } : {}),
            },
          },
        ],
      },
    };
    this.resource = kubeObject(this, 'Resource', body);

    explainScaledJob(this.resource, min, this.triggerMetadata.global !== undefined);
  }
}

/** The pod rules of a Job's runner pod: one main container (the runner), never restarted. Returns the spec. */
function checkPodTemplate(check: PropsCheck, template: PodTemplate, runnerName: string): PodSpec | undefined {
  const pod = template.spec as PodSpec | undefined; // JavaScript callers may omit it
  if (!pod) {
    check.fail(['podTemplate', 'spec'], 'expected a pod spec');
    return undefined;
  }
  if (pod.restartPolicy !== undefined && pod.restartPolicy !== 'Never') {
    check.fail(['podTemplate', 'spec', 'restartPolicy'], `expected Never (or unset), got ${pod.restartPolicy}: a runner pod runs one job and must not restart`);
  }
  const mains = pod.containers.map((c) => c.name);
  if (!mains.includes(runnerName)) {
    check.fail(['runnerContainerName'], `expected a container of podTemplate, got "${runnerName}"; its containers are: ${mains.join(', ')}`);
    return pod;
  }
  // KEDA resolves the env of containers[0] (or envSourceContainerName, never set here) before it
  // builds the scaler, reading every Secret and ConfigMap it names with the operator's rights; one
  // missing fails the scaler ("error resolving secrets for ScaleTarget": kedacore/keda
  // pkg/scaling/resolver/scale_resolvers.go ResolveContainerEnv, pkg/scaling/scalers_builder.go).
  // The scaler needs none of them (its token comes from the authentication), so none may be there.
  const first = pod.containers[0];
  first?.env?.forEach((e, j) => {
    const from = e.valueFrom?.secretKeyRef ? `Secret ${e.valueFrom.secretKeyRef.name}` : e.valueFrom?.configMapKeyRef ? `ConfigMap ${e.valueFrom.configMapKeyRef.name}` : undefined;
    if (from) check.fail(['podTemplate', 'spec', 'containers', 0, 'env', j], `${KEDA_READS_ENV}: env var ${e.name} comes from ${from}; mount it as a file instead`);
  });
  first?.envFrom?.forEach((e, j) => {
    check.fail(['podTemplate', 'spec', 'containers', 0, 'envFrom', j], `${KEDA_READS_ENV}: envFrom ${e.secretRef ? `Secret ${e.secretRef.name}` : `ConfigMap ${e.configMapRef?.name}`}; mount it as a file instead`);
  });
  const extra = mains.filter((n) => n !== runnerName);
  if (extra.length > 0) {
    check.fail(
      ['podTemplate', 'spec', 'containers'],
      `container(s) ${extra.join(', ')} would keep the Job pod running after the runner exits; run them as native sidecars (initContainers with restartPolicy: Always)`,
    );
  }
  return pod;
}

/** Review notes of the ScaledJob. */
function explainScaledJob(r: ApiObject, min: number, global: boolean): void {
  explain(r, 'spec.jobTargetRef.template.spec.restartPolicy', 'one pod, one CI job: a finished or failed runner is never restarted');
  explain(r, 'spec.jobTargetRef.backoffLimit', 'no retries: a new pod would find no task; KEDA starts new Jobs while jobs wait');
  explain(
    r,
    'spec.jobTargetRef.podFailurePolicy',
    'an evicted pod is replaced without counting (checked first: its runner exits 143 too); any other runner exit != 0 (e.g. one-job got no task) fails the Job at once',
  );
  explain(r, 'spec.minReplicaCount', min === 0 ? 'scale to zero: no Job while no job waits' : `${min} runner pod(s) wait for work even when idle`);
  explain(
    r,
    'metadata.annotations',
    'KEDA copies labels and annotations onto every Job; the excluded labels leave KEDA\'s managed-by: keda-operator on Jobs and ' +
      'no Argo CD instance label that would prune them (a copied sync-wave is inert: Argo CD reads waves from its own objects only)',
  );
  explain(r, 'spec.rollout', 'gradual: a changed ScaledJob never deletes Jobs that are running CI jobs');
  explain(r, 'spec.scalingStrategy', 'Forgejo counts running jobs too; default subtracts the Jobs already running');
  explain(r, 'spec.triggers[0].metadata.labels', 'label names only; no other runner may serve them, or its running jobs count here');
  if (global) explain(r, 'spec.triggers[0].metadata.global', 'admin API: the token must be a site administrator\'s (read:admin)');
  explain(r, 'spec.triggers[0].authenticationRef', 'the Forgejo token, from a Secret; never in trigger metadata');
}
