// Crash safety: a real synth process is SIGKILLed mid-write (after staging the new set, after
// moving the old set aside, after renaming the new set in). Its leftovers never show in
// `git status`, and the next run converges to exactly the output of a clean synth.
// Slow by nature (three real CLI processes, each loading the sources, ~2 s of CPU): it runs in
// `npm run test:slow`, which .ci/run runs, not in `npm test`.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_VALUES_FILE, git, runCli, runMain, tempRepo } from '../helpers.js';
import { removeTempDirs } from '../temp-dir.js';

afterAll(removeTempDirs);

const base = readFileSync(DEFAULT_VALUES_FILE, 'utf8');
/** The new values: they differ in content and in files (no jobCredential ExternalSecret). */
const values = base.replace(/\njobCredential:\n(?: {2}.*\n|\s*#.*\n)+/, '\n').replace('capacity: 2', 'capacity: 4');

describe('crash safety: killed mid-write, the next run converges and leftovers stay out of git', () => {
  const tree = (repo: string) => {
    git(repo, 'add', '-A', 'argocd');
    return git(repo, 'ls-files', '-s', '--', 'argocd').trim();
  };

  /** What a clean synth of the new values leaves: the expectation of every case, made once. */
  let clean: Promise<string> | undefined;
  const cleanTree = () =>
    (clean ??= (async () => {
      const repo = tempRepo();
      writeFileSync(join(repo, 'values', 'cluster.yaml'), values);
      const r = await runMain(['synth', '--root', repo]);
      if (r.code !== 0) throw new Error(`a clean synth of the new values failed: ${r.stderr}`);
      return tree(repo);
    })());

  test.concurrent.each(['staged', 'aside', 'swapped'] as const)('SIGKILL at %s', async (point) => {
    const repo = tempRepo();
    writeFileSync(join(repo, 'values', 'cluster.yaml'), values);
    const killed = await runCli(['synth', '--root', repo], { env: { FORGEJO_RUNNER_CDK8S_FAULT: point } });
    expect(killed.signal).toBe('SIGKILL');
    // Only the output itself may differ (old set, missing between the renames, or new set):
    // never a staging set, a lock or a temp file.
    const status = git(repo, 'status', '--porcelain', '--untracked-files=all');
    expect(status).not.toMatch(/forgejo-runner-cdk8s|staging|old-|tmp-|lock/);
    if (point === 'staged') expect(status).toBe(' M values/cluster.yaml\n');
    // The next run recovers (restoring the old set if it was aside) and writes the new set.
    const next = await runMain(['synth', '--root', repo]);
    expect(next.stderr).toBe('');
    expect(next.code).toBe(0);
    expect(tree(repo)).toBe(await cleanTree());
    expect(git(repo, 'status', '--porcelain', '--ignored', '--untracked-files=all')).not.toMatch(/forgejo-runner-cdk8s|staging|old-/);
  });
});
