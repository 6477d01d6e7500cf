// One writer per repository at a time: an exclusive lock file (open with O_CREAT|O_EXCL) that
// names its owner (pid and host). A lock whose owner process is gone (SIGKILL, power cut) is
// stale and is broken; a live owner is waited for briefly, then the synth fails with a message.
//
// Written by hand rather than with proper-lockfile: that library decides staleness by the lock's
// mtime (a live but slow owner can lose its lock, and a dead one is only noticed after a
// timeout), while here the owner is always a local process whose liveness can simply be asked.
// Breaking a stale lock is itself guarded by a second exclusive file, so two waiters cannot both
// break it and then both hold it.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ensureWorkDir, processAlive, removeWorkDirIfIdle, WORK_DIR_NAME } from './writer.ts';

export interface LockOptions {
  /** How long to wait for a live owner. @default 10000 ms */
  readonly waitMs?: number;
}

export class LockBusy extends Error {
  override name = 'LockBusy';
}

/** Takes the repository's output lock; returns the function that releases it. */
export async function acquireOutputLock(root: string, options: LockOptions = {}): Promise<() => void> {
  const waitMs = options.waitMs ?? 10_000;
  const deadline = Date.now() + waitMs;
  const lock = join(root, WORK_DIR_NAME, 'lock');
  const me = `${process.pid} ${hostname()}\n`;
  for (;;) {
    ensureWorkDir(join(root, WORK_DIR_NAME));
    if (tryCreate(lock, me)) {
      return () => {
        try {
          if (readFileSync(lock, 'utf8') === me) unlinkSync(lock);
        } catch {
          // already gone
        }
        removeWorkDirIfIdle(join(root, WORK_DIR_NAME)); // a clean run leaves no trace
      };
    }
    const owner = readOwner(lock);
    if (owner && !owner.alive) breakStale(lock, owner.text);
    else if (Date.now() >= deadline) {
      throw new LockBusy(
        `another synth${owner ? ` (pid ${owner.pid})` : ''} is writing the output of this repository; ` +
          `waited ${Math.round(waitMs / 1000)} s. Run synth again when it has finished.`,
      );
    } else await new Promise((r) => setTimeout(r, 50));
  }
}

function tryCreate(path: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code === 'ENOENT') {
      mkdirSync(join(path, '..'), { recursive: true }); // the work directory was just tidied away
      return false;
    }
    throw e;
  }
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  return true;
}

function readOwner(lock: string): { pid: number; alive: boolean; text: string } | undefined {
  let text: string;
  try {
    text = readFileSync(lock, 'utf8');
  } catch {
    return undefined; // released meanwhile: try again
  }
  const [pidText, host] = text.trim().split(' ');
  const pid = Number(pidText);
  // Half-written (empty) lock: its owner is between create and write, a matter of microseconds;
  // one that stays so for seconds belongs to a process killed in between, which left nobody to
  // finish it (without this, every later synth would wait and fail forever).
  if (!Number.isInteger(pid) || pid <= 0) return { pid: 0, alive: ageMs(lock) < HALF_WRITTEN_STALE_MS, text };
  // A lock from another host (a shared file system) cannot be checked here: treat it as live.
  const alive = host !== hostname() || processAlive(pid);
  return { pid, alive, text };
}

/** An owner writes its pid right after creating the lock; an empty lock this old has no owner. */
const HALF_WRITTEN_STALE_MS = 5000;

function ageMs(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0; // gone meanwhile: the next round sees that
  }
}

function breakStale(lock: string, staleText: string): void {
  const guard = `${lock}.break`;
  if (!tryCreate(guard, `${process.pid} ${hostname()}\n`)) {
    const owner = readOwner(guard);
    if (owner && !owner.alive) rmSync(guard, { force: true }); // a breaker that died mid-way
    return;
  }
  try {
    // Still the same stale owner? (Another waiter may have broken it and taken the lock.)
    if (readFileSync(lock, 'utf8') === staleText) unlinkSync(lock);
  } catch {
    // gone already
  } finally {
    rmSync(guard, { force: true });
  }
}
