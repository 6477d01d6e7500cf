// The one place the DinD daemon's address is written. dockerd in the DinD sidecar listens on
// plain TCP (DOCKER_TLS_CERTDIR empty) and the runner, its jobs (container.network: host) and the
// start-up script's readiness wait all reach it inside the pod, so every spelling of the
// endpoint derives from this constant: DOCKER_HOST of the runner, runner.envs.DOCKER_HOST and
// container.docker_host of config.yaml, and the `/_ping` URL the start-up script polls.
// 127.0.0.1 rather than `localhost`: no resolver lookup, and no IPv6 ::1 first when the image's
// /etc/hosts maps localhost to both.

export const DIND_ENDPOINT = {
  host: '127.0.0.1',
  /** dockerd's plain-TCP port in the docker:dind image when DOCKER_TLS_CERTDIR is empty. */
  port: 2375,
} as const;

/** `tcp://127.0.0.1:2375`: what DOCKER_HOST and docker_host take. */
export function dindDockerHost(): string {
  return `tcp://${DIND_ENDPOINT.host}:${DIND_ENDPOINT.port}`;
}

/** `http://127.0.0.1:2375`: the Docker Engine API base URL (its `/_ping` answers once dockerd is up). */
export function dindHttpUrl(): string {
  return `http://${DIND_ENDPOINT.host}:${DIND_ENDPOINT.port}`;
}
