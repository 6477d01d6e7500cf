// The runner container's start-up script (run by `/bin/sh -c` as PID 1 of the runner container;
// code.forgejo.org/forgejo/runner:12.x is Alpine-based, so that is busybox ash). It waits for
// dockerd, gets the runner its identity, then execs the daemon. Until the exec it traps TERM/INT
// and runs every slow step (the DinD probe, the sleep, registration) under `wait`, so it exits at
// once on TERM (pool/dind-wait.ts, shared with the ephemeral pool's script).
import { dindWaitLines, signalPreamble, type DindWaitProps } from './pool/dind-wait.ts';

export interface StartupScriptProps {
  /** `token`: register once when the state file is missing; `offline`: derive identity from a secret every start. */
  readonly registration: 'token' | 'offline';
  /** Path of config.yaml inside the runner container. */
  readonly configPath: string;
  /** The runner's state file (runner.file in config.yaml). */
  readonly stateFile: string;
  /** dockerd's HTTP endpoint as the runner reaches it, e.g. http://127.0.0.1:2375 (the script polls `<dockerUrl>/_ping`). */
  readonly dockerUrl: DindWaitProps['dockerUrl'];
  /** @default see DindWaitProps.pollSeconds */
  readonly pollSeconds?: DindWaitProps['pollSeconds'];
  /** @default see DindWaitProps.probeTimeoutSeconds */
  readonly probeTimeoutSeconds?: DindWaitProps['probeTimeoutSeconds'];
}

/**
 * The daemon's command line as `ps`/`pgrep -f` see it after the script's `exec` (argv joined by
 * spaces). An extended regex anchored at the start: it matches the daemon only, never a shell
 * whose `-c` text merely contains these words (the start-up script itself, a preStop hook, a
 * readiness probe) nor a job that greps for them.
 */
export const RUNNER_DAEMON_PGREP_PATTERN = '^forgejo-runner daemon';

export function runnerStartupScript(props: StartupScriptProps): string {
  const config = props.configPath;
  let wait: string[];
  try {
    wait = dindWaitLines({ dockerUrl: props.dockerUrl, pollSeconds: props.pollSeconds, probeTimeoutSeconds: props.probeTimeoutSeconds });
  } catch (e) {
    throw new Error(`runnerStartupScript: ${(e as Error).message}`);
  }
  const preamble = signalPreamble({ before: 'the runner daemon started' });
  const failed = (what: string): string[] => [
    `  echo "${what} failed (exit $rc): not starting the daemon without an identity" >&2`,
    '  exit 1',
  ];
  const identity =
    props.registration === 'token'
      ? [
          '# Register if not already registered',
          `if [ ! -s ${props.stateFile} ]; then`,
          '  echo "Registering runner..."',
          `  rc=0; run forgejo-runner --config ${config} register \\`,
          '    --instance "$FORGEJO_URL" \\',
          '    --token "$RUNNER_TOKEN" \\',
          '    --name "$RUNNER_NAME" \\',
          '    --labels "$RUNNER_LABELS" \\',
          '    --no-interactive || rc=$?',
          `  [ "$rc" -eq 0 ] && [ ! -s ${props.stateFile} ] && rc=missing-state-file`,
          '  if [ "$rc" != 0 ]; then',
          ...failed('Registration').map((l) => `  ${l}`),
          '  fi',
          'fi',
        ]
      : [
          '# Same secret, same runner UUID: rewrite the state file on every start instead of',
          '# registering, so restarts never leave offline "ghost" runners in Forgejo.',
          '# Labels come from runner.labels in the config.',
          'echo "Writing runner file from the shared secret..."',
          `rc=0; run forgejo-runner --config ${config} create-runner-file \\`,
          '  --instance "$FORGEJO_URL" \\',
          '  --secret "$RUNNER_SECRET" \\',
          '  --name "$RUNNER_NAME" || rc=$?',
          `[ "$rc" -eq 0 ] && [ ! -s ${props.stateFile} ] && rc=missing-state-file`,
          'if [ "$rc" != 0 ]; then',
          ...failed('create-runner-file'),
          'fi',
        ];
  return [
    ...preamble,
    '',
    ...wait,
    '',
    ...identity,
    '',
    '# Start daemon (it handles TERM itself: running jobs get runner.shutdown_timeout)',
    `exec forgejo-runner daemon --config ${config}`,
    '',
  ].join('\n');
}
