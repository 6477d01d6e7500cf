#!/usr/bin/env node
// Stress: 20 rounds of two concurrent synths (real processes) on changing values, in a scratch
// git repository. Each round edits the values, starts synth A, edits the values again while A
// runs, starts synth B, and checks that the output is exactly what one synth of the final
// values gives (byte for byte, no extra or missing file) and that no leftover (lock, staging
// set, temp file) remains or shows in `git status`. CI runs it (.ci/run); `npm test` does not.
// It runs the tests' own cluster (test/fixtures/values/cluster.yaml), not the operator's values.
//   node scripts/stress.mjs [--rounds N]
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(root, 'bin', 'forgejo-runner-cdk8s.mjs');
const { values: opts } = parseArgs({ options: { rounds: { type: 'string', default: '20' } } });
const rounds = Number(opts.rounds);

const fixture = join(root, 'test', 'fixtures', 'values', 'cluster.yaml');
const scratch = mkdtempSync(join(tmpdir(), 'forgejo-runner-stress-'));
const git = (cwd, ...args) => execFileSync('git', args, { cwd, encoding: 'utf8' });
/** A git repository with the fixture as values/cluster.yaml and its synthesized output, committed. */
function repoCopy(name) {
  const dir = join(scratch, name);
  mkdirSync(join(dir, 'values'), { recursive: true });
  cpSync(fixture, join(dir, 'values', 'cluster.yaml'));
  execFileSync(process.execPath, [cli, 'synth', '--root', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  git(dir, 'init', '-q');
  git(dir, 'add', '-A');
  git(dir, '-c', 'user.email=s@s', '-c', 'user.name=s', 'commit', '-qm', 'baseline');
  return dir;
}
const run = (repo) =>
  new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, 'synth', '--root', repo], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code, signal) => resolve({ code, signal, out }));
  });
/** Every file under a directory, path -> bytes (hidden entries included). */
function tree(dir, base = dir, acc = new Map()) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) tree(p, base, acc);
    else acc.set(p.slice(base.length), readFileSync(p, 'utf8'));
  }
  return acc;
}

const base = readFileSync(fixture, 'utf8');
const withoutCredential = base.replace(/\njobCredential:\n(?: {2}.*\n|\s*#.*\n)+/, '\n');
const variant = (n) => (n % 3 === 0 ? withoutCredential : base).replace('capacity: 2', `capacity: ${1 + (n % 7)}`);

const repo = repoCopy('repo');
const reference = repoCopy('reference');
const valuesFile = join(repo, 'values', 'cluster.yaml');
let failures = 0;
try {
  for (let round = 1; round <= rounds; round++) {
    writeFileSync(valuesFile, variant(2 * round));
    const a = run(repo);
    await new Promise((r) => setTimeout(r, 20 + ((round * 37) % 120))); // A is somewhere mid-synth
    const finalValues = variant(2 * round + 1);
    writeFileSync(valuesFile, finalValues);
    const b = run(repo);
    const [ra, rb] = await Promise.all([a, b]);
    // The expected output: one synth of the final values in a separate repository.
    writeFileSync(join(reference, 'values', 'cluster.yaml'), finalValues);
    const ref = await run(reference);
    const problems = [];
    if (ra.code !== 0 || rb.code !== 0 || ref.code !== 0) problems.push(`exit codes A=${ra.code} B=${rb.code} reference=${ref.code}\n${ra.out}${rb.out}${ref.out}`);
    const got = tree(join(repo, 'argocd'));
    const want = tree(join(reference, 'argocd'));
    const names = new Set([...got.keys(), ...want.keys()]);
    for (const n of [...names].sort()) if (got.get(n) !== want.get(n)) problems.push(`${n}: ${got.has(n) ? (want.has(n) ? 'differs' : 'extra') : 'missing'}`);
    const leftovers = readdirSync(repo).filter((n) => n === '.forgejo-runner-cdk8s');
    if (leftovers.length) problems.push(`leftovers in the repository root: ${leftovers.join(', ')}`);
    const status = git(repo, 'status', '--porcelain', '--untracked-files=all');
    if (/forgejo-runner-cdk8s|staging|lock|tmp-/.test(status)) problems.push(`git status shows leftovers:\n${status}`);
    console.log(`round ${String(round).padStart(2)}: ${problems.length ? `FAIL\n  ${problems.join('\n  ')}` : 'ok'}`);
    if (problems.length) failures++;
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log(`stress: ${rounds - failures}/${rounds} rounds left exactly the output of one synth of the final values`);
process.exitCode = failures ? 1 : 0;
