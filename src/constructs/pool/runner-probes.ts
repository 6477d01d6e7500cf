// Exec commands that look for the runner daemon from inside the pod: DinD's preStop on
// Kubernetes < 1.29 (keep dockerd up until the runner has exited) and the runner's readiness
// probe (the daemon runs and has an identity). Both run under busybox sh in Alpine images.
//
// Both find the daemon with `pgrep -f` and RUNNER_DAEMON_PGREP_PATTERN, anchored at the start of
// the command line. An unanchored "forgejo-runner daemon" also matches the hook's own
// `/bin/sh -c 'while pgrep -f "forgejo-runner daemon" ...'` (pgrep excludes only itself), so the
// old hook never returned, and the runner's start-up shell, whose -c text contains the exec line.
import { pollSeconds } from '../rules.ts';
import { RUNNER_DAEMON_PGREP_PATTERN } from '../startup-script.ts';

export interface DindPreStopProps {
  /** Seconds between two looks for the runner (a fraction such as 0.2 is fine). @default 2 */
  readonly pollSeconds?: number;
}

/** DinD's preStop (Kubernetes < 1.29, shareProcessNamespace): returns once no runner daemon runs. */
export function dindPreStopCommand(props: DindPreStopProps = {}): string[] {
  const poll = props.pollSeconds ?? 2;
  const badPoll = pollSeconds(poll);
  if (badPoll) throw new Error(`dindPreStopCommand: pollSeconds: ${badPoll}`);
  return ['/bin/sh', '-c', `while pgrep -f '${RUNNER_DAEMON_PGREP_PATTERN}' >/dev/null; do sleep ${poll}; done`];
}

export interface RunnerReadinessProps {
  /** The runner's state file (runner.file): non-empty once it has an identity. */
  readonly stateFile: string;
}

/** The runner's readiness probe: the state file is non-empty and the daemon is running. */
export function runnerReadinessCommand(props: RunnerReadinessProps): string[] {
  if (!/^\/[A-Za-z0-9._/-]+$/.test(props.stateFile)) {
    throw new Error(`runnerReadinessCommand: stateFile must be an absolute path of letters, digits, ".", "_", "-", "/", got "${props.stateFile}"`);
  }
  return ['/bin/sh', '-c', `test -s ${props.stateFile} && pgrep -f '${RUNNER_DAEMON_PGREP_PATTERN}' >/dev/null`];
}
