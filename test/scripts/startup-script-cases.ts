// The start-up script's cases, RUN under one shell with fake `wget` and `forgejo-runner` on PATH
// that log every call: the order of the steps, the failure paths and the reaction to TERM/INT are
// observed, not read from the text. Split from the test files so busybox sh and dash run in
// the same file; every case has its own temp dir, so they all run concurrently.
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runnerStartupScript } from '../../src/constructs/startup-script.js';
import { describeWithTools, fakeBin, run, testConcurrently } from '../shell-harness.js';

const FAKES = {
  // Ready from the READY_AFTER-th probe on (0: never).
  wget: [
    'echo "wget $*" >> "$LOG"',
    'n=$(( $(cat "$WORK/probes" 2>/dev/null || echo 0) + 1 )); echo "$n" > "$WORK/probes"',
    '[ "${READY_AFTER:-1}" -ne 0 ] && [ "$n" -ge "${READY_AFTER:-1}" ]',
  ].join('\n'),
  'forgejo-runner': [
    'echo "forgejo-runner $*" >> "$LOG"',
    'case " $* " in',
    '  *" register "*|*" create-runner-file "*)',
    '    [ -n "$IDENTITY_SLEEP" ] && sleep "$IDENTITY_SLEEP"',
    '    [ "${IDENTITY_EXIT:-0}" = 0 ] && [ -z "$NO_STATE" ] && echo "{}" > "$WORK/.runner"',
    '    exit "${IDENTITY_EXIT:-0}";;',
    '  *" daemon "*) exit 0;;',
    'esac',
    'exit 99',
  ].join('\n'),
};

/** `pollSeconds`: the wait for dockerd's sleep (the generated default is 1 s; the behaviour under test is the same). */
export function setup(registration: 'token' | 'offline', pollSeconds = 0.1) {
  const { dir, bin } = fakeBin(FAKES);
  const script = runnerStartupScript({
    registration,
    configPath: join(dir, 'config.yaml'),
    stateFile: join(dir, '.runner'),
    dockerUrl: 'http://127.0.0.1:2375',
    pollSeconds,
  });
  const env = (extra: Record<string, string> = {}) => ({
    PATH: `${bin}:/usr/bin:/bin`,
    LOG: join(dir, 'log'),
    WORK: dir,
    FORGEJO_URL: 'https://forge.example',
    RUNNER_TOKEN: 'tok',
    RUNNER_NAME: 'r1',
    RUNNER_LABELS: 'k8s:docker://img',
    RUNNER_SECRET: 'a'.repeat(40),
    ...extra,
  });
  const log = (): string[] => (existsSync(join(dir, 'log')) ? readFileSync(join(dir, 'log'), 'utf8').trim().split('\n') : []);
  /** The script has probed dockerd at least once (so its trap is set and it is in the wait loop). */
  const probed = () => existsSync(join(dir, 'probes'));
  /**
   * How many times the script has probed dockerd, from the append-only log (the probes file is
   * rewritten on each probe, so a process killed mid-write can leave it empty).
   */
  const probes = () => log().filter((l) => l.startsWith('wget ')).length;
  /** Registration (or create-runner-file) has started. */
  const identityStarted = () => log().some((l) => / (register|create-runner-file) /.test(l));
  return { dir, script, env, log, probed, probes, identityStarted, config: join(dir, 'config.yaml') };
}

/** Registers the start-up script's cases under `shell` (argv before the script, e.g. ['dash', '-c']). */
export function startupScriptCases(shellName: string, shell: readonly string[]): void {
  describeWithTools([shell[0]!], `start-up script under ${shellName}`, () => {
    testConcurrently('token: waits for dockerd, registers with --config, then execs the daemon with the same config', async () => {
      const s = setup('token');
      const r = await run([...shell, s.script], { env: s.env({ READY_AFTER: '2' }) });
      expect(r.code).toBe(0);
      const log = s.log();
      expect(log).toEqual([
        `wget -q -T 5 -O /dev/null http://127.0.0.1:2375/_ping`,
        `wget -q -T 5 -O /dev/null http://127.0.0.1:2375/_ping`,
        `forgejo-runner --config ${s.config} register --instance https://forge.example --token tok --name r1 --labels k8s:docker://img --no-interactive`,
        `forgejo-runner daemon --config ${s.config}`,
      ]);
    });

    testConcurrently('token: an existing state file skips registration (a restart keeps its identity)', async () => {
      const s = setup('token');
      writeFileSync(join(s.dir, '.runner'), '{}');
      const r = await run([...shell, s.script], { env: s.env() });
      expect(r.code).toBe(0);
      expect(s.log().map((l) => l.split(' ')[0] + ' ' + l.split(' ')[1])).toEqual(['wget -q', 'forgejo-runner daemon']);
    });

    testConcurrently('token: a failed registration exits non-zero with a clear log line and never starts the daemon', async () => {
      const s = setup('token');
      const r = await run([...shell, s.script], { env: s.env({ IDENTITY_EXIT: '3' }) });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Registration failed (exit 3): not starting the daemon without an identity');
      expect(s.log().some((l) => l.includes(' daemon '))).toBe(false);
    });

    testConcurrently('token: a registration that exits 0 but writes no state file also fails (no daemon without identity)', async () => {
      const s = setup('token');
      const r = await run([...shell, s.script], { env: s.env({ NO_STATE: '1' }) });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Registration failed (exit missing-state-file)');
      expect(s.log().some((l) => l.includes(' daemon '))).toBe(false);
    });

    testConcurrently('offline: create-runner-file with --config on every start, then the daemon; a failure stops before the daemon', async () => {
      const s = setup('offline');
      writeFileSync(join(s.dir, '.runner'), '{}'); // rewritten anyway
      const ok = await run([...shell, s.script], { env: s.env() });
      expect(ok.code).toBe(0);
      expect(s.log().slice(1)).toEqual([
        `forgejo-runner --config ${s.config} create-runner-file --instance https://forge.example --secret ${'a'.repeat(40)} --name r1`,
        `forgejo-runner daemon --config ${s.config}`,
      ]);
      const bad = setup('offline');
      const failed = await run([...shell, bad.script], { env: bad.env({ IDENTITY_EXIT: '2' }) });
      expect(failed.code).toBe(1);
      expect(failed.stderr).toContain('create-runner-file failed (exit 2)');
      expect(bad.log().some((l) => l.includes(' daemon '))).toBe(false);
    });

    for (const [signal, code] of [
      ['SIGTERM', 143],
      ['SIGINT', 130],
    ] as const) {
      testConcurrently(`${signal} while waiting for dockerd exits promptly (code ${code}), not after the grace period`, async () => {
        // A 300 s poll sleep: only a script that runs it under `wait` exits before the harness's
        // SIGKILL (2 * PROMPT_MS), however loaded the machine.
        const s = setup('token', 300);
        const r = await run([...shell, s.script], { env: s.env({ READY_AFTER: '0' }), signal, signalWhen: s.probed });
        expect(r.signal).toBeNull();
        expect(r.code).toBe(code);
        expect(r.stdout).toContain('before the runner daemon started: exiting');
      });
    }

    testConcurrently('SIGTERM during a slow registration exits promptly and starts no daemon', async () => {
      const s = setup('token');
      // The registration sleeps 300 s: only a script that runs it under `wait` exits before the
      // harness's SIGKILL (2 * PROMPT_MS).
      const r = await run([...shell, s.script], { env: s.env({ IDENTITY_SLEEP: '300' }), signal: 'SIGTERM', signalWhen: s.identityStarted });
      expect(r.signal).toBeNull();
      expect(r.code).toBe(143);
      expect(s.log().some((l) => l.includes(' daemon '))).toBe(false);
    });
  });
}
