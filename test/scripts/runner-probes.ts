// DinD's preStop and the runner's readiness probe, RUN under busybox sh with a process whose
// command line is the real daemon's (`forgejo-runner daemon --config ...`, set through perl's $0,
// which rewrites /proc/PID/cmdline), and a start-up shell whose -c text names the daemon.
// Debian's busybox has no pgrep applet, so pgrep is procps-ng's: both match the ERE against the
// whole command line (argv joined by spaces) and exclude only themselves (busybox procps/pgrep.c,
// procps-ng pgrep.c), which is the behaviour under test.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { dindPreStopCommand, runnerReadinessCommand } from '../../src/constructs/pool/runner-probes.js';
import { describeWithTools, fakeBin, killGroup, PROMPT_MS, run, testConcurrently } from '../shell-harness.js';

const ENV = { PATH: '/usr/bin:/bin' };

/**
 * PATH with a `pgrep` that logs each call, then execs the real one: a case counts the hook's
 * looks for the daemon instead of timing them. The wrapper execs, so no shell of it is left for
 * a pgrep to match.
 */
function countingPgrep(): { env: Record<string, string>; looks: () => number } {
  const { dir, bin } = fakeBin({ pgrep: 'echo x >> "${0%/*}/../looks"\nPATH=/usr/bin:/bin exec pgrep "$@"' });
  const log = join(dir, 'looks');
  return {
    env: { PATH: `${bin}:/usr/bin:/bin` },
    looks: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').length - 1 : 0),
  };
}

/**
 * pgrep sees every process of the machine: the cases that start a process named like the daemon,
 * or need none to run, run one after another (the others of this file run alongside them).
 */
const PGREP = { serial: 'pgrep' };

/** The command line of `pid` as pgrep -f matches it (arguments joined by spaces); '' once it is gone. */
function cmdlineOf(pid: number | undefined): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** Resolves once `check` holds, polled every 10 ms: wait for the observed step, not a fixed time. */
async function until(check: () => boolean, what: string, ms = PROMPT_MS): Promise<void> {
  for (const start = Date.now(); !check(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() - start > ms) throw new Error(`timed out waiting for ${what}`);
  }
}

/** Runs a case, then SIGKILLs every process it started (and their groups) and waits until they are gone. */
const killingAfter = (body: (started: ChildProcess[]) => Promise<void>) => async () => {
  const started: ChildProcess[] = [];
  try {
    await body(started);
  } finally {
    await Promise.all(
      started.map((c) => {
        const gone = c.exitCode !== null || c.signalCode !== null ? undefined : new Promise((r) => c.once('exit', r));
        c.kill('SIGKILL');
        killGroup(c.pid);
        return gone;
      }),
    );
  }
};

/** A process whose /proc cmdline is exactly `cmdline`, once it is. */
async function processWithCmdline(started: ChildProcess[], cmdline: string, seconds = 300): Promise<ChildProcess> {
  const c = spawn('perl', ['-e', `$0 = $ARGV[0]; sleep ${seconds}`, cmdline], { stdio: 'ignore' });
  started.push(c);
  await until(() => cmdlineOf(c.pid) === cmdline, `a process named "${cmdline}"`);
  return c;
}

/** The start-up shell as it looks before its exec: /bin/sh -c '<script naming the daemon>', once it runs. */
async function startupShell(started: ChildProcess[]): Promise<ChildProcess> {
  // A process group of its own, so its `sleep` dies with it (killingAfter kills the group).
  // It outlives every case (300 s): a case ends it, never the clock.
  const c = spawn('busybox', ['sh', '-c', 'sleep 300; exec forgejo-runner daemon --config /config/config.yaml'], { stdio: 'ignore', detached: true });
  started.push(c);
  await until(() => cmdlineOf(c.pid).includes('exec forgejo-runner daemon'), 'the start-up shell');
  return c;
}

/** Runs a probe's argv with busybox's sh in place of /bin/sh. */
const busybox = (argv: string[]) => ['busybox', 'sh', ...argv.slice(1)];

describeWithTools(['busybox', 'pgrep', 'perl'], 'DinD preStop (Kubernetes < 1.29) under busybox sh', () => {
  const hook = dindPreStopCommand({ pollSeconds: 0.2 }); // generated: 2 s; the same loop

  testConcurrently(
    'returns at once when no runner daemon runs, even with a start-up shell naming it',
    killingAfter(async (started) => {
      const shell = await startupShell(started);
      const pgrep = countingPgrep();
      const r = await run(busybox(hook), { env: pgrep.env });
      expect(r.signal).toBeNull(); // it returned by itself
      expect(r.code).toBe(0);
      // It returned while the start-up shell (whose command line names the daemon) still runs:
      // the anchored pattern did not match it. (No exact count of looks: pgrep sees the whole
      // machine, and another test's fake daemon may run meanwhile, which the hook rightly waits for.)
      expect(pgrep.looks()).toBeGreaterThanOrEqual(1);
      expect(shell.exitCode).toBeNull();
    }),
    PGREP,
  );

  testConcurrently(
    'waits while the runner daemon runs and returns once it exits',
    killingAfter(async (started) => {
      const daemon = await processWithCmdline(started, 'forgejo-runner daemon --config /config/config.yaml');
      const pgrep = countingPgrep();
      let returned = false;
      const hookRun = run(busybox(hook), { env: pgrep.env }).then((r) => ((returned = true), r));
      await until(() => pgrep.looks() >= 3 || returned, 'three looks for the daemon');
      expect(returned).toBe(false); // it found the daemon three times and kept waiting
      daemon.kill('SIGTERM');
      const r = await hookRun;
      expect(r.signal).toBeNull(); // it returned by itself, after the daemon was gone
      expect(r.code).toBe(0);
    }),
    PGREP,
  );

  testConcurrently('control: the old hook matches its own sh -c command line and never returns', async () => {
    // Not serial: whatever else runs, the old pattern always matches the hook's own shell.
    const old = ['/bin/sh', '-c', 'while pgrep -f "forgejo-runner daemon" >/dev/null; do sleep 0.2; done'];
    const pgrep = countingPgrep();
    const r = await run(busybox(old), { env: pgrep.env, killWhen: () => pgrep.looks() >= 3 });
    expect(r.signal).toBe('SIGKILL'); // still running after three looks with no daemon anywhere
    expect(pgrep.looks()).toBeGreaterThanOrEqual(3);
  });
});

describeWithTools(['busybox', 'pgrep', 'perl'], 'runner readiness probe under busybox sh', () => {
  const setup = () => {
    const { dir } = fakeBin({});
    return { state: join(dir, '.runner'), probe: (state: string) => run(busybox(runnerReadinessCommand({ stateFile: state })), { env: ENV }) };
  };

  testConcurrently(
    'ready: identity present and the daemon running',
    killingAfter(async (started) => {
      const s = setup();
      writeFileSync(s.state, '{"uuid":"x"}');
      await processWithCmdline(started, 'forgejo-runner daemon --config /config/config.yaml');
      expect((await s.probe(s.state)).code).toBe(0);
    }),
    PGREP,
  );

  testConcurrently(
    'not ready while only the start-up shell runs (still waiting for DinD or registering)',
    killingAfter(async (started) => {
      const s = setup();
      writeFileSync(s.state, '{"uuid":"x"}');
      await startupShell(started);
      expect((await s.probe(s.state)).code).not.toBe(0);
    }),
    PGREP,
  );

  testConcurrently(
    'not ready without an identity (missing or empty state file) even with the daemon running',
    killingAfter(async (started) => {
      const s = setup();
      await processWithCmdline(started, 'forgejo-runner daemon --config /config/config.yaml');
      expect((await s.probe(s.state)).code).not.toBe(0);
      writeFileSync(s.state, '');
      expect((await s.probe(s.state)).code).not.toBe(0);
    }),
    PGREP,
  );
});

describeWithTools(['shellcheck'], 'probe commands pass shellcheck', () => {
  for (const [name, argv] of [
    ['preStop', dindPreStopCommand()],
    ['readiness', runnerReadinessCommand({ stateFile: '/data/.runner' })],
  ] as const) {
    testConcurrently(name, async () => {
      const { dir } = fakeBin({});
      writeFileSync(join(dir, 's.sh'), `${argv[2]}\n`);
      const r = await run(['shellcheck', '-s', 'sh', join(dir, 's.sh')], { env: ENV });
      expect(r.stdout).toBe('');
      expect(r.code).toBe(0);
    });
  }
});

test('a state file path with shell characters is rejected (it is pasted into the probe)', () => {
  expect(() => runnerReadinessCommand({ stateFile: '/data/x; reboot' })).toThrow(/stateFile must be an absolute path/);
});
