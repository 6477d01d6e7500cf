#!/usr/bin/env node
// Wall time and peak RSS of the operator's everyday commands, against a conventional cdk8s app.
//   npm run bench [-- --runs N] [--only v,t,d,e,f1000]
// (v) values edit -> `npm run synth`; (t) TypeScript edit -> `npm run synth` (no build: Node
// strips the edited file's types as it loads it, and compiles it afresh; synth does not
// type-check); (d) the conventional app (scripts/stock-app.ts: constructs in a main.ts run by
// `cdk8s synth` through tsx); (e) `npm test`; (f1000) 1000 runner pools.
// Commands run round-robin after one untimed warm-up round, so a slow phase of the machine hits
// every command alike. It is a report: it exits 0 even when a target fails. The targets are for an
// idle machine: it prints the load average at the start, after each round and at the end, and
// says so when the machine was busy.
// It measures the tests' own cluster (test/fixtures/values/cluster.yaml, a one-pool production
// shape), so it runs the same in a fork whatever its values/ holds.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixture = join(root, 'test', 'fixtures', 'values', 'cluster.yaml');
// The Node the README supports (package.json engines >=22.18; CI runs node@24): the targets are for it.
const SUPPORTED_NODE = 24;

const { values: opts } = parseArgs({ options: { runs: { type: 'string', default: '5' }, only: { type: 'string' } } });
const runs = Number(opts.runs);
if (!Number.isInteger(runs) || runs < 1) fail(`--runs expects a whole number >= 1, got ${opts.runs}`);

// GNU time's %M is ru_maxrss of the largest single process in the command's tree.
const timeBin = executable('/usr/bin/time');

const scratch = mkdtempSync(join(tmpdir(), 'forgejo-runner-bench-'));
const stockOut = join(scratch, 'stock-out');
// Without internet the cdk8s CLI's upgrade check fails on every run; off, to measure the steady state.
const noUpgradeCheck = { CDK8S_CHECK_UPGRADE: 'false' };

// A scratch repository with the fixture values (its output is written by the warm-up round):
// (v) and (t) really write there.
const repo = join(scratch, 'repo');
mkdirSync(join(repo, 'values'), { recursive: true });
cpSync(fixture, join(repo, 'values', 'cluster.yaml'));
const repoValues = join(repo, 'values', 'cluster.yaml');
const valuesText = readFileSync(repoValues, 'utf8');
// The TypeScript edit: a comment appended to a source file (restored at the end).
const editedSource = join(root, 'src', 'util', 'duration.ts');
const sourceText = readFileSync(editedSource, 'utf8');
let edits = 0;
function editedValues(capacity) {
  const text = valuesText.replace(/^(\s+capacity:) 2$/m, `$1 ${capacity}`);
  if (capacity !== 2 && text === valuesText) fail('test/fixtures/values/cluster.yaml has no "capacity: 2" line for (v) to edit; update editedValues()');
  return text;
}

/** @type {{ id: string, what: string, argv: string[], env?: Record<string,string>, before?: () => void, check?: () => string }[]} */
const all = [
  {
    id: 'v',
    what: 'values edit -> synth',
    argv: ['npm', 'run', 'synth', '--', '--root', repo],
    // capacity 2 -> 3 -> 2 ...: every run reads different bytes than the run before and writes a
    // changed ConfigMap, so no stage can be skipped.
    before: () => writeFileSync(repoValues, editedValues(2 + (++edits % 2))),
  },
  {
    id: 't',
    what: 'TypeScript edit -> synth',
    argv: ['npm', 'run', 'synth', '--', '--root', repo],
    before: () => writeFileSync(editedSource, `${sourceText}// bench edit ${++edits}\n`),
  },
  {
    id: 'd',
    what: 'conventional cdk8s app (tsx)',
    argv: ['npx', 'cdk8s', 'synth', '--app', 'npx tsx scripts/stock-app.ts', '--output', stockOut],
    env: noUpgradeCheck,
    check: () => `${readdirSync(stockOut).length} files written by cdk8s`,
  },
  { id: 'e', what: 'npm test', argv: ['npm', 'test'] },
  poolsCommand(1000),
];

const selected = opts.only ? opts.only.split(',').map((s) => s.trim()) : all.map((c) => c.id);
const unknown = selected.filter((id) => !all.some((c) => c.id === id));
if (unknown.length) fail(`--only: unknown command ${unknown.join(', ')}; expected some of ${all.map((c) => c.id).join(',')}`);
const commands = all.filter((c) => selected.includes(c.id));

const gitBefore = gitStatus();
let interrupted = false;
process.on('SIGINT', () => (interrupted = true)); // the child gets it too; clean up after it exits

const started = process.hrtime.bigint();
const startLoad = loadavg()[0];
/**
 * The bench itself keeps about one core busy, so an otherwise idle machine ends near 1-2: above
 * the number of cores at the start or the end, something else was running.
 */
const IDLE_LOAD = availableParallelism();
const results = new Map(commands.map((c) => [c.id, { seconds: [], cpu: [], rssKb: [], failures: 0, rebuilds: 0, note: '' }]));
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
      if (r.cpu !== undefined) res.cpu.push(r.cpu);
      if (r.rssKb !== undefined) res.rssKb.push(r.rssKb);
    }
    process.stderr.write(` (load average ${loadavg()[0].toFixed(2)})\n`);
  }
  printTable();
  printTargets();
  printFloor();
} finally {
  restore();
}
const wall = Number(process.hrtime.bigint() - started) / 1e9;
console.log(`\nbench wall time: ${wall.toFixed(1)} s${interrupted ? ' (interrupted)' : ''}; load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);

// --- commands ----------------------------------------------------------------------------

/** (f) N runner pools: the fixture values with its pools replaced, written under a scratch root. */
function poolsCommand(n) {
  const dir = join(scratch, `pools-${n}`);
  const valuesFile = join(dir, 'values', `pools-${n}.yaml`);
  mkdirSync(dirname(valuesFile), { recursive: true });
  writeFileSync(valuesFile, poolsValues(n));
  return {
    id: `f${n}`,
    what: `${n} pool${n === 1 ? '' : 's'}`,
    // The operator's command, as in (v) and (t): package.json gives node its heap settings.
    argv: ['npm', 'run', 'synth', '--', '--root', dir, '--values', valuesFile],
    before: () => rmSync(join(dir, 'out'), { recursive: true, force: true }), // so each run really writes
    check: () => {
      const files = readdirSync(join(dir, 'out', 'manifests'));
      const deployments = files.filter((f) => f.startsWith('deployment-')).length;
      return `${deployments} Deployments, ${files.length} files${deployments === n ? '' : ` (EXPECTED ${n} Deployments)`}`;
    },
  };
}

function poolsValues(n) {
  const text = readFileSync(fixture, 'utf8');
  // A top-level block: the key line plus every following indented line.
  const block = (key) => new RegExp(`^${key}:[^\\n]*\\n(?:[ \\t]+[^\\n]*(?:\\n|$))*`, 'm');
  const pools = block('pools').exec(text);
  const firstPool = pools && /^([ \t]*)- [^\n]*\n(?:\1 [^\n]*\n?)*/m.exec(pools[0]);
  if (!firstPool || !/^\s*- name:/m.test(firstPool[0]) || !/runnerName:/.test(firstPool[0]) || !block('output').test(text)) {
    fail('test/fixtures/values/cluster.yaml no longer has the pools:/output: layout this script rewrites; update poolsValues()');
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
  const rssFile = join(scratch, 'rss');
  rmSync(rssFile, { force: true });
  // %M: peak RSS (KB) of the largest process; %U %S: user and system CPU seconds of the whole tree
  // (children included), which a busy shared machine inflates less than wall time.
  const [file, args] = timeBin ? [timeBin, ['-f', '%M %U %S', '-o', rssFile, ...cmd.argv]] : [cmd.argv[0], cmd.argv.slice(1)];
  const t0 = process.hrtime.bigint();
  const r = spawnSync(file, args, { cwd: root, env: { ...process.env, ...cmd.env }, encoding: 'utf8', maxBuffer: 256 << 20 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const ok = !r.error && r.status === 0;
  if (!ok) {
    const output = `${r.error?.message ?? ''}${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').slice(-30).join('\n');
    process.stderr.write(`\n--- (${cmd.id}) ${cmd.argv.join(' ')} failed (exit ${r.status ?? r.signal}):\n${output}\n---\n`);
  }
  // With -o, time writes "Command exited with non-zero status N" before the numbers on failures.
  const [rssKb, user, sys] = timeBin && existsSync(rssFile) ? readFileSync(rssFile, 'utf8').trim().split('\n').pop().split(' ').map(Number) : [];
  return { ok, seconds, rssKb: Number.isFinite(rssKb) ? rssKb : undefined, cpu: Number.isFinite(user + sys) ? user + sys : undefined };
}

// --- report ------------------------------------------------------------------------------

function printMachine() {
  const childNode = spawnSync('node', ['--version'], { encoding: 'utf8' }).stdout?.trim();
  const npm = spawnSync('npm', ['--version'], { encoding: 'utf8' }).stdout?.trim();
  const nproc = spawnSync('nproc', [], { encoding: 'utf8' }).stdout?.trim() || String(availableParallelism());
  console.log(`machine: ${nproc} cores (nproc; ${cpus().length} online, ${cpus()[0]?.model ?? 'unknown cpu'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM`);
  const major = Number(/^v(\d+)/.exec(childNode ?? '')?.[1]);
  const supported = major === SUPPORTED_NODE;
  console.log(`node ${childNode} (commands; the README's supported LTS is Node ${SUPPORTED_NODE}: ${supported ? 'yes' : 'NO'}), npm ${npm}; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  const self = `node ${relative(root, process.argv[1])}${process.argv.length > 2 ? ` ${process.argv.slice(2).join(' ')}` : ''}`;
  console.log(`command line: ${self}${process.env.npm_lifecycle_event === 'bench' ? ' (via npm run bench)' : ''}`);
  console.log(`runs: 1 warm-up round + ${runs} timed rounds, round-robin over ${commands.map((c) => c.id).join(',')}`);
  console.log(`peak RSS: ${timeBin ? `${timeBin} -f %M (max RSS of the largest single process in the command's tree)` : 'n/a (no /usr/bin/time; apt-get install time)'}`);
  console.log(`scratch ($TMP): ${scratch} (removed at the end)\n`);
  if (!supported) {
    console.log(`NOTE: the commands ran on node ${childNode}, not the supported Node ${SUPPORTED_NODE}; put Node ${SUPPORTED_NODE} first on PATH, e.g.\n  export PATH="$(npx -y -p node@${SUPPORTED_NODE} -c 'dirname "$(command -v node)"'):$PATH"\n`);
  }
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
    const cpu = stats(res.cpu);
    return [
      label,
      s ? s.median.toFixed(3) : 'n/a',
      s ? `${s.min.toFixed(3)}–${s.max.toFixed(3)} (IQR ${(s.q3 - s.q1).toFixed(3)})` : 'n/a',
      cpu ? cpu.median.toFixed(2) : 'n/a',
      `${res.seconds.length}${res.failures ? ` (+${res.failures} failed)` : ''}`,
      rss,
      ratio,
    ];
  });
  console.log('| command | median s | spread: min–max (IQR) s | CPU s (user+sys, median) | runs | peak RSS MB | vs (d): median(d)/median |');
  console.log('|---|---:|---|---:|---:|---:|---|');
  for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  console.log(
    '\n(v) edits the values of a scratch copy of the repository before each run; (t) appends a comment to src/util/duration.ts' +
      '\n(restored at the end), so each run loads a changed source (no build, no type check in synth); (d) is the conventional app, written to a scratch --output;' +
      '\n(f1000) the fixture values (test/fixtures/values/cluster.yaml) with 1000 generated pools, written under a scratch --root emptied before each run.',
  );
  for (const cmd of commands) if (results.get(cmd.id).note) console.log(`(${cmd.id}) ${results.get(cmd.id).note}`);
}

function printTargets() {
  const median = (id) => stats(results.get(id)?.seconds ?? [])?.median;
  const peakMb = (id) => (results.get(id)?.rssKb.length ? Math.max(...results.get(id).rssKb) / 1024 : undefined);
  const line = (ok, text) => console.log(`${ok === undefined ? 'SKIP' : ok ? 'PASS' : 'FAIL'}  ${text}`);
  const s = (x) => (x === undefined ? 'n/a' : `${x.toFixed(3)} s`);
  const [v, t, d, e, f] = ['v', 't', 'd', 'e', 'f1000'].map(median);
  console.log('\ntargets:');
  line(v === undefined ? undefined : v <= 0.3, `values edit -> synth (v) median <= 0.30 s: ${s(v)}`);
  line(v === undefined || d === undefined ? undefined : d / v >= 8, `(v) >= 8x faster than the conventional app (d): ${v && d ? `${(d / v).toFixed(1)}x (${s(d)} / ${s(v)})` : 'n/a'}`);
  line(t === undefined ? undefined : t <= 0.35, `TypeScript edit -> synth (t) median <= 0.35 s: ${s(t)}`);
  line(e === undefined ? undefined : e <= 4, `npm test (e) median <= 4 s: ${s(e)}`);
  line(f === undefined ? undefined : f <= 3, `1000 pools (f1000) median <= 3 s: ${s(f)}`);
  const rss = peakMb('f1000');
  line(rss === undefined ? undefined : rss <= 250, `1000 pools (f1000) peak RSS <= 250 MB: ${rss === undefined ? 'n/a' : `${rss.toFixed(0)} MB`}`);
  const busiest = Math.max(startLoad, ...loadavg().slice(0, 1));
  if (busiest > IDLE_LOAD) {
    console.log(
      `NOTE: the machine was not idle (1-minute load average up to ${busiest.toFixed(2)} at the start or end, above ${IDLE_LOAD} on ` +
        `${availableParallelism()} cores, the bench itself included): the targets are for an idle machine; judge them on an idle run.`,
    );
  }
}

/** What (f1000)'s file writes and YAML rendering cost alone on this machine (scripts/floor.mjs). */
function printFloor() {
  const f = commands.find((c) => c.id === 'f1000');
  if (!f || interrupted || results.get('f1000').seconds.length === 0) return;
  const manifests = join(scratch, 'pools-1000', 'out', 'manifests');
  const r = spawnSync(process.execPath, [join(root, 'scripts', 'floor.mjs'), manifests], { cwd: root, encoding: 'utf8' });
  console.log(`\n${(r.stdout || r.stderr || '').trim() || 'floor: scripts/floor.mjs printed nothing'}`);
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

/** Puts the edited source back and the scratch dir gone; warns when the work tree changed meanwhile. */
function restore() {
  writeFileSync(editedSource, sourceText);
  rmSync(scratch, { recursive: true, force: true });
  const gitAfter = gitStatus();
  if (gitAfter !== gitBefore) {
    console.log(`\nNOTE: git status changed during the bench (someone editing meanwhile):\nbefore:\n${gitBefore || '(clean)\n'}after:\n${gitAfter || '(clean)\n'}`);
  }
}

function fail(message) {
  try {
    rmSync(scratch, { recursive: true, force: true });
  } catch {} // not created yet
  process.stderr.write(`bench: ${message}\n`);
  process.exit(2);
}
