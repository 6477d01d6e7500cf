// The CLI as the operator runs it: bad input exits non-zero, names the file and field, and
// leaves the committed manifests exactly as they were. Most cases call main() in-process (the
// code bin/ runs); exit codes, signals and crashes are checked on a real separate process.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { DEFAULT_VALUES_FILE, git, PROJECT, runCli, runMain, tempRepo, writeValues, type CliResult } from '../helpers.js';
import { testConcurrently } from '../shell-harness.js';

const base = readFileSync(DEFAULT_VALUES_FILE, 'utf8');
/** Line of jobCredential.item, which the credential's Secret name derives from by default. */
const credentialItemLine = base.split('\n').indexOf('  item: registry-ci-apikey') + 1;

/** Each bad input, as a values-file text (or undefined: the file does not exist). */
const cases: Record<string, { text?: string; expect: RegExp }> = {
  'an unknown key': { text: base.replace('  username: ci-bot', '  usrname: ci-bot'), expect: /bad\.yaml:\d+: jobCredential\.usrname: unknown key "usrname" \(did you mean "username"\?\)/ },
  'a wrong type': { text: base.replace('replicas: 1', 'replicas: one'), expect: /bad\.yaml:\d+: pools\[0\]\.replicas: expected number, got string/ },
  'a negative capacity': { text: base.replace('capacity: 2', 'capacity: -2'), expect: /bad\.yaml:\d+: pools\[0\]\.capacity: expected a whole number >= 1/ },
  'an invalid env var name': { text: base.replace('apiKey: REGISTRY_API_KEY', 'apiKey: REGISTRY API KEY'), expect: /bad\.yaml:\d+: jobCredential\.envVars\.apiKey: expected an environment variable name/ },
  'a duplicate pool name': {
    text: `${base}  - name: forgejo-runner\n    runnerName: other\n    labels: [x]\n`,
    expect: /bad\.yaml:\d+: pools\[1\]\.name: expected a unique pool name/,
  },
  'malformed YAML': { text: base.replace('namespace: forgejo-runner', 'namespace: "forgejo-runner'), expect: /bad\.yaml:\d+: \(document\): malformed YAML/ },
  'an image reference with a space': { text: base.replace('docker:27-dind', 'docker:27 dind'), expect: /bad\.yaml:\d+: images\.dind: expected an image reference/ },
  'a values file that does not exist': { expect: /bad\.yaml: \(document\): cannot read values: file does not exist/ },
  // The usual 1Password title has spaces; the Secret name derives from it. The error is at the
  // line of the field it derives from, shows the derived value and names the field that overrides it.
  'a 1Password item title that derives an invalid Secret name': {
    text: base.replace('  item: registry-ci-apikey', '  item: Registry CI Key'),
    expect: new RegExp(
      `^  values/bad\\.yaml:${credentialItemLine}: jobCredential\\.item: the Secret name defaults to the item title "Registry CI Key", which is not a DNS-1123 subdomain .*; set jobCredential\\.secretName to choose a valid name$`,
      'm',
    ),
  },
  'a grace period shorter than shutdownTimeout': {
    text: base.replace('    shutdownTimeout: 3h', '    shutdownTimeout: 3h\n    terminationGracePeriodSeconds: 30'),
    expect: /bad\.yaml:\d+: pools\[0\]\.terminationGracePeriodSeconds: expected at least 10800 \(shutdownTimeout 3h\), got 30/,
  },
};

describe('bad input: non-zero exit, file and field named, committed output untouched', () => {
  const results = new Map<string, { result: CliResult; status: string; file: string }>();

  beforeAll(async () => {
    // One repo per case, run concurrently: each process is independent.
    await Promise.all(
      Object.entries(cases).map(async ([name, c]) => {
        const repo = tempRepo();
        const file = join(repo, 'values', 'bad.yaml');
        // Outputs of its own: every values file's outputs are checked against every other's, and
        // these cases are about the field, not about a clash with the committed values file.
        const text = c.text?.replace(/^( {2}manifests: ).*$/m, '$1argocd/manifests/bad').replace(/^( {2}application: ).*$/m, '$1argocd/apps/bad.yaml');
        if (text !== undefined) writeValues(join(repo, 'values'), 'bad.yaml', text);
        const result = await runMain(['synth', '--root', repo, '--values', file]);
        results.set(name, { result, status: git(repo, 'status', '--porcelain', '--untracked-files=no'), file });
      }),
    );
  });

  test.each(Object.keys(cases))('%s', (name) => {
    const { result, status } = results.get(name)!;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(cases[name]!.expect);
    expect(result.stderr).toContain('synth: nothing written; the output on disk is unchanged');
    expect(status).toBe('');
  });
});

describe('synth, check and diff', () => {
  test('synth of unchanged values rewrites nothing; check passes', async () => {
    const repo = tempRepo();
    const synth = await runMain(['synth', '--root', repo]);
    expect(synth.code).toBe(0);
    expect(synth.stdout).toBe('values/cluster.yaml -> argocd/manifests/forgejo-runner/ (7 files): unchanged; argocd/apps/forgejo-runner.yaml: unchanged\n');
    expect(git(repo, 'status', '--porcelain')).toBe('');
    const check = await runMain(['check', '--root', repo]);
    expect(check.code).toBe(0);
    expect(check.stdout).toContain('argocd/manifests/forgejo-runner/ and argocd/apps/forgejo-runner.yaml in the working tree match a fresh synth');
  });

  test('one changed byte in a committed manifest fails check with a diff; restoring it passes', async () => {
    const repo = tempRepo();
    const file = join(repo, 'argocd/manifests/forgejo-runner/deployment-forgejo-runner.yaml');
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace('replicas: 1', 'replicas: 2'));
    const drift = await runMain(['check', '--root', repo]);
    expect(drift.code).toBe(1);
    expect(drift.stdout).toMatch(/^-  replicas: 2$/m);
    expect(drift.stdout).toMatch(/^\+  replicas: 1$/m);
    expect(drift.stderr).toContain('in the working tree differ from a fresh synth');
    const diff = await runMain(['diff', '--root', repo]);
    expect(diff.code).toBe(0); // diff only reports
    expect(diff.stdout).toContain('+  replicas: 1');
    expect(diff.stdout).toContain('--- a/argocd/manifests/forgejo-runner/deployment-forgejo-runner.yaml');
    writeFileSync(file, original);
    expect((await runMain(['check', '--root', repo])).code).toBe(0);
    const clean = await runMain(['diff', '--root', repo]);
    expect(clean.stdout).toBe('values/cluster.yaml: no differences\n');
  });

  test('a values change updates the files and removes the files of resources that are gone', async () => {
    const repo = tempRepo();
    const values = join(repo, 'values', 'cluster.yaml');
    // Dropping the jobCredential block removes its ExternalSecret: its file must not linger.
    writeFileSync(values, base.replace(/\njobCredential:\n(?: {2}.*\n|\s*#.*\n)+/, '\n'));
    const result = await runMain(['synth', '--root', repo]);
    expect(result.code).toBe(0);
    // The summary says exactly what happened to which file.
    expect(result.stdout).toBe(
      'values/cluster.yaml -> argocd/manifests/forgejo-runner/ (6 files): changed configmap-forgejo-runner-config.yaml, deployment-forgejo-runner.yaml, ' +
        'kustomization.yaml; ' +
        'removed externalsecret-registry-ci-apikey.yaml; argocd/apps/forgejo-runner.yaml: unchanged\n',
    );
    const status = git(repo, 'status', '--porcelain');
    expect(status).toContain(' D argocd/manifests/forgejo-runner/externalsecret-registry-ci-apikey.yaml');
    expect(status).toContain(' M argocd/manifests/forgejo-runner/deployment-forgejo-runner.yaml');
    expect(readFileSync(join(repo, 'argocd/manifests/forgejo-runner/kustomization.yaml'), 'utf8')).not.toContain('registry-ci-apikey');
  });

  test('a large change is counted, with the first files named, instead of listing thousands of names', async () => {
    const repo = tempRepo();
    const values = join(repo, 'values', 'cluster.yaml');
    // Four more pools: a Deployment, a ConfigMap and a NetworkPolicy each, 12 new files.
    const pools = ['a', 'b', 'c', 'd'].map((n) => `  - name: pool-${n}\n    runnerName: r-${n}\n    labels:\n      - ${n}:docker://node:22\n`).join('');
    writeFileSync(values, `${base.trimEnd()}\n${pools}`);
    const result = await runMain(['synth', '--root', repo]);
    expect(result.code).toBe(0);
    const added = git(repo, 'status', '--porcelain', '--untracked-files=all').split('\n').filter((l) => l.startsWith('??'));
    expect(added).toHaveLength(12);
    expect(result.stdout).toMatch(
      /^values\/cluster\.yaml -> argocd\/manifests\/forgejo-runner\/ \(19 files\): added 12 files: configmap-pool-a-config\.yaml(?:, [a-z0-9-]+\.yaml){9} and 2 more \(git status lists them all\); changed kustomization\.yaml; /,
    );
  });

  test('a file synth did not generate blocks the swap, also with --force (synth writes only where it owns every file)', async () => {
    const repo = tempRepo();
    const foreign = join(repo, 'argocd/manifests/forgejo-runner/notes.md');
    writeFileSync(foreign, 'hand-written\n');
    writeFileSync(join(repo, 'values', 'cluster.yaml'), base.replace('capacity: 2', 'capacity: 3'));
    for (const force of [[], ['--force']]) {
      const refused = await runMain(['synth', '--root', repo, ...force]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('holds files this tool did not generate: notes.md');
      expect(refused.stderr).toContain('synth: nothing written');
      expect(git(repo, 'status', '--porcelain', '--untracked-files=all')).toBe(' M values/cluster.yaml\n?? argocd/manifests/forgejo-runner/notes.md\n');
    }
    // check and diff agree with synth: the same refusal, exit 1.
    for (const command of ['check', 'diff']) {
      const r = await runMain([command, '--root', repo]);
      expect({ command, code: r.code }).toEqual({ command, code: 1 });
      expect(r.stderr).toContain('holds files this tool did not generate: notes.md');
    }
  });

  test('--force is for a renamed values file: it takes over output generated from another values file, which synth otherwise refuses', async () => {
    const repo = tempRepo();
    git(repo, 'mv', 'values/cluster.yaml', 'values/home.yaml');
    const before = git(repo, 'status', '--porcelain', '--untracked-files=all');
    const refused = await runMain(['synth', '--root', repo]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('was generated from values/cluster.yaml, not from values/home.yaml');
    expect(refused.stderr).toContain('pass --force to take its output over');
    expect(git(repo, 'status', '--porcelain', '--untracked-files=all')).toBe(before);
    expect((await runMain(['check', '--root', repo])).code).toBe(1); // check agrees: not what synth would leave
    const forced = await runMain(['synth', '--root', repo, '--force']);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(repo, 'argocd/apps/forgejo-runner.yaml'), 'utf8')).toMatch(/^# Generated by forgejo-runner-cdk8s from values\/home\.yaml /);
    expect((await runMain(['check', '--root', repo])).code).toBe(0);
  });

  testConcurrently('the binary exits non-zero on bad input and 2 on usage errors', async () => {
    const [missing, r] = await Promise.all([runCli(['synth', '--values', 'values/nope.yaml']), runCli(['publish'])]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('values/nope.yaml: (document): cannot read values: file does not exist');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('expected one command, synth, check or diff; got: publish');
  });
});

// The entry point is plain JavaScript, so a Node that cannot strip types (before 22.18, such as
// the Node 20 many machines still come with, or type stripping turned off) reaches its check and
// says in one line what it needs and how to run it here, instead of failing on the first .ts
// import with a stack trace.
const NEEDS = /^forgejo-runner-cdk8s: needs Node >= 22\.18 \(24 recommended\) to run its TypeScript sources; .+\. Run it here with: npx -y -p node@24 -c 'npm run (\w+)'\n$/;

/** A Node on this machine that cannot strip types (e.g. Debian's /usr/bin/node 20), if any. */
const oldNode = (() => {
  const onPath = (process.env.PATH ?? '').split(':').filter(Boolean).map((d) => join(d, 'node'));
  for (const candidate of new Set([...onPath, '/usr/bin/node', '/usr/local/bin/node'])) {
    try {
      const version = execFileSync(candidate, ['-p', 'process.features.typescript ? "" : process.version'], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } }).trim();
      if (version) return { path: candidate, version };
    } catch {
      // not there, or not runnable
    }
  }
  return undefined;
})();

describe('a Node that cannot run TypeScript: one line naming the Node needed and the command, no stack trace', () => {
  testConcurrently('Node 24 with type stripping turned off', async () => {
    const r = await runCli(['check'], { node: [process.execPath, '--no-experimental-strip-types'] });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(NEEDS);
    expect(NEEDS.exec(r.stderr)?.[1]).toBe('check'); // the command it was asked to run
    expect(r.stderr).toContain('has its type stripping turned off');
  });

  const title = oldNode ? `${oldNode.version} (${oldNode.path})` : 'an old Node (skipped: no Node without type stripping on PATH, /usr/bin or /usr/local/bin)';
  (oldNode ? testConcurrently : test.skip)(title, async () => {
    const r = await runCli(['synth'], { node: [oldNode!.path] });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(NEEDS);
    expect(r.stderr).toContain(`this is Node ${oldNode!.version}, which cannot run TypeScript`);
  });
});

describe('values/ holds more than values files', () => {
  test('dotfiles (editor locks, macOS ._ files), a FIFO and a directory are skipped, not read', async () => {
    const repo = tempRepo();
    const dir = join(repo, 'values');
    writeFileSync(join(dir, '._cluster.yaml'), Buffer.from([0, 5, 22, 7, 0xff, 0xfe])); // AppleDouble junk
    symlinkSync('user@host.1234:1700000000', join(dir, '.#cluster.yaml')); // Emacs lock: a dangling symlink
    execFileSync('mkfifo', [join(dir, 'pipe.yaml')]); // reading it would hang forever
    mkdirSync(join(dir, 'old.yaml'));
    const result = await runMain(['synth', '--root', repo]);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('values/cluster.yaml -> argocd/manifests/forgejo-runner/ (7 files): unchanged; argocd/apps/forgejo-runner.yaml: unchanged\n');
  });

  test('a FIFO or directory named with --values is refused at once, not read', async () => {
    const repo = tempRepo();
    execFileSync('mkfifo', [join(repo, 'values', 'pipe.yaml')]);
    const fifo = await runMain(['synth', '--root', repo, '--values', join(repo, 'values', 'pipe.yaml')]);
    expect(fifo.code).toBe(1);
    expect(fifo.stderr).toContain('values/pipe.yaml: (document): cannot read values: is not a regular file, expected a YAML file');
    const dir = await runMain(['synth', '--root', repo, '--values', join(repo, 'values')]);
    expect(dir.stderr).toContain('values: (document): cannot read values: is a directory, expected a YAML file');
  });

  test('a values file that is not UTF-8 is refused with its line', async () => {
    const repo = tempRepo();
    const file = join(repo, 'values', 'latin1.yaml');
    writeFileSync(file, Buffer.concat([Buffer.from(base.replace('k8s-runner', 'k8s-runner-X')).subarray(0, 40), Buffer.from([0xe9]), Buffer.from('\n')]));
    const result = await runMain(['synth', '--root', repo, '--values', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/values\/latin1\.yaml:\d+: \(document\): not valid UTF-8/);
  });
});

describe('paths that are the wrong kind of file: a message, no stack trace, nothing written', () => {
  test.each([
    ['a manifests directory below a file (ENOTDIR)', 'argocd/apps/forgejo-runner.yaml/sub', 'argocd/apps/other.yaml', /argocd\/apps\/forgejo-runner\.yaml\/sub: cannot read the output directory \(ENOTDIR\)/],
    ['an application path that is a directory (EISDIR)', 'argocd/manifests/forgejo-runner', 'argocd/apps', /argocd\/apps is not a regular file/],
  ])('%s', async (_name, manifests, application, expected) => {
    const repo = tempRepo();
    writeFileSync(join(repo, 'values', 'cluster.yaml'), base.replace(/^( {2}manifests: ).*$/m, `$1${manifests}`).replace(/^( {2}application: ).*$/m, `$1${application}`));
    const result = await runMain(['synth', '--root', repo]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(expected);
    expect(result.stderr).toContain('synth: nothing written');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(git(repo, 'status', '--porcelain', '--untracked-files=all')).toBe(' M values/cluster.yaml\n');
  });
});

test('--help states the perimeter and what --force may and may not do', async () => {
  const result = await runMain(['--help']);
  expect(result.code).toBe(0);
  const help = { stdout: result.stdout.replace(/\s+/g, ' ') };
  expect(help.stdout).toContain('must not be, lie inside or contain .git, node_modules, src, bin, test, imports, values, dist, package.json');
  expect(help.stdout).toContain('--force never widens this');
  expect(help.stdout).toContain('take over output generated from ANOTHER values file');
  expect(help.stdout).toContain('It never lets synth replace or delete anything this tool did not generate');
});

describe('cdk8s.yaml', () => {
  test('`cdk8s synth` runs the same safe pipeline, and its delete-before-run output dir is scratch, never argocd/', () => {
    const config = parse(readFileSync(join(PROJECT, 'cdk8s.yaml'), 'utf8'));
    // The CLI never writes to $CDK8S_OUTDIR; the mkdir only makes the (empty) directory cdk8s-cli checks for.
    expect(config.app).toBe('node bin/forgejo-runner-cdk8s.mjs synth && mkdir -p "$CDK8S_OUTDIR"');
    expect(config.output).toBe('cdk8s.out'); // git-ignored scratch
    const manifests = parse(readFileSync(DEFAULT_VALUES_FILE, 'utf8')).output.manifests;
    expect(`${config.output}/`.startsWith(`${manifests}/`) || `${manifests}/`.startsWith(`${config.output}/`)).toBe(false);
  });
});
