// Skip work that is already current: a synth whose inputs (the build, the values files) and
// outputs (every file it wrote, byte for byte) are unchanged since the last successful synth has
// nothing to do. Checking that takes a few file reads, so the warm `npm run synth` does not
// load the synthesizer at all. Any difference, including a hand-edited or extra output file,
// falls through to a full synth. Node built-ins only: bin/ loads this without the bundle.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

export interface CacheKeyInput {
  /** Content of the build stamp: changes whenever the code is rebuilt. */
  readonly build: string;
  readonly root: string;
  /** The values files, in order. */
  readonly valuesFiles: readonly string[];
}

interface Entry {
  /** Output directories, absolute, with the exact file names each must hold. */
  readonly dirs: Record<string, string[]>;
  /** Output files, absolute, with the sha256 of their content. */
  readonly files: Record<string, string>;
  /** What the synth reports when nothing changed. */
  readonly summary: string[];
}

const MAX_ENTRIES = 16;
const sha = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');

export function cacheKey(input: CacheKeyInput): string | undefined {
  try {
    const values = input.valuesFiles.map((f) => [resolve(f), sha(readFileSync(f))]);
    return sha(JSON.stringify({ build: input.build, root: resolve(input.root), values }));
  } catch {
    return undefined; // an unreadable values file: let the full synth report it
  }
}

/** The summary of the last synth with this key if its outputs are still byte-identical. */
export function currentSummary(cacheFile: string, key: string): string[] | undefined {
  let entry: Entry | undefined;
  try {
    entry = (JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, Entry>)[key];
  } catch {
    return undefined;
  }
  if (!entry) return undefined;
  for (const [dir, names] of Object.entries(entry.dirs)) {
    if (!existsSync(dir) || readdirSync(dir).sort().join('\n') !== [...names].sort().join('\n')) return undefined;
  }
  for (const [file, hash] of Object.entries(entry.files)) {
    if (!existsSync(file) || sha(readFileSync(file)) !== hash) return undefined;
  }
  return entry.summary;
}

/** Records a successful synth's outputs under its key. */
export function record(
  cacheFile: string,
  key: string,
  outputs: readonly { readonly dir: string; readonly files: readonly { readonly path: string; readonly text: string }[] }[],
  singles: readonly { readonly path: string; readonly text: string }[],
  summary: readonly string[],
): void {
  let all: Record<string, Entry> = {};
  try {
    all = JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, Entry>;
  } catch {
    // no cache yet, or unreadable: start over
  }
  const entry: Entry = { dirs: {}, files: {}, summary: [...summary] };
  for (const { dir, files } of outputs) {
    entry.dirs[dir] = files.map((f) => f.path);
    for (const f of files) entry.files[join(dir, f.path)] = sha(f.text);
  }
  for (const f of singles) entry.files[f.path] = sha(f.text);
  const kept = Object.entries(all).filter(([k]) => k !== key).slice(-(MAX_ENTRIES - 1));
  mkdirSync(dirname(cacheFile), { recursive: true });
  writeFileSync(cacheFile, JSON.stringify(Object.fromEntries([...kept, [key, entry]])));
}

/**
 * The values files synth and check use when none are named: every values/*.yaml (the clusters),
 * then every examples/*.yaml (documentation whose committed output must not go stale; its
 * output paths stay under examples/), each sorted.
 */
export function defaultValuesFiles(root: string): string[] {
  return ['values', 'examples'].flatMap((sub) => {
    const dir = join(root, sub);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => join(dir, f));
  });
}

export interface CacheLocation {
  /** The build stamp file (dist/.build-stamp). */
  readonly stamp: string;
  /** Where entries are kept (dist/synth-cache.json). */
  readonly file: string;
}

/**
 * The fast path of `synth`: the summary lines to print when the outputs are current, else
 * undefined. Only for a plain synth (values and root options); anything else takes the full path.
 */
export function fastSynth(argv: readonly string[], env: NodeJS.ProcessEnv, cache: CacheLocation): string[] | undefined {
  if (argv[0] !== 'synth' || env.CDK8S_OUTDIR || env.FORGEJO_RUNNER_CDK8S_FAULT) return undefined;
  let root = '.';
  const values: string[] = [];
  for (let i = 1; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) return undefined;
    if (flag === '--root') root = value;
    else if (flag === '--values') values.push(value);
    else return undefined;
  }
  const key = keyFor(cache, root, values.length ? values : defaultValuesFiles(resolve(root)));
  return key ? currentSummary(cache.file, key) : undefined;
}

export function keyFor(cache: CacheLocation, root: string, valuesFiles: readonly string[]): string | undefined {
  if (valuesFiles.length === 0 || !existsSync(cache.stamp)) return undefined;
  return cacheKey({ build: readFileSync(cache.stamp, 'utf8'), root, valuesFiles });
}
