// The runner start-up script, RUN under busybox sh (the runner image's shell) and dash, with fake
// `wget` and `forgejo-runner` on PATH that log every call: the order of the steps, the failure
// paths and the reaction to TERM/INT are observed, not read from the text.
import { readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runnerStartupScript, RUNNER_DAEMON_PGREP_PATTERN } from '../src/constructs/startup-script.js';
import { childOf, describeWithTools, fakeBin, run, which } from './shell-harness.js';

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

function setup(registration: 'token' | 'offline') {
  const { dir, bin } = fakeBin(FAKES);
  const script = runnerStartupScript({
    registration,
    configPath: join(dir, 'config.yaml'),
    stateFile: join(dir, '.runner'),
    dockerUrl: 'http://127.0.0.1:2375',
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
  return { dir, script, env, log, config: join(dir, 'config.yaml') };
}

const SHELLS: readonly (readonly [string, string[]])[] = [
  ['busybox sh', ['busybox', 'sh', '-c']],
  ['dash', ['dash', '-c']],
];

for (const [shellName, shell] of SHELLS) {
  describeWithTools([shell[0]!], `start-up script under ${shellName}`, () => {
    test('token: waits for dockerd, registers with --config, then execs the daemon with the same config', async () => {
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

    test('token: an existing state file skips registration (a restart keeps its identity)', async () => {
      const s = setup('token');
      writeFileSync(join(s.dir, '.runner'), '{}');
      const r = await run([...shell, s.script], { env: s.env() });
      expect(r.code).toBe(0);
      expect(s.log().map((l) => l.split(' ')[0] + ' ' + l.split(' ')[1])).toEqual(['wget -q', 'forgejo-runner daemon']);
    });

    test('token: a failed registration exits non-zero with a clear log line and never starts the daemon', async () => {
      const s = setup('token');
      const r = await run([...shell, s.script], { env: s.env({ IDENTITY_EXIT: '3' }) });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Registration failed (exit 3): not starting the daemon without an identity');
      expect(s.log().some((l) => l.includes(' daemon '))).toBe(false);
    });

    test('token: a registration that exits 0 but writes no state file also fails (no daemon without identity)', async () => {
      const s = setup('token');
      const r = await run([...shell, s.script], { env: s.env({ NO_STATE: '1' }) });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('Registration failed (exit missing-state-file)');
      expect(s.log().some((l) => l.includes(' daemon '))).toBe(false);
    });

    test('offline: create-runner-file with --config on every start, then the daemon; a failure stops before the daemon', async () => {
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

    test.each([
      ['SIGTERM', 143],
      ['SIGINT', 130],
    ] as const)('%s while waiting for dockerd exits promptly (code %i), not after the grace period', async (signal, code) => {
      const s = setup('token');
      const r = await run([...shell, s.script], { env: s.env({ READY_AFTER: '0' }), signal, signalAfterMs: 700 });
      expect(r.code).toBe(code);
      expect(r.elapsedMs).toBeLessThan(2000);
      expect(r.stdout).toContain('before the runner daemon started: exiting');
    });

    test('SIGTERM during a slow registration exits promptly and starts no daemon', async () => {
      const s = setup('token');
      const r = await run([...shell, s.script], { env: s.env({ IDENTITY_SLEEP: '30' }), signal: 'SIGTERM', signalAfterMs: 700 });
      expect(r.code).toBe(143);
      expect(r.elapsedMs).toBeLessThan(2000);
      expect(s.log().some((l) => l.includes(' daemon '))).toBe(false);
    });
  });
}

// As PID 1 of a new PID namespace (what the container runtime gives the script), a signal without
// a handler is dropped: this is the case the trap exists for.
describeWithTools(['busybox', 'unshare'], 'start-up script as PID 1 (unshare --pid --fork)', () => {
  const canUnshare = (() => {
    try {
      return which('unshare') !== undefined && process.getuid?.() === 0;
    } catch {
      return false;
    }
  })();
  const pid1 = (argv: string[], env: Record<string, string>, killAfterMs: number) =>
    run(['unshare', '--pid', '--fork', '--kill-child=SIGKILL', ...argv], { env, signal: 'SIGTERM', signalAfterMs: 800, signalTarget: (c) => childOf(c.pid), killAfterMs });

  (canUnshare || process.env.CI ? test : test.skip)('exits within 5 s of SIGTERM while waiting for DinD', async () => {
    const s = setup('token');
    const r = await pid1(['busybox', 'sh', '-c', s.script], s.env({ READY_AFTER: '0' }), 8000);
    expect(r.signal).toBeNull(); // not our SIGKILL
    expect(r.code).toBe(143);
    expect(r.elapsedMs).toBeLessThan(5000);
  });

  (canUnshare || process.env.CI ? test : test.skip)('control: the same wait loop without a trap ignores SIGTERM as PID 1 (so the test above can fail)', async () => {
    const s = setup('token');
    const r = await pid1(['busybox', 'sh', '-c', 'while ! wget -q http://127.0.0.1:2375/_ping; do sleep 1; done'], s.env({ READY_AFTER: '0' }), 2000);
    expect(r.signal).toBe('SIGKILL'); // still running when the harness gave up
  });
});

describeWithTools(['shellcheck'], 'start-up script passes shellcheck (POSIX sh)', () => {
  test.each(['token', 'offline'] as const)('%s', async (registration) => {
    const script = runnerStartupScript({ registration, configPath: '/config/config.yaml', stateFile: '/data/.runner', dockerUrl: 'http://127.0.0.1:2375' });
    const { dir } = fakeBin({});
    writeFileSync(join(dir, 's.sh'), script);
    const r = await run(['shellcheck', '-s', 'sh', join(dir, 's.sh')], { env: { PATH: '/usr/bin:/bin' } });
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('start-up script props', () => {
  test('a dockerUrl with shell characters is rejected (it is pasted into the script)', () => {
    expect(() => runnerStartupScript({ registration: 'token', configPath: '/c', stateFile: '/s', dockerUrl: 'http://x;rm -rf /' })).toThrow(
      /dockerUrl must be an http\(s\) URL/,
    );
  });

  test('the daemon pattern is anchored so a shell whose -c text names the daemon never matches it', () => {
    const re = new RegExp(RUNNER_DAEMON_PGREP_PATTERN);
    expect(re.test('forgejo-runner daemon --config /config/config.yaml')).toBe(true);
    expect(re.test('/bin/sh -c exec forgejo-runner daemon --config /config/config.yaml')).toBe(false);
  });
});
