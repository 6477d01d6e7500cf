// Pool defaults read in more than one module (the pool's checks and builders, the parts API;
// values map a Kubernetes version to nativeSidecar with NATIVE_SIDECAR_MIN_MINOR). Each is
// written once, here; the props document them (`@default`).

/** Seconds added to shutdown_timeout so the runner can report job results before SIGKILL. */
export const GRACE_MARGIN_SECONDS = 300;
/** First Kubernetes minor version with native sidecars on by default (SidecarContainers beta). */
export const NATIVE_SIDECAR_MIN_MINOR = 29;
export const DEFAULT_RUNNER_IMAGE = 'code.forgejo.org/forgejo/runner:12.7.0';
export const DEFAULT_DIND_IMAGE = 'docker:27-dind';
/** The runner's shutdown_timeout when none is given. */
export const DEFAULT_SHUTDOWN_TIMEOUT = '3h';
