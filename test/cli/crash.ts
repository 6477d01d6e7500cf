// Crash safety: a real synth process is SIGKILLed mid-write (after staging the new set, after
// moving the old set aside, after renaming the new set in). Its leftovers never show in
// `git status`, and the next run converges to exactly the output of a clean synth.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { git, PROJECT, runCli, runMain, tempRepo } from '../helpers.js';

const base = readFileSync(join(PROJECT, 'values', 'indri.yaml'), 'utf8');

describe('crash safety: killed mid-write, the next run converges and leftovers stay out of git', () => {
  const tree = (repo: string) => {
    git(repo, 'add', '-A', 'argocd');
    return git(repo, 'ls-files', '-s', '--', 'argocd').trim();
  };

  test.concurrent.each(['staged', 'aside', 'swapped'] as const)('SIGKILL at %s', async (point) => {
    const repo = tempRepo();
    // The new set differs in content and in files (no zot ExternalSecret).
    const values = base.replace(/\nzot:\n(?: {2}.*\n|\s*#.*\n)+/, '\n').replace('capacity: 2', 'capacity: 4');
    writeFileSync(join(repo, 'values', 'indri.yaml'), values);
    const killed = await runCli(['synth', '--root', repo], { env: { FORGEJO_RUNNER_CDK8S_FAULT: point } });
    expect(killed.signal).toBe('SIGKILL');
    // Only the output itself may differ (old set, missing between the renames, or new set):
    // never a staging set, a lock or a temp file.
    const status = git(repo, 'status', '--porcelain', '--untracked-files=all');
    expect(status).not.toMatch(/forgejo-runner-cdk8s|staging|old-|tmp-|lock/);
    if (point === 'staged') expect(status).toBe(' M values/indri.yaml\n');
    // The next run recovers (restoring the old set if it was aside) and writes the new set.
    expect((await runMain(['synth', '--root', repo])).code).toBe(0);
    const clean = tempRepo();
    writeFileSync(join(clean, 'values', 'indri.yaml'), values);
    expect((await runMain(['synth', '--root', clean])).code).toBe(0);
    expect(tree(repo)).toBe(tree(clean));
    expect(git(repo, 'status', '--porcelain', '--ignored', '--untracked-files=all')).not.toMatch(/forgejo-runner-cdk8s|staging|old-/);
  });
});
