// Shared test helpers: default values, synthesized objects by kind/name, temporary repos, the CLI.
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { main } from '../src/cli.js';
import type { KubeObject, Synthesis } from '../src/synth/synthesize.js';
import { parseValues, parseValuesText, ValuesError } from '../src/values/load.js';
import { synthesizeValues } from '../src/values/locate.js';
import type { Values } from '../src/values/schema.js';
import { tempDir } from './temp-dir.js';

export { tempDir };

export const PROJECT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/**
 * The tests' own values (a one-pool cluster with generic names), never the operator's values/:
 * a fork that adds or replaces clusters keeps `npm test` green. tempRepo() holds it as
 * values/cluster.yaml with its synthesized output.
 */
export const DEFAULT_VALUES_FILE = join(PROJECT, 'test', 'fixtures', 'values', 'cluster.yaml');

/** The operator's reference repo snapshot; absent in a standalone clone. */
export const SHARED_REFERENCE = resolve(PROJECT, '..', 'shared', 'reference', 'blumeops');
export const hasShared = existsSync(SHARED_REFERENCE);

/** The default values file, read and parsed once per test file (tests never change it). */
let defaultData: Record<string, any> | undefined;

/** The default values as plain data (a fresh copy), to mutate in a test. */
export function defaultValuesData(): Record<string, any> {
  defaultData ??= parse(readFileSync(DEFAULT_VALUES_FILE, 'utf8')) as Record<string, any>;
  return structuredClone(defaultData);
}

export function valuesWith(mutate: (v: Record<string, any>) => void = () => {}): Values {
  const data = defaultValuesData();
  mutate(data);
  return parseValues(stringify(data), 'test-values.yaml');
}

/** The default values, mutated, through the whole pipeline (errors as values errors at lines of test-values.yaml). */
export function synthWith(mutate: (v: Record<string, any>) => void = () => {}): Synthesis {
  const data = defaultValuesData();
  mutate(data);
  return synthValuesText(stringify(data), 'test-values.yaml');
}

export function find(objects: readonly { object: KubeObject }[], kind: string, name: string): any {
  const hit = objects.find((o) => o.object.kind === kind && o.object.metadata.name === name);
  if (!hit) throw new Error(`no ${kind} ${name} among: ${objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`).join(', ')}`);
  return hit.object;
}

export function container(deployment: any, name: string): any {
  const spec = deployment.spec.template.spec;
  return [...(spec.initContainers ?? []), ...spec.containers].find((c: any) => c.name === name);
}

/**
 * A throwaway git repo holding the fixture values as values/cluster.yaml (DEFAULT_VALUES_FILE)
 * and their output, synthesized by the real CLI (argocd/manifests/forgejo-runner/, 7 files, and
 * argocd/apps/forgejo-runner.yaml), so a test can run the CLI against it and assert
 * `git status --porcelain`. The first one is made with git; the
 * rest are copies of it (.git included), which is much cheaper than init + add + commit. Its .git
 * is kept small (no sample hooks, no reflogs, objects in one pack): 30 entries to copy, not 80.
 */
let template: string | undefined;
export function tempRepo(): string {
  if (!template) {
    template = tempDir('frc-template-');
    mkdirSync(join(template, 'values'));
    cpSync(DEFAULT_VALUES_FILE, join(template, 'values', 'cluster.yaml'));
    execFileSync(process.execPath, [join(PROJECT, 'bin', 'forgejo-runner-cdk8s.mjs'), 'synth', '--root', template], {
      env: { ...process.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    git(template, 'init', '-q', '--template=');
    git(template, 'config', 'core.logAllRefUpdates', 'false');
    git(template, 'add', '-A');
    git(template, '-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'baseline');
    git(template, 'repack', '-adq');
    git(template, 'prune-packed');
  }
  const root = tempDir('frc-repo-');
  cpSync(template, root, { recursive: true, preserveTimestamps: true });
  return root;
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

export function writeValues(dir: string, name: string, text: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI's main() in this process (same code path as the binary, minus process start-up). */
export async function runMain(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(args, { io: { out: (l) => (stdout += `${l}\n`), err: (l) => (stderr += `${l}\n`) }, env });
  return { code, signal: null, stdout, stderr };
}

/**
 * Runs the real CLI (bin/forgejo-runner-cdk8s.mjs of `project`, default this one) as a separate
 * process. `wrap` goes before node (e.g. unshare ... sh -c); `node` is the Node binary and its
 * flags (default: the one running the tests).
 */
export function runCli(
  args: readonly string[],
  options: { cwd?: string; env?: Record<string, string>; project?: string; wrap?: readonly string[]; node?: readonly string[] } = {},
): Promise<CliResult> {
  const env = { ...process.env, NODE_OPTIONS: '', ...options.env };
  const argv = [...(options.wrap ?? []), ...(options.node ?? [process.execPath]), join(options.project ?? PROJECT, 'bin', 'forgejo-runner-cdk8s.mjs'), ...args];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: options.cwd ?? options.project ?? PROJECT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
}

/** Values text through the whole in-memory pipeline (shape, then the constructs' rules mapped to lines). */
export function synthValuesText(text: string, file = 'values/ok.yaml'): Synthesis {
  return synthesizeValues(parseValuesText(text, file), file);
}

/** The ValuesError message of values text (shape or construct rules); fails the test when there is none. */
export function valuesProblems(text: string, file = 'values/bad.yaml'): string {
  try {
    synthValuesText(text, file);
  } catch (e) {
    if (!(e instanceof ValuesError)) throw e;
    return e.message;
  }
  throw new Error('expected a ValuesError');
}
