// An ephemeral runner pool on KEDA: instead of a Deployment of long-lived runners, a ScaledJob
// whose Job pods each run exactly one CI job and exit, and none while nothing waits. The pod is
// the Deployment pool's pod (pool/pool-pod.ts: same parts, same ConfigMap, Secrets, env file,
// zoneinfo and resources); only the runner container's script differs: create-runner-file from
// the pool's offline secret, then `one-job` (ephemeral-script.ts), never register or daemon.
//
// Identity: every pod is the ONE runner registered once on the server with
// `forgejo forgejo-cli actions register --secret ...`; create-runner-file derives the same runner
// UUID from the same secret in each pod, so pods never add runners to Forgejo. Hence offline
// registration only.
import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { dindHttpUrl } from '../pool/dind-endpoint.ts';
import { explain } from '../metadata.ts';
import { poolPod, type RunnerPodTemplateProps } from '../pool/pool-pod.ts';
import type { RunnerConfig } from '../pool/runner-config.ts';
import { RUNNER_PATHS } from '../pool/runner-container.ts';
import { ephemeralRunnerScript, type EphemeralScriptProps } from './ephemeral-script.ts';
import { ForgejoRunnerScaledJob, type ForgejoRunnerScaledJobProps } from './forgejo-runner-scaled-job.ts';

/** The scaling knobs of an ephemeral pool; their defaults are documented where they are applied. */
export type EphemeralScalingOptions = Pick<
  ForgejoRunnerScaledJobProps,
  'scope' | 'minReplicaCount' | 'maxReplicaCount' | 'pollingInterval' | 'successfulJobsHistoryLimit' | 'failedJobsHistoryLimit' | 'activeDeadlineSeconds'
> &
  Pick<EphemeralScriptProps, 'waitForTask'>;

/**
 * The pod's props (shared with RunnerPool, minus `capacity`: one-job runs exactly one job), the
 * scaling knobs, and the TriggerAuthentication that holds the scaler's Forgejo API token.
 * `registration` must be offline (create-runner-file); `nativeSidecar` must stay true.
 */
export interface EphemeralRunnerPoolProps extends Omit<RunnerPodTemplateProps, 'capacity'>, EphemeralScalingOptions {
  /** Holds the Forgejo API token KEDA's forgejo-runner scaler polls with (a ForgejoTokenAuthentication). */
  readonly authentication: ForgejoRunnerScaledJobProps['authentication'];
}

export class EphemeralRunnerPool extends Construct {
  /** The keda.sh/v1alpha1 ScaledJob. */
  public readonly scaledJob: ApiObject;
  public readonly config: RunnerConfig;
  /** Labels that select this pool's Job pods (the same `app` label as a Deployment pool's selector). */
  public readonly podSelector: Readonly<Record<string, string>>;
  /** The trigger as synthesized: address and label names. */
  public readonly trigger: ForgejoRunnerScaledJob['triggerMetadata'];

  constructor(scope: Construct, id: string, props: EphemeralRunnerPoolProps) {
    super(scope, id);
    const what = `EphemeralRunnerPool ${props.name}`;
    const fail = (message: string): never => {
      throw new Error(`${what}: ${message}`);
    };
    if (props.registration.mode !== 'offline') {
      fail(
        `registration.mode is ${props.registration.mode}; an ephemeral pool needs offline registration (runnerSecret): every Job pod ` +
          'must be the one runner registered on the server, and token registration would add a runner to Forgejo per pod',
      );
    }
    if (props.nativeSidecar === false) {
      fail('nativeSidecar is false; a Job pod completes only when its main containers exit, so DinD must be a native sidecar (Kubernetes >= 1.29)');
    }
    if ((props as { capacity?: unknown }).capacity !== undefined) {
      fail('capacity is set; one-job runs exactly one job per pod: leave it unset and raise maxReplicaCount instead');
    }

    const script = ephemeralRunnerScript({ configPath: RUNNER_PATHS.configFile, dockerUrl: dindHttpUrl(), waitForTask: props.waitForTask });
    const { config, pod, labels, selector, terminationGracePeriodSeconds } = poolPod(this, what, props, script);
    this.config = config;
    this.podSelector = selector;

    const job = new ForgejoRunnerScaledJob(this, 'ScaledJob', {
      name: props.name,
      namespace: props.namespace,
      podTemplate: {
        metadata: { labels, ...(props.podAnnotations ? { annotations: { ...props.podAnnotations } } : {}) },
        spec: pod.spec,
      },
      forgejoUrl: props.forgejoUrl,
      labels: props.labels,
      scope: props.scope,
      authentication: props.authentication,
      minReplicaCount: props.minReplicaCount,
      maxReplicaCount: props.maxReplicaCount,
      pollingInterval: props.pollingInterval,
      successfulJobsHistoryLimit: props.successfulJobsHistoryLimit,
      failedJobsHistoryLimit: props.failedJobsHistoryLimit,
      activeDeadlineSeconds: props.activeDeadlineSeconds,
      metadataLabels: labels,
    });
    this.scaledJob = job.resource;
    this.trigger = job.triggerMetadata;

    const s = this.scaledJob;
    const podPath = 'spec.jobTargetRef.template.spec';
    for (const [path, why] of pod.notes) explain(s, `${podPath}.${path}`, why);
    explain(
      s,
      `${podPath}.containers[name=runner].command`,
      `create-runner-file from the pool secret, then one-job${props.waitForTask ? ' --wait' : ''}: one CI job per pod, never register or daemon`,
    );
    if (props.jobEnvFile) {
      const volume = pod.spec.volumes?.find((v) => v.secret?.secretName === props.jobEnvFile!.secretName);
      if (volume) explain(s, `${podPath}.volumes[name=${volume.name}]`, 'the dotenv file runner.env_file reads; every Job pod reads it fresh, so a rotated key needs no restart');
    }
    explain(s, `${podPath}.terminationGracePeriodSeconds`, `one-job cancels its job on TERM; ${terminationGracePeriodSeconds} s lets it report the result`);
  }
}
