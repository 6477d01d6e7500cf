#!/usr/bin/env node
// Wall time and peak RSS of the everyday commands, against the stock cdk8s path (d).
//   npm run bench [-- --runs N] [--only a,b,f1]
// Commands run round-robin (a,b,c,...,a,b,c,...) after one untimed warm-up round, so a slow
// phase of the machine (another build, thermal throttling) hits every command alike instead of
// one command's whole series. It is a report: it exits 0 even when a target fails.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const stamp = join(dist, '.build-stamp');

const { values: opts } = parseArgs({ options: { runs: { type: 'string', default: '5' }, only: { type: 'string' } } });
const runs = Number(opts.runs);
if (!Number.isInteger(runs) || runs < 1) fail(`--runs expects a whole number >= 1, got ${opts.runs}`);

// GNU time's %M is ru_maxrss from wait4() on its direct child: the largest resident set of any
// single process in the tree (each child's peak is folded into its parent's when it is waited
// for), not the sum of processes alive at once. So for `npm run synth` it is max(npm, node synth).
const timeBin = executable('/usr/bin/time');

const scratch = mkdtempSync(join(tmpdir(), 'forgejo-runner-bench-'));
const stockOut = join(scratch, 'stock-out');
// Without internet the CLI's upgrade check fails on every run (~0.1-0.2 s here); with internet
// it is cached for 30 minutes. Off for (c) and (d), so both measure the steady state.
const noUpgradeCheck = { CDK8S_CHECK_UPGRADE: 'false' };

/** @type {{ id: string, what: string, argv: string[], env?: Record<string,string>, before?: () => void, check?: () => string }[]} */
const all = [
  { id: 'a', what: 'cold', argv: ['npm', 'run', 'synth'], before: () => rmSync(dist, { recursive: true, force: true }) },
  { id: 'b', what: 'warm', argv: ['npm', 'run', 'synth'] },
  uncachedWarmCommand(),
  { id: 'c', what: 'cdk8s.yaml', argv: ['npx', 'cdk8s', 'synth'], env: noUpgradeCheck },
  {
    id: 'd',
    what: 'stock, tsx',
    // ts-node, the stock `app:` runner, cannot run this app: see scripts/stock-app.ts.
    argv: ['npx', 'cdk8s', 'synth', '--app', 'npx tsx scripts/stock-app.ts', '--output', stockOut],
    env: noUpgradeCheck,
    check: () => (sameTree(join(stockOut, 'argocd'), join(root, 'argocd')) ? 'output identical to committed argocd/' : 'OUTPUT DIFFERS from committed argocd/'),
  },
  { id: 'e', what: 'jest', argv: ['npm', 'test'] },
  ...[1, 10, 100].map(poolsCommand),
];

const selected = opts.only ? opts.only.split(',').map((s) => s.trim()) : all.map((c) => c.id);
const unknown = selected.filter((id) => !all.some((c) => c.id === id));
if (unknown.length) fail(`--only: unknown command ${unknown.join(', ')}; expected some of ${all.map((c) => c.id).join(',')}`);
const commands = all.filter((c) => selected.includes(c.id));

const gitBefore = gitStatus();
let interrupted = false;
process.on('SIGINT', () => (interrupted = true)); // the child gets it too; clean up after it exits

const started = process.hrtime.bigint();
const results = new Map(commands.map((c) => [c.id, { seconds: [], rssKb: [], failures: 0, rebuilds: 0, note: '' }]));
try {
  printMachine();
  for (let round = 0; round <= runs && !interrupted; round++) {
    process.stderr.write(round === 0 ? 'warm-up round:' : `round ${round}/${runs}:`);
    for (const cmd of commands) {
      if (interrupted) break;
      const r = runOnce(cmd);
      process.stderr.write(` ${cmd.id}=${r.ok ? r.seconds.toFixed(2) : 'FAILED'}`);
      const res = results.get(cmd.id);
      if (!r.ok) res.failures++;
      if (round === 0) {
        if (cmd.check && r.ok) res.note = cmd.check();
        continue;
      }
      if (!r.ok) continue;
      res.seconds.push(r.seconds);
      if (r.rssKb !== undefined) res.rssKb.push(r.rssKb);
      if (r.rebuilt && cmd.id !== 'a') res.rebuilds++;
    }
    process.stderr.write('\n');
  }
  printTable();
  printTargets();
} finally {
  restore();
}
const wall = Number(process.hrtime.bigint() - started) / 1e9;
console.log(`\nbench wall time: ${wall.toFixed(1)} s${interrupted ? ' (interrupted)' : ''}; load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

// --- commands ----------------------------------------------------------------------------

/**
 * (b2) warm, but the synth cache misses: a comment appended to a scratch copy of the values
 * changes the cache key, not the output, so this is the full load-synthesize-validate-render-
 * compare path with nothing to write: what (b) costs without its shortcut.
 */
function uncachedWarmCommand() {
  const dir = join(scratch, 'uncached');
  const valuesFile = join(dir, 'values', 'indri.yaml');
  mkdirSync(dirname(valuesFile), { recursive: true });
  writeFileSync(valuesFile, readFileSync(join(root, 'values', 'indri.yaml')));
  let n = 0;
  return {
    id: 'b2',
    what: 'warm, cache miss',
    argv: ['npm', 'run', 'synth', '--', '--root', dir, '--values', valuesFile],
    before: () => writeFileSync(valuesFile, `${readFileSync(valuesFile, 'utf8')}# bench run ${++n}\n`),
  };
}

/** (f) N runner pools: indri.yaml with its pools replaced, written under a scratch root. */
function poolsCommand(n) {
  const dir = join(scratch, `pools-${n}`);
  const valuesFile = join(dir, 'values', `pools-${n}.yaml`);
  mkdirSync(dirname(valuesFile), { recursive: true });
  writeFileSync(valuesFile, poolsValues(n));
  return {
    id: `f${n}`,
    what: `${n} pool${n === 1 ? '' : 's'}`,
    argv: ['node', 'bin/forgejo-runner-cdk8s.mjs', 'synth', '--root', dir, '--values', valuesFile],
    before: () => rmSync(join(dir, 'out'), { recursive: true, force: true }), // so each run really writes
    check: () => {
      const files = readdirSync(join(dir, 'out', 'manifests'));
      const deployments = files.filter((f) => f.startsWith('deployment-')).length;
      return `${deployments} Deployments, ${files.length} files${deployments === n ? '' : ` (EXPECTED ${n} Deployments)`}`;
    },
  };
}

function poolsValues(n) {
  const text = readFileSync(join(root, 'values', 'indri.yaml'), 'utf8');
  // A top-level block: the key line plus every following indented line.
  const block = (key) => new RegExp(`^${key}:[^\\n]*\\n(?:[ \\t]+[^\\n]*(?:\\n|$))*`, 'm');
  const pools = block('pools').exec(text);
  const firstPool = pools && /^([ \t]*)- [^\n]*\n(?:\1 [^\n]*\n?)*/m.exec(pools[0]);
  if (!firstPool || !/^\s*- name:/m.test(firstPool[0]) || !/runnerName:/.test(firstPool[0]) || !block('output').test(text)) {
    fail('values/indri.yaml no longer has the pools:/output: layout this script rewrites; update poolsValues()');
  }
  const item = firstPool[0].endsWith('\n') ? firstPool[0] : `${firstPool[0]}\n`;
  const items = Array.from({ length: n }, (_, i) =>
    item.replace(/^(\s*- name:).*$/m, `$1 pool-${i}`).replace(/^(\s*runnerName:).*$/m, `$1 k8s-runner-${i}`),
  );
  return text
    .replace(block('pools'), `pools:\n${items.join('')}`)
    .replace(block('output'), 'output:\n  manifests: out/manifests\n  application: out/apps/forgejo-runner.yaml\n');
}

function runOnce(cmd) {
  cmd.before?.();
  const stampBefore = mtime(stamp);
  const rssFile = join(scratch, 'rss');
  rmSync(rssFile, { force: true });
  const [file, args] = timeBin ? [timeBin, ['-f', '%M', '-o', rssFile, ...cmd.argv]] : [cmd.argv[0], cmd.argv.slice(1)];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, args, { cwd: root, env: { ...process.env, ...cmd.env }, encoding: 'utf8', maxBuffer: 256 << 20 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const ok = !r.error && r.status === 0;
  if (!ok) {
    const output = `${r.error?.message ?? ''}${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    process.stderr.write(`\n--- (${cmd.id}) ${cmd.argv.join(' ')} failed (exit ${r.status ?? r.signal}):\n${output}\n---\n`);
  }
  // With -o, time writes "Command exited with non-zero status N" before the number on failures.
  const rssKb = timeBin && existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').pop()) : undefined;
  return { ok, seconds, rssKb: Number.isFinite(rssKb) ? rssKb : undefined, rebuilt: mtime(stamp) !== stampBefore };
}

// --- report ------------------------------------------------------------------------------

function printMachine() {
  const childNode = spawnSync('node', ['--version'], { encoding: 'utf8' }).stdout?.trim();
  const npm = spawnSync('npm', ['--version'], { encoding: 'utf8' }).stdout?.trim();
  const nproc = spawnSync('nproc', [], { encoding: 'utf8' }).stdout?.trim() || String(availableParallelism());
  console.log(`machine: ${nproc} cores (nproc; ${cpus().length} online, ${cpus()[0]?.model ?? 'unknown cpu'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`);
  console.log(`node ${childNode} (commands), npm ${npm}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const self = `node ${relative(root, process.argv[1])}${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
  console.log(`command line: ${self}${process.env.npm_lifecycle_event === 'bench' ? ' (via npm run bench)' : ''}`);
  console.log(`runs: 1 warm-up round + ${runs} timed rounds, round-robin over ${commands.map((c) => c.id).join(',')}`);
  console.log(`peak RSS: ${timeBin ? `${timeBin} -f %M (max RSS of the largest single process in the command's tree)` : 'n/a (no /usr/bin/time; apt-get install time)'}`);
  console.log(`scratch ($TMP): ${scratch} (removed at the end)\n`);
}

function printTable() {
  const d = stats(results.get('d')?.seconds ?? []);
  const rows = commands.map((cmd) => {
    const res = results.get(cmd.id);
    const s = stats(res.seconds);
    const rss = res.rssKb.length ? (Math.max(...res.rssKb) / 1024).toFixed(0) : 'n/a';
    let ratio = 'n/a';
    if (cmd.id === 'd' && s) ratio = 'baseline';
    else if (s && d) ratio = d.median >= s.median ? `${(d.median / s.median).toFixed(1)}x faster` : `${(s.median / d.median).toFixed(1)}x slower`;
    const label = `(${cmd.id}) ${cmd.what}: \`${display(cmd)}\``;
    return [
      label,
      s ? s.median.toFixed(3) : 'n/a',
      s ? `${s.min.toFixed(3)}–${s.max.toFixed(3)} (IQR ${(s.q3 - s.q1).toFixed(3)})` : 'n/a',
      `${res.seconds.length}${res.failures ? ` (+${res.failures} failed)` : ''}`,
      rss,
      ratio,
    ];
  });
  console.log('| command | median s | spread: min–max (IQR) s | runs | peak RSS MB | vs (d): median(d)/median |');
  console.log('|---|---:|---|---:|---:|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  const notes = commands.flatMap((cmd) => {
    const res = results.get(cmd.id);
    return [
      res.note && `(${cmd.id}) ${res.note}`,
      res.rebuilds && `(${cmd.id}) WARNING: dist/ was recompiled in ${res.rebuilds} timed run(s): src/ changed during the bench, so these are not all warm`,
    ].filter(Boolean);
  });
  console.log(
    '\n(a) deletes dist/ first: tsc type-checks while esbuild bundles, then synth runs; (b), (b2), (c), (e) and (f) run with dist/ current.' +
      '\n(b) is answered by the synth cache (inputs and outputs unchanged); (b2) busts it and runs the full pipeline.' +
      '\n(d) is the stock path: the same app from the TypeScript sources via tsx, written to a scratch --output.' +
      '\n(f) values/indri.yaml with N generated pools, written under a scratch --root emptied before each run.',
  );
  if (notes.length) console.log(notes.join('\n'));
}

function printTargets() {
  const median = (id) => stats(results.get(id)?.seconds ?? [])?.median;
  const peakMb = (id) => (results.get(id)?.rssKb.length ? Math.max(...results.get(id).rssKb) / 1024 : undefined);
  const line = (ok, text) => console.log(`${ok === undefined ? 'SKIP' : ok ? 'PASS' : 'FAIL'}  ${text}`);
  const s = (x) => (x === undefined ? 'n/a' : `${x.toFixed(3)} s`);
  const [a, b, d, e, f1, f100] = ['a', 'b', 'd', 'e', 'f1', 'f100'].map(median);
  console.log('\ntargets:');
  line(b === undefined ? undefined : b <= 0.5, `warm synth (b) median <= 0.5 s: ${s(b)}`);
  line(b === undefined || d === undefined ? undefined : d / b >= 6, `warm synth (b) >= 6x faster than stock (d): ${b && d ? `${(d / b).toFixed(2)}x (${s(d)} / ${s(b)})` : 'n/a'}`);
  line(a === undefined ? undefined : a <= 1.2, `cold synth (a) median <= 1.2 s: ${s(a)}`);
  line(e === undefined ? undefined : e <= 5, `npm test (e) median <= 5 s: ${s(e)}`);
  line(f1 === undefined || f100 === undefined ? undefined : f100 <= 2 * f1, `100 pools (f100) <= 2x 1 pool (f1): ${f1 && f100 ? `${(f100 / f1).toFixed(2)}x (${s(f100)} / ${s(f1)})` : 'n/a'}`);
  const synthIds = ['a', 'b', 'b2', 'f1', 'f10', 'f100'].filter((id) => peakMb(id) !== undefined);
  const worst = synthIds.reduce((w, id) => (w === undefined || peakMb(id) > peakMb(w) ? id : w), undefined);
  line(worst === undefined ? undefined : peakMb(worst) <= 200, `peak RSS of synth (a, b, f) <= 200 MB: ${worst ? synthIds.map((id) => `${id} ${peakMb(id).toFixed(0)}`).join(', ') + ' MB' : 'n/a'}`);
}

// --- helpers -----------------------------------------------------------------------------

function display(cmd) {
  const quote = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `"${a}"`);
  const env = Object.entries(cmd.env ?? {}).map(([k, v]) => `${k}=${v} `).join('');
  return `${env}${cmd.argv.map(quote).join(' ')}`.replaceAll(scratch, '$TMP');
}

function stats(xs) {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((x, y) => x - y);
  const q = (p) => {
    const i = (s.length - 1) * p;
    return s[Math.floor(i)] + (s[Math.ceil(i)] - s[Math.floor(i)]) * (i - Math.floor(i));
  };
  return { median: q(0.5), q1: q(0.25), q3: q(0.75), min: s[0], max: s[s.length - 1] };
}

function sameTree(a, b) {
  if (!existsSync(a) || !existsSync(b)) return false;
  const list = (dir) => readdirSync(dir, { recursive: true }).filter((f) => statSync(join(dir, f)).isFile()).sort();
  const [fa, fb] = [list(a), list(b)];
  return fa.length === fb.length && fa.every((f, i) => f === fb[i] && readFileSync(join(a, f)).equals(readFileSync(join(b, f))));
}

function mtime(path) {
  return existsSync(path) ? statSync(path).mtimeMs : 0;
}

function executable(path) {
  try {
    accessSync(path, constants.X_OK);
    return path;
  } catch {
    return undefined;
  }
}

function gitStatus() {
  return spawnSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).stdout ?? '';
}

/** Leaves dist/ built and the scratch dir gone; warns when the work tree changed meanwhile. */
function restore() {
  if (commands.some((c) => c.id === 'a') || !existsSync(stamp)) {
    const r = spawnSync('node', ['bin/build.mjs', '--force'], { cwd: root, stdio: 'inherit' });
    if (r.status !== 0) process.stderr.write('bench: rebuilding dist/ failed; run `npm run build`\n');
  }
  rmSync(scratch, { recursive: true, force: true });
  const gitAfter = gitStatus();
  if (gitAfter !== gitBefore) {
    console.log(`\nNOTE: git status changed during the bench (someone editing, or synth rewrote argocd/):\nbefore:\n${gitBefore || '(clean)\n'}after:\n${gitAfter || '(clean)\n'}`);
  }
}

function fail(message) {
  try {
    rmSync(scratch, { recursive: true, force: true });
  } catch {} // not created yet
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}
