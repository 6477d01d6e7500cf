// The command line: wires the stages together and nothing else.
//   values files -> loadValues -> checkPerimeter (all files at once) -> synthesize -> validate
//   (schemas, wiring) -> render -> [lock] write | compare
// Every synth runs the whole pipeline: there is no result cache.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { compareOutput, unifiedDiff } from './output/compare.ts';
import { acquireOutputLock, LockBusy } from './output/lock.ts';
import { findOrphans, removeOrphan, type Orphan, type OrphanScan } from './output/orphans.ts';
import { render, type RenderedOutput } from './output/render.ts';
import { applyOutput, describeErrno, prepareOutput, WriteFailed, WriteRefused, type FaultPoint, type OutputState, type WriteResult } from './output/writer.ts';
import { formatSchemaProblem, validateSchemas } from './validate/schemas.ts';
import { checkWiring } from './validate/wiring.ts';
import { loadValues, peekOutputs, ValuesError, type LoadedValues } from './values/load.ts';
import { checkPerimeter, formatPerimeterProblem, PROTECTED, resolveReal, type OutputClaim } from './values/perimeter.ts';
import { synthesizeValues } from './values/locate.ts';

const USAGE = `usage: forgejo-runner-cdk8s <synth|check|diff> [--values FILE]... [--root DIR] [--force]

  synth   synthesize and replace the output of each values file (values/*.yaml, then examples/*.yaml, by default)
  check   compare the output in the working tree (files on disk, committed or not) with a fresh
          synth; exit 1 with a diff if they differ
  diff    print the diff between the output in the working tree and a fresh synth

  --values FILE   a values file (repeatable); default: every regular values/*.yaml and *.yml (any case of
                  the extension), then examples/*.yaml, under --root (dotfiles such as editor locks are skipped)
  --root DIR      repository root that output paths are relative to; default: current directory
  --force         let synth take over output generated from ANOTHER values file (its header names
                  that file), e.g. after renaming values/a.yaml to values/b.yaml. It never lets
                  synth replace or delete anything this tool did not generate.

Output perimeter (checked before anything is synthesized): output.manifests and
output.application are plain relative paths (no control characters, no backslash), resolved
through symbolic links, and must lie inside --root, must not be the root, must not be, lie
inside or contain ${PROTECTED.join(', ')} or a values file, and must not equal or nest inside
any other output of any values file in the repository (also those not being synthesized).
Synth writes only where it owns the path: a manifests directory that is absent, empty or holds
only files it generated (their first line is its header); an application file that is absent or
generated. --force never widens this. Generated output that no values file produces any more is
removed by synth; check and diff report it. No environment variable changes where synth writes.
Synth takes a lock per repository: a second synth waits up to 10 s, then fails; a lock whose
owner cannot be checked fails at once, naming the lock file.`;

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

// zod compiles a fast path (new Function) for each object schema on its first parse; the CLI parses
// each values file once per process, so compiling costs more (~6 ms) than it saves. Same results.
// Set here, not in the library, so importing the constructs changes no zod setting of the caller.
z.config({ jitless: true });

const consoleIo: Io = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

export interface RunOptions {
  /** Where messages go. @default stdout and stderr */
  readonly io?: Io;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** How long synth waits for another synth's lock. @default 10000 ms */
  readonly lockWaitMs?: number;
  /** Called when synth starts waiting for another synth's lock (tests wait for this event). @default none */
  readonly onLockWait?: () => void;
}

/**
 * The values files synth and check use when none are named: the regular, non-hidden
 * values/*.yaml (the clusters), then examples/*.yaml (documentation whose committed output must
 * not go stale; their outputs stay under examples/), each sorted.
 */
export function defaultValuesFiles(root: string): string[] {
  return ['values', 'examples'].flatMap((sub) => yamlFilesIn(join(root, sub)));
}

function yamlFilesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((f) => /\.ya?ml$/i.test(f) && !f.startsWith('.')) // prod.YAML too; not .#x.yaml (Emacs), ._x.yaml (macOS)
    .filter((f) => {
      try {
        return statSync(join(dir, f)).isFile(); // never a FIFO, socket or directory
      } catch {
        return false; // a dangling symlink (e.g. an editor lock)
      }
    })
    .sort()
    .map((f) => join(dir, f));
}

/** Runs the CLI; returns the exit code. Never throws: every failure is a message and a code. */
export async function main(argv: readonly string[], options: RunOptions = {}): Promise<number> {
  const io = options.io ?? consoleIo;
  try {
    return await run(argv, options, io);
  } catch (e) {
    // A bug, not a user error: still no stack trace, but say what failed.
    io.err(`internal error: ${(e as Error).message ?? String(e)}; nothing more was done`);
    return 1;
  }
}

/** Returned by a synth that found its values edited after it read them: it runs again. */
const VALUES_CHANGED = -1;

async function run(argv: readonly string[], options: RunOptions, io: Io): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const code = await runOnce(argv, options, io);
    if (code !== VALUES_CHANGED) return code;
    if (attempt === 3) {
      io.err('synth: the values files keep changing while synth runs; nothing written. Run synth again when the edits are done.');
      return 1;
    }
  }
}

async function runOnce(argv: readonly string[], options: RunOptions, io: Io): Promise<number> {
  const { env = process.env } = options;
  let args;
  try {
    args = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        values: { type: 'string', multiple: true },
        root: { type: 'string' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.err(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const [command, ...extra] = args.positionals;
  if (args.values.help) {
    io.out(USAGE);
    return 0;
  }
  if (!command || !['synth', 'check', 'diff'].includes(command) || extra.length > 0) {
    io.err(`expected one command, synth, check or diff; got: ${args.positionals.join(' ') || 'none'}\n${USAGE}`);
    return 2;
  }
  const root = resolve(args.values.root ?? '.');
  try {
    if (!statSync(root).isDirectory()) throw new Error('not a directory');
  } catch {
    io.err(`--root ${args.values.root ?? '.'}: expected an existing directory`);
    return 2;
  }
  const show = (file: string) => {
    const rel = relative(root, resolve(file));
    return rel && !rel.startsWith('..') ? rel : file;
  };
  const valuesFiles = args.values.values ?? defaultValuesFiles(root);
  if (valuesFiles.length === 0) {
    io.err(`no values files: none given with --values, and values/*.yaml and examples/*.yaml under ${root} match none`);
    return 1;
  }
  const nothingWritten = () => {
    io.err(`${command}: nothing written; the output on disk is unchanged`);
    return 1;
  };

  // 1. Load every values file; 2. check all output paths at once; 3. synthesize and validate.
  // Nothing is written unless every values file passes every stage.
  let failed = false;
  const loaded: { source: string; file: string; loaded: LoadedValues }[] = [];
  for (const file of valuesFiles) {
    const source = show(file);
    try {
      loaded.push({ source, file, loaded: loadValues(file) });
    } catch (e) {
      if (!(e instanceof ValuesError)) throw e;
      io.err(new ValuesError(source, e.problems).message);
      failed = true;
    }
  }
  if (failed) return nothingWritten();

  const claims: OutputClaim[] = loaded.flatMap(({ source, loaded: l }) =>
    (['manifests', 'application'] as const).map((key) => ({
      source,
      field: `output.${key}`,
      path: l.values.output[key],
      line: l.lineOf(['output', key]),
    })),
  );
  // Every other values file of the repository: no output may clash with one of theirs (even when
  // synth was asked for one file only), and their outputs are never orphans.
  const given = new Set(valuesFiles.map((f) => resolve(f)));
  const others = defaultValuesFiles(root).filter((f) => !given.has(resolve(f)));
  const unreadable: string[] = [];
  for (const file of others) {
    const peek = peekOutputs(file);
    if (!peek?.manifests || !peek.application) unreadable.push(show(file));
    for (const key of ['manifests', 'application'] as const) {
      const path = peek?.[key];
      if (path !== undefined) claims.push({ source: show(file), field: `output.${key}`, path, line: peek!.lineOf(['output', key]), context: true });
    }
  }
  const outside = checkPerimeter(root, claims, [...valuesFiles, ...others]);
  if (outside.length > 0) {
    io.err(`output paths outside the perimeter (see --help):\n  ${outside.map(formatPerimeterProblem).join('\n  ')}`);
    return nothingWritten();
  }
  const realRoot = resolveReal(root);
  // A message instead of a scan: orphans are removed only when every values file's outputs are known.
  const scanOrphans = (): OrphanScan | string => {
    if (unreadable.length > 0) return `orphaned output not looked for: the outputs of ${unreadable.join(', ')} cannot be read`;
    try {
      return findOrphans(root, claims.map((c) => resolveReal(join(realRoot, c.path))), new Set([...loaded.map((l) => l.source), ...others.map(show)]));
    } catch (e) {
      return `orphaned output not looked for: ${e instanceof WriteRefused ? e.message : describeErrno(e)}`;
    }
  };
  const force = args.values.force ?? false;

  const outputs: { source: string; output: RenderedOutput }[] = [];
  for (const { source, loaded: l } of loaded) {
    try {
      const synthesis = synthesizeValues(l, source);
      const all = [...synthesis.manifests, synthesis.application];
      const problems = [
        ...validateSchemas(all).map((p) => `schema: ${formatSchemaProblem(p)}`),
        ...checkWiring(all).map((p) => `wiring: ${p.file}: ${p.message}`),
      ];
      if (problems.length > 0) {
        io.err(`${source}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in the synthesized objects\n  ${problems.join('\n  ')}`);
        failed = true;
        continue;
      }
      outputs.push({ source, output: render(synthesis, { manifestsDir: l.values.output.manifests, applicationFile: l.values.output.application, source }) });
    } catch (e) {
      // Constructs validate their props in the constructor; their errors are user errors, shown
      // at the values file's lines when they are PropsErrors (synthesizeValues).
      io.err(e instanceof ValuesError ? e.message : `${source}: ${(e as Error).message}`);
      failed = true;
    }
  }
  if (failed) return nothingWritten();

  if (command === 'synth') {
    const readBytes = loaded.map((l) => ({ file: l.file, source: l.source, bytes: l.loaded.bytes }));
    return synth(root, outputs, readBytes, scanOrphans, { force, env, io, lockWaitMs: options.lockWaitMs, onLockWait: options.onLockWait });
  }

  let drift = false;
  let refused = false;
  for (const { source, output } of outputs) {
    let comparison;
    try {
      comparison = compareOutput(root, output, { force, source });
    } catch (e) {
      if (!(e instanceof WriteRefused)) throw e;
      // What synth would refuse, check and diff refuse too: they agree on every state.
      io.err(`${source}: ${e.message}`);
      refused = true;
      continue;
    }
    const what = `${output.manifestsDir}/ and ${output.application.path}`;
    if (comparison.same) {
      io.out(command === 'check' ? `${source}: ${what} in the working tree match a fresh synth` : `${source}: no differences`);
      continue;
    }
    drift = true;
    io.out(comparison.diff.trimEnd());
    if (command === 'check') io.err(`${source}: ${what} in the working tree differ from a fresh synth (above); run \`npm run synth\` and commit`);
  }
  const scan = scanOrphans();
  if (typeof scan === 'string') io.err(scan);
  else {
    for (const kept of scan.kept) io.err(`${kept.path}: ${kept.why}`);
    for (const orphan of scan.orphans) {
      drift = true;
      const files = orphan.kind === 'manifests' ? [...orphan.files].map(([name, bytes]) => [`${orphan.path}/${name}`, bytes] as const) : [...orphan.files];
      io.out(files.map(([path, was]) => unifiedDiff({ path, was })).join('').trimEnd());
      if (command === 'check') io.err(`${describeOrphan(orphan)}; \`npm run synth\` removes it`);
    }
  }
  if (refused) return 1;
  return command === 'check' && drift ? 1 : 0;
}

function describeOrphan(o: Orphan): string {
  const what = o.kind === 'manifests' ? `${o.path}/ (${o.files.size} files)` : o.path;
  return `${what}: generated${o.from ? ` from ${o.from}` : ''}, and no values file produces it any more`;
}

interface SynthOptions {
  readonly force: boolean;
  readonly env: NodeJS.ProcessEnv;
  readonly io: Io;
  readonly lockWaitMs?: number;
  readonly onLockWait?: () => void;
}

async function synth(
  root: string,
  outputs: readonly { source: string; output: RenderedOutput }[],
  inputs: readonly { file: string; source: string; bytes: Buffer }[],
  scanOrphans: () => OrphanScan | string,
  o: SynthOptions,
): Promise<number> {
  const { io } = o;
  const nothing = 'synth: nothing written; the output on disk is unchanged';
  let release: () => void;
  try {
    release = await acquireOutputLock(root, { waitMs: o.lockWaitMs, onWait: o.onLockWait });
  } catch (e) {
    if (!(e instanceof LockBusy) && !(e instanceof WriteFailed)) throw e;
    io.err(`synth: ${e.message}\n${nothing}`);
    return 1;
  }
  const fault = o.env.FORGEJO_RUNNER_CDK8S_FAULT as FaultPoint | undefined;
  const written: string[] = [];
  try {
    // Under the lock, the values must still be what was synthesized: otherwise a synth that
    // started earlier could overwrite the output of a later edit. Start again with the new values.
    const edited = inputs.find((i) => !sameBytes(i.file, i.bytes));
    if (edited) {
      io.out(`${edited.source} changed while synth ran; synthesizing again from the new values`);
      return VALUES_CHANGED;
    }
    // Every output's paths are checked before the first byte is written: a refusal of the last
    // output must not leave the first one written.
    const states: OutputState[] = [];
    for (const { source, output } of outputs) {
      try {
        states.push(prepareOutput(root, output, { force: o.force, source }));
      } catch (e) {
        io.err(`${source}: ${e instanceof WriteRefused || e instanceof WriteFailed ? e.message : ioFailure(e, root)}\n${nothing}`);
        return 1;
      }
    }
    const scan = scanOrphans();
    for (const [i, { source, output }] of outputs.entries()) {
      let result: WriteResult;
      try {
        result = applyOutput(root, output, states[i]!, { force: o.force, source, faultAt: fault });
      } catch (e) {
        io.err(`${source}: ${e instanceof WriteRefused || e instanceof WriteFailed ? e.message : ioFailure(e, root)}`);
        const partial = (e as { written?: string }).written;
        if (partial) written.push(partial);
        io.err(written.length ? `synth: stopped; written before the failure:\n  ${written.join('\n  ')}\nsynth: every other output is unchanged` : nothing);
        return 1;
      }
      const line = summary(source, output, result);
      io.out(line);
      if (!line.endsWith('unchanged')) written.push(line);
    }
    if (typeof scan === 'string') io.err(scan);
    else {
      for (const kept of scan.kept) io.err(`${kept.path}: ${kept.why}`);
      for (const orphan of scan.orphans) {
        try {
          removeOrphan(root, orphan);
        } catch (e) {
          io.err(`${orphan.path}: cannot remove orphaned output: ${describeErrno(e)}`);
          return 1;
        }
        io.out(`${describeOrphan(orphan)}: removed`);
      }
    }
    return 0;
  } finally {
    release();
  }
}

function sameBytes(file: string, bytes: Buffer): boolean {
  try {
    return readFileSync(file).equals(bytes);
  } catch {
    return false;
  }
}

/** Names listed per kind of change; a larger set (say, 1000 new pools) is counted, not listed. */
const LISTED = 10;

function summary(source: string, output: RenderedOutput, r: WriteResult): string {
  const list = (what: string, files: readonly string[]) =>
    files.length === 0
      ? ''
      : files.length <= LISTED
        ? `${what} ${files.join(', ')}`
        : `${what} ${files.length} files: ${files.slice(0, LISTED).join(', ')} and ${files.length - LISTED} more (git status lists them all)`;
  const parts = [list('added', r.added), list('changed', r.changed), list('removed', r.removed)].filter(Boolean);
  const dir = `${output.manifestsDir}/ (${output.manifests.length} files): ${parts.length ? parts.join('; ') : 'unchanged'}`;
  const app = `${output.application.path}: ${r.application === 'unchanged' ? 'unchanged' : r.application}`;
  return `${source} -> ${dir}; ${app}`;
}

/** An OS error as a sentence with a path relative to the root, never a stack trace. */
function ioFailure(e: unknown, root: string): string {
  const at = (e as NodeJS.ErrnoException).path;
  return `${at ? `${relative(root, at) || at}: ` : ''}${describeErrno(e)}`;
}
