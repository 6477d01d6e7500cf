// Harness for runner scripts: RUN them under busybox sh (the runner image's shell) with fake
// `forgejo-runner` and `wget` on PATH that log their arguments.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run as runArgv } from './shell-harness.js';
import { tempDir } from './temp-dir.js';

// Debian package busybox (`apt-get install busybox`); no skip: a missing busybox fails loudly.
export const BUSYBOX = ['/usr/bin/busybox', '/bin/busybox'].find(existsSync) ?? 'busybox';

export interface Fakes {
  /** wget fails this many times before dockerd "answers". */
  readonly pingFailures?: number;
  readonly createExit?: number;
  /** create-runner-file writes `creating` then sleeps this long first (a slow Forgejo). */
  readonly createSleeps?: number;
  readonly oneJobExit?: number;
  /** one-job sleeps until TERM, then logs it and exits 0. */
  readonly oneJobWaitsForTerm?: boolean;
}

export function sandbox(fakes: Fakes = {}) {
  const dir = tempDir('frc-ephemeral-');
  const log = join(dir, 'calls.log');
  const fake = (name: string, body: string) => {
    const file = join(dir, name);
    writeFileSync(file, `#!${BUSYBOX} sh\n${body}\n`);
    chmodSync(file, 0o755);
  };
  fake(
    'wget',
    `n=$(cat ${dir}/pings 2>/dev/null || echo 0); echo $((n + 1)) > ${dir}/pings
echo "wget $*" >> ${log}
[ "$n" -ge ${fakes.pingFailures ?? 0} ]`,
  );
  fake(
    'forgejo-runner',
    `echo "forgejo-runner $*" >> ${log}
case " $* " in
  *" create-runner-file "*) ${fakes.createSleeps ? `echo > ${dir}/creating; sleep ${fakes.createSleeps}; ` : ''}exit ${fakes.createExit ?? 0} ;;
  *" one-job"*)
    ${fakes.oneJobWaitsForTerm ? `trap 'echo "one-job got TERM" >> ${log}; exit 0' TERM; echo ready > ${dir}/running; while :; do sleep 1 & wait $!; done` : `exit ${fakes.oneJobExit ?? 0}`} ;;
esac`,
  );
  const env = { PATH: `${dir}:${process.env.PATH}`, FORGEJO_URL: 'https://forge.example', RUNNER_SECRET: 'a'.repeat(40), RUNNER_NAME: 'k8s-ephemeral' };
  const calls = () => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);
  return { dir, env, calls };
}

/** Runs a script under busybox sh with the sandbox's env (killed after 10 s); `status` is its exit code. */
export async function run(script: string, env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const r = await runArgv([BUSYBOX, 'sh', '-c', script], { env, killAfterMs: 10_000 });
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}
