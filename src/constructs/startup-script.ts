// The runner container's start-up script (run by `/bin/sh -c` as PID 1 of the runner container;
// code.forgejo.org/forgejo/runner:12.x is Alpine-based, so that is busybox ash). It waits for
// dockerd, gets the runner its identity, then execs the daemon.
//
// PID 1 gets no default signal disposition from the kernel: a TERM without a handler is simply
// dropped, so before the `exec` the script traps TERM/INT itself. A shell runs a trap only
// between commands, so every slow step (the DinD probe, the sleep, registration) runs in the
// background and the script `wait`s for it: POSIX makes a trapped signal interrupt `wait` at once.
// Waiting for dockerd stays in the script even with a DinD startup probe: it is the second line
// of defence (e.g. a DinD restart inside the pod).

export interface StartupScriptProps {
  /** `token`: register once when the state file is missing; `offline`: derive identity from a secret every start. */
  readonly registration: 'token' | 'offline';
  /** Path of config.yaml inside the runner container. */
  readonly configPath: string;
  /** The runner's state file (runner.file in config.yaml). */
  readonly stateFile: string;
  /** dockerd's HTTP endpoint as the runner reaches it, e.g. http://127.0.0.1:2375 (the script polls `<dockerUrl>/_ping`). */
  readonly dockerUrl: string;
  /** Seconds between two probes of dockerd. @default 1 */
  readonly pollSeconds?: number;
  /** Seconds one probe of dockerd may take before it counts as failed. @default 5 */
  readonly probeTimeoutSeconds?: number;
}

/**
 * The daemon's command line as `ps`/`pgrep -f` see it after the script's `exec` (argv joined by
 * spaces). An extended regex anchored at the start: it matches the daemon only, never a shell
 * whose `-c` text merely contains these words (the start-up script itself, a preStop hook, a
 * readiness probe) nor a job that greps for them.
 */
export const RUNNER_DAEMON_PGREP_PATTERN = '^forgejo-runner daemon';

export function runnerStartupScript(props: StartupScriptProps): string {
  const poll = props.pollSeconds ?? 1;
  const timeout = props.probeTimeoutSeconds ?? 5;
  for (const [name, v] of [['pollSeconds', poll], ['probeTimeoutSeconds', timeout]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new Error(`runnerStartupScript: ${name} must be a whole number of seconds >= 1, got ${v}`);
  }
  if (!/^https?:\/\/[^\s'"`$\\]+$/.test(props.dockerUrl)) {
    throw new Error(`runnerStartupScript: dockerUrl must be an http(s) URL without spaces, quotes or shell characters, got "${props.dockerUrl}"`);
  }
  const config = props.configPath;
  const preamble = [
    '# PID 1: the kernel drops TERM/INT unless we trap them. Until the exec below, stop at once.',
    'child=',
    'stop() {',
    '  [ -n "$child" ] && kill "$child" 2>/dev/null',
    '  echo "Received $1 before the runner daemon started: exiting"',
    '  exit "$2"',
    '}',
    "trap 'stop TERM 143' TERM",
    "trap 'stop INT 130' INT",
    '# Runs a command in the background and waits for it, so a signal interrupts the wait.',
    'run() { "$@" & child=$!; wait "$child"; rc=$?; child=; return "$rc"; }',
  ];
  const wait = [
    '# Wait for DinD to be ready',
    'echo "Waiting for Docker daemon..."',
    `until run wget -q -T ${timeout} -O /dev/null ${props.dockerUrl}/_ping 2>/dev/null; do`,
    `  run sleep ${poll}`,
    'done',
    'echo "Docker daemon ready"',
  ];
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
