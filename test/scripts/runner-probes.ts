// DinD's preStop and the runner's readiness probe, RUN under busybox sh with a process whose
// command line is the real daemon's (`forgejo-runner daemon --config ...`, set through perl's $0,
// which rewrites /proc/PID/cmdline), and a start-up shell whose -c text names the daemon.
// Debian's busybox has no pgrep applet, so pgrep is procps-ng's: both match the ERE against the
// whole command line (argv joined by spaces) and exclude only themselves (busybox procps/pgrep.c,
// procps-ng pgrep.c), which is the behaviour under test.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { dindPreStopCommand, runnerReadinessCommand } from '../../src/constructs/pool/runner-probes.js';
import { describeWithTools, fakeBin, run, sleep } from '../shell-harness.js';

const ENV = { PATH: '/usr/bin:/bin' };
const started: ChildProcess[] = [];
afterEach(() => {
  for (const c of started.splice(0)) c.kill('SIGKILL');
});

/** A process whose /proc cmdline is exactly `cmdline`. */
async function processWithCmdline(cmdline: string, seconds = 30): Promise<ChildProcess> {
  const c = spawn('perl', ['-e', `$0 = $ARGV[0]; sleep ${seconds}`, cmdline], { stdio: 'ignore' });
  started.push(c);
  await sleep(150);
  return c;
}

/** The start-up shell as it looks before its exec: /bin/sh -c '<script naming the daemon>'. */
function startupShell(): ChildProcess {
  const c = spawn('busybox', ['sh', '-c', 'sleep 30; exec forgejo-runner daemon --config /config/config.yaml'], { stdio: 'ignore' });
  started.push(c);
  return c;
}

/** Runs a probe's argv with busybox's sh in place of /bin/sh. */
const busybox = (argv: string[]) => ['busybox', 'sh', ...argv.slice(1)];

describeWithTools(['busybox', 'pgrep', 'perl'], 'DinD preStop (Kubernetes < 1.29) under busybox sh', () => {
  const hook = dindPreStopCommand({ pollSeconds: 0.2 }); // generated: 2 s; the same loop

  test('returns at once when no runner daemon runs, even with a start-up shell naming it', async () => {
    startupShell();
    const r = await run(busybox(hook), { env: ENV, killAfterMs: 4000 });
    expect(r.code).toBe(0);
    expect(r.elapsedMs).toBeLessThan(1000);
  });

  test('waits while the runner daemon runs and returns soon after it exits', async () => {
    const daemon = await processWithCmdline('forgejo-runner daemon --config /config/config.yaml');
    setTimeout(() => daemon.kill('SIGTERM'), 700);
    const t0 = Date.now();
    const r = await run(busybox(hook), { env: ENV, killAfterMs: 6000 });
    expect(r.code).toBe(0);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(650); // it waited for the daemon
    expect(Date.now() - t0).toBeLessThan(2500); // and returned within a few polls of its exit
  });

  test('control: the old hook matches its own sh -c command line and never returns', async () => {
    const old = ['/bin/sh', '-c', 'while pgrep -f "forgejo-runner daemon" >/dev/null; do sleep 0.2; done'];
    const r = await run(busybox(old), { env: ENV, killAfterMs: 700 }); // three polls, still running
    expect(r.signal).toBe('SIGKILL');
  });
});

describeWithTools(['busybox', 'pgrep', 'perl'], 'runner readiness probe under busybox sh', () => {
  const setup = () => {
    const { dir } = fakeBin({});
    return { state: join(dir, '.runner'), probe: (state: string) => run(busybox(runnerReadinessCommand({ stateFile: state })), { env: ENV }) };
  };

  test('ready: identity present and the daemon running', async () => {
    const s = setup();
    writeFileSync(s.state, '{"uuid":"x"}');
    await processWithCmdline('forgejo-runner daemon --config /config/config.yaml');
    expect((await s.probe(s.state)).code).toBe(0);
  });

  test('not ready while only the start-up shell runs (still waiting for DinD or registering)', async () => {
    const s = setup();
    writeFileSync(s.state, '{"uuid":"x"}');
    startupShell();
    await sleep(100);
    expect((await s.probe(s.state)).code).not.toBe(0);
  });

  test('not ready without an identity (missing or empty state file) even with the daemon running', async () => {
    const s = setup();
    await processWithCmdline('forgejo-runner daemon --config /config/config.yaml');
    expect((await s.probe(s.state)).code).not.toBe(0);
    writeFileSync(s.state, '');
    expect((await s.probe(s.state)).code).not.toBe(0);
  });
});

describeWithTools(['shellcheck'], 'probe commands pass shellcheck', () => {
  test.each([
    ['preStop', dindPreStopCommand()],
    ['readiness', runnerReadinessCommand({ stateFile: '/data/.runner' })],
  ])('%s', async (_name, argv) => {
    const { dir } = fakeBin({});
    writeFileSync(join(dir, 's.sh'), `${argv[2]}\n`);
    const r = await run(['shellcheck', '-s', 'sh', join(dir, 's.sh')], { env: ENV });
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
  });
});

test('a state file path with shell characters is rejected (it is pasted into the probe)', () => {
  expect(() => runnerReadinessCommand({ stateFile: '/data/x; reboot' })).toThrow(/stateFile must be an absolute path/);
});
