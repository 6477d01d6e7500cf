// An ephemeral runner pool: a KEDA ScaledJob that starts one Kubernetes Job per waiting Forgejo
// job, each running `forgejo-runner one-job` in a fresh pod, and scales to zero when none wait.
//
// Facts this relies on (checked against the sources; see also forgejo-runner-trigger.ts):
// - KEDA >= 2.20: before it the forgejo-runner scaler always reported "active", so a ScaledJob
//   never reached zero (kedacore/keda #7527, fixed by commit 65bdb86, first tag v2.20.0).
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
import type { IPodTemplateSpec } from 'kubernetes-models/v1/PodTemplateSpec';
import { ScaledJob, type IScaledJob } from '../../../imports/keda.ts';
import { kubeObject } from '../kube-object.ts';
import { explain } from '../metadata.ts';
import { forgejoRunnerTriggerMetadata, type ForgejoRunnerScope, type ForgejoRunnerTriggerMetadata } from './forgejo-runner-trigger.ts';
import type { ForgejoTokenAuthentication } from './trigger-authentication.ts';

export interface ForgejoRunnerScaledJobProps {
  /** Name of the ScaledJob (and prefix of the Jobs KEDA creates). */
  readonly name: string;
  readonly namespace: string;
  /**
   * The runner pod: the runner container (running `one-job`) as the only main container, DinD as a
   * native sidecar in initContainers. restartPolicy is set to Never here; another value is an error.
   */
  readonly podTemplate: IPodTemplateSpec;
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

export class ForgejoRunnerScaledJob extends Construct {
  public readonly resource: ApiObject;
  /** The trigger metadata as synthesized. */
  public readonly triggerMetadata: ForgejoRunnerTriggerMetadata;

  constructor(scope: Construct, id: string, props: ForgejoRunnerScaledJobProps) {
    super(scope, id);
    const what = `ForgejoRunnerScaledJob ${props.name}`;
    const runnerName = props.runnerContainerName ?? 'runner';
    const min = props.minReplicaCount ?? 0;
    const max = props.maxReplicaCount ?? 1;
    const pollingInterval = props.pollingInterval ?? 30;
    const successful = props.successfulJobsHistoryLimit ?? 3;
    const failed = props.failedJobsHistoryLimit ?? 5;
    const backoffLimit = props.backoffLimit ?? 0;

    const count = (field: string, value: number, least: number) => {
      if (!Number.isInteger(value) || value < least) throw new Error(`${what}: ${field} must be a whole number >= ${least}, got ${value}`);
    };
    count('minReplicaCount', min, 0);
    count('maxReplicaCount', max, 1);
    count('pollingInterval', pollingInterval, 1);
    count('successfulJobsHistoryLimit', successful, 0);
    count('failedJobsHistoryLimit', failed, 0);
    count('backoffLimit', backoffLimit, 0);
    if (props.activeDeadlineSeconds !== undefined) count('activeDeadlineSeconds', props.activeDeadlineSeconds, 1);
    if (min > max) {
      throw new Error(`${what}: minReplicaCount (${min}) is above maxReplicaCount (${max}); KEDA would silently use ${max}`);
    }

    const pod = props.podTemplate.spec;
    if (!pod) throw new Error(`${what}: podTemplate has no spec`);
    if (pod.restartPolicy !== undefined && pod.restartPolicy !== 'Never') {
      throw new Error(`${what}: podTemplate restartPolicy is ${pod.restartPolicy}; a runner pod runs one job and must not restart: use Never (or leave it unset)`);
    }
    const mains = pod.containers.map((c) => c.name);
    if (!mains.includes(runnerName)) {
      throw new Error(`${what}: podTemplate has no container "${runnerName}" (runnerContainerName); its containers are: ${mains.join(', ')}`);
    }
    const extra = mains.filter((n) => n !== runnerName);
    if (extra.length > 0) {
      throw new Error(
        `${what}: podTemplate container(s) ${extra.join(', ')} would keep the Job pod running after the runner exits; ` +
          'run them as native sidecars (initContainers with restartPolicy: Always)',
      );
    }

    this.triggerMetadata = forgejoRunnerTriggerMetadata(what, { address: props.forgejoUrl, labels: props.labels, scope: props.scope });

    const body: IScaledJob = {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledJob',
      metadata: {
        name: props.name,
        namespace: props.namespace,
        ...(props.metadataLabels ? { labels: { ...props.metadataLabels } } : {}),
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
            authenticationRef: { name: props.authentication.name },
          },
        ],
      },
    };
    new ScaledJob(body).validate(); // against the keda.sh/v1alpha1 CRD schema (Job spec included)
    this.resource = kubeObject(this, 'Resource', body);

    const r = this.resource;
    explain(r, 'spec.jobTargetRef.template.spec.restartPolicy', 'one pod, one CI job: a finished or failed runner is never restarted');
    explain(r, 'spec.jobTargetRef.backoffLimit', 'no retries: a new pod would find no task; KEDA starts new Jobs while jobs wait');
    explain(
      r,
      'spec.jobTargetRef.podFailurePolicy',
      'an evicted pod is replaced without counting (checked first: its runner exits 143 too); any other runner exit != 0 (e.g. one-job got no task) fails the Job at once',
    );
    explain(r, 'spec.minReplicaCount', min === 0 ? 'scale to zero when no job waits (needs KEDA >= 2.20)' : `${min} runner pod(s) wait for work even when idle`);
    explain(r, 'spec.rollout', 'gradual: a changed ScaledJob never deletes Jobs that are running CI jobs');
    explain(r, 'spec.scalingStrategy', 'Forgejo counts running jobs too; default subtracts the Jobs already running');
    explain(r, 'spec.triggers[0].metadata.labels', 'label names only; no other runner may serve them, or its running jobs count here');
    if (this.triggerMetadata.global) explain(r, 'spec.triggers[0].metadata.global', 'admin API: the token must be a site administrator\'s (read:admin)');
    explain(r, 'spec.triggers[0].authenticationRef', 'the Forgejo token, from a Secret; never in trigger metadata');
  }
}
