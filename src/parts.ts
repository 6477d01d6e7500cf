// forgejo-runner-cdk8s/parts: the building blocks the constructs are made of, for other workload
// shapes (e.g. a Job template) and for tests. EXPERIMENTAL: these may change in any release,
// without the care the package root's constructs get. Runtime dependencies: cdk8s and
// constructs only.
//
//   import { runnerPod, poolPod } from 'forgejo-runner-cdk8s/parts';

// The pod of a pool and its parts.
export { poolPod, checkPodExtensions, checkSharedPoolSettings, type PoolPod } from './constructs/pool/pool-pod.ts';
export { runnerPod, type RunnerPod, type RunnerPodProps } from './constructs/pool/runner-pod.ts';
export { runnerContainer, RUNNER_PATHS, type RunnerContainerProps, type RunnerVolumes } from './constructs/pool/runner-container.ts';
export { dindSidecar, dindNotes, dindArgs, type DindSidecarProps } from './constructs/pool/dind-sidecar.ts';
export { dindArgConflicts, type DindArgConflict, type DaemonJsonSources } from './constructs/pool/dind-args.ts';
export { RunnerConfig, type RunnerConfigProps, type RunnerConfigFile, type DaemonConfigFile } from './constructs/pool/runner-config.ts';
export { PodVolume, podVolumes, toContainer, secretEnvVar, type Mount, type ContainerPart } from './constructs/pool/volumes.ts';
export { DIND_ENDPOINT, dindDockerHost, dindHttpUrl } from './constructs/pool/dind-endpoint.ts';
export { HashedConfigMap, contentHash, type HashedConfigMapProps, type ConfigMapFile } from './constructs/hashed-config-map.ts';
export {
  DEFAULT_DIND_IMAGE,
  DEFAULT_RUNNER_IMAGE,
  DEFAULT_SHUTDOWN_TIMEOUT,
  GRACE_MARGIN_SECONDS,
  NATIVE_SIDECAR_MIN_MINOR,
} from './constructs/pool/defaults.ts';
export { MIN_READY_SECONDS } from './constructs/pool/runner-pool.ts';
export { POD_SECURITY_LABELS } from './constructs/forgejo-runner.ts';

// The shell scripts and probe commands of the containers.
export { runnerStartupScript, RUNNER_DAEMON_PGREP_PATTERN, type StartupScriptProps } from './constructs/startup-script.ts';
export { ephemeralRunnerScript, type EphemeralScriptProps } from './constructs/keda/ephemeral-script.ts';
export { dindWaitLines, signalPreamble, DIND_NOT_READY_EXIT, type DindWaitProps } from './constructs/pool/dind-wait.ts';
export { dindPreStopCommand, runnerReadinessCommand, type DindPreStopProps, type RunnerReadinessProps } from './constructs/pool/runner-probes.ts';
export {
  forgejoRunnerTriggerMetadata,
  registerCommand,
  registrationScope,
  type ForgejoRunnerTriggerMetadata,
  type ForgejoRunnerTriggerProps,
  type RegisterCommandProps,
} from './constructs/keda/forgejo-runner-trigger.ts';

// The rules props are checked with (each returns undefined or what was expected), and the error collector.
export * as rules from './constructs/rules.ts';
export { PropsCheck } from './constructs/props-error.ts';

// Review notes and file names of synthesized objects.
export { explain, notesOf, setFileStem, fileStemOf, REVIEW_NOTE, FILE_STEM } from './constructs/metadata.ts';
export { DEFAULT_SYNC_WAVES, SYNC_WAVE_ANNOTATION } from './constructs/sync-waves.ts';
