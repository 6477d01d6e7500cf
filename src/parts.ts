// forgejo-runner-cdk8s/parts: the building blocks the constructs are made of, for other workload
// shapes (e.g. a Job template) and for tests. EXPERIMENTAL: these may change in any release,
// without the care the package root's constructs get. Runtime dependencies: cdk8s and
// constructs only.
//
//   import { runnerPod, poolPod } from 'forgejo-runner-cdk8s/parts';

// The pod of a pool and its parts.
export { poolPod, checkPodExtensions, checkSharedPoolSettings, type PoolPod } from './constructs/pool/pool-pod.js';
export { runnerPod, type RunnerPod, type RunnerPodProps } from './constructs/pool/runner-pod.js';
export { runnerContainer, RUNNER_PATHS, type RunnerContainerProps, type RunnerVolumes } from './constructs/pool/runner-container.js';
export { dindSidecar, dindNotes, dindArgs, type DindSidecarProps } from './constructs/pool/dind-sidecar.js';
export { dindArgConflicts, type DindArgConflict, type DaemonJsonSources } from './constructs/pool/dind-args.js';
export { RunnerConfig, type RunnerConfigProps, type RunnerConfigFile, type DaemonConfigFile } from './constructs/pool/runner-config.js';
export { PodVolume, podVolumes, toContainer, secretEnvVar, type Mount, type ContainerPart } from './constructs/pool/volumes.js';
export { DIND_ENDPOINT, dindDockerHost, dindHttpUrl } from './constructs/pool/dind-endpoint.js';
export { HashedConfigMap, contentHash, type HashedConfigMapProps, type ConfigMapFile } from './constructs/hashed-config-map.js';
export {
  DEFAULT_DIND_IMAGE,
  DEFAULT_RUNNER_IMAGE,
  DEFAULT_SHUTDOWN_TIMEOUT,
  GRACE_MARGIN_SECONDS,
  NATIVE_SIDECAR_MIN_MINOR,
} from './constructs/pool/defaults.js';
export { MIN_READY_SECONDS } from './constructs/pool/runner-pool.js';
export { POD_SECURITY_LABELS } from './constructs/forgejo-runner.js';

// The shell scripts and probe commands of the containers.
export { runnerStartupScript, RUNNER_DAEMON_PGREP_PATTERN, type StartupScriptProps } from './constructs/startup-script.js';
export { ephemeralRunnerScript, type EphemeralScriptProps } from './constructs/keda/ephemeral-script.js';
export { dindWaitLines, signalPreamble, DIND_NOT_READY_EXIT, type DindWaitProps } from './constructs/pool/dind-wait.js';
export { dindPreStopCommand, runnerReadinessCommand, type DindPreStopProps, type RunnerReadinessProps } from './constructs/pool/runner-probes.js';
export { forgejoRunnerTriggerMetadata, type ForgejoRunnerTriggerMetadata, type ForgejoRunnerTriggerProps } from './constructs/keda/forgejo-runner-trigger.js';

// The rules props are checked with (each returns undefined or what was expected), and the error collector.
export * as rules from './constructs/rules.js';
export { PropsCheck } from './constructs/props-error.js';

// Review notes and file names of synthesized objects.
export { explain, notesOf, setFileStem, fileStemOf, REVIEW_NOTE, FILE_STEM } from './constructs/metadata.js';
export { DEFAULT_SYNC_WAVES, SYNC_WAVE_ANNOTATION } from './constructs/sync-waves.js';
