// One pool of Forgejo Actions runners: a Deployment whose pods run forgejo-runner next to a
// Docker-in-Docker daemon that executes the jobs, and the ConfigMap with both their configs.
// The parts live next to this file: runner-config.ts (ConfigMap), runner-container.ts,
// dind-sidecar.ts, volumes.ts (mounts carry their volumes), runner-pod.ts (the pod spec),
// dind-endpoint.ts (the one DinD address).
//
// Built from the typed API shapes rather than cdk8s-plus's Deployment: every cdk8s-plus
// default differs from production (2 replicas, imagePullPolicy Always, hashed names, 1500m/2Gi
// limits, runAsNonRoot, no privilege escalation, a metadata.addr pod label), and DinD needs
// privileged mode, which cdk8s-plus's defaults contradict. Here every field is set on purpose.
import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { Deployment } from '../../../imports/k8s.ts';
import { kubeObject } from '../kube-object.ts';
import { explain } from '../metadata.ts';
import { poolPod, type RunnerPodTemplateProps } from './pool-pod.ts';
import type { RunnerConfig } from './runner-config.ts';

export { DEFAULT_DIND_IMAGE, DEFAULT_RUNNER_IMAGE, DEFAULT_SHUTDOWN_TIMEOUT, GRACE_MARGIN_SECONDS, NATIVE_SIDECAR_MIN_MINOR } from './defaults.ts';

/** The pod's props (RunnerPodTemplateProps, shared with EphemeralRunnerPool) plus the Deployment's. */
export interface RunnerPoolProps extends RunnerPodTemplateProps {
  /** @default 1 */
  readonly replicas?: number;
  /** Deployment annotations, e.g. Reloader's. @default none */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** Seconds a new runner pod must stay ready before a rollout counts it available. */
export const MIN_READY_SECONDS = 10;

export class RunnerPool extends Construct {
  public readonly deployment: ApiObject;
  /** Labels that select this pool's pods (the Deployment's selector). */
  public readonly podSelector: Readonly<Record<string, string>>;
  public readonly config: RunnerConfig;
  /** Seconds Kubernetes waits before SIGKILL. */
  public readonly terminationGracePeriodSeconds: number;

  constructor(scope: Construct, id: string, props: RunnerPoolProps) {
    super(scope, id);
    const what = `RunnerPool ${props.name}`;
    const replicas = props.replicas ?? 1;
    if (!Number.isInteger(replicas) || replicas < 0) throw new Error(`${what}: replicas is ${props.replicas}; expected a whole number >= 0`);
    if (props.registration.mode === 'offline' && replicas > 1) {
      throw new Error(`${what}: replicas ${replicas} with offline registration would run ${replicas} pods as one runner identity; use replicas 1, or token registration`);
    }
    const { config, pod, labels, selector, terminationGracePeriodSeconds: grace, shutdownTimeout } = poolPod(this, what, props);
    this.config = config;
    this.podSelector = selector;
    this.terminationGracePeriodSeconds = grace;

    const body: Deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: props.name,
        namespace: props.namespace,
        labels,
        ...(props.annotations ? { annotations: { ...props.annotations } } : {}),
      },
      spec: {
        replicas,
        minReadySeconds: MIN_READY_SECONDS,
        selector: { matchLabels: { ...selector } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        template: {
          metadata: { labels, ...(props.podAnnotations ? { annotations: { ...props.podAnnotations } } : {}) },
          spec: pod.spec,
        },
      },
    };
    this.deployment = kubeObject(this, 'Resource', body);

    const d = this.deployment;
    explain(d, 'spec.selector', 'immutable: a changed selector forces delete and recreate, so it stays app only');
    explain(d, 'spec.strategy', 'surge first: the old pod drains its jobs while the new one takes new jobs');
    explain(d, 'spec.minReadySeconds', 'a new pod counts as available only after staying ready this long (runner readiness probe)');
    for (const [path, why] of pod.notes) explain(d, `spec.template.spec.${path}`, why);
    explain(d, 'spec.template.spec.terminationGracePeriodSeconds', `runner.shutdown_timeout (${shutdownTimeout}) + margin: kubelet must not kill running jobs`);
  }
}
