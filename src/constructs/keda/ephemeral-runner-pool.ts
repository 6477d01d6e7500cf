// An ephemeral runner pool on KEDA: instead of a Deployment of long-lived runners, a ScaledJob
// whose Job pods each run exactly one CI job and exit, and none while nothing waits. The pod is
// the Deployment pool's pod (pool/pool-pod.ts: same parts, same ConfigMap, Secrets, env file,
// zoneinfo and resources); only the runner container's script differs: create-runner-file from
// the pool's offline secret, then `one-job` (ephemeral-script.ts), never register or daemon.
//
// Identity: every pod is the ONE runner registered once on the server with
// `forgejo forgejo-cli actions register --secret-file ... --scope <the trigger's scope>`
// (registerCommand); create-runner-file derives the same runner UUID from the same secret in each
// pod, so pods never add runners to Forgejo. Hence offline registration only.
import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { dindHttpUrl } from '../pool/dind-endpoint.ts';
import { explain } from '../metadata.ts';
import { poolPod, type RunnerPodTemplateProps } from '../pool/pool-pod.ts';
import { PropsCheck, PropsError, type PropPath } from '../props-error.ts';
import type { RunnerConfig } from '../pool/runner-config.ts';
import { RUNNER_PATHS } from '../pool/runner-container.ts';
import { ephemeralRunnerScript, type EphemeralScriptProps } from './ephemeral-script.ts';
import { ForgejoRunnerScaledJob, type ForgejoRunnerScaledJobProps } from './forgejo-runner-scaled-job.ts';
import { registerCommand, registerCommandLines } from './forgejo-runner-trigger.ts';

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
export interface EphemeralRunnerPoolProps extends Omit<RunnerPodTemplateProps, 'capacity'> {
  /** Scaling of the pool. @default see EphemeralScalingOptions */
  readonly ephemeral?: EphemeralScalingOptions;
  /** Holds the Forgejo API token KEDA's forgejo-runner scaler polls with (a ForgejoTokenAuthentication). */
  readonly authentication: ForgejoRunnerScaledJobProps['authentication'];
}

/** The ScaledJob props that come from `ephemeral` (its errors are reported there). */
const SCALING: readonly string[] = [
  'scope',
  'minReplicaCount',
  'maxReplicaCount',
  'pollingInterval',
  'successfulJobsHistoryLimit',
  'failedJobsHistoryLimit',
  'activeDeadlineSeconds',
];

/**
 * An ephemeral runner pool: a KEDA ScaledJob whose Job pods each run one CI job (`one-job`) and
 * exit, none while nothing waits. Needs offline registration and a native DinD sidecar.
 */
export class EphemeralRunnerPool extends Construct {
  /** The keda.sh/v1alpha1 ScaledJob. */
  public readonly scaledJob: ApiObject;
  public readonly config: RunnerConfig;
  /** Labels that select this pool's Job pods (the same `app` label as a Deployment pool's selector). */
  public readonly podSelector: Readonly<Record<string, string>>;
  /** The trigger as synthesized: address and label names. */
  public readonly trigger: ForgejoRunnerScaledJob['triggerMetadata'];
  /** The one-time server-side registration of the pool's runner, in the scope the trigger counts (also a comment on the ScaledJob). */
  public readonly registerCommand: string;

  constructor(scope: Construct, id: string, props: EphemeralRunnerPoolProps) {
    super(scope, id);
    const what = `EphemeralRunnerPool ${props.name}`;
    const check = new PropsCheck(what);
    if (props.registration.mode !== 'offline') {
      check.fail(
        ['registration', 'mode'],
        'expected offline registration for an ephemeral pool: every Job pod must be the one runner registered on the server ' +
          '(create-runner-file --secret); token registration would add a runner to Forgejo per pod',
      );
    }
    if (props.nativeSidecar === false) {
      check.fail(['nativeSidecar'], 'expected a native sidecar (Kubernetes >= 1.29) for an ephemeral pool: a Job pod completes only when DinD is one');
    }
    if ((props as { capacity?: unknown }).capacity !== undefined) {
      check.fail(['capacity'], 'expected no capacity on an ephemeral pool: one-job runs exactly one job per pod (set ephemeral.maxReplicaCount)');
    }
    check.done();
    const scaling = props.ephemeral ?? {};

    const script = ephemeralRunnerScript({ configPath: RUNNER_PATHS.configFile, dockerUrl: dindHttpUrl(), waitForTask: scaling.waitForTask });
    const { config, pod, podLabels, labels, selector, terminationGracePeriodSeconds } = poolPod(this, what, props, script, true);
    this.config = config;
    this.podSelector = selector;

    let job: ForgejoRunnerScaledJob;
    try {
      job = new ForgejoRunnerScaledJob(this, 'ScaledJob', {
        ...scaling, // the ScaledJob's scaling props; waitForTask went to the script
        name: props.name,
        namespace: props.namespace,
        podTemplate: {
          metadata: { labels: podLabels, ...(props.podAnnotations ? { annotations: { ...props.podAnnotations } } : {}) },
          spec: pod.spec,
        },
        forgejoUrl: props.forgejoUrl,
        labels: props.labels,
        authentication: props.authentication,
        metadataLabels: labels,
      });
    } catch (e) {
      // The scaling knobs are this pool's `ephemeral.*`; the rest (labels, forgejoUrl) are its own
      // props; a runner env var KEDA would read came from runnerEnv.
      if (!(e instanceof PropsError)) throw e;
      const env = pod.spec.containers[0]?.env ?? [];
      const propPath = (path: PropPath): PropPath => {
        if (SCALING.includes(String(path[0]))) return ['ephemeral', ...path];
        const name = path[4] === 'env' && typeof path[5] === 'number' ? env[path[5]]?.name : undefined;
        return name !== undefined && props.runnerEnv?.[name] !== undefined ? ['runnerEnv', name] : path;
      };
      throw new PropsError(what, e.problems.map((p) => ({ ...p, path: propPath(p.path) })));
    }
    this.scaledJob = job.resource;
    this.trigger = job.triggerMetadata;
    const registration = { runnerName: props.runnerName ?? props.name, labels: props.labels, scope: scaling.scope };
    this.registerCommand = registerCommand(registration);

    const s = this.scaledJob;
    explain(
      s,
      '',
      ['Register the runner once on the Forgejo server, in the scope the trigger counts (no other runner may serve its labels there):', ...registerCommandLines(registration).map((l) => `  ${l}`)].join('\n'),
    );
    const podPath = 'spec.jobTargetRef.template.spec';
    for (const [path, why] of pod.notes) explain(s, `${podPath}.${path}`, why);
    explain(
      s,
      `${podPath}.containers[name=runner].command`,
      `create-runner-file from the pool secret, then one-job${scaling.waitForTask ? ' --wait' : ''}: one CI job per pod, never register or daemon`,
    );
    const envFile = props.jobEnvFile;
    if (envFile) {
      const volume = pod.spec.volumes?.find((v) => v.secret?.secretName === envFile.secretName);
      if (volume) explain(s, `${podPath}.volumes[name=${volume.name}]`, 'the dotenv file runner.env_file reads; every Job pod reads it fresh, so a rotated key needs no restart');
    }
    explain(s, `${podPath}.terminationGracePeriodSeconds`, `one-job cancels its job on TERM; ${terminationGracePeriodSeconds} s lets it report the result`);
  }
}
