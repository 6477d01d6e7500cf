// The writer on its own: all-or-nothing replacement, with and without the atomic exchange.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { exchangeDirectories, pythonForExchange } from '../src/output/exchange.js';
import { GENERATED_MARK, type RenderedOutput } from '../src/output/render.js';
import { recoverInterruptedSwap, writeOutput } from '../src/output/writer.js';
import { tempDir } from './helpers.js';

const output = (files: Record<string, string>): RenderedOutput => ({
  manifestsDir: 'out/manifests',
  manifests: Object.entries(files).map(([path, text]) => ({ path, text: `${GENERATED_MARK}\n${text}` })),
  application: { path: 'out/app.yaml', text: `${GENERATED_MARK}\napp\n` },
});
const listing = (dir: string) => Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), 'utf8')]));

test('the first write creates the directory and the application file', () => {
  const root = tempDir();
  expect(writeOutput(root, output({ 'a.yaml': 'a\n' }))).toEqual({ manifestsChanged: true, applicationChanged: true });
  expect(listing(join(root, 'out/manifests'))).toEqual({ 'a.yaml': `${GENERATED_MARK}\na\n` });
  expect(readFileSync(join(root, 'out/app.yaml'), 'utf8')).toBe(`${GENERATED_MARK}\napp\n`);
});

test('equal bytes: nothing is touched (no staging, no swap)', () => {
  const root = tempDir();
  writeOutput(root, output({ 'a.yaml': 'a\n' }));
  expect(writeOutput(root, output({ 'a.yaml': 'a\n' }))).toEqual({ manifestsChanged: false, applicationChanged: false });
});

test('a replacement removes files of resources that are gone and leaves no staging directory', () => {
  const root = tempDir();
  writeOutput(root, output({ 'a.yaml': 'a\n', 'b.yaml': 'b\n' }));
  writeOutput(root, output({ 'a.yaml': 'a2\n' }));
  expect(listing(join(root, 'out/manifests'))).toEqual({ 'a.yaml': `${GENERATED_MARK}\na2\n` });
  expect(readdirSync(join(root, 'out')).sort()).toEqual(['app.yaml', 'manifests']);
});

test('the atomic exchange swaps two directories in one step', () => {
  const root = tempDir();
  mkdirSync(join(root, 'x'));
  mkdirSync(join(root, 'y'));
  writeFileSync(join(root, 'x', 'f'), 'x');
  writeFileSync(join(root, 'y', 'f'), 'y');
  // Where python3 is missing the writer falls back (next test); where it exists, the exchange must work.
  const hasPython = pythonForExchange() !== undefined;
  expect(exchangeDirectories(join(root, 'x'), join(root, 'y'))).toBe(hasPython);
  if (!hasPython) return;
  expect(readFileSync(join(root, 'x', 'f'), 'utf8')).toBe('y');
  expect(readFileSync(join(root, 'y', 'f'), 'utf8')).toBe('x');
});

test('without the exchange (no python3), the two-rename fallback gives the same result', () => {
  const root = tempDir();
  writeOutput(root, output({ 'a.yaml': 'a\n', 'b.yaml': 'b\n' }));
  process.env.FORGEJO_RUNNER_CDK8S_PYTHON = ''; // as on a machine without python3
  try {
    expect(exchangeDirectories(join(root, 'out'), join(root, 'out'))).toBe(false);
    writeOutput(root, output({ 'c.yaml': 'c\n' }));
  } finally {
    delete process.env.FORGEJO_RUNNER_CDK8S_PYTHON;
  }
  expect(listing(join(root, 'out/manifests'))).toEqual({ 'c.yaml': `${GENERATED_MARK}\nc\n` });
  expect(readdirSync(join(root, 'out')).sort()).toEqual(['app.yaml', 'manifests']);
});

test('recovery after a death between the fallback\'s two renames restores the old set', () => {
  const root = tempDir();
  const target = join(root, 'out/manifests');
  const backup = join(root, 'out/.manifests.old-4242');
  const staging = join(root, 'out/.manifests.staging-4242');
  mkdirSync(backup, { recursive: true });
  mkdirSync(staging);
  writeFileSync(join(backup, 'a.yaml'), 'old\n');
  writeFileSync(join(staging, 'a.yaml'), 'half-written');
  recoverInterruptedSwap(target);
  expect(listing(target)).toEqual({ 'a.yaml': 'old\n' });
  expect(existsSync(backup)).toBe(false);
  expect(existsSync(staging)).toBe(false);
});

test('a file this tool did not write blocks the replacement, naming the file and the way out', () => {
  const root = tempDir();
  writeOutput(root, output({ 'a.yaml': 'a\n' }));
  writeFileSync(join(root, 'out/manifests/README.md'), 'mine\n');
  expect(() => writeOutput(root, output({ 'a.yaml': 'a2\n' }))).toThrow(
    'out/manifests holds files this tool did not generate: README.md. Synth replaces the whole directory; move them elsewhere, or pass --force',
  );
  expect(listing(join(root, 'out/manifests'))).toEqual({ 'README.md': 'mine\n', 'a.yaml': `${GENERATED_MARK}\na\n` });
  writeOutput(root, output({ 'a.yaml': 'a2\n' }), { force: true });
  expect(listing(join(root, 'out/manifests'))).toEqual({ 'a.yaml': `${GENERATED_MARK}\na2\n` });
});
