// The incremental build decides staleness by content, never by mtime: a source copied with its
// old mtime (cp -p, tar, rsync) must still trigger a rebuild.
import { cpSync, statSync, utimesSync, writeFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { inputHash } from '../../bin/build.mjs';
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
