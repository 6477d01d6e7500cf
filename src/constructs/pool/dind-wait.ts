// Pool part: the shell lines both runner scripts start with (the Deployment pool's start-up
// script, startup-script.ts, and the ephemeral pool's one-job script, keda/ephemeral-script.ts):
// TERM/INT handling as PID 1, then the wait for DinD. Written once so both exit promptly on TERM
// the same way.
//
// PID 1 gets no default signal disposition from the kernel: a TERM without a handler is simply
// dropped, so the script traps TERM/INT itself. A shell runs a trap only between commands, so
// every slow step runs in the background under `wait` (the `run` function): POSIX makes a trapped
// signal interrupt `wait` at once, and the trap kills that child so no orphan outlives the script.
// Waiting for dockerd stays in the scripts even with DinD's startup probe: it is the second line
// of defence (e.g. a DinD restart inside the pod, or a DinD that is no native sidecar).
import { pollSeconds } from '../rules.ts';

/** Exit code of a script that gave up waiting for dockerd (giveUpAfterSeconds). */
export const DIND_NOT_READY_EXIT = 3;

/** The shell functions the wait and later steps use: `stop` (the TERM/INT trap) and `run`. */
export function signalPreamble(props: {
  /** What has not happened yet when a signal ends the script, e.g. "the runner daemon started". */
  readonly before: string;
}): string[] {
  if (!/^[A-Za-z0-9 .,-]+$/.test(props.before)) throw new Error(`signalPreamble: before must be plain words, got "${props.before}"`);
  return [
    '# PID 1: the kernel drops TERM/INT unless we trap them. Until the exec below, stop at once.',
    'child=',
    'stop() {',
    '  [ -n "$child" ] && kill "$child" 2>/dev/null',
    `  echo "Received $1 before ${props.before}: exiting"`,
    '  exit "$2"',
    '}',
    "trap 'stop TERM 143' TERM",
    "trap 'stop INT 130' INT",
    '# Runs a command in the background and waits for it, so a signal interrupts the wait.',
    'run() { "$@" & child=$!; wait "$child"; rc=$?; child=; return "$rc"; }',
  ];
}

export interface DindWaitProps {
  /** dockerd's HTTP endpoint as the runner reaches it, e.g. http://127.0.0.1:2375 (the script polls `<dockerUrl>/_ping`). */
  readonly dockerUrl: string;
  /** Seconds between two probes of dockerd (a fraction such as 0.1 is fine: busybox and coreutils sleep take one). @default 1 */
  readonly pollSeconds?: number;
  /** Seconds one probe of dockerd may take before it counts as failed. @default 5 */
  readonly probeTimeoutSeconds?: number;
  /** Give up after this many seconds of sleeps between probes (ceil(giveUp / poll) sleeps), exiting DIND_NOT_READY_EXIT. @default wait until TERM */
  readonly giveUpAfterSeconds?: number;
}

/** The wait for dockerd's /_ping; needs the `run` function of signalPreamble(). */
export function dindWaitLines(props: DindWaitProps): string[] {
  const poll = props.pollSeconds ?? 1;
  const timeout = props.probeTimeoutSeconds ?? 5;
  const giveUp = props.giveUpAfterSeconds;
  const badPoll = pollSeconds(poll);
  if (badPoll) throw new Error(`pollSeconds: ${badPoll}`);
  for (const [name, v] of [['probeTimeoutSeconds', timeout], ['giveUpAfterSeconds', giveUp]] as const) {
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) throw new Error(`${name} must be a whole number of seconds >= 1, got ${v}`);
  }
  const sleeps = giveUp === undefined ? undefined : Math.ceil(giveUp / poll);
  if (!/^https?:\/\/[^\s'"`$\\]+$/.test(props.dockerUrl)) {
    throw new Error(`dockerUrl must be an http(s) URL without spaces, quotes or shell characters, got "${props.dockerUrl}"`);
  }
  return [
    '# Wait for DinD to be ready',
    'echo "Waiting for Docker daemon..."',
    ...(giveUp !== undefined ? ['slept=0'] : []),
    `until run wget -q -T ${timeout} -O /dev/null ${props.dockerUrl}/_ping 2>/dev/null; do`,
    ...(giveUp !== undefined
      ? [
          `  if [ "$slept" -ge ${sleeps} ]; then`,
          `    echo "Docker daemon not ready after ${giveUp} s" >&2`,
          `    exit ${DIND_NOT_READY_EXIT}`,
          '  fi',
        ]
      : []),
    `  run sleep ${poll}`,
    ...(giveUp !== undefined ? ['  slept=$((slept + 1))'] : []),
    'done',
    'echo "Docker daemon ready"',
  ];
}
