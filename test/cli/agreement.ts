// check, diff and synth agree on every state of the working tree: what check calls a match, synth
// calls unchanged, byte for byte; what synth refuses, check and diff refuse. And orphaned output
// (generated files no values file produces any more) is removed by synth and reported by both.
import { mkdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_VALUES_FILE, git, runMain, tempRepo } from '../helpers.js';

const base = readFileSync(DEFAULT_VALUES_FILE, 'utf8');
const APP = 'argocd/apps/forgejo-runner.yaml';
const CREDENTIAL = 'argocd/manifests/forgejo-runner/externalsecret-registry-ci-apikey.yaml';

/** check, diff and synth on one state (synth last: it may change it). */
async function allThree(repo: string) {
  const [check, diff] = [await runMain(['check', '--root', repo]), await runMain(['diff', '--root', repo])];
  const synth = await runMain(['synth', '--root', repo]);
  return { check, diff, synth };
}

describe('check, diff and synth agree', () => {
  test('an application file that is a symlink to an identical file: all three refuse it, exit 1, nothing changed', async () => {
    const repo = tempRepo();
    renameSync(join(repo, APP), join(repo, 'argocd/apps/real.yaml'));
    symlinkSync('real.yaml', join(repo, APP));
    const before = git(repo, 'status', '--porcelain', '--untracked-files=all');
    const { check, diff, synth } = await allThree(repo);
    for (const [name, r] of Object.entries({ check, diff, synth })) {
      expect({ name, code: r.code }).toEqual({ name, code: 1 });
      expect(r.stderr).toContain(`values/cluster.yaml: ${APP} is a symbolic link; synth writes only regular files it generated (also with --force)`);
    }
    expect(git(repo, 'status', '--porcelain', '--untracked-files=all')).toBe(before);
  });

  test('a manifest that is a symlink to an identical file: all three refuse it', async () => {
    const repo = tempRepo();
    renameSync(join(repo, CREDENTIAL), join(repo, 'argocd/credential.yaml'));
    symlinkSync('../../credential.yaml', join(repo, CREDENTIAL));
    const { check, diff, synth } = await allThree(repo);
    for (const [name, r] of Object.entries({ check, diff, synth })) {
      expect({ name, code: r.code }).toEqual({ name, code: 1 });
      expect(r.stderr).toContain(`${CREDENTIAL} is a symbolic link`);
    }
  });

  test('a committed file with an invalid UTF-8 byte where synth writes U+FFFD: check fails, diff says the bytes differ, synth rewrites it', async () => {
    const repo = tempRepo();
    // A 1Password item title is free text: U+FFFD is a valid character there.
    writeFileSync(join(repo, 'values', 'cluster.yaml'), base.replace('  item: registry-ci-apikey', '  item: "registry-ci-apikey\uFFFD"\n  secretName: registry-ci-apikey'));
    expect((await runMain(['synth', '--root', repo])).code).toBe(0);
    const good = readFileSync(join(repo, CREDENTIAL));
    const at = good.indexOf(Buffer.from('\uFFFD'));
    expect(at).toBeGreaterThan(0);
    const bad = Buffer.concat([good.subarray(0, at), Buffer.from([0xff]), good.subarray(at + 3)]);
    expect(bad.toString('utf8')).toBe(good.toString('utf8')); // decoded, the two look the same
    writeFileSync(join(repo, CREDENTIAL), bad);
    const { check, diff, synth } = await allThree(repo);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('differ from a fresh synth');
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain(`# ${CREDENTIAL}: the bytes differ where the text looks the same (the file on disk is not valid UTF-8); synth rewrites it`);
    expect(synth.code).toBe(0);
    expect(synth.stdout).toContain('changed externalsecret-registry-ci-apikey.yaml');
    expect(readFileSync(join(repo, CREDENTIAL)).equals(good)).toBe(true);
    expect((await runMain(['check', '--root', repo])).code).toBe(0);
  });

  test('on a clean tree: check matches, diff is empty, synth is unchanged', async () => {
    const repo = tempRepo();
    const { check, diff, synth } = await allThree(repo);
    expect([check.code, diff.stdout, synth.stdout]).toEqual([
      0,
      'values/cluster.yaml: no differences\n',
      'values/cluster.yaml -> argocd/manifests/forgejo-runner/ (7 files): unchanged; argocd/apps/forgejo-runner.yaml: unchanged\n',
    ]);
  });
});

describe('orphaned output: generated files no values file produces any more', () => {
  /** A repo with a second cluster's output synthesized and committed. */
  async function repoWithSecond(): Promise<string> {
    const repo = tempRepo();
    writeFileSync(
      join(repo, 'values', 'second.yaml'),
      base
        .replace(/^( {2}manifests: ).*$/m, '$1argocd/manifests/second')
        .replace(/^( {2}application: ).*$/m, '$1argocd/apps/second.yaml')
        .replace(/^namespace: .*$/m, 'namespace: second'),
    );
    expect((await runMain(['synth', '--root', repo])).code).toBe(0);
    git(repo, 'add', '-A');
    git(repo, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'second');
    return repo;
  }

  test('a deleted values file: check fails and diff shows the deletions; synth removes exactly its output and says so; then check passes', async () => {
    const repo = await repoWithSecond();
    rmSync(join(repo, 'values', 'second.yaml'));
    const check = await runMain(['check', '--root', repo]);
    expect(check.code).toBe(1);
    expect(check.stderr).toContain('argocd/manifests/second/ (7 files): generated from values/second.yaml, and no values file produces it any more; `npm run synth` removes it');
    expect(check.stderr).toContain('argocd/apps/second.yaml: generated from values/second.yaml, and no values file produces it any more');
    const diff = await runMain(['diff', '--root', repo]);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('--- a/argocd/manifests/second/kustomization.yaml\n+++ /dev/null');
    expect(diff.stdout).toContain('--- a/argocd/apps/second.yaml\n+++ /dev/null');
    const synth = await runMain(['synth', '--root', repo]);
    expect(synth.code).toBe(0);
    expect(synth.stdout).toContain('argocd/manifests/second/ (7 files): generated from values/second.yaml, and no values file produces it any more: removed');
    expect(synth.stdout).toContain('argocd/apps/second.yaml: generated from values/second.yaml, and no values file produces it any more: removed');
    const status = git(repo, 'status', '--porcelain', '--untracked-files=all').split('\n').filter(Boolean);
    expect(status).toHaveLength(9); // the values file, 7 manifests, the Application: all deleted, nothing else touched
    expect(status.every((l) => l.startsWith(' D ') && /values\/second\.yaml|argocd\/manifests\/second\/|argocd\/apps\/second\.yaml/.test(l))).toBe(true);
    expect((await runMain(['check', '--root', repo])).code).toBe(0);
  });

  test('output paths changed: the new ones are written and the old ones removed in one synth', async () => {
    const repo = await repoWithSecond();
    const file = join(repo, 'values', 'second.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('argocd/manifests/second', 'argocd/manifests/second-moved'));
    const synth = await runMain(['synth', '--root', repo]);
    expect(synth.code).toBe(0);
    expect(synth.stdout).toContain('values/second.yaml -> argocd/manifests/second-moved/ (7 files): added');
    expect(synth.stdout).toContain('argocd/manifests/second/ (7 files): generated from values/second.yaml, and no values file produces it any more: removed');
    expect((await runMain(['check', '--root', repo])).code).toBe(0);
  });

  test('an orphaned directory holding a file this tool did not generate is left in place and said so', async () => {
    const repo = await repoWithSecond();
    rmSync(join(repo, 'values', 'second.yaml'));
    writeFileSync(join(repo, 'argocd/manifests/second/NOTES.md'), 'mine\n');
    const synth = await runMain(['synth', '--root', repo]);
    expect(synth.code).toBe(0);
    expect(synth.stderr).toContain('argocd/manifests/second/: holds entries this tool did not generate (NOTES.md): left in place');
    expect(readFileSync(join(repo, 'argocd/manifests/second/NOTES.md'), 'utf8')).toBe('mine\n');
    expect(git(repo, 'status', '--porcelain', '--untracked-files=all', '--', 'argocd/manifests/second')).toBe('?? argocd/manifests/second/NOTES.md\n');
  });

  test('output of a values file synth was not given (it exists, outside values/) is not an orphan', async () => {
    const repo = tempRepo();
    mkdirSync(join(repo, 'config'));
    const other = join(repo, 'config', 'lab.yaml');
    writeFileSync(other, base.replace(/^( {2}manifests: ).*$/m, '$1argocd/manifests/lab').replace(/^( {2}application: ).*$/m, '$1argocd/apps/lab.yaml').replace(/^namespace: .*$/m, 'namespace: lab'));
    expect((await runMain(['synth', '--root', repo, '--values', other])).code).toBe(0);
    const before = git(repo, 'status', '--porcelain', '--untracked-files=all');
    const synth = await runMain(['synth', '--root', repo]);
    expect(synth.code).toBe(0);
    expect(synth.stderr).toContain('argocd/manifests/lab: generated from config/lab.yaml, which synth did not read: left in place');
    expect(git(repo, 'status', '--porcelain', '--untracked-files=all')).toBe(before);
  });

  test('synth of one values file (--values) removes no output of another values file of the repository', async () => {
    const repo = await repoWithSecond();
    const synth = await runMain(['synth', '--root', repo, '--values', join(repo, 'values', 'cluster.yaml')]);
    expect(synth.code).toBe(0);
    expect(synth.stdout).not.toContain('removed');
    expect(git(repo, 'status', '--porcelain', '--untracked-files=all')).toBe('');
  });
});
