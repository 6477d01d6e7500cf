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
} from './constructs/forgejo-runner.ts';

// Ephemeral pools on KEDA (>= 2.20): one CI job per Job pod, scale to zero.
export { EphemeralRunnerPool, type EphemeralRunnerPoolProps, type EphemeralScalingOptions } from './constructs/keda/ephemeral-runner-pool.ts';
export { ForgejoRunnerScaledJob, type ForgejoRunnerScaledJobProps } from './constructs/keda/forgejo-runner-scaled-job.ts';
export { ForgejoTokenAuthentication, type ForgejoTokenAuthenticationProps } from './constructs/keda/trigger-authentication.ts';
export {
  forgejoRunnerTriggerMetadata,
  forgejoRunnerTriggerMetadataSchema,
  runnerLabelName,
  type ForgejoRunnerScope,
  type ForgejoRunnerTriggerMetadata,
  type ForgejoRunnerTriggerProps,
} from './constructs/keda/forgejo-runner-trigger.ts';
export { ephemeralRunnerScript, type EphemeralScriptProps } from './constructs/keda/ephemeral-script.ts';
export { runnerStartupScript, RUNNER_DAEMON_PGREP_PATTERN, type StartupScriptProps } from './constructs/startup-script.ts';
export { dindWaitLines, signalPreamble, DIND_NOT_READY_EXIT, type DindWaitProps } from './constructs/pool/dind-wait.ts';
export { dindPreStopCommand, runnerReadinessCommand, type DindPreStopProps, type RunnerReadinessProps } from './constructs/pool/runner-probes.ts';

export {
  RunnerPool,
  type RunnerPoolProps,
  DEFAULT_DIND_IMAGE,
  DEFAULT_RUNNER_IMAGE,
  DEFAULT_SHUTDOWN_TIMEOUT,
  GRACE_MARGIN_SECONDS,
  NATIVE_SIDECAR_MIN_MINOR,
} from './constructs/pool/runner-pool.ts';
export { runnerPod, type RunnerPod, type RunnerPodProps } from './constructs/pool/runner-pod.ts';
export { poolPod, type PoolPod, type RunnerPodTemplateProps } from './constructs/pool/pool-pod.ts';
export { runnerContainer, RUNNER_PATHS, type RunnerContainerProps, type RunnerVolumes } from './constructs/pool/runner-container.ts';
export { dindSidecar, dindNotes, dindArgs, type DindSidecarProps } from './constructs/pool/dind-sidecar.ts';
export { RunnerConfig, type RunnerConfigProps, type RunnerConfigFile, type DaemonConfigFile } from './constructs/pool/runner-config.ts';
export { PodVolume, podVolumes, toContainer, secretEnvVar, type Mount, type ContainerPart } from './constructs/pool/volumes.ts';
export { DIND_ENDPOINT, dindDockerHost, dindHttpUrl } from './constructs/pool/dind-endpoint.ts';
export type { ContainerResources, RunnerRegistration } from './constructs/pool/types.ts';

export {
  OnePasswordSecret,
  SecretKeyHandle,
  SecretEnvSource,
  type OnePasswordSecretProps,
  type OnePasswordField,
  type SecretStoreRef,
} from './constructs/onepassword-secret.ts';
export { HashedConfigMap, contentHash, type HashedConfigMapProps, type ConfigMapFile } from './constructs/hashed-config-map.ts';
export { RunnerNetworkPolicy, type RunnerNetworkPolicyProps, type EgressAllow, type IRunnerPods } from './constructs/runner-network-policy.ts';
export { ArgoApplication, type ArgoApplicationProps } from './constructs/argocd-application.ts';
export { ArgoCdSyncWaves, DEFAULT_SYNC_WAVES, SYNC_WAVE_ANNOTATION, type ArgoCdSyncWavesProps } from './constructs/sync-waves.ts';
export { explain, notesOf, setFileStem, fileStemOf, REVIEW_NOTE, FILE_STEM } from './constructs/metadata.ts';
export { synthesizeChart, type SynthesizedObject, type KubeObject } from './synth/synthesize.ts';
