// The runner container's script in an ephemeral (KEDA ScaledJob) pod: wait for DinD, write the
// runner file from the shared secret, run exactly one job. Never `register` (each pod would add a
// runner to Forgejo) and never `daemon` (the pod would outlive its job).
//
// forgejo-runner 12.7 (code.forgejo.org/forgejo/runner, internal/app/cmd/cmd.go, job.go,
// create-runner-file.go; KEDA's e2e test tests/scalers/forgejo_runner does the same two steps):
// - `create-runner-file --instance URL --secret 40-hex [--name N] [--connect]` derives the runner
//   UUID from the secret registered once on the server (`forgejo-cli actions register --secret`)
//   and writes runner.file (with the config's runner.labels); it pings the instance first and
//   fails if Forgejo is unreachable. one-job takes the labels from runner.labels of the config
//   (job.go: config.FromFile then FromRegistration; the config's labels win), never from env.
// - `one-job [--wait|-w]` loads the config (so runner.env_file is read fresh in every pod), asks
//   Forgejo for one task and runs it. Without --wait it asks once and exits 1 when there is none
//   (12.8.0/12.8.1 exit 0, >= 12.8.2 exit 2); with --wait it polls until it gets one and exits 0.
//   SIGTERM cancels its context: a running task is cancelled (no shutdown_timeout in one-job).
// The TERM trap and the wait for DinD are the start-up script's (pool/dind-wait.ts).
import { DIND_NOT_READY_EXIT, dindWaitLines, signalPreamble, type DindWaitProps } from '../pool/dind-wait.ts';

export { DIND_NOT_READY_EXIT };

export interface EphemeralScriptProps {
  /** Path of config.yaml inside the runner container. */
  readonly configPath: string;
  /** dockerd's HTTP endpoint as the runner reaches it, e.g. http://127.0.0.1:2375. */
  readonly dockerUrl: DindWaitProps['dockerUrl'];
  /** Seconds to wait for dockerd before giving up with exit code DIND_NOT_READY_EXIT (3). @default 180 */
  readonly dindWaitSeconds?: number;
  /** @default see DindWaitProps.pollSeconds */
  readonly pollSeconds?: DindWaitProps['pollSeconds'];
  /**
   * `one-job --wait`: poll until a task comes instead of exiting when the first ask gets none.
   * A pod that lost its task to another pod then lingers until the next job.
   * @default false
   */
  readonly waitForTask?: boolean;
}

/**
 * Needs env FORGEJO_URL, RUNNER_NAME and RUNNER_SECRET_FILE (a file holding the 40-hex secret: an
 * env var from a Secret would be read by KEDA, see RunnerContainerProps.scaledJobPod).
 */
export function ephemeralRunnerScript(props: EphemeralScriptProps): string {
  const waitSeconds = props.dindWaitSeconds ?? 180;
  if (!Number.isInteger(waitSeconds) || waitSeconds < 1) throw new Error(`dindWaitSeconds must be a whole number >= 1, got ${waitSeconds}`);
  return [
    'set -eu',
    '# Until one-job runs, TERM (pod deleted, KEDA scaling in) ends the pod at once.',
    ...signalPreamble({ before: 'the job started' }),
    '',
    ...dindWaitLines({ dockerUrl: props.dockerUrl, pollSeconds: props.pollSeconds, giveUpAfterSeconds: waitSeconds }),
    '',
    '# Same secret, same runner: every pod is the one runner registered on the server.',
    '# The secret is a mounted file (KEDA reads env vars from Secrets); a shell variable, not exported.',
    'runner_secret=$(cat "$RUNNER_SECRET_FILE")',
    '# Under `run` so TERM stops it at once (it first pings Forgejo); its failure is the exit code.',
    'echo "Writing runner file from the shared secret..."',
    `run forgejo-runner --config ${props.configPath} create-runner-file \\`,
    '  --instance "$FORGEJO_URL" \\',
    '  --secret "$runner_secret" \\',
    '  --name "$RUNNER_NAME" || exit "$?"',
    '',
    '# exec: the runner gets TERM itself and its exit code ends the Job pod.',
    `exec forgejo-runner --config ${props.configPath} one-job${props.waitForTask ? ' --wait' : ''}`,
    '',
  ].join('\n');
}
