// One writer per repository. The lock names its owner by pid, start time and host: a live owner
// is waited for, a provably gone one (no such process, or the pid now belongs to a process that
// started at another time) is broken, and one that cannot be checked (another host, a lock of
// another format, a directory, a symlink, a FIFO...) fails at once with the lock file named.
// No test here depends on timing: waits end on events (onWait, a release, a child's exit), and
// "fails at once" is asserted as "never started waiting".
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { acquireOutputLock, LockBusy, processStart } from '../../src/output/lock.js';
import { WORK_DIR_NAME } from '../../src/output/writer.js';
import { git, runMain, tempDir, tempRepo } from '../helpers.js';

const lockFile = (root: string) => join(root, WORK_DIR_NAME, 'lock');
const lockText = (pid: number, start: string, host = hostname()) => `pid=${pid} start=${start} host=${host}\n`;
const myLock = () => lockText(process.pid, processStart(process.pid)!);
/** The pid of a process that has exited (so no live process owns it, barring reuse). */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

function withLock(text: string | ((path: string) => void)): string {
  const root = tempDir();
  mkdirSync(join(root, WORK_DIR_NAME));
  if (typeof text === 'string') writeFileSync(lockFile(root), text);
  else text(lockFile(root));
  return root;
}

/** Acquires with a long wait; resolves to the error (or 'taken'), and whether it ever started waiting. */
async function attempt(root: string): Promise<{ result: unknown; waited: boolean }> {
  let waited = false;
  try {
    const release = await acquireOutputLock(root, { waitMs: 600_000, onWait: () => (waited = true) });
    release();
    return { result: 'taken', waited };
  } catch (e) {
    return { result: e, waited };
  }
}

test('the start time is read from /proc/<pid>/stat (field 22), and a gone process has none', () => {
  expect(processStart(process.pid)).toMatch(/^\d+$/);
  expect(processStart(process.pid)).toBe(processStart(process.pid));
  expect(processStart(deadPid())).toBeUndefined();
});

test('a live owner is waited for; the waiter gets the lock as soon as the owner releases it', async () => {
  const root = tempDir();
  const release = await acquireOutputLock(root);
  expect(readFileSync(lockFile(root), 'utf8')).toBe(myLock());
  const second = acquireOutputLock(root, { waitMs: 600_000, onWait: release });
  const release2 = await second;
  expect(readFileSync(lockFile(root), 'utf8')).toBe(myLock());
  release2();
  expect(existsSync(join(root, WORK_DIR_NAME))).toBe(false); // a clean run leaves no trace
});

test('a live owner that does not finish in time: the waiter fails naming the owner and the lock file; the lock is not stolen', async () => {
  const root = tempDir();
  const release = await acquireOutputLock(root);
  await expect(acquireOutputLock(root, { waitMs: 0 })).rejects.toThrow(
    new LockBusy(`another synth (pid ${process.pid}) is writing the output of this repository (lock ${WORK_DIR_NAME}/lock); waited 0 s. Run synth again when it has finished.`),
  );
  expect(readFileSync(lockFile(root), 'utf8')).toBe(myLock());
  release();
});

test('an owner that dies while the waiter waits: its lock is broken and taken (event: the child exits)', async () => {
  const child = spawn(process.execPath, ['-e', 'process.stdin.resume()'], { stdio: ['pipe', 'ignore', 'ignore'] });
  const exited = new Promise((r) => child.once('exit', r));
  const root = withLock(lockText(child.pid!, processStart(child.pid!)!));
  const release = await acquireOutputLock(root, {
    waitMs: 600_000,
    onWait: () => child.stdin!.end(), // the owner finishes (dies without releasing) only once we wait
  });
  await exited;
  expect(readFileSync(lockFile(root), 'utf8')).toBe(myLock());
  release();
});

test.each([
  ['a dead process', () => lockText(deadPid(), '12345')],
  ['a pid now owned by another live process (started at another time)', () => lockText(process.ppid, String(Number(processStart(process.ppid)) + 1))],
  ['this very pid, from an earlier run (e.g. pid 1 in a restarted container)', () => lockText(process.pid, String(Number(processStart(process.pid)) - 1))],
])("the lock of %s is stale: broken at once, never waited for", async (_name, text) => {
  const root = withLock(text());
  const { result, waited } = await attempt(root);
  expect({ result, waited }).toEqual({ result: 'taken', waited: false });
});

const REMOVE = /; if no synth is running, remove it: rm -r '.*\/\.forgejo-runner-cdk8s\/lock'$/;

test.each([
  ['written on another host (a container, a shared file system)', (p: string) => writeFileSync(p, lockText(process.pid, processStart(process.pid)!, 'elsewhere')), /the lock \.forgejo-runner-cdk8s\/lock was taken by pid \d+ on host elsewhere, which this synth \(on .*\) cannot check/],
  ['of an older format (pid and host only)', (p: string) => writeFileSync(p, `${process.ppid} ${hostname()}\n`), /does not name its owner as this tool writes it/],
  ['empty', (p: string) => writeFileSync(p, ''), /does not name its owner as this tool writes it/],
  ['a directory', (p: string) => mkdirSync(p), /the lock \.forgejo-runner-cdk8s\/lock is a directory, not a lock this tool wrote/],
  ['a dangling symlink', (p: string) => symlinkSync('/nonexistent/lock', p), /is a symbolic link, not a lock this tool wrote/],
  ['a symlink to a valid lock elsewhere', (p: string) => {
    const elsewhere = join(tempDir(), 'lock');
    writeFileSync(elsewhere, lockText(process.ppid, processStart(process.ppid)!));
    symlinkSync(elsewhere, p);
  }, /is a symbolic link, not a lock this tool wrote/],
  ['a FIFO (opening it for reading would block)', (p: string) => execFileSync('mkfifo', [p]), /is a FIFO, not a lock this tool wrote/],
])('a lock %s cannot be checked: fails at once, naming the lock file and how to remove it', async (_name, make, message) => {
  const root = withLock(make);
  const { result, waited } = await attempt(root);
  expect(waited).toBe(false);
  expect(result).toBeInstanceOf(LockBusy);
  expect((result as Error).message).toMatch(message);
  expect((result as Error).message).toMatch(REMOVE);
  expect(() => lstatSync(lockFile(root))).not.toThrow(); // left where it was, for the operator to look at
});

test('synth while another synth holds the lock: exit 1, a clear message naming the lock, nothing written', async () => {
  const repo = tempRepo();
  const release = await acquireOutputLock(repo);
  try {
    const values = join(repo, 'values', 'cluster.yaml');
    writeFileSync(values, readFileSync(values, 'utf8').replace('capacity: 2', 'capacity: 3'));
    let err = '';
    const { main } = await import('../../src/cli.js');
    const code = await main(['synth', '--root', repo], { io: { out: () => {}, err: (l) => (err += `${l}\n`) }, env: {}, lockWaitMs: 0 });
    expect(code).toBe(1);
    expect(err).toContain(`another synth (pid ${process.pid}) is writing the output of this repository (lock .forgejo-runner-cdk8s/lock)`);
    expect(err).toContain('nothing written');
    expect(git(repo, 'status', '--porcelain', '--untracked-files=all')).toBe(' M values/cluster.yaml\n');
  } finally {
    release();
  }
  expect((await runMain(['synth', '--root', repo])).code).toBe(0);
});

test("synth with another host's lock: exit 1 at once, the lock named with the command that removes it, nothing else changed", async () => {
  const repo = tempRepo();
  const values = join(repo, 'values', 'cluster.yaml');
  writeFileSync(values, readFileSync(values, 'utf8').replace('capacity: 2', 'capacity: 3'));
  mkdirSync(join(repo, WORK_DIR_NAME));
  writeFileSync(lockFile(repo), lockText(1, '1', 'ci-container'));
  const before = git(repo, 'status', '--porcelain', '--untracked-files=all', '--ignored');
  let waited = false;
  let err = '';
  const { main } = await import('../../src/cli.js');
  const code = await main(['synth', '--root', repo], { io: { out: () => {}, err: (l) => (err += `${l}\n`) }, env: {}, onLockWait: () => (waited = true) });
  expect({ code, waited }).toEqual({ code: 1, waited: false });
  expect(err).toContain('synth: the lock .forgejo-runner-cdk8s/lock was taken by pid 1 on host ci-container');
  expect(err).toContain(`rm -r '${lockFile(repo)}'`);
  expect(err).toContain('synth: nothing written');
  expect(git(repo, 'status', '--porcelain', '--untracked-files=all', '--ignored')).toBe(before);
  expect(readFileSync(lockFile(repo), 'utf8')).toBe(lockText(1, '1', 'ci-container'));
});

test('a values edit made while synth waits for the lock is not overwritten by the older values', async () => {
  const repo = tempRepo();
  const values = join(repo, 'values', 'cluster.yaml');
  const original = readFileSync(values, 'utf8');
  const release = await acquireOutputLock(repo);
  let out = '';
  const { main } = await import('../../src/cli.js');
  // Synth reads capacity 3, then waits for the lock; meanwhile the operator saves capacity 4.
  writeFileSync(values, original.replace('capacity: 2', 'capacity: 3'));
  const code = await main(['synth', '--root', repo], {
    io: { out: (l) => (out += `${l}\n`), err: (l) => (out += `${l}\n`) },
    env: {},
    onLockWait: () => {
      writeFileSync(values, original.replace('capacity: 2', 'capacity: 4'));
      release();
    },
  });
  expect(code).toBe(0);
  expect(out).toContain('values/cluster.yaml changed while synth ran; synthesizing again from the new values');
  const config = readFileSync(join(repo, 'argocd/manifests/forgejo-runner/configmap-forgejo-runner-config.yaml'), 'utf8');
  expect(config).toMatch(/capacity: 4/);
});
