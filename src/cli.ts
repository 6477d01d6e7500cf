// The command line: wires the stages together and nothing else.
//   values file -> loadValues -> synthesize -> validate (schemas, wiring) -> render -> write | compare
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { compareOutput } from './output/compare.js';
import { render, type RenderedOutput } from './output/render.js';
import { writeOutput, type FaultPoint } from './output/writer.js';
import { synthesize } from './synth/synthesize.js';
import { formatSchemaProblem, validateSchemas } from './validate/schemas.js';
import { checkWiring } from './validate/wiring.js';
import { loadValues, ValuesError } from './values/load.js';
import { defaultValuesFiles, keyFor, record, type CacheLocation } from './synth-cache.js';

const USAGE = `usage: forgejo-runner-cdk8s <synth|check|diff> [--values FILE]... [--root DIR] [--force]

  synth   synthesize and replace the output directories (all values/*.yaml by default)
  check   synthesize in memory and fail with a diff if the committed output differs
  diff    print the diff between the committed output and a fresh synth

  --values FILE   a values file (repeatable); default: every values/*.yaml under --root
  --root DIR      repository root that output paths are relative to; default: current directory
  --force         let synth replace files in the output directory that it did not generate`;

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const consoleIo: Io = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

export interface RunOptions {
  /** Where messages go. @default stdout and stderr */
  readonly io?: Io;
  /** @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Record a successful synth so the next unchanged one skips all work (synth-cache.ts). @default no cache */
  readonly cache?: CacheLocation;
  /** The type check of a build still running; every write waits for it. @default already passed */
  readonly typeChecked?: Promise<boolean>;
}

/** Runs the CLI; returns the exit code. */
export async function main(argv: readonly string[], options: RunOptions = {}): Promise<number> {
  const { io = consoleIo, env = process.env, cache, typeChecked = Promise.resolve(true) } = options;
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
  const valuesFiles = args.values.values ?? defaultValuesFiles(root);
  if (valuesFiles.length === 0) {
    io.err(`no values files: none given with --values, and ${join(root, 'values')}/*.yaml matches none`);
    return 1;
  }

  // Every values file is loaded, synthesized and validated before anything is written.
  const outputs: { source: string; output: RenderedOutput }[] = [];
  let failed = false;
  for (const file of valuesFiles) {
    const source = relative(root, resolve(file)) || file;
    try {
      const { values } = loadValues(file);
      const synthesis = synthesize(values);
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
      outputs.push({
        source,
        output: render(synthesis, { manifestsDir: values.output.manifests, applicationFile: values.output.application, source }),
      });
    } catch (e) {
      io.err(e instanceof ValuesError ? e.message : `${source}: ${(e as Error).message}`);
      failed = true;
    }
  }
  const clash = findClash(outputs);
  if (clash) {
    io.err(clash);
    failed = true;
  }
  if (!(await typeChecked)) failed = true; // the code itself has type errors (printed by the build)
  if (failed) {
    io.err(`${command}: nothing written; the committed output is unchanged`);
    return 1;
  }

  if (command === 'synth') {
    const fault = env.FORGEJO_RUNNER_CDK8S_FAULT as FaultPoint | undefined;
    const summary = (o: RenderedOutput, source: string, dirState: string, appState: string) =>
      `${source} -> ${o.manifestsDir}/ (${o.manifests.length} files) ${dirState}, ${o.application.path} ${appState}`;
    for (const { source, output } of outputs) {
      try {
        const result = writeOutput(root, output, { force: args.values.force, faultAt: fault });
        io.out(summary(output, source, result.manifestsChanged ? 'updated' : 'unchanged', result.applicationChanged ? 'updated' : 'unchanged'));
      } catch (e) {
        io.err(`${source}: ${(e as Error).message}\nsynth: ${output.manifestsDir} is unchanged`);
        return 1;
      }
    }
    copyForCdk8sCli(root, outputs, env);
    const key = cache && keyFor(cache, root, valuesFiles);
    if (cache && key) {
      record(
        cache.file,
        key,
        outputs.map(({ output }) => ({ dir: resolve(root, output.manifestsDir), files: output.manifests })),
        outputs.map(({ output }) => ({ path: resolve(root, output.application.path), text: output.application.text })),
        outputs.map(({ source, output }) => summary(output, source, 'unchanged', 'unchanged')),
      );
    }
    return 0;
  }

  let drift = false;
  for (const { source, output } of outputs) {
    const comparison = compareOutput(root, output);
    if (comparison.same) {
      if (command === 'check') io.out(`${source}: ${output.manifestsDir}/ and ${output.application.path} match a fresh synth`);
      continue;
    }
    drift = true;
    io.out(comparison.diff.trimEnd());
    if (command === 'check') io.err(`${source}: the committed output differs from a fresh synth (above); run \`npm run synth\` and commit`);
  }
  return command === 'check' && drift ? 1 : 0;
}

function findClash(outputs: readonly { source: string; output: RenderedOutput }[]): string | undefined {
  const owners = new Map<string, string>();
  for (const { source, output } of outputs) {
    for (const path of [output.manifestsDir.replace(/\/$/, ''), output.application.path]) {
      const other = owners.get(path);
      if (other) return `${source} and ${other} both write ${path}; give each values file its own output`;
      owners.set(path, source);
    }
  }
  return undefined;
}

/** Under `cdk8s synth`, also leave a copy in the CLI's own output dir (which it deletes first). */
function copyForCdk8sCli(root: string, outputs: readonly { output: RenderedOutput }[], env: NodeJS.ProcessEnv): void {
  const outdir = env.CDK8S_OUTDIR;
  if (!outdir) return;
  const dir = resolve(root, outdir);
  mkdirSync(dir, { recursive: true });
  for (const { output } of outputs) {
    const name = output.manifestsDir.replace(/[\\/]/g, '_');
    writeFileSync(join(dir, `${name}.k8s.yaml`), output.manifests.filter((f) => f.path !== 'kustomization.yaml').map((f) => f.text).join(''));
  }
}
