// The rendered files as their consumers see them: git (stable bytes, a header saying where they
// come from, no secrets), the operator's yamllint, and kustomize (what Argo CD runs on the
// directory). External tools are skipped with a message when absent, except under CI.
import { dotenvTemplate } from '../../src/constructs/dotenv.js';
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join, relative } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { GENERATED_MARK, render, type RenderedOutput } from '../../src/output/render.js';
import { synthesize, type KubeObject, type Synthesis } from '../../src/synth/synthesize.js';
import { loadValues } from '../../src/values/load.js';
import { defaultValuesFiles } from '../../src/cli.js';
import { DEFAULT_VALUES_FILE, hasShared, PROJECT, runMain, SHARED_REFERENCE, synthWith, tempDir, tempRepo } from '../helpers.js';
import { testConcurrently } from '../shell-harness.js';

/** The values file as the CLI names it in headers (relative to the repository root of tempRepo()). */
const SOURCE = 'values/cluster.yaml';

function renderDefault(): { synthesis: Synthesis; output: RenderedOutput } {
  const { values } = loadValues(DEFAULT_VALUES_FILE);
  const synthesis = synthesize(values);
  return {
    synthesis,
    output: render(synthesis, { manifestsDir: values.output.manifests, applicationFile: values.output.application, source: SOURCE }),
  };
}

const { synthesis, output } = renderDefault();

/** Temporary directories of this file, removed after the run. */
const made: string[] = [];
function tmp(prefix: string): string {
  const dir = tempDir(prefix);
  made.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});
/** A repository holding the fixture values and the output the real CLI wrote for them (test/helpers.ts). */
const REPO = tempRepo();
const COMMITTED_MANIFESTS = join(REPO, output.manifestsDir);

/**
 * This repository's own committed output: one entry per values file synth reads by default
 * (values/*.yaml, examples/*.yaml), whatever clusters a fork has. The tests of the tool use the
 * fixture above; these check what Argo CD is pointed at.
 */
const committedOutputs = defaultValuesFiles(PROJECT).map((file) => {
  const { values } = loadValues(file);
  const source = relative(PROJECT, file);
  const rendered = render(synthesize(values), { manifestsDir: values.output.manifests, applicationFile: values.output.application, source });
  const files = [...rendered.manifests.map((f) => join(rendered.manifestsDir, f.path)), rendered.application.path];
  return { source, manifestsDir: join(PROJECT, values.output.manifests), files, synthesis: synthesize(values) };
});
/** Every rendered file, path relative to the repository root -> text. */
const renderedFiles = new Map<string, string>([
  ...output.manifests.map((f) => [join(output.manifestsDir, f.path), f.text] as const),
  [output.application.path, output.application.text],
]);

/** Writes the rendered files under a fresh temporary root, at their repository paths; returns the root. */
function writeRendered(): string {
  const root = tmp('frc-output-');
  for (const [path, text] of renderedFiles) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

/** Absolute path of an executable on PATH (or at one of `extra`), else undefined. */
function findExecutable(name: string, extra: readonly string[] = []): string | undefined {
  const candidates = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, name)), ...extra];
  return candidates.find((c) => {
    try {
      accessSync(c, constants.X_OK);
      return statSync(c).isFile();
    } catch {
      return false;
    }
  });
}

/**
 * A suite for an external tool: runs when the tool exists; otherwise skipped with a message, or,
 * under CI (which installs the tool), a single failing test.
 */
function describeWithTool(tool: string, executable: string | undefined, title: string, body: (exe: string) => void): void {
  if (executable) {
    describe(title, () => body(executable));
  } else if (process.env.CI) {
    describe(title, () => {
      test(`${tool} is installed (CI installs it; without it this suite would silently check nothing)`, () => {
        throw new Error(`${tool} is not on PATH, but CI is set: install ${tool} in the CI image`);
      });
    });
  } else {
    describe.skip(`${title} (skipped: ${tool} not on PATH)`, () => body(''));
  }
}

// ---------------------------------------------------------------------------------------------

describe('bytes in git', () => {
  test('rendering the same values twice gives identical bytes (a diff shows only real changes)', () => {
    const again = renderDefault().output;
    expect(again.manifests.map((f) => [f.path, f.text])).toEqual(output.manifests.map((f) => [f.path, f.text]));
    expect(again.application).toEqual(output.application);
  });

  test('every rendered and committed file starts with the one-line generated header naming the values file and `npm run synth` (reviewers know not to hand-edit)', () => {
    // The writer recognises the files it owns by this mark; changing it would orphan committed files.
    expect(GENERATED_MARK).toBe('# Generated by forgejo-runner-cdk8s');
    const header = /^# Generated by forgejo-runner-cdk8s from values\/cluster\.yaml\b.*`npm run synth`/;
    const committed = walk(join(REPO, 'argocd')).map((p) => [relative(REPO, p), readFileSync(p, 'utf8')] as const);
    expect(committed.map(([p]) => p).sort()).toEqual([...renderedFiles.keys()].sort());
    for (const [path, text] of [...renderedFiles, ...committed]) {
      const [first, second] = text.split('\n');
      expect({ path, first }).toEqual({ path, first: expect.stringMatching(header) });
      // the header is a single line: the next line starts the document or is another comment
      expect({ path, second }).toEqual({ path, second: expect.stringMatching(/^(---|# )/) });
    }
  });

  test.each(committedOutputs.map((c) => [c.source, c] as const))('every committed file of %s starts with the generated header naming it', (_source, c) => {
    const header = new RegExp(`^# Generated by forgejo-runner-cdk8s from ${c.source.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b.*\`npm run synth\``);
    for (const path of c.files) {
      const first = readFileSync(join(PROJECT, path), 'utf8').split('\n')[0];
      expect({ path, first }).toEqual({ path, first: expect.stringMatching(header) });
    }
  });

  test('the committed output of this repository equals a fresh synth of every values file, and nothing orphaned is left (`npm run check`)', async () => {
    expect(committedOutputs.length).toBeGreaterThan(0);
    const r = await runMain(['check', '--root', PROJECT]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    for (const c of committedOutputs) expect(r.stdout).toContain(`${c.source}: `);
  });

  test('kustomization.yaml lists exactly the other files of the directory (a missing entry is never applied; an extra one breaks the build)', () => {
    const kustomization = output.manifests.find((f) => f.path === 'kustomization.yaml')!;
    const resources: string[] = parse(kustomization.text).resources;
    const others = output.manifests.map((f) => f.path).filter((p) => p !== 'kustomization.yaml');
    expect(new Set(resources).size).toBe(resources.length);
    expect([...resources].sort()).toEqual([...others].sort());
    const committedResources: string[] = parse(readFileSync(join(COMMITTED_MANIFESTS, 'kustomization.yaml'), 'utf8')).resources;
    expect([...committedResources, 'kustomization.yaml'].sort()).toEqual(readdirSync(COMMITTED_MANIFESTS).sort());
  });
});

describe('rendered text snapshots (safety net: any byte change must be reviewed and the snapshot updated with -u)', () => {
  test.each([...renderedFiles.keys()])('%s', (path) => {
    expect(renderedFiles.get(path)).toMatchSnapshot();
  });
});

// ---------------------------------------------------------------------------------------------
// yamllint, with the operator's rules
// ---------------------------------------------------------------------------------------------

/**
 * Copy of the operator's ../shared/reference/blumeops/.yamllint.yaml, inline so the lint also runs
 * in a clone without ../shared; when ../shared exists a test asserts the two are equal (drift).
 */
const YAMLLINT_CONFIG = `---
extends: default

rules:
  line-length:
    max: 120
    level: warning
  truthy:
    allowed-values: ['true', 'false', 'yes', 'no']
  comments:
    min-spaces-from-content: 1
  braces:
    min-spaces-inside: 0
    max-spaces-inside: 1
  brackets:
    min-spaces-inside: 0
    max-spaces-inside: 0
  indentation:
    spaces: 2
    indent-sequences: consistent
  # Required for ansible-lint compatibility
  comments-indentation: false
  octal-values:
    forbid-implicit-octal: false
    forbid-explicit-octal: true

ignore:
  - .venv/
  - pulumi/.venv/
  # Third-party k8s manifest with non-standard formatting
  - argocd/manifests/tailscale-operator-base/operator.yaml
`;

interface LintProblem {
  readonly file: string;
  readonly line: number;
  readonly level: string;
  readonly rule: string;
  readonly text: string;
}

/** Runs a tool without blocking this process (so other tests' child processes run meanwhile). */
function exec(file: string, args: readonly string[], cwd?: string): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') reject(error); // could not start, or killed
      else resolve({ status: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

async function yamllint(exe: string, cwd: string, files: readonly string[]): Promise<{ status: number | null; problems: LintProblem[]; raw: string }> {
  const config = join(tmp('frc-yamllint-'), 'yamllint.yaml');
  writeFileSync(config, YAMLLINT_CONFIG);
  const r = await exec(exe, ['-s', '-f', 'parsable', '-c', config, ...files], cwd);
  const problems = r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const m = /^(.*?):(\d+):\d+: \[(\w+)\] .*\((\S+)\)$/.exec(line) ?? /^(.*?):(\d+):\d+: \[(\w+)\] .*()$/.exec(line);
      if (!m) throw new Error(`unparsable yamllint line: ${line}`);
      return { file: m[1]!, line: Number(m[2]), level: m[3]!, rule: m[4]!, text: line };
    });
  return { status: r.status, problems, raw: `${r.stdout}${r.stderr}` };
}

describe(`yamllint config mirrors the operator's${hasShared ? '' : ' (drift check skipped: ../shared absent)'}`, () => {
  (hasShared ? test : test.skip)('the inline config equals ../shared/reference/blumeops/.yamllint.yaml as data (our lint is the operator\'s lint)', () => {
    expect(parse(YAMLLINT_CONFIG)).toEqual(parse(readFileSync(join(SHARED_REFERENCE, '.yamllint.yaml'), 'utf8')));
  });
});

describeWithTool('yamllint', findExecutable('yamllint'), "yamllint with the operator's rules, strict (warnings count)", (exe) => {
  // The lint waits on a child process: it runs alongside the file's other tests (not when skipped).
  const concurrently = exe ? testConcurrently : test;
  const targets = (): { label: string; cwd: string; files: string[] }[] => {
    const fresh = writeRendered();
    return [
      { label: 'freshly rendered', cwd: fresh, files: [...renderedFiles.keys()] },
      { label: 'written by synth', cwd: REPO, files: walk(join(REPO, 'argocd')).map((p) => relative(REPO, p)) },
      ...committedOutputs.map((c) => ({ label: `committed from ${c.source}`, cwd: PROJECT, files: c.files })),
    ];
  };

  concurrently('no errors and no warnings in the rendered and the committed files (the operator\'s pre-commit lint passes)', async () => {
    const runs = targets().map(async ({ label, cwd, files }) => ({ label, ...(await yamllint(exe, cwd, files)) }));
    for (const { label, status, problems, raw } of await Promise.all(runs)) {
      expect(problems.map((p) => `${label}: ${p.text}`)).toEqual([]);
      expect(status === 0 ? 'ok' : `yamllint exited ${status}: ${raw}`).toBe('ok');
    }
  });

  concurrently('the lint can fail: a trailing space and an over-long line in a rendered file are reported (so "no problems" means something)', async () => {
    const root = tmp('frc-yamllint-bad-');
    writeFileSync(join(root, 'bad.yaml'), `---\nkey: value \nlong: ${'x'.repeat(130)}\n`);
    const { status, problems } = await yamllint(exe, root, ['bad.yaml']);
    expect(problems.map((p) => `${p.line} ${p.level} ${p.rule}`)).toEqual(['2 error trailing-spaces', '3 warning line-length']);
    expect(status).not.toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// kustomize: what Argo CD actually runs on the directory
// ---------------------------------------------------------------------------------------------

const objectKey = (o: KubeObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const byKey = (objects: readonly KubeObject[]) => [...objects].sort((a, b) => objectKey(a).localeCompare(objectKey(b)));

describeWithTool('kubectl', findExecutable('kubectl', ['/usr/bin/kubectl']), 'kubectl kustomize (the renderer Argo CD uses on this directory)', (exe) => {
  async function kustomize(dir: string): Promise<KubeObject[]> {
    const r = await exec(exe, ['kustomize', dir]);
    if (r.status !== 0) throw new Error(`kubectl kustomize ${dir} exited ${r.status}: ${r.stderr}`);
    return parseAllDocuments(r.stdout).map((doc) => {
      if (Array.isArray(doc)) throw new Error('empty kustomize output');
      if (doc.errors.length > 0) throw new Error(`kustomize output does not parse: ${doc.errors[0]!.message}`);
      return doc.toJS() as KubeObject;
    });
  }
  const synthesized = byKey(synthesis.manifests.map((m) => JSON.parse(JSON.stringify(m.object)) as KubeObject));

  // kustomize waits on a child process: it runs alongside the file's other tests (not when skipped).
  const concurrently = exe ? testConcurrently : test;

  for (const [label, dir] of [
    ['the directory synth wrote', () => COMMITTED_MANIFESTS],
    ['a freshly rendered directory', () => join(writeRendered(), output.manifestsDir)],
  ] as const) {
    concurrently(`${label} builds to exactly the synthesized objects (what Argo CD applies is what we reviewed)`, async () => {
      expect(byKey(await kustomize(dir()))).toEqual(synthesized);
    });
  }
  for (const c of committedOutputs) {
    concurrently(`the committed directory of ${c.source} builds to exactly its synthesized objects`, async () => {
      expect(byKey(await kustomize(c.manifestsDir))).toEqual(byKey(c.synthesis.manifests.map((m) => JSON.parse(JSON.stringify(m.object)) as KubeObject)));
    });
  }

  concurrently('it renders the Namespace, the ConfigMap, both ExternalSecrets, the Deployment and the NetworkPolicy, namespaced in forgejo-runner (Namespace cluster-scoped)', async () => {
    const objects = await kustomize(COMMITTED_MANIFESTS);
    const listed = objects.map((o) => `${o.kind}/${o.metadata.name.replace(/^(forgejo-runner-config-)[a-z0-9]{10}$/, '$1*')}`).sort();
    expect(listed).toEqual([
      'ConfigMap/forgejo-runner-config-*',
      'Deployment/forgejo-runner',
      'ExternalSecret/forgejo-runner-env',
      'ExternalSecret/registry-ci-apikey',
      'Namespace/forgejo-runner',
      'NetworkPolicy/forgejo-runner',
    ]);
    for (const o of objects) {
      expect({ id: `${o.kind}/${o.metadata.name}`, namespace: o.metadata.namespace }).toEqual({
        id: `${o.kind}/${o.metadata.name}`,
        namespace: o.kind === 'Namespace' ? undefined : 'forgejo-runner',
      });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Secrets never enter git
// ---------------------------------------------------------------------------------------------

/** Env var names that carry credentials: they must come from a Secret, never a literal. */
const SECRET_ENV = /^(REGISTRY_API_KEY|RUNNER_TOKEN|RUNNER_SECRET)$|TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|CREDENTIAL/;

function allObjects(s: Synthesis): KubeObject[] {
  return [...s.manifests.map((m) => m.object), s.application.object];
}

/** Every env entry of every container list anywhere in the objects. */
function envEntries(objects: readonly KubeObject[]): { where: string; entry: Record<string, any> }[] {
  const found: { where: string; entry: Record<string, any> }[] = [];
  const visit = (node: unknown, where: string): void => {
    if (Array.isArray(node)) return node.forEach((n, i) => visit(n, `${where}[${i}]`));
    if (!node || typeof node !== 'object') return;
    for (const [k, v] of Object.entries(node)) {
      if (['containers', 'initContainers', 'ephemeralContainers'].includes(k) && Array.isArray(v)) {
        for (const c of v) for (const e of c.env ?? []) found.push({ where: `${where}.${k}[name=${c.name}]`, entry: e });
      }
      visit(v, `${where}.${k}`);
    }
  };
  for (const o of objects) visit(o, `${o.kind}/${o.metadata.name}`);
  return found;
}

/** Strings that look like credentials. Fake examples in the tests below are built at run time. */
const SECRET_PATTERNS: readonly { readonly name: string; readonly re: RegExp }[] = [
  { name: 'zot API key', re: /zak_[A-Za-z0-9]{20,}/g },
  { name: 'private key', re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/g },
  { name: 'GitHub token', re: /\b(gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g },
  { name: 'GitLab token', re: /glpat-[A-Za-z0-9_-]{20,}/g },
  { name: 'AWS access key', re: /\bAKIA[0-9A-Z]{16}\b/g },
  { name: 'Slack token', re: /xox[abposr]-[A-Za-z0-9-]{10,}/g },
  { name: 'JWT', re: /eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}/g },
  // e.g. a 40-hex forgejo runner secret or registration token
  { name: 'long hex string', re: /\b[0-9a-fA-F]{40,}\b/g },
  { name: 'long base64 blob', re: /[A-Za-z0-9+/]{40,}={0,2}/g },
];
/** Long hex that is not secret: content digests (image pins) and commit ids Argo CD may track. */
const NON_SECRET_CONTEXTS: readonly RegExp[] = [/sha256:[0-9a-f]{64}/g, /targetRevision: ['"]?[0-9a-f]{40}\b/g];

function secretLookalikes(text: string): string[] {
  const cleaned = NON_SECRET_CONTEXTS.reduce((t, re) => t.replace(re, '<non-secret>'), text);
  return SECRET_PATTERNS.flatMap(({ name, re }) =>
    [...cleaned.matchAll(re)]
      .map((m) => m[0])
      // a base64 blob mixes digits, lower and upper case; a path or a word does not
      .filter((s) => name !== 'long base64 blob' || (/[0-9]/.test(s) && /[a-z]/.test(s) && /[A-Z]/.test(s)))
      .map((s) => `${name}: ${s.slice(0, 12)}...`),
  );
}

describe('secrets never enter git', () => {
  const offline = synthWith((v) => {
    v.registration = { mode: 'offline', secretName: 'forgejo-runner-identity', item: 'Forgejo Runner Secrets' };
  });
  const variants: [string, Synthesis][] = [
    ['default values', synthesis],
    ['registration mode offline', offline],
  ];

  test.each(variants)('%s: no object is a Secret (only ExternalSecrets, which hold 1Password references)', (_name, s) => {
    expect(allObjects(s).filter((o) => o.kind === 'Secret').map((o) => o.metadata.name)).toEqual([]);
  });

  test.each(variants)('%s: credential env vars come from Secrets, never a literal value (a literal would be committed)', (_name, s) => {
    const entries = envEntries(allObjects(s));
    const credential = entries.filter(({ entry }) => SECRET_ENV.test(entry.name));
    expect(credential.length).toBeGreaterThan(0); // the check must see the credentials it guards
    for (const { where, entry } of credential) {
      expect({ where, entry }).toEqual({ where, entry: { name: entry.name, valueFrom: { secretKeyRef: { name: expect.any(String), key: expect.any(String) } } } });
    }
    expect(entries.filter(({ entry }) => ['REGISTRY_API_KEY', 'RUNNER_TOKEN', 'RUNNER_SECRET'].includes(entry.name) && 'value' in entry)).toEqual([]);
  });

  test.each(variants)('%s: runner.envs in config.yaml holds no credential (those reach jobs only through env_file from a Secret)', (_name, s) => {
    const maps = s.manifests.filter((m) => m.object.kind === 'ConfigMap').map((m) => m.object as any);
    expect(maps.length).toBeGreaterThan(0);
    for (const cm of maps) {
      const envs = Object.keys(parse(cm.data['config.yaml']).runner.envs);
      expect(envs).toContain('DOCKER_HOST');
      expect(envs.filter((k) => SECRET_ENV.test(k))).toEqual([]);
    }
  });

  test('ExternalSecret templates only reference fetched keys as {{ .KEY }}, with no literal values (the Secret holds only 1Password data)', () => {
    const externalSecrets = synthesis.manifests.map((m) => m.object as any).filter((o) => o.kind === 'ExternalSecret');
    const templated = externalSecrets.filter((es) => es.spec.target.template);
    expect(templated.map((es) => es.metadata.name)).toEqual(['registry-ci-apikey']);
    for (const es of templated) {
      const fetched = new Set(es.spec.data.map((d: any) => d.secretKey));
      for (const [secretKey, value] of Object.entries<string>(es.spec.target.template.data)) {
        // A plain key is exactly {{ .KEY }}; a dotenv file is exactly dotenvTemplate of fetched keys
        // (escapes only; its round trip is test/pipeline/dotenv.ts).
        const plain = /^\{\{ \.([A-Za-z_][A-Za-z0-9_]*) \}\}$/.exec(value)?.[1];
        const dotenvKeys = [...value.matchAll(/^([A-Za-z_][A-Za-z0-9_]*)="\{\{ \.\1 /gm)].map((m) => m[1]!);
        const refs = plain ? [plain] : dotenvKeys;
        if (!plain) expect({ secretKey, value }).toEqual({ secretKey, value: dotenvTemplate(dotenvKeys) });
        expect(refs.length).toBeGreaterThan(0);
        for (const ref of refs) expect(fetched).toContain(ref);
      }
    }
  });

  test('no committed output or values file of this repository contains a credential-looking string (a leaked key stays in git history)', () => {
    const files = committedOutputs.flatMap((c) => [join(PROJECT, c.source), ...c.files.map((f) => join(PROJECT, f))]);
    expect(files.length).toBe(committedOutputs.reduce((n, c) => n + 1 + c.files.length, 0));
    const hits = files.flatMap((f) => secretLookalikes(readFileSync(f, 'utf8')).map((h) => `${relative(PROJECT, f)}: ${h}`));
    expect(hits).toEqual([]);
  });

  test('the scan finds planted credentials and ignores digests (so an empty result means something)', () => {
    const alnum = 'aB3dE5fG7hJ9kL2mN4pQ6rS8tU0vW1xY3zA5bC7';
    const planted = [
      `REGISTRY_API_KEY: zak_${alnum}`,
      `-----BEGIN OPENSSH PRIVATE KEY-----`,
      `token: ghp_${alnum}`,
      `RUNNER_SECRET: ${'0123456789abcdef'.repeat(3).slice(0, 40)}`,
      `blob: ${alnum}+/${alnum}==`,
    ];
    expect(planted.filter((line) => secretLookalikes(line).length === 0)).toEqual([]);
    expect(secretLookalikes(`image: docker@sha256:${'ab12'.repeat(16)}`)).toEqual([]);
    expect(secretLookalikes(readFileSync(join(COMMITTED_MANIFESTS, 'deployment-forgejo-runner.yaml'), 'utf8'))).toEqual([]);
  });
});
