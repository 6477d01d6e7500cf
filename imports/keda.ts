// KEDA models (keda.sh/v1alpha1) from @kubernetes-models/keda 2.x, which is generated from the
// KEDA 2.19 CRDs; the fields used here (ScaledJob jobTargetRef, scalingStrategy, rollout,
// history limits; (Cluster)TriggerAuthentication secretTargetRef) are the same in KEDA 2.20,
// which this project is validated against (the forgejo-runner scaler exists since 2.18). Each model validates itself against the
// CRD's OpenAPI schema (`validate()`). Trigger metadata is an untyped string map there: the
// forgejo-runner trigger's schema lives in src/constructs/keda/forgejo-runner-trigger.ts.
export { ScaledJob, type IScaledJob } from '@kubernetes-models/keda/keda.sh/v1alpha1/ScaledJob';
export { TriggerAuthentication, type ITriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication';
export { ClusterTriggerAuthentication } from '@kubernetes-models/keda/keda.sh/v1alpha1/ClusterTriggerAuthentication';
