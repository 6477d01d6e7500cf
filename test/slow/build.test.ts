// The build under attack, on a copy of the project (its own src/ and dist/, this project's
// node_modules): a syntax error in src/, and a read-only dist/ (a read-only bind mount in a
// mount namespace of its own: EROFS, which even root cannot write through). Each build error is a
// message with the file, exit 1, no stack trace, and the output on disk unchanged.
// Slow by nature (each case runs esbuild and the type checker, ~1 s of CPU): it runs in
// `npm run test:slow`, which .ci/run runs, not in `npm test`.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT, runCli, tempDir } from '../helpers.js';
import { removeTempDirs } from '../temp-dir.js';

afterAll(removeTempDirs);

/** A copy of the project with its current build (the same inputs, so dist/ is current). */
function projectCopy(): string {
  const dir = tempDir('frc-project-');
  for (const p of ['bin', 'src', 'imports', 'tsconfig.json', 'package.json', 'package-lock.json', 'values', 'argocd', 'examples', 'dist']) {
    cpSync(join(PROJECT, p), join(dir, p), { recursive: true });
  }
  symlinkSync(join(PROJECT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** Every file of the outputs, path -> bytes. */
function outputs(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const top of ['argocd', 'examples']) {
    for (const f of readdirSync(join(dir, top), { recursive: true, withFileTypes: true })) {
      if (f.isFile()) files.set(relative(dir, join(f.parentPath, f.name)), readFileSync(join(f.parentPath, f.name), 'latin1'));
    }
  }
  return files;
}

/** A values edit that a working synth would write (so "nothing written" means something). */
function editValues(dir: string): void {
  const file = join(dir, 'values', 'indri.yaml');
  const text = readFileSync(file, 'utf8');
  expect(text).toContain('capacity: 2');
  writeFileSync(file, text.replace('capacity: 2', 'capacity: 3'));
}

function editSource(dir: string, line: string): void {
  const file = join(dir, 'src', 'util', 'duration.ts');
  writeFileSync(file, `${readFileSync(file, 'utf8')}${line}\n`);
}

const STACK = /^\s+at .+:\d+:\d+\)?$/m;

test('a syntax error in src/ is named with file:line:column by the build; nothing is written', async () => {
  const dir = projectCopy();
  editValues(dir);
  editSource(dir, 'export const broken = ;');
  const before = outputs(dir);
  const r = await runCli(['synth'], { project: dir });
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/^src\/util\/duration\.ts:\d+:\d+: Unexpected ";"$/m);
  expect(r.stderr).toContain('build failed: fix the error above; nothing was written');
  expect(r.stderr).not.toMatch(STACK);
  expect(outputs(dir)).toEqual(before);
});

// `mount` inside `unshare -m` needs CAP_SYS_ADMIN (root, as in CI); elsewhere the cases skip.
const canMount = spawnSync('unshare', ['-m', 'sh', '-c', 'mount --bind . . && mount -o remount,bind,ro .'], { cwd: tempDir('frc-mount-'), stdio: 'ignore' }).status === 0;
const readOnlyDist = ['unshare', '-m', 'sh', '-c', 'mount --bind dist dist && mount -o remount,bind,ro dist && exec "$0" "$@"'];

describe(`a read-only dist/${canMount ? '' : ' (skipped: unshare -m cannot mount here)'}`, () => {
  (canMount ? test : test.skip)('that needs a rebuild: the build says it cannot write dist/ (EROFS); nothing is written', async () => {
    const dir = projectCopy();
    editValues(dir);
    editSource(dir, '// an edit, so the build is stale');
    const before = outputs(dir);
    const r = await runCli(['synth'], { project: dir, wrap: readOnlyDist });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^dist\/: cannot write the build: read-only file system \(EROFS\)/m);
    expect(r.stderr).toContain('nothing was written');
    expect(r.stderr).not.toMatch(STACK);
    expect(outputs(dir)).toEqual(before);
  });

  (canMount ? test : test.skip)('with a current build: synth only reads dist/, so it runs and writes the output', async () => {
    const dir = projectCopy();
    editValues(dir);
    const r = await runCli(['synth'], { project: dir, wrap: readOnlyDist });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('changed configmap-forgejo-runner-config.yaml');
  });
});

test('an edit made while a build runs is built by the next run (the stamp holds the hash read before building)', () => {
  const dir = projectCopy();
  editSource(dir, '// an edit, so the build is stale');
  const script = `
    import { appendFileSync, readFileSync } from 'node:fs';
    const b = await import('./bin/build.mjs');
    const first = await b.ensureBuilt(); // bundled; the type check may still run
    appendFileSync('src/util/duration.ts', '// a second edit, made before the build finished\\n');
    const checked = await first.typeChecked;
    const again = await b.ensureBuilt();
    await again.typeChecked;
    const current = readFileSync('dist/.build-hash', 'utf8').trim() === b.inputHash();
    console.log(JSON.stringify({ first: first.rebuilt, checked, again: again.rebuilt, current }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  expect(r.stderr).toBe('');
  expect(JSON.parse(r.stdout)).toEqual({ first: true, checked: true, again: true, current: true });
});
