// Public API of forgejo-runner-cdk8s as a construct library:
//   import { ForgejoRunner } from 'forgejo-runner-cdk8s';
// The L3 construct (ForgejoRunner), the pool and its parts (for other workload shapes, e.g. a
// Job template), the 1Password ExternalSecret with its typed handles, the Argo CD Application,
// the opt-in Argo CD sync waves, and the review-note metadata helpers.

export {
  ForgejoRunner,
  type ForgejoRunnerProps,
  type ForgejoRunnerPoolOptions,
  type ForgejoRunnerRegistration,
  type ForgejoScalerToken,
  type ForgejoRunnerNetworkPolicy,
  type ZotCredential,
  POD_SECURITY_LABELS,
} from './constructs/forgejo-runner.js';

// Ephemeral pools on KEDA (>= 2.20): one CI job per Job pod, scale to zero.
export { EphemeralRunnerPool, type EphemeralRunnerPoolProps, type EphemeralScalingOptions } from './constructs/keda/ephemeral-runner-pool.js';
export { ForgejoRunnerScaledJob, type ForgejoRunnerScaledJobProps } from './constructs/keda/forgejo-runner-scaled-job.js';
export { ForgejoTokenAuthentication, type ForgejoTokenAuthenticationProps } from './constructs/keda/trigger-authentication.js';
export {
  forgejoRunnerTriggerMetadata,
  forgejoRunnerTriggerMetadataSchema,
  runnerLabelName,
  type ForgejoRunnerScope,
  type ForgejoRunnerTriggerMetadata,
  type ForgejoRunnerTriggerProps,
} from './constructs/keda/forgejo-runner-trigger.js';
export { ephemeralRunnerScript, type EphemeralScriptProps } from './constructs/keda/ephemeral-script.js';
export { runnerStartupScript, RUNNER_DAEMON_PGREP_PATTERN, type StartupScriptProps } from './constructs/startup-script.js';
export { dindWaitLines, signalPreamble, DIND_NOT_READY_EXIT, type DindWaitProps } from './constructs/pool/dind-wait.js';
export { dindPreStopCommand, runnerReadinessCommand, type DindPreStopProps, type RunnerReadinessProps } from './constructs/pool/runner-probes.js';

export {
  RunnerPool,
  type RunnerPoolProps,
  DEFAULT_DIND_IMAGE,
  DEFAULT_RUNNER_IMAGE,
  DEFAULT_SHUTDOWN_TIMEOUT,
  GRACE_MARGIN_SECONDS,
  NATIVE_SIDECAR_MIN_MINOR,
} from './constructs/pool/runner-pool.js';
export { runnerPod, type RunnerPod, type RunnerPodProps } from './constructs/pool/runner-pod.js';
export { poolPod, type PoolPod, type RunnerPodTemplateProps } from './constructs/pool/pool-pod.js';
export { runnerContainer, RUNNER_PATHS, type RunnerContainerProps, type RunnerVolumes } from './constructs/pool/runner-container.js';
export { dindSidecar, dindNotes, dindArgs, type DindSidecarProps } from './constructs/pool/dind-sidecar.js';
export { RunnerConfig, type RunnerConfigProps, type RunnerConfigFile, type DaemonConfigFile } from './constructs/pool/runner-config.js';
export { PodVolume, podVolumes, toContainer, secretEnvVar, type Mount, type ContainerPart } from './constructs/pool/volumes.js';
export { DIND_ENDPOINT, dindDockerHost, dindHttpUrl } from './constructs/pool/dind-endpoint.js';
export type { ContainerResources, RunnerRegistration } from './constructs/pool/types.js';

export {
  OnePasswordSecret,
  SecretKeyHandle,
  SecretEnvSource,
  type OnePasswordSecretProps,
  type OnePasswordField,
  type SecretStoreRef,
} from './constructs/onepassword-secret.js';
export { ForgejoActionsSecret, type ForgejoActionsSecretProps, type ForgejoActionsSecretScope } from './constructs/forgejo-actions-secret.js';
export { HashedConfigMap, contentHash, type HashedConfigMapProps, type ConfigMapFile } from './constructs/hashed-config-map.js';
export { RunnerNetworkPolicy, type RunnerNetworkPolicyProps, type EgressAllow, type IRunnerPods } from './constructs/runner-network-policy.js';
export { ArgoApplication, type ArgoApplicationProps } from './constructs/argocd-application.js';
export { ArgoCdSyncWaves, DEFAULT_SYNC_WAVES, SYNC_WAVE_ANNOTATION, type ArgoCdSyncWavesProps } from './constructs/sync-waves.js';
export { explain, notesOf, setFileStem, fileStemOf, REVIEW_NOTE, FILE_STEM } from './constructs/metadata.js';
export { synthesizeChart, type SynthesizedObject, type KubeObject } from './synth/synthesize.js';
