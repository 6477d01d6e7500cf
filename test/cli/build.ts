// The incremental build decides staleness by content, never by mtime: a source copied with its
// old mtime (cp -p, tar, rsync) must still trigger a rebuild.
import { cpSync, existsSync, readdirSync, statSync, utimesSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DROPPED_FORMATS, importedNames, inputHash } from '../../bin/build.mjs';
import { PROJECT, tempDir } from '../helpers.js';

test('an edit that keeps the old mtime still changes the build hash; identical content gives the same hash', () => {
  const copy = tempDir('frc-build-');
  for (const p of ['src', 'imports', 'tsconfig.json', 'package-lock.json', 'bin/build.mjs']) cpSync(join(PROJECT, p), join(copy, p), { recursive: true });
  const before = inputHash(copy);
  expect(inputHash(copy)).toBe(before);
  const file = join(copy, 'src', 'util', 'duration.ts');
  const { atime, mtime } = statSync(file);
  writeFileSync(file, `${readFileSync(file, 'utf8')}// edited\n`);
  utimesSync(file, atime, mtime); // as cp -p would leave it
  expect(inputHash(copy)).not.toBe(before);
});

test('the bundle leaves out only string formats that no schema validator names, so no validation is skipped', () => {
  // The compiled validators read each format from the `formats` table of @kubernetes-models/validate
  // (`import{formats}from"@kubernetes-models/validate"`, then `formats.int32` or `formats["date-time"]`).
  const dirs = ['kubernetes-models', ...['argo-cd', 'keda', 'external-secrets', 'apimachinery'].map((p) => `@kubernetes-models/${p}`)].map((p) =>
    join(PROJECT, 'node_modules', p, '_schemas'),
  );
  const named = new Set<string>();
  let files = 0;
  for (const dir of dirs) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.js'))) {
      files++;
      for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/\bformats(?:\.([\w$]+)|\["([^"]+)"\])/g)) named.add(m[1] ?? m[2]!);
    }
  }
  expect(files).toBeGreaterThan(900);
  expect([...named].sort()).toEqual(expect.arrayContaining(['byte', 'date-time', 'int32', 'int64', 'quantity'])); // the scan sees them
  expect(DROPPED_FORMATS.filter((f) => named.has(f))).toEqual([]);
});

test('the vendor entries name exactly what our bundle imports, read from its import statements', () => {
  // esbuild's import forms, minified or not; a namespace import takes the whole package.
  const code =
    'import{Construct as a,Node}from"./vendor/constructs.mjs";import*as z from"./vendor/zod.mjs";' +
    'import { parse as p, Document } from "./vendor/yaml.mjs";import{readFileSync}from"node:fs";export{x as y}from"./vendor/diff.mjs";' +
    'export*from"./vendor/cdk8s.mjs";';
  expect(importedNames(code, ['cdk8s', 'constructs', 'diff', 'yaml', 'zod'])).toEqual({
    cdk8s: '*',
    constructs: ['Construct', 'Node'],
    diff: ['x'],
    yaml: ['Document', 'parse'],
    zod: '*',
  });
});

test('our bundle imports every package by name from dist/vendor/, and takes none whole', () => {
  // The build (global setup) recorded what dist/cli.mjs imports. No package is taken whole: our
  // code imports zod through src/util/zod.ts, so only the zod API we use is bundled and run.
  const key = readFileSync(join(PROJECT, 'dist', 'vendor', '.vendor-key'), 'utf8');
  const wanted = JSON.parse(key.slice(0, key.lastIndexOf('}') + 1)) as Record<string, string[] | '*'>;
  expect(Object.entries(wanted).filter(([, names]) => names === '*')).toEqual([]);
  expect(wanted.zod).toEqual(expect.arrayContaining(['strictObject', 'string']));
  const bundle = readFileSync(join(PROJECT, 'dist', 'cli.mjs'), 'utf8');
  expect(importedNames(bundle, Object.keys(wanted))).toEqual(wanted);
  for (const spec of Object.keys(wanted)) expect(existsSync(join(PROJECT, 'dist', 'vendor', `${spec}.mjs`))).toBe(true);
});
