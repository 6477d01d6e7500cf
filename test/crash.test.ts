// Crash safety: a real synth process is SIGKILLed mid-write (after staging the new set, and
// after swapping it in); the committed directory must hold the complete old or new set.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, PROJECT, runCli, runMain, tempRepo } from './helpers.js';

const base = readFileSync(join(PROJECT, 'values', 'indri.yaml'), 'utf8');

describe('crash safety: killed mid-write, the directory is the complete old or new set', () => {
  const tree = (repo: string) => git(repo, 'ls-files', '-s', '--', 'argocd/manifests').trim();

  test.concurrent.each(['staged', 'swapped'] as const)('SIGKILL at %s', async (point) => {
    const repo = tempRepo();
    // The new set differs in content and in files (no zot ExternalSecret).
    writeFileSync(join(repo, 'values', 'indri.yaml'), base.replace(/\nzot:\n(?: {2}.*\n|\s*#.*\n)+/, '\n').replace('capacity: 2', 'capacity: 4'));
    const killed = await runCli(['synth', '--root', repo], { env: { FORGEJO_RUNNER_CDK8S_FAULT: point } });
    expect(killed.signal).toBe('SIGKILL');
    const dir = join(repo, 'argocd/manifests/forgejo-runner');
    const status = git(repo, 'status', '--porcelain', '--', 'argocd/manifests/forgejo-runner');
    if (point === 'staged') {
      expect(status).toBe(''); // old set, byte for byte
    } else {
      // New set, complete: what a clean synth of the same values produces.
      const clean = tempRepo();
      writeFileSync(join(clean, 'values', 'indri.yaml'), readFileSync(join(repo, 'values', 'indri.yaml'), 'utf8'));
      expect((await runMain(['synth', '--root', clean])).code).toBe(0);
      git(repo, 'add', '-A', 'argocd/manifests/forgejo-runner');
      git(clean, 'add', '-A', 'argocd/manifests/forgejo-runner');
      expect(tree(repo)).toBe(tree(clean));
      expect(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')).not.toContain('zot');
    }
    // The next run cleans the leftovers and converges.
    expect((await runMain(['synth', '--root', repo])).code).toBe(0);
    expect(git(repo, 'status', '--porcelain', '--ignored', '--', 'argocd/manifests')).not.toMatch(/staging|\.old-/);
  });
});
