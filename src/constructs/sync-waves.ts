// Argo CD sync waves, applied over a construct tree on request instead of hard-coded in each
// construct: `chart.with(new ArgoCdSyncWaves())` after the chart is built. Argo CD applies a
// wave only after every resource of the earlier waves is healthy, and it has a health check for
// ExternalSecret, so pods never start before their Secrets.
//
// cdk8s 2 has no Aspects; constructs 10 has mixins (IConstruct.with), which visit every
// construct under the scope once, like an aspect (constructs/lib/mixin.d.ts, construct.js `with`).
import { ApiObject } from 'cdk8s';
import type { IConstruct, IMixin } from 'constructs';

export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

/** Default wave per kind: Namespace first, then what pods read, then the workloads. */
export const DEFAULT_SYNC_WAVES: Readonly<Record<string, number>> = {
  Namespace: 0,
  ConfigMap: 1,
  Secret: 1,
  ExternalSecret: 1,
  ServiceAccount: 1,
  NetworkPolicy: 1,
  // Before the ScaledJob that names it, so KEDA never reconciles a missing authentication.
  TriggerAuthentication: 1,
  ClusterTriggerAuthentication: 1,
  Deployment: 2,
  StatefulSet: 2,
  Job: 2,
  ScaledJob: 2,
  ScaledObject: 2,
};

/** Props of ArgoCdSyncWaves. */
export interface ArgoCdSyncWavesProps {
  /**
   * Wave per object kind; kinds not listed get no annotation.
   * @default DEFAULT_SYNC_WAVES
   */
  readonly waves?: Readonly<Record<string, number>>;
}

/** Annotates every ApiObject under the scope it is applied to with its kind's sync wave. */
export class ArgoCdSyncWaves implements IMixin {
  private readonly waves: Readonly<Record<string, number>>;

  constructor(props: ArgoCdSyncWavesProps = {}) {
    this.waves = props.waves ?? DEFAULT_SYNC_WAVES;
    for (const [kind, wave] of Object.entries(this.waves)) {
      if (!Number.isInteger(wave)) throw new Error(`ArgoCdSyncWaves: waves.${kind} is ${wave}; expected a whole number`);
    }
  }

  public supports(construct: IConstruct): boolean {
    return ApiObject.isApiObject(construct) && Object.hasOwn(this.waves, construct.kind);
  }

  public applyTo(construct: IConstruct): void {
    const obj = construct as ApiObject;
    obj.metadata.addAnnotation(SYNC_WAVE_ANNOTATION, String(this.waves[obj.kind]));
  }
}
