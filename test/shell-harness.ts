// Runs the generated shell scripts for real: under busybox sh (the runner and docker:dind images
// are Alpine, so their /bin/sh is busybox ash) and dash, with fake binaries on PATH. A suite whose
// tool is missing is skipped with a message, except under CI (CI=true), where it fails: CI
// installs the tools, and a silently skipped suite would prove nothing.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp-dir.js';

/** Absolute path of an executable on PATH, or undefined. */
export function which(tool: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * The longest a step that should be prompt (a process appearing, a script reacting to a signal)
 * may take. It holds on a loaded machine (normally such a step takes milliseconds; with the
 * cores busy, a few hundred), and the cases make the opposite behaviour take far longer (a
 * 300 s sleep that a script which is not prompt would sit out), so a bound this loose still
 * tells the two apart. Wherever they can, the cases wait for an event instead.
 */
export const PROMPT_MS = 20_000;

/** False while the body of a describe that is skipped (a tool is missing) is being collected. */
let collectingRunnable = true;

/** `describe` when every tool exists; otherwise skipped with a message, or one failing test under CI. */
export function describeWithTools(tools: readonly string[], title: string, body: () => void): void {
  const missing = tools.filter((t) => !which(t));
  if (missing.length === 0) {
    describe(title, body);
  } else if (process.env.CI) {
    describe(title, () => {
      test(`${missing.join(', ')} installed (CI installs them; without them this suite would check nothing)`, () => {
        throw new Error(`${missing.join(', ')} not on PATH, but CI is set: install them in .ci/run`);
      });
    });
  } else {
    collectingRunnable = false;
    try {
      describe.skip(`${title} (skipped: ${missing.join(', ')} not on PATH)`, body);
    } finally {
      collectingRunnable = true;
    }
  }
}

/**
 * Cases of this test file that `testConcurrently` registered, in order; all are started together
 * by the first of their tests that jest runs.
 */
const queued: { readonly run: () => Promise<void>; readonly serial?: string; outcome?: Promise<unknown> }[] = [];

/**
 * At most this many cases run at once (jest's own default for test.concurrent): 40 shells started
 * in one instant on 2 cores stretch the timing assertions (e.g. "the preStop hook returns at once",
 * < 1 s) and widen the window of a race in the scripts' TERM handling (see ephemeral-script.ts).
 */
const MAX_RUNNING = 5;
let running = 0;
const waitingForSlot: (() => void)[] = [];

async function inSlot(run: () => Promise<void>): Promise<void> {
  while (running >= MAX_RUNNING) await new Promise<void>((resolve) => waitingForSlot.push(resolve));
  running++;
  try {
    await run();
  } finally {
    running--;
    waitingForSlot.shift()?.();
  }
}

/**
 * Starts every case `testConcurrently` has registered so far (the first of their tests does it
 * anyway). A test file whose cases may wait alongside its other tests calls it in a root beforeAll.
 */
export function startQueued(): void {
  const tails = new Map<string, Promise<unknown>>();
  for (const c of queued) {
    if (c.outcome) continue;
    const previous = c.serial ? (tails.get(c.serial) ?? Promise.resolve()) : Promise.resolve();
    // Settles with the case's error (or undefined): the test rethrows it, so it is reported there.
    c.outcome = previous.then(() => inSlot(c.run)).then(
      () => undefined,
      (e: unknown) => e ?? new Error('case failed'),
    );
    if (c.serial) tails.set(c.serial, c.outcome);
  }
}

/**
 * `test.concurrent` across the whole test file. Jest runs a concurrent test only alongside the
 * other concurrent tests of its own describe block, one block after another; these cases spend
 * their time waiting on child processes (a shell's poll loop, a signal, a timeout), so the first
 * of them to run starts every case of the file, and each test awaits and reports its own case
 * (its assertions run inside it). Cases with the same `serial` key run one after another, in
 * order (e.g. cases that look at every process on the machine with pgrep). A case still runs
 * when `-t` filters its test out; its result is then ignored.
 */
export function testConcurrently(name: string, run: () => Promise<void>, options: { readonly serial?: string; readonly timeout?: number } = {}): void {
  if (!collectingRunnable) {
    test(name, run); // inside a skipped describe: reported as skipped, never run
    return;
  }
  const c: (typeof queued)[number] = { run, serial: options.serial };
  queued.push(c);
  test(
    name,
    async () => {
      startQueued();
      const error = await c.outcome;
      if (error !== undefined) throw error;
    },
    // Above every bound a case sets (PROMPT_MS, RunOptions.killAfterMs), so a case fails on its
    // own assertion, which says what went wrong, and not on jest's timeout.
    options.timeout ?? 60_000,
  );
}

/** A temp dir with a bin/ of executable fakes (shell scripts run by /bin/sh). */
export function fakeBin(fakes: Readonly<Record<string, string>>): { dir: string; bin: string } {
  const dir = tempDir('frc-sh-');
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const [name, body] of Object.entries(fakes)) {
    const file = join(bin, name);
    writeFileSync(file, `#!/bin/sh\n${body}\n`);
    chmodSync(file, 0o755);
  }
  return { dir, bin };
}

export interface RunResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** Send this signal once `signalWhen` holds (polled every 10 ms), or at once without it. */
  readonly signal?: NodeJS.Signals;
  /** E.g. "the script has probed dockerd once": signal at the step under test, with no fixed sleep. */
  readonly signalWhen?: () => boolean;
  /** Pid to signal instead of the spawned process (e.g. PID 1 of a new PID namespace). */
  readonly signalTarget?: (child: ChildProcess) => number | undefined;
  /** SIGKILL the process once this holds (polled every 10 ms, after the signal if one is sent): e.g. "it kept polling after TERM". */
  readonly killWhen?: () => boolean;
  /**
   * Kill the process (SIGKILL) after this long: a hung script fails instead of hanging jest.
   * A bound, never the behaviour under test: it holds under load. @default 2 * PROMPT_MS
   */
  readonly killAfterMs?: number;
}

/** Spawns argv, optionally signals it, and resolves when it exits. */
export function run(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    // Its own process group, so what it leaves behind (an orphaned `sleep 30` of a fake) is
    // killed once it has exited instead of lingering on the machine.
    const child = spawn(argv[0]!, argv.slice(1), { env: { ...options.env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timers: NodeJS.Timeout[] = [];
    const exited = () => child.exitCode !== null || child.signalCode !== null;
    /** Polls `when` every 10 ms until it holds, then runs `then` (never after the exit). */
    const whenever = (when: () => boolean, then: () => void) => {
      const poll = () => {
        if (exited()) return;
        if (when()) then();
        else timers.push(setTimeout(poll, 10));
      };
      poll();
    };
    const killWhen = () => {
      if (options.killWhen) whenever(options.killWhen, () => child.kill('SIGKILL'));
    };
    if (options.signal) {
      whenever(options.signalWhen ?? (() => true), () => {
        const pid = options.signalTarget ? options.signalTarget(child) : child.pid;
        if (pid) process.kill(pid, options.signal);
        killWhen();
      });
    } else {
      killWhen();
    }
    timers.push(setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 2 * PROMPT_MS));
    child.on('error', reject);
    // On exit, what the process left in its group (e.g. a fake's orphaned `sleep`, which holds
    // the pipes open) is killed, so the pipes close and all the output is read: resolve on
    // 'close', which comes after 'exit'. The timer is only a safety net (a grandchild in a group
    // of its own); it is long, so it never cuts the output of a slow machine short.
    child.on('exit', (code, signal) => {
      timers.forEach(clearTimeout);
      killGroup(child.pid);
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(safetyNet);
        child.stdout!.destroy();
        child.stderr!.destroy();
        resolvePromise({ code, signal, stdout, stderr });
      };
      const safetyNet = setTimeout(finish, PROMPT_MS);
      child.on('close', finish);
    });
  });
}

/** SIGKILLs what is left of the process group `pid` led (nothing, usually). */
export function killGroup(pid: number | undefined): void {
  try {
    if (pid) process.kill(-pid, 'SIGKILL');
  } catch {
    // the group is already gone
  }
}

/** The only child pid of `pid` (e.g. the process `unshare --fork` started), or undefined. */
export function childOf(pid: number | undefined): number | undefined {
  if (!pid) return undefined;
  try {
    const out = execFileSync('sh', ['-c', `cat /proc/${pid}/task/*/children`], { encoding: 'utf8' }).trim();
    const first = out.split(/\s+/)[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

