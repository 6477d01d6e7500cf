// Rendered files -> disk, all or nothing. The new manifests are written to a staging directory
// beside the target and swapped in with one atomic exchange, so a reader (git, Argo CD, a
// reviewer) sees the complete old set or the complete new set, never a mix, and files of
// removed resources disappear with the old set. Nothing is touched when the bytes are equal.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { exchangeDirectories } from './exchange.js';
import { GENERATED_MARK, type RenderedFile, type RenderedOutput } from './render.js';

/** Points where a test can make the writer die as if killed (SIGKILL). */
export type FaultPoint = 'staged' | 'swapped';

export interface WriteOptions {
  /** Replace files in the target that this tool did not generate. @default false */
  readonly force?: boolean;
  /** Kill the process at this point (tests of crash safety). @default never */
  readonly faultAt?: FaultPoint;
}

export interface WriteResult {
  readonly manifestsChanged: boolean;
  readonly applicationChanged: boolean;
}

export function writeOutput(root: string, output: RenderedOutput, options: WriteOptions = {}): WriteResult {
  const target = resolve(root, output.manifestsDir);
  recoverInterruptedSwap(target);
  const current = readTree(target);
  const manifestsChanged = !sameFiles(current, output.manifests);
  if (manifestsChanged) {
    if (current && !options.force) assertOwned(output.manifestsDir, current);
    replaceDirectory(target, output.manifests, options.faultAt);
  }
  const applicationChanged = writeFileIfChanged(resolve(root, output.application.path), output.application.text);
  return { manifestsChanged, applicationChanged };
}

/** Files of a directory (name -> text), or undefined when it does not exist. */
export function readTree(dir: string): Map<string, string> | undefined {
  if (!existsSync(dir)) return undefined;
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isFile()) files.set(entry.name, readFileSync(join(dir, entry.name), 'utf8'));
    else files.set(`${entry.name}/`, ''); // a subdirectory is foreign content: never equal
  }
  return files;
}

function sameFiles(current: Map<string, string> | undefined, wanted: readonly RenderedFile[]): boolean {
  return !!current && current.size === wanted.length && wanted.every((f) => current.get(f.path) === f.text);
}

function assertOwned(dir: string, current: Map<string, string>): void {
  const foreign = [...current].filter(([, text]) => !text.startsWith(GENERATED_MARK)).map(([name]) => name);
  if (foreign.length > 0) {
    throw new Error(
      `${dir} holds files this tool did not generate: ${foreign.sort().join(', ')}. Synth replaces the whole ` +
        'directory; move them elsewhere, or pass --force to replace them (e.g. when adopting hand-written manifests).',
    );
  }
}

function replaceDirectory(target: string, files: readonly RenderedFile[], faultAt: FaultPoint | undefined): void {
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const staging = join(parent, `.${basename(target)}.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  for (const f of files) writeFileSync(join(staging, f.path), f.text);
  if (faultAt === 'staged') process.kill(process.pid, 'SIGKILL');

  if (!existsSync(target)) {
    renameSync(staging, target); // atomic: the target appears complete
  } else if (exchangeDirectories(staging, target)) {
    if (faultAt === 'swapped') process.kill(process.pid, 'SIGKILL');
  } else {
    // No atomic exchange here: two renames, with a backup that recoverInterruptedSwap restores
    // if the process dies between them.
    const backup = join(parent, `.${basename(target)}.old-${process.pid}`);
    renameSync(target, backup);
    renameSync(staging, target);
    rmSync(backup, { recursive: true, force: true });
    return;
  }
  rmSync(staging, { recursive: true, force: true }); // now holds the old set
}

/** Cleans up after a synth that died mid-write, restoring the old set if it was moved aside. */
export function recoverInterruptedSwap(target: string): void {
  const parent = dirname(target);
  if (!existsSync(parent)) return;
  const prefix = `.${basename(target)}.`;
  for (const name of readdirSync(parent)) {
    if (!name.startsWith(prefix)) continue;
    const path = join(parent, name);
    if (name.startsWith(`${prefix}old-`) && !existsSync(target) && statSync(path).isDirectory()) {
      renameSync(path, target);
    } else if (name.startsWith(`${prefix}old-`) || name.startsWith(`${prefix}staging-`)) {
      rmSync(path, { recursive: true, force: true });
    }
  }
}

/** Write-to-temp then rename: the file is replaced whole or not at all. */
function writeFileIfChanged(path: string, text: string): boolean {
  if (existsSync(path) && readFileSync(path, 'utf8') === text) return false;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  writeFileSync(tmp, text);
  renameSync(tmp, path);
  return true;
}
