// The hostile values file: every output path a values file may name is attacked here, with and
// without --force. Each attack must exit non-zero, name the values file, line and field, and leave
// every byte of the repository (.git included) and of a canary directory beside it unchanged.
// Then the paths around the outputs: foreign directories (allow-list, not deny-list), another
// values file's outputs, committed symlinks where the work directory goes, and environment
// variables that once redirected writes.
import { createHash } from 'node:crypto';
import { cpSync, lstatSync, rmSync, mkdirSync, readdirSync, readFileSync, readlinkSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DEFAULT_VALUES_FILE, git, runCli, runMain, tempDir, tempRepo } from '../helpers.js';
import { testConcurrently } from '../shell-harness.js';

const base = readFileSync(DEFAULT_VALUES_FILE, 'utf8');
const withOutput = (manifests: string, application = 'argocd/apps/forgejo-runner.yaml') =>
  base
    .replace(/^( {2}manifests: ).*$/m, `$1${JSON.stringify(manifests)}`)
    .replace(/^( {2}application: ).*$/m, `$1${JSON.stringify(application)}`);

/** The pid of a process that has exited (no live process owns it, barring reuse). */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

/** Hash of every entry under a directory: names, types, bytes, symlink targets. */
function treeHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      hash.update(`${p.slice(dir.length)}\0${st.mode}\0`);
      if (st.isSymbolicLink()) hash.update(readlinkSync(p));
      else if (st.isDirectory()) walk(p);
      else hash.update(readFileSync(p));
    }
  };
  walk(dir);
  return hash.digest('hex');
}

/** A repo with the project's protected entries and a canary directory beside it (made once, then copied). */
let template: string | undefined;
function hostileRepo(): { repo: string; canary: string } {
  template ??= makeHostileTemplate();
  const parent = tempDir('frc-hostile-');
  cpSync(template, parent, { recursive: true, verbatimSymlinks: true });
  return { repo: join(parent, 'repo'), canary: join(parent, 'canary') };
}

function makeHostileTemplate(): string {
  const parent = tempDir('frc-hostile-template-');
  const repo = join(parent, 'repo');
  cpSync(tempRepo(), repo, { recursive: true });
  for (const dir of ['src', 'bin', 'test', 'imports', 'node_modules/x', 'dist']) {
    mkdirSync(join(repo, dir), { recursive: true });
    writeFileSync(join(repo, dir, 'keep.txt'), `${dir}\n`);
  }
  writeFileSync(join(repo, 'package.json'), '{"name":"x"}\n');
  // Directories that are no output's but are not on any deny-list either.
  mkdirSync(join(repo, '.ci'));
  writeFileSync(join(repo, '.ci', 'run'), '#!/bin/sh\nnpm test\n');
  mkdirSync(join(repo, 'scripts', 'dotenv-go-check'), { recursive: true });
  writeFileSync(join(repo, 'scripts', 'dotenv-go-check', 'main.go'), 'package main\n');
  const canary = join(parent, 'canary');
  mkdirSync(join(canary, 'manifests'), { recursive: true });
  writeFileSync(join(canary, 'manifests', 'precious.yaml'), 'do not touch\n');
  symlinkSync('../canary', join(repo, 'escape')); // a committed symlink that points outside
  git(repo, 'add', '-A');
  git(repo, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'hostile');
  git(repo, 'repack', '-adq'); // one pack instead of a directory per object: fewer entries to copy and hash
  git(repo, 'prune-packed');
  return parent;
}

/** Each attack: the values files to write (name -> text) and the field the message must name. */
const attacks: Record<string, { files: Record<string, string>; field: RegExp; setup?: (repo: string, canary: string) => void }> = {
  'manifests at the root (.)': { files: { 'cluster.yaml': withOutput('.') }, field: /values\/cluster\.yaml:\d+: output\.manifests: "\." is the repository root/ },
  'manifests at ./ spelled oddly (argocd/..)': { files: { 'cluster.yaml': withOutput('argocd/..') }, field: /values\/cluster\.yaml:\d+: output\.manifests: .*without "\.\."/ },
  'manifests at .git': { files: { 'cluster.yaml': withOutput('.git') }, field: /values\/cluster\.yaml:\d+: output\.manifests: "\.git" is \.git/ },
  'manifests inside .git': { files: { 'cluster.yaml': withOutput('.git/hooks') }, field: /output\.manifests: "\.git\/hooks" lies inside \.git/ },
  'manifests at src': { files: { 'cluster.yaml': withOutput('src') }, field: /output\.manifests: "src" is src/ },
  'manifests at values': { files: { 'cluster.yaml': withOutput('values') }, field: /output\.manifests: "values" is values/ },
  'manifests at bin': { files: { 'cluster.yaml': withOutput('bin') }, field: /output\.manifests: "bin" is bin/ },
  'manifests at node_modules': { files: { 'cluster.yaml': withOutput('node_modules') }, field: /output\.manifests: "node_modules" is node_modules/ },
  'manifests containing src (a parent of it)': { files: { 'cluster.yaml': withOutput('./') }, field: /output\.manifests: "\.\/" is the repository root/ },
  'application at package.json': { files: { 'cluster.yaml': withOutput('argocd/manifests/forgejo-runner', 'package.json') }, field: /output\.application: "package\.json" is package\.json/ },
  'application at the values file itself': {
    files: { 'cluster.yaml': withOutput('argocd/manifests/forgejo-runner', 'values/cluster.yaml') },
    field: /output\.application: "values\/cluster\.yaml" (is|lies inside) values/,
  },
  'application at .git/config': { files: { 'cluster.yaml': withOutput('argocd/manifests/forgejo-runner', '.git/config') }, field: /output\.application: "\.git\/config" lies inside \.git/ },
  'manifests through a committed symlink to outside': {
    files: { 'cluster.yaml': withOutput('escape/manifests') },
    field: /output\.manifests: "escape\/manifests" resolves \(through a symbolic link\) to .*canary\/manifests, outside the repository root/,
  },
  'two values files spelling one directory differently': {
    files: { 'a.yaml': withOutput('argocd/manifests/forgejo-runner', 'argocd/apps/a.yaml'), 'b.yaml': withOutput('./argocd//manifests/forgejo-runner/.', 'argocd/apps/b.yaml') },
    field: /values\/b\.yaml:\d+: output\.manifests: "\.\/argocd\/\/manifests\/forgejo-runner\/\." is the same path as output\.manifests "argocd\/manifests\/forgejo-runner" of values\/a\.yaml/,
  },
  'two values files nesting one output in the other': {
    files: { 'a.yaml': withOutput('argocd/manifests', 'argocd/apps/a.yaml'), 'b.yaml': withOutput('argocd/manifests/forgejo-runner', 'argocd/apps/b.yaml') },
    field: /values\/b\.yaml:\d+: output\.manifests: "argocd\/manifests\/forgejo-runner" lies inside output\.manifests "argocd\/manifests" of values\/a\.yaml/,
  },
  'manifests at .ci (a directory of foreign files; the refusal once suggested --force)': {
    files: { 'cluster.yaml': withOutput('.ci') },
    field: /values\/cluster\.yaml: \.ci holds files this tool did not generate: run\. .*\(also with --force\)/,
  },
  'manifests at scripts/dotenv-go-check': {
    files: { 'cluster.yaml': withOutput('scripts/dotenv-go-check') },
    field: /values\/cluster\.yaml: scripts\/dotenv-go-check holds files this tool did not generate: main\.go/,
  },
  'the application file over a foreign file (.ci/run)': {
    files: { 'cluster.yaml': withOutput('argocd/manifests/forgejo-runner', '.ci/run') },
    field: /values\/cluster\.yaml: \.ci\/run exists and was not generated by this tool/,
  },
  'an output path with a newline in it': {
    files: { 'cluster.yaml': withOutput('argocd/manifests/forgejo-runner\nx') },
    field: /values\/cluster\.yaml:\d+: output\.manifests: "argocd\/manifests\/forgejo-runner\\nx" is not a plain relative path/,
  },
  'an output path with a tab in it': {
    files: { 'cluster.yaml': withOutput('argocd/manifests/forgejo-runner', 'argocd/apps/\tapp.yaml') },
    field: /values\/cluster\.yaml:\d+: output\.application: "argocd\/apps\/\\tapp\.yaml" is not a plain relative path/,
  },
  'an output path with a backslash in it': {
    files: { 'cluster.yaml': withOutput('argocd\\manifests') },
    field: /output\.manifests: "argocd\\\\manifests" is not a plain relative path/,
  },
  'a committed symlink where the root work directory goes': {
    files: { 'cluster.yaml': base.replace('capacity: 2', 'capacity: 3') },
    setup: (repo) => symlinkSync('../canary', join(repo, '.forgejo-runner-cdk8s')),
    field: /synth: \.forgejo-runner-cdk8s is a symbolic link; synth keeps its temporary files and lock in a directory of that name and never follows or replaces anything else there: remove it/,
  },
  'a committed symlink where the work directory beside an output goes (with a leftover-named entry outside)': {
    files: { 'cluster.yaml': base.replace('capacity: 2', 'capacity: 3') },
    setup: (repo, canary) => {
      writeFileSync(join(canary, `tmp-${deadPid()}-forgejo-runner.yaml`), 'outside\n');
      symlinkSync('../../../canary', join(repo, 'argocd', 'manifests', '.forgejo-runner-cdk8s'));
    },
    field: /values\/cluster\.yaml: argocd\/manifests\/\.forgejo-runner-cdk8s is a symbolic link; .* remove it/,
  },
  'a file where the work directory beside the application goes': {
    files: { 'cluster.yaml': base.replace('capacity: 2', 'capacity: 3') },
    setup: (repo) => writeFileSync(join(repo, 'argocd', 'apps', '.forgejo-runner-cdk8s'), 'x\n'),
    field: /values\/cluster\.yaml: argocd\/apps\/\.forgejo-runner-cdk8s is a file; .* remove it/,
  },
  'the application file inside its own manifests directory': {
    files: { 'cluster.yaml': withOutput('argocd/manifests/forgejo-runner', 'argocd/manifests/forgejo-runner/app.yaml') },
    field: /values\/cluster\.yaml:\d+: output\.application: .* lies inside output\.manifests/,
  },
};

describe.each([false, true])('hostile output paths (--force: %s): exit 1, file:line field named, repo and canary byte-identical', (force) => {
  test.each(Object.keys(attacks))('%s', async (name) => {
    const { repo, canary } = hostileRepo();
    for (const [file, text] of Object.entries(attacks[name]!.files)) writeFileSync(join(repo, 'values', file), text);
    if (!('cluster.yaml' in attacks[name]!.files)) rmSync(join(repo, 'values', 'cluster.yaml'));
    attacks[name]!.setup?.(repo, canary);
    const before = [treeHash(repo), treeHash(canary)];
    const result = await runMain(['synth', '--root', repo, ...(force ? ['--force'] : [])]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(attacks[name]!.field);
    expect(result.stderr).toContain('synth: nothing written');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect([treeHash(repo), treeHash(canary)]).toEqual(before);
  });
});

test('a values file outside values/ may not be its own output', async () => {
  const { repo } = hostileRepo();
  mkdirSync(join(repo, 'config'));
  const file = join(repo, 'config', 'cluster.yaml');
  writeFileSync(file, withOutput('argocd/manifests/forgejo-runner', 'config/cluster.yaml'));
  const before = treeHash(repo);
  const result = await runMain(['synth', '--root', repo, '--values', file, '--force']);
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(/config\/cluster\.yaml:\d+: output\.application: "config\/cluster\.yaml" is the values file config\/cluster\.yaml/);
  expect(treeHash(repo)).toBe(before);
});

test('a values file that claims another values file\'s outputs, synthesized alone with --values, is refused (with and without --force)', async () => {
  const { repo, canary } = hostileRepo();
  const second = join(repo, 'values', 'second.yaml');
  writeFileSync(second, base.replace('capacity: 2', 'capacity: 3')); // same output paths as cluster.yaml
  const before = [treeHash(repo), treeHash(canary)];
  for (const force of [[], ['--force']]) {
    const result = await runMain(['synth', '--root', repo, '--values', second, ...force]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/values\/second\.yaml:\d+: output\.manifests: "argocd\/manifests\/forgejo-runner" is the same path as output\.manifests "argocd\/manifests\/forgejo-runner" of values\/cluster\.yaml/);
    expect(result.stderr).toMatch(/values\/second\.yaml:\d+: output\.application: "argocd\/apps\/forgejo-runner\.yaml" is the same path as output\.application/);
    expect(result.stderr).toContain('synth: nothing written');
    expect([treeHash(repo), treeHash(canary)]).toEqual(before);
  }
});

test('a values file with an upper-case extension (values/prod.YAML) is synthesized, not silently skipped', async () => {
  const repo = tempRepo();
  writeFileSync(join(repo, 'values', 'prod.YAML'), withOutput('argocd/manifests/prod', 'argocd/apps/prod.yaml').replace('namespace: forgejo-runner', 'namespace: forgejo-runner-prod'));
  const result = await runMain(['synth', '--root', repo]);
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/^values\/prod\.YAML -> argocd\/manifests\/prod\/ \(7 files\): added /m);
  expect(readFileSync(join(repo, 'argocd/apps/prod.yaml'), 'utf8')).toMatch(/^# Generated by forgejo-runner-cdk8s from values\/prod\.YAML /);
});

describe('CDK8S_OUTDIR never moves a write (the CLI ignores it; cdk8s-cli sets its own)', () => {
  test.each([
    ['a folder outside the repository', (_repo: string, canary: string) => canary],
    ['values', (repo: string) => join(repo, 'values')],
    ['.git/hooks', (repo: string) => join(repo, '.git', 'hooks')],
  ])('CDK8S_OUTDIR=%s: synth writes only its outputs; repo and canary unchanged; the next synth works', async (_name, dir) => {
    const { repo, canary } = hostileRepo();
    const before = [treeHash(repo), treeHash(canary)];
    const env = { CDK8S_OUTDIR: dir(repo, canary) };
    const first = await runMain(['synth', '--root', repo], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const again = await runMain(['synth', '--root', repo], env);
    expect(again.code).toBe(0);
    expect([treeHash(repo), treeHash(canary)]).toEqual(before);
  });

  testConcurrently('the real binary with CDK8S_OUTDIR set in the shell writes nothing there', async () => {
    const { repo, canary } = hostileRepo();
    const before = [treeHash(repo), treeHash(canary)];
    const result = await runCli(['synth', '--root', repo], { env: { CDK8S_OUTDIR: canary } });
    expect(result.code).toBe(0);
    expect([treeHash(repo), treeHash(canary)]).toEqual(before);
  });
});
