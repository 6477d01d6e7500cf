// Pool defaults that something besides RunnerPool reads (the values schema checks a grace period
// against the default shutdown timeout; values map a Kubernetes version to nativeSidecar).
// Dependency-free, so loading a values file does not load cdk8s. RunnerPoolProps documents them.

/** Seconds added to shutdown_timeout so the runner can report job results before SIGKILL. */
export const GRACE_MARGIN_SECONDS = 300;
/** First Kubernetes minor version with native sidecars on by default (SidecarContainers beta). */
export const NATIVE_SIDECAR_MIN_MINOR = 29;
export const DEFAULT_RUNNER_IMAGE = 'code.forgejo.org/forgejo/runner:12.7.0';
export const DEFAULT_DIND_IMAGE = 'docker:27-dind';
/** The runner's shutdown_timeout when none is given. */
export const DEFAULT_SHUTDOWN_TIMEOUT = '3h';
