// The CLI runs src/ as written (Node strips the types as it loads each file; no build), on a copy
// of the project with this project's node_modules: an edit to a .ts file shows in the very next
// synth, with no other command, even with Node's module compile cache holding the code of the
// edited file from the run before; nothing creates dist/; and a syntax error in src/ (or syntax
// Node cannot strip) is one line with file:line:column, exit 1, no stack trace, nothing written.
// Slow by nature (each case starts the real CLI on a cold copy, ~1 s of CPU): it runs in
// `npm run test:slow`, which .ci/run runs, not in `npm test`.
import { cpSync, existsSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PROJECT, runCli, tempRepo } from '../helpers.js';
import { removeTempDirs } from '../temp-dir.js';

afterAll(removeTempDirs);

/**
 * A copy of what a fresh clone holds (no dist/, no lib/), with this project's node_modules and the
 * tests' own values and output (tempRepo(): values/cluster.yaml, argocd/), not the operator's.
 */
function projectCopy(): string {
  const dir = tempRepo();
  for (const p of ['bin', 'src', 'imports', 'tsconfig.json', 'package.json']) {
    cpSync(join(PROJECT, p), join(dir, p), { recursive: true });
  }
  symlinkSync(join(PROJECT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** Every file of the outputs, path -> text. */
function outputs(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const top of ['argocd']) {
    for (const f of readdirSync(join(dir, top), { recursive: true, withFileTypes: true })) {
      if (f.isFile()) files.set(relative(dir, join(f.parentPath, f.name)), readFileSync(join(f.parentPath, f.name), 'latin1'));
    }
  }
  return files;
}

function editSource(dir: string, file: string, edit: (text: string) => string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  const edited = edit(text);
  expect(edited).not.toBe(text); // the edit applies, so the test can fail
  writeFileSync(path, edited);
}

const STACK = /^\s+at .+:\d+:\d+\)?$/m;
const TOKEN_NOTE = 'Runner registration token (1Password';

test('a .ts edit shows in the next synth with no other command; nothing creates dist/', async () => {
  const dir = projectCopy();
  const first = await runCli(['synth'], { project: dir });
  expect(first.stderr).toBe('');
  expect(first.code).toBe(0); // this run left the compiled code of every module in the compile cache
  const before = outputs(dir);
  editSource(dir, 'src/constructs/runner-registration.ts', (t) => t.replace(TOKEN_NOTE, `Edited: ${TOKEN_NOTE}`));
  const r = await runCli(['synth'], { project: dir });
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toContain('changed externalsecret-forgejo-runner-env.yaml');
  const after = outputs(dir);
  const changed = [...after.keys()].filter((f) => after.get(f) !== before.get(f));
  // Exactly the token-registration ExternalSecret of the copy's one values file changes.
  expect(changed).toEqual(['argocd/manifests/forgejo-runner/externalsecret-forgejo-runner-env.yaml']);
  for (const f of changed) expect(after.get(f)).toContain(`# Edited: ${TOKEN_NOTE}`);
  expect(existsSync(join(dir, 'dist'))).toBe(false);
});

test.each([
  ['a syntax error', 'export const broken = ;', /^src\/util\/duration\.ts:(\d+):23: Expression expected \(ERR_INVALID_TYPESCRIPT_SYNTAX\)$/m],
  ['an enum (syntax Node cannot strip; tsc rejects it too: erasableSyntaxOnly)', 'export enum Unit { S }', /^src\/util\/duration\.ts:(\d+):8: TypeScript enum is not supported in strip-only mode \(ERR_UNSUPPORTED_TYPESCRIPT_SYNTAX\)$/m],
])('%s in src/ is named with file:line:column; no stack trace, nothing written', async (_name, line, expected) => {
  const dir = projectCopy();
  const values = join(dir, 'values', 'cluster.yaml');
  const text = readFileSync(values, 'utf8');
  expect(text).toContain('capacity: 2');
  writeFileSync(values, text.replace('capacity: 2', 'capacity: 3')); // an edit a working synth would write
  const lines = readFileSync(join(dir, 'src', 'util', 'duration.ts'), 'utf8').split('\n').length;
  editSource(dir, 'src/util/duration.ts', (t) => `${t}${line}\n`);
  const before = outputs(dir);
  const r = await runCli(['synth'], { project: dir });
  expect(r.code).toBe(1);
  expect(Number(expected.exec(r.stderr)?.[1])).toBe(lines); // the appended line, counted from 1
  expect(r.stderr).toContain('src/ could not be loaded (above); nothing was written');
  expect(r.stderr).not.toMatch(STACK);
  expect(outputs(dir)).toEqual(before);
});
