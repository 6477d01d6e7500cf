// The warm-synth shortcut answers "unchanged" only when inputs and outputs are byte-identical to
// the last successful synth; anything else takes the full path.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../src/cli.js';
import { fastSynth } from '../src/synth-cache.js';
import { git, runMain, tempDir, tempRepo } from './helpers.js';

async function primed() {
  const repo = tempRepo();
  const dir = tempDir('frc-cache-');
  const cache = { stamp: join(dir, '.build-stamp'), file: join(dir, 'synth-cache.json') };
  writeFileSync(cache.stamp, 'build 1\n');
  expect(await main(['synth', '--root', repo], { io: { out: () => {}, err: () => {} }, env: {}, cache })).toBe(0);
  return { repo, cache, fast: (argv = ['synth', '--root', repo], env = {}) => fastSynth(argv, env, cache) };
}

test('an unchanged synth is answered from the cache with the full synth\'s summary', async () => {
  const { fast } = await primed();
  expect(fast()).toEqual(['values/indri.yaml -> argocd/manifests/forgejo-runner/ (7 files) unchanged, argocd/apps/forgejo-runner.yaml unchanged']);
});

test('a hand-edited output file misses the cache, and the full synth repairs it', async () => {
  const { repo, fast } = await primed();
  appendFileSync(join(repo, 'argocd/manifests/forgejo-runner/deployment-forgejo-runner.yaml'), '# edit\n');
  expect(fast()).toBeUndefined();
  expect((await runMain(['synth', '--root', repo])).code).toBe(0);
  expect(git(repo, 'status', '--porcelain')).toBe('');
});

test('an extra file in the output directory misses the cache', async () => {
  const { repo, fast } = await primed();
  writeFileSync(join(repo, 'argocd/manifests/forgejo-runner/extra.yaml'), 'x: 1\n');
  expect(fast()).toBeUndefined();
});

test('a changed values file or a new build misses the cache', async () => {
  const { cache, fast } = await primed();
  writeFileSync(cache.stamp, 'build 2\n');
  expect(fast()).toBeUndefined();
  const again = await primed();
  appendFileSync(join(again.repo, 'values/indri.yaml'), '\n');
  expect(again.fast()).toBeUndefined();
});

test('only a plain synth takes the shortcut (not --force, check, a fault test or the cdk8s CLI)', async () => {
  const { repo, fast } = await primed();
  expect(fast(['synth', '--root', repo, '--force'])).toBeUndefined();
  expect(fast(['check', '--root', repo])).toBeUndefined();
  expect(fast(['synth', '--root', repo], { FORGEJO_RUNNER_CDK8S_FAULT: 'staged' })).toBeUndefined();
  expect(fast(['synth', '--root', repo], { CDK8S_OUTDIR: 'dist/cdk8s.out' })).toBeUndefined();
});

test('naming the default values file explicitly is the same input, so the same answer', async () => {
  const { repo, fast } = await primed();
  expect(fast(['synth', '--root', repo, '--values', join(repo, 'values/indri.yaml')])).toHaveLength(1);
});
