// One writer per repository: a live owner makes a second synth wait and then fail clearly; a
// dead owner's lock (SIGKILL, power cut) is broken; releasing leaves nothing behind. Each case has
// its own directory, so their waits overlap with the file's other tests (testConcurrently), except
// the values edit made while synth waits: its fixed 150 ms must not be stretched by other work.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { acquireOutputLock, LockBusy } from '../../src/output/lock.js';
import { WORK_DIR_NAME } from '../../src/output/writer.js';
import { runMain, tempDir, tempRepo } from '../helpers.js';
import { testConcurrently } from '../shell-harness.js';

const lockFile = (root: string) => join(root, WORK_DIR_NAME, 'lock');

testConcurrently('a lock held by a live process makes the next taker wait, then fail naming the owner', async () => {
  const root = tempDir();
  mkdirSync(join(root, WORK_DIR_NAME));
  writeFileSync(lockFile(root), `${process.ppid} ${hostname()}\n`); // a live process owns it
  const started = Date.now();
  await expect(acquireOutputLock(root, { waitMs: 300 })).rejects.toThrow(
    new LockBusy(`another synth (pid ${process.ppid}) is writing the output of this repository; waited 0 s. Run synth again when it has finished.`),
  );
  expect(Date.now() - started).toBeGreaterThanOrEqual(250);
  expect(readFileSync(lockFile(root), 'utf8')).toBe(`${process.ppid} ${hostname()}\n`); // not stolen
});

testConcurrently('the waiter gets the lock as soon as the owner releases it', async () => {
  const root = tempDir();
  const release = await acquireOutputLock(root);
  const second = acquireOutputLock(root, { waitMs: 5000 });
  setTimeout(release, 100);
  const release2 = await second;
  expect(readFileSync(lockFile(root), 'utf8')).toBe(`${process.pid} ${hostname()}\n`);
  release2();
  expect(existsSync(join(root, WORK_DIR_NAME))).toBe(false); // a clean run leaves no trace
});

testConcurrently("a dead process's lock is stale and is broken at once", async () => {
  const root = tempDir();
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
  mkdirSync(join(root, WORK_DIR_NAME));
  writeFileSync(lockFile(root), `${dead} ${hostname()}\n`);
  const release = await acquireOutputLock(root, { waitMs: 0 });
  expect(readFileSync(lockFile(root), 'utf8')).toBe(`${process.pid} ${hostname()}\n`);
  release();
});

testConcurrently('an empty lock is a live owner mid-write, unless it stays empty for seconds (its owner died before writing)', async () => {
  const root = tempDir();
  mkdirSync(join(root, WORK_DIR_NAME));
  writeFileSync(lockFile(root), ''); // just created: the owner is about to write its pid
  await expect(acquireOutputLock(root, { waitMs: 150 })).rejects.toThrow(LockBusy);
  const old = new Date(Date.now() - 60_000);
  utimesSync(lockFile(root), old, old); // the same empty lock a minute later
  const release = await acquireOutputLock(root, { waitMs: 0 });
  expect(readFileSync(lockFile(root), 'utf8')).toBe(`${process.pid} ${hostname()}\n`);
  release();
});

testConcurrently('synth while another synth holds the lock: exit 1, a clear message, nothing written', async () => {
  const repo = tempRepo();
  const release = await acquireOutputLock(repo);
  try {
    const values = join(repo, 'values', 'indri.yaml');
    writeFileSync(values, readFileSync(values, 'utf8').replace('capacity: 2', 'capacity: 3'));
    const before = readFileSync(join(repo, 'argocd/manifests/forgejo-runner/configmap-forgejo-runner-config.yaml'), 'utf8');
    let err = '';
    const code = await import('../../src/cli.js').then(({ main }) =>
      main(['synth', '--root', repo], { io: { out: () => {}, err: (l) => (err += `${l}\n`) }, env: {}, lockWaitMs: 200 }),
    );
    expect(code).toBe(1);
    expect(err).toContain('another synth');
    expect(err).toContain('nothing written');
    expect(readFileSync(join(repo, 'argocd/manifests/forgejo-runner/configmap-forgejo-runner-config.yaml'), 'utf8')).toBe(before);
  } finally {
    release();
  }
  expect((await runMain(['synth', '--root', repo])).code).toBe(0);
});

test('a values edit made while synth waits for the lock is not overwritten by the older values', async () => {
  const repo = tempRepo();
  const values = join(repo, 'values', 'indri.yaml');
  const original = readFileSync(values, 'utf8');
  const release = await acquireOutputLock(repo);
  let out = '';
  const { main } = await import('../../src/cli.js');
  // Synth reads capacity 3, then waits for the lock; meanwhile the operator saves capacity 4.
  writeFileSync(values, original.replace('capacity: 2', 'capacity: 3'));
  const running = main(['synth', '--root', repo], { io: { out: (l) => (out += `${l}\n`), err: (l) => (out += `${l}\n`) }, env: {} });
  await new Promise((r) => setTimeout(r, 150));
  writeFileSync(values, original.replace('capacity: 2', 'capacity: 4'));
  release();
  expect(await running).toBe(0);
  expect(out).toContain('values/indri.yaml changed while synth ran; synthesizing again from the new values');
  const config = readFileSync(join(repo, 'argocd/manifests/forgejo-runner/configmap-forgejo-runner-config.yaml'), 'utf8');
  expect(config).toMatch(/capacity: 4/);
});
