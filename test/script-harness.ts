// Harness for runner scripts: RUN them under busybox sh (the runner image's shell) with fake
// `forgejo-runner` and `wget` on PATH (shell-harness.ts fakeBin) that log their arguments to
// $SANDBOX/calls.log and leave marker files there for the steps a test waits on.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fakeBin, run as runArgv, which } from './shell-harness.js';

// Debian package busybox (`apt-get install busybox`); no skip: a missing busybox fails loudly.
export const BUSYBOX = which('busybox') ?? 'busybox';

export interface Fakes {
  /** wget fails this many times before dockerd "answers". */
  readonly pingFailures?: number;
  readonly createExit?: number;
  /** create-runner-file writes `creating`, sleeps this long (a slow Forgejo), then writes `created`. */
  readonly createSleeps?: number;
  readonly oneJobExit?: number;
  /** one-job sleeps until TERM, then logs it and exits 0. */
  readonly oneJobWaitsForTerm?: boolean;
}

export function sandbox(fakes: Fakes = {}) {
  const { dir, bin } = fakeBin({
    wget: `n=$(cat "$SANDBOX/pings" 2>/dev/null || echo 0); echo $((n + 1)) > "$SANDBOX/pings"
echo "wget $*" >> "$SANDBOX/calls.log"
[ "$n" -ge ${fakes.pingFailures ?? 0} ]`,
    'forgejo-runner': `echo "forgejo-runner $*" >> "$SANDBOX/calls.log"
case " $* " in
  *" create-runner-file "*) ${fakes.createSleeps ? `echo > "$SANDBOX/creating"; sleep ${fakes.createSleeps}; echo > "$SANDBOX/created"; ` : ''}exit ${fakes.createExit ?? 0} ;;
  *" one-job"*)
    ${fakes.oneJobWaitsForTerm ? `trap 'echo "one-job got TERM" >> "$SANDBOX/calls.log"; exit 0' TERM; echo ready > "$SANDBOX/running"; while :; do sleep 1 & wait $!; done` : `exit ${fakes.oneJobExit ?? 0}`} ;;
esac`,
  });
  const log = join(dir, 'calls.log');
  // The ephemeral script reads the runner secret from a file (the Secret volume in a Job pod).
  const secretFile = join(dir, 'runner-secret');
  writeFileSync(secretFile, 'f'.repeat(40)); // not RUNNER_SECRET's value: a test sees which one a script read
  const env = {
    PATH: `${bin}:${process.env.PATH}`,
    SANDBOX: dir,
    FORGEJO_URL: 'https://forge.example',
    RUNNER_SECRET: 'a'.repeat(40),
    RUNNER_SECRET_FILE: secretFile,
    RUNNER_NAME: 'k8s-ephemeral',
  };
  const calls = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);
  return { dir, env, calls };
}

/** Runs a script under busybox sh with the sandbox's env (killed if it hangs); `status` is its exit code. */
export async function run(script: string, env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const r = await runArgv([BUSYBOX, 'sh', '-c', script], { env });
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}
