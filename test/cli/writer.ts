// The writer on its own: all-or-nothing replacement by rename-aside, what --force may adopt,
// recovery of dead processes' leftovers only, and leftovers invisible to git.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GENERATED_MARK, type RenderedOutput } from '../../src/output/render.js';
import { recoverLeftovers, WORK_DIR_NAME, workDirFor, writeOutput } from '../../src/output/writer.js';
import { git, tempDir } from '../helpers.js';

const output = (files: Record<string, string>, app = 'app\n'): RenderedOutput => ({
  manifestsDir: 'out/manifests',
  manifests: Object.entries(files).map(([path, text]) => ({ path, text: `${GENERATED_MARK}\n${text}` })),
  application: { path: 'out/app.yaml', text: `${GENERATED_MARK}\n${app}` },
});
const listing = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));
/** The pid of a process that has exited (so no live process owns it, barring reuse). */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

test('the first write creates the directory and the application file, and reports them as added', () => {
  const root = tempDir();
  expect(writeOutput(root, output({ 'a.yaml': 'a\n' }))).toEqual({ added: ['a.yaml'], changed: [], removed: [], application: 'added' });
  expect(listing(join(root, 'out/manifests'))).toEqual({ 'a.yaml': `${GENERATED_MARK}\na\n` });
  expect(readFileSync(join(root, 'out/app.yaml'), 'utf8')).toBe(`${GENERATED_MARK}\napp\n`);
});

test('equal bytes: reported unchanged, and a clean run leaves no work directory behind', () => {
  const root = tempDir();
  writeOutput(root, output({ 'a.yaml': 'a\n' }));
  expect(writeOutput(root, output({ 'a.yaml': 'a\n' }))).toEqual({ added: [], changed: [], removed: [], application: 'unchanged' });
  expect(readdirSync(join(root, 'out')).sort()).toEqual(['app.yaml', 'manifests']);
});

test('a replacement reports added, changed and removed files and deletes the files of resources that are gone', () => {
  const root = tempDir();
  writeOutput(root, output({ 'a.yaml': 'a\n', 'b.yaml': 'b\n' }));
  expect(writeOutput(root, output({ 'a.yaml': 'a2\n', 'c.yaml': 'c\n' }, 'app2\n'))).toEqual({
    added: ['c.yaml'],
    changed: ['a.yaml'],
    removed: ['b.yaml'],
    application: 'changed',
  });
  expect(listing(join(root, 'out/manifests'))).toEqual({ 'a.yaml': `${GENERATED_MARK}\na2\n`, 'c.yaml': `${GENERATED_MARK}\nc\n` });
  expect(readdirSync(join(root, 'out')).sort()).toEqual(['app.yaml', 'manifests']);
});

test('recovery puts back the old set a dead process moved aside, and deletes its staging set', () => {
  const root = tempDir();
  const work = join(root, 'out', WORK_DIR_NAME);
  const pid = deadPid();
  mkdirSync(join(work, `old-${pid}-manifests`), { recursive: true });
  mkdirSync(join(work, `staging-${pid}-manifests`));
  writeFileSync(join(work, `old-${pid}-manifests`, 'a.yaml'), 'old\n');
  writeFileSync(join(work, `staging-${pid}-manifests`, 'a.yaml'), 'half-written');
  // A sibling output's old set in the same work directory is not this output's to take.
  mkdirSync(join(work, `old-${pid}-other`));
  writeFileSync(join(work, `old-${pid}-other`, 'b.yaml'), 'other\n');
  recoverLeftovers(join(root, 'out/manifests'));
  expect(listing(join(root, 'out/manifests'))).toEqual({ 'a.yaml': 'old\n' });
  expect(readdirSync(work)).toEqual([`old-${pid}-other`]);
  recoverLeftovers(join(root, 'out/other'));
  expect(listing(join(root, 'out/other'))).toEqual({ 'b.yaml': 'other\n' });
  expect(existsSync(work)).toBe(false);
});

test("recovery never touches a live process's staging set (it may be mid-write)", () => {
  const root = tempDir();
  const work = join(root, 'out', WORK_DIR_NAME);
  const live = join(work, `staging-${process.ppid}-manifests`); // the test runner's parent: alive
  mkdirSync(live, { recursive: true });
  writeFileSync(join(live, 'a.yaml'), 'in progress');
  recoverLeftovers(join(root, 'out/manifests'));
  expect(listing(live)).toEqual({ 'a.yaml': 'in progress' });
});

test('a file this tool did not write blocks the replacement, naming the file and the way out, also with --force', () => {
  const root = tempDir();
  writeOutput(root, output({ 'a.yaml': 'a\n' }));
  writeFileSync(join(root, 'out/manifests/README.md'), 'mine\n');
  for (const force of [false, true]) {
    expect(() => writeOutput(root, output({ 'a.yaml': 'a2\n' }), { force })).toThrow(
      'out/manifests holds files this tool did not generate: README.md. Synth replaces the whole directory, so it writes only where the directory is absent, empty or holds only files it generated',
    );
  }
  expect(listing(join(root, 'out/manifests'))).toEqual({ 'README.md': 'mine\n', 'a.yaml': `${GENERATED_MARK}\na\n` });
});

test('--force never adopts a subdirectory or a symlink inside the manifests directory', () => {
  const root = tempDir();
  writeOutput(root, output({ 'a.yaml': 'a\n' }));
  mkdirSync(join(root, 'out/manifests/keep'));
  expect(() => writeOutput(root, output({ 'a.yaml': 'a2\n' }), { force: true })).toThrow('out/manifests/keep is a subdirectory');
  const other = tempDir();
  const root2 = tempDir();
  writeOutput(root2, output({ 'a.yaml': 'a\n' }));
  symlinkSync(other, join(root2, 'out/manifests/link'));
  expect(() => writeOutput(root2, output({ 'a.yaml': 'a2\n' }), { force: true })).toThrow('out/manifests/link is a symbolic link');
  expect(readFileSync(join(root, 'out/manifests/a.yaml'), 'utf8')).toBe(`${GENERATED_MARK}\na\n`);
});

test('an existing application file is replaced only when this tool generated it: a hand-written Application is refused, also with --force', () => {
  const root = tempDir();
  mkdirSync(join(root, 'out'));
  writeFileSync(join(root, 'out/app.yaml'), 'apiVersion: argoproj.io/v1alpha1\nkind: Application\n');
  for (const force of [false, true]) {
    expect(() => writeOutput(root, output({ 'a.yaml': 'a\n' }), { force })).toThrow('out/app.yaml exists and was not generated by this tool');
  }
  expect(existsSync(join(root, 'out/manifests'))).toBe(false); // refused before anything was written
  expect(readFileSync(join(root, 'out/app.yaml'), 'utf8')).toBe('apiVersion: argoproj.io/v1alpha1\nkind: Application\n');
});

test("an interrupted run's leftovers never show in git status (the work directory ignores itself)", () => {
  const root = tempDir();
  git(root, 'init', '-q');
  writeOutput(root, output({ 'a.yaml': 'a\n' }));
  git(root, 'add', '-A');
  git(root, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'x');
  // What a SIGKILL mid-write leaves: a staging set, an old set and a temp file in the work dir.
  const work = workDirFor(join(root, 'out/manifests')); // as the writer makes it before staging
  mkdirSync(join(work, 'staging-999999-manifests'), { recursive: true });
  writeFileSync(join(work, 'staging-999999-manifests', 'a.yaml'), 'x');
  writeFileSync(join(work, 'tmp-999999-app.yaml'), 'x');
  expect(git(root, 'status', '--porcelain', '--untracked-files=all')).toBe('');
});
