// One writer per repository at a time: a lock file that names its owner by what identifies a
// process beyond its pid: its start time (field 22 of /proc/<pid>/stat, in clock ticks since
// boot) and the host. A pid alone is reused: by another process after a reboot, or by every synth
// in a container, where each one may be pid 1.
//   - The owner is provably gone (no such process, or one that started at another time): the
//     lock is stale and is broken.
//   - The owner is this host's live process that started then: it is waited for briefly, then
//     synth fails with a message naming the lock file.
//   - The owner cannot be checked (another host, a lock without a start time, an unreadable or
//     foreign lock: a directory, a symlink, a FIFO...): synth fails at once, naming the lock file
//     and how to remove it. Nothing is ever opened that could block (lstat first, O_NONBLOCK).
// The lock is created whole: written to a temporary file, then hard-linked to its name (link()
// fails if the name exists), so no reader ever sees a half-written lock.
//
// Written by hand rather than with proper-lockfile: that library decides staleness by the lock's
// mtime (a live but slow owner can lose its lock, and a dead one is only noticed after a
// timeout), while here the owner's identity can simply be checked. Breaking a stale lock is
// itself guarded by a second exclusive file, so two waiters cannot both break it and then both
// hold it.
import { closeSync, constants, fstatSync, linkSync, lstatSync, openSync, readFileSync, readSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describeErrno, makeWorkDir, removeWorkDirIfIdle, WORK_DIR_NAME, WriteFailed, WriteRefused } from './writer.ts';

export interface LockOptions {
  /** How long to wait for a live owner. @default 10000 ms */
  readonly waitMs?: number;
  /** Called once when the lock is held by a live owner and the wait begins (tests wait for this event). @default none */
  readonly onWait?: () => void;
}

/** The lock cannot be taken now; the message says why and what to do. Nothing was written. */
export class LockBusy extends Error {
  override name = 'LockBusy';
}

/** What identifies a process: pid, start time (clock ticks since boot; '-' where there is no /proc) and host. */
export interface ProcessIdentity {
  readonly pid: number;
  readonly start: string;
  readonly host: string;
}

/** Start time of a process from /proc/<pid>/stat; undefined if it does not exist, '-' without /proc. */
export function processStart(pid: number): string | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      try {
        lstatSync('/proc/self/stat');
        return undefined; // /proc works: the process is gone
      } catch {
        return processExists(pid) ? '-' : undefined; // no /proc here (not Linux)
      }
    }
    return '-';
  }
  // The command name (field 2) is in parentheses and may hold spaces or ')': fields follow the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return fields[19]; // field 22 (starttime); fields[0] is field 3
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function ownIdentity(): ProcessIdentity {
  return { pid: process.pid, start: processStart(process.pid) ?? '-', host: hostname() };
}

const format = (id: ProcessIdentity) => `pid=${id.pid} start=${id.start} host=${id.host}\n`;

function parse(text: string): ProcessIdentity | undefined {
  const m = /^pid=(\d+) start=(\d+|-) host=(\S+)\n$/.exec(text);
  return m ? { pid: Number(m[1]), start: m[2]!, host: m[3]! } : undefined;
}

/** How often the work directory may vanish under us (another synth removing it idle) before we give up. */
const MAX_VANISHED = 100;

/** Takes the repository's output lock; returns the function that releases it. */
export async function acquireOutputLock(root: string, options: LockOptions = {}): Promise<() => void> {
  const waitMs = options.waitMs ?? 10_000;
  const deadline = Date.now() + waitMs;
  const work = join(root, WORK_DIR_NAME);
  const lock = join(work, 'lock');
  const shown = `${WORK_DIR_NAME}/lock`;
  const me = format(ownIdentity());
  let waiting = false;
  let vanished = 0;
  for (;;) {
    let undoWorkDir: () => void;
    try {
      undoWorkDir = makeWorkDir(work);
    } catch (e) {
      if (e instanceof WriteRefused) throw new LockBusy(e.message);
      // Another synth, finishing, removed the idle work directory between our mkdir and our
      // open: make it again.
      // (Bounded: a root that does not exist gives ENOENT every time.)
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' && ++vanished < MAX_VANISHED) continue;
      throw new WriteFailed(`${WORK_DIR_NAME}: cannot make the work directory for the lock: ${describeErrno(e)}`);
    }
    let taken: boolean | 'vanished';
    try {
      taken = tryCreate(lock, me, work);
    } catch (e) {
      removeWorkDirIfIdle(work); // no stray .gitignore after ENOSPC, EROFS or EACCES
      throw e;
    }
    if (taken === 'vanished') {
      if (++vanished < MAX_VANISHED) continue; // the same race, one step later
      throw new WriteFailed(`${WORK_DIR_NAME}: cannot write the lock: the work directory keeps disappearing`);
    }
    if (taken) {
      return () => {
        try {
          if (readFileSync(lock, 'utf8') === me) unlinkSync(lock);
        } catch {
          // already gone
        }
        removeWorkDirIfIdle(work); // a clean run leaves no trace
      };
    }
    let owner: Owner | 'gone';
    try {
      owner = readOwner(lock, shown);
    } catch (e) {
      undoWorkDir(); // fail leaving the work directory as it was
      throw e;
    }
    if (owner === 'gone') continue; // released meanwhile
    if (owner.state === 'stale') {
      breakStale(lock, owner.text, shown, work);
      continue;
    }
    if (Date.now() >= deadline) {
      undoWorkDir();
      throw new LockBusy(
        `another synth (pid ${owner.id.pid}) is writing the output of this repository (lock ${shown}); ` +
          `waited ${Math.round(waitMs / 1000)} s. Run synth again when it has finished.`,
      );
    }
    if (!waiting) {
      waiting = true;
      options.onWait?.();
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Creates `path` holding `text` whole, unless it exists (false). */
function tryCreate(path: string, text: string, work: string): boolean | 'vanished' {
  const tmp = join(work, `tmp-${process.pid}-${path.split('/').pop()}`);
  let fd: number;
  try {
    fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW);
  } catch (e) {
    // The work directory was removed (idle) by a synth that just finished: not a failure.
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'vanished';
    throw new WriteFailed(`${WORK_DIR_NAME}: cannot write the lock: ${describeErrno(e)}`);
  }
  try {
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new WriteFailed(`${WORK_DIR_NAME}: cannot write the lock: ${describeErrno(e)}`);
  } finally {
    rmSync(tmp, { force: true });
  }
}

type Owner = { state: 'live'; id: ProcessIdentity; text: string } | { state: 'stale'; text: string };

/** Who holds the lock; throws LockBusy when that cannot be known. Never blocks. */
function readOwner(lock: string, shown: string): Owner | 'gone' {
  const remove = `if no synth is running, remove it: rm -r '${lock}'`;
  let stat;
  try {
    stat = lstatSync(lock);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw new LockBusy(`cannot read the lock ${shown}: ${describeErrno(e)}`);
  }
  if (!stat.isFile()) {
    const what = stat.isDirectory() ? 'a directory' : stat.isSymbolicLink() ? 'a symbolic link' : stat.isFIFO() ? 'a FIFO' : 'not a regular file';
    throw new LockBusy(`the lock ${shown} is ${what}, not a lock this tool wrote; ${remove}`);
  }
  let text: string;
  try {
    const fd = openSync(lock, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      if (!fstatSync(fd).isFile()) throw new LockBusy(`the lock ${shown} is not a regular file; ${remove}`);
      const buffer = Buffer.alloc(512);
      text = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0)).toString('utf8');
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if (e instanceof LockBusy) throw e;
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw new LockBusy(`cannot read the lock ${shown}: ${describeErrno(e)}; ${remove}`);
  }
  const id = parse(text);
  if (!id) throw new LockBusy(`the lock ${shown} does not name its owner as this tool writes it (pid, start time, host); ${remove}`);
  if (id.host !== hostname()) {
    throw new LockBusy(`the lock ${shown} was taken by pid ${id.pid} on host ${id.host}, which this synth (on ${hostname()}) cannot check; ${remove}`);
  }
  const start = processStart(id.pid);
  if (start === undefined) return { state: 'stale', text }; // no such process
  if (id.start === '-' || start === '-') {
    throw new LockBusy(`the lock ${shown} names pid ${id.pid}, which is running, but its start time cannot be compared here; ${remove}`);
  }
  if (start !== id.start) return { state: 'stale', text }; // the pid now belongs to another process
  return { state: 'live', id, text };
}

function breakStale(lock: string, staleText: string, shown: string, work: string): void {
  const guard = `${lock}.break`;
  if (!tryCreate(guard, format(ownIdentity()), work)) {
    const owner = readOwner(guard, `${shown}.break`);
    if (owner !== 'gone' && owner.state === 'stale') rmSync(guard, { force: true }); // a breaker that died mid-way
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
