// The runner start-up script, RUN under busybox sh (the runner image's shell; cases in
// startup-script-cases.ts) and as PID 1 of a new PID namespace. dash, shellcheck and the props:
// startup-script.dash.ts.
import { childOf, describeWithTools, run, testConcurrently, which } from '../shell-harness.js';
import { setup, startupScriptCases } from './startup-script-cases.js';

startupScriptCases('busybox sh', ['busybox', 'sh', '-c']);

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
  const pid1 = (argv: string[], env: Record<string, string>, probed: () => boolean, killWhen?: () => boolean) =>
    run(['unshare', '--pid', '--fork', '--kill-child=SIGKILL', ...argv], { env, signal: 'SIGTERM', signalWhen: probed, signalTarget: (c) => childOf(c.pid), killWhen });

  // unshare --pid needs root (CI runs as root; there the test runs and a failure to unshare fails it).
  const [pid1Test, skipped] = canUnshare || process.env.CI ? [testConcurrently, ''] : [test.skip, ' (skipped: unshare --pid needs root)'];

  pid1Test(`exits on SIGTERM while waiting for DinD, at once (the 300 s poll sleep runs under wait)${skipped}`, async () => {
    const s = setup('token', 300);
    const r = await pid1(['busybox', 'sh', '-c', s.script], s.env({ READY_AFTER: '0' }), s.probed);
    expect(r.signal).toBeNull(); // it exited by itself, not by the harness's SIGKILL (2 * PROMPT_MS)
    expect(r.code).toBe(143);
  });

  pid1Test(`control: the same wait loop without a trap ignores SIGTERM as PID 1 (so the test above can fail)${skipped}`, async () => {
    const s = setup('token');
    let atSignal = 0;
    const signalWhen = () => s.probed() && ((atSignal = s.probes()), true);
    const r = await pid1(['busybox', 'sh', '-c', 'while ! wget -q http://127.0.0.1:2375/_ping; do sleep 0.1; done'], s.env({ READY_AFTER: '0' }), signalWhen, () => s.probes() >= atSignal + 3);
    expect(r.signal).toBe('SIGKILL');
    expect(s.probes()).toBeGreaterThanOrEqual(atSignal + 3); // it kept probing after the TERM
  });
});

