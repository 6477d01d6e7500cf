// Rendered files -> disk, all or nothing, one writer at a time.
//
// The new manifests are written to a staging directory (no fsync per file: see
// replaceDirectory) and renamed in: the old set is first renamed aside, then the new set renamed
// in, then the old set deleted; the parent directories are fsynced after each rename, so a power
// cut leaves the old or the new set in place (plus leftovers that the next run cleans up).
// A process killed between the two renames leaves no
// output directory; the next run puts the old set back before doing anything else. Node has no
// binding for renameat2(RENAME_EXCHANGE), and spawning another runtime to make that one call is a
// hidden dependency (its child can outlive a SIGKILL of node and swap afterwards), so this is the
// rename-aside scheme with recovery.
//
// All temporary state lives in a tool-owned work directory next to each output
// (WORK_DIR_NAME, holding a `.gitignore` of `*`), so an interrupted run's leftovers never show in
// `git status` wherever the output lives, and each leftover carries the pid of its process:
// recovery touches only leftovers of processes that are gone.
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, rmdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { GENERATED_MARK, type RenderedFile, type RenderedOutput } from './render.ts';

/** Name of the tool-owned, git-ignored directory that holds staging sets, temp files and the lock. */
export const WORK_DIR_NAME = '.forgejo-runner-cdk8s';

/** Points where a test can make the writer die as if killed (SIGKILL). */
export type FaultPoint = 'staged' | 'aside' | 'swapped';

export interface WriteOptions {
  /** Adopt foreign regular files directly inside the manifests directory, and replace an application file that is an Argo CD Application. @default false */
  readonly force?: boolean;
  /** Kill the process at this point (tests of crash safety). @default never */
  readonly faultAt?: FaultPoint;
}

export interface WriteResult {
  /** Files (relative to the manifests directory) that are new, rewritten or deleted. */
  readonly added: readonly string[];
  readonly changed: readonly string[];
  readonly removed: readonly string[];
  readonly application: 'added' | 'changed' | 'unchanged';
}

/** A refusal the user can act on (the message says how); nothing was written. */
export class WriteRefused extends Error {
  override name = 'WriteRefused';
}

export function writeOutput(root: string, output: RenderedOutput, options: WriteOptions = {}): WriteResult {
  const target = resolve(root, output.manifestsDir);
  recoverLeftovers(target);
  const current = readTree(target, output.manifestsDir);
  const wanted = new Map(output.manifests.map((f) => [f.path, f.text]));
  const added = [...wanted.keys()].filter((p) => !current?.has(p)).sort();
  const changed = [...wanted.keys()].filter((p) => current?.has(p) && current.get(p) !== wanted.get(p)).sort();
  const removed = [...(current?.keys() ?? [])].filter((p) => !wanted.has(p)).sort();

  const appPath = resolve(root, output.application.path);
  const appBefore = readApplication(appPath, output.application.path, options.force ?? false);

  const dirChanged = added.length + changed.length + removed.length > 0;
  if (dirChanged) {
    if (current && !options.force) assertOwned(output.manifestsDir, current);
    replaceDirectory(target, output.manifests, options.faultAt);
  }
  let application: WriteResult['application'] = 'unchanged';
  if (appBefore !== output.application.text) {
    try {
      writeFileAtomic(appPath, output.application.text);
    } catch (e) {
      // The manifests are already swapped in: say so, the caller reports exactly what was written.
      if (dirChanged && e instanceof Error) {
        Object.assign(e, { written: `${output.manifestsDir}/ (replaced; ${output.application.path} was not written)` });
      }
      throw e;
    }
    application = appBefore === undefined ? 'added' : 'changed';
  }
  return { added, changed, removed, application };
}

/**
 * Files of a manifests directory (name -> text), or undefined when it does not exist. Only regular
 * files directly inside count as content: a subdirectory, symlink or other entry is refused even
 * with --force (synth would delete it, and it may point outside the repository).
 */
export function readTree(dir: string, shown = dir): Map<string, string> | undefined {
  let stat;
  try {
    stat = lstatSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WriteRefused(`${shown}: cannot read the output directory (${(e as NodeJS.ErrnoException).code})`);
  }
  if (!stat.isDirectory()) throw new WriteRefused(`${shown} exists and is not a directory; synth writes a directory of manifests there`);
  const files = new Map<string, string>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile()) {
      const what = entry.isDirectory() ? 'a subdirectory' : entry.isSymbolicLink() ? 'a symbolic link' : 'not a regular file';
      throw new WriteRefused(`${shown}/${entry.name} is ${what}; synth replaces only regular files (also with --force): move it elsewhere`);
    }
    files.set(entry.name, readFileSync(join(dir, entry.name), 'utf8'));
  }
  return files;
}

/** The application file's current text (undefined: absent), after checking synth may replace it. */
function readApplication(path: string, shown: string, force: boolean): string | undefined {
  let stat;
  try {
    stat = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WriteRefused(`${shown}: cannot read the application file (${(e as NodeJS.ErrnoException).code})`);
  }
  if (!stat.isFile()) throw new WriteRefused(`${shown} exists and is not a regular file; synth writes the Argo CD Application there`);
  const text = readFileSync(path, 'utf8');
  if (text.startsWith(GENERATED_MARK)) return text;
  if (!force) {
    throw new WriteRefused(`${shown} exists and was not generated by this tool; move it, or pass --force to replace it if it is an Argo CD Application`);
  }
  if (!isArgoApplication(text)) {
    throw new WriteRefused(`${shown} exists and is not an Argo CD Application (kind: Application, apiVersion: argoproj.io/...); synth never replaces it, also not with --force`);
  }
  return text;
}

function isArgoApplication(text: string): boolean {
  try {
    const doc = parse(text) as { kind?: unknown; apiVersion?: unknown } | null;
    return doc?.kind === 'Application' && typeof doc.apiVersion === 'string' && doc.apiVersion.startsWith('argoproj.io/');
  } catch {
    return false;
  }
}

function assertOwned(dir: string, current: Map<string, string>): void {
  const foreign = [...current].filter(([, text]) => !text.startsWith(GENERATED_MARK)).map(([name]) => name);
  if (foreign.length > 0) {
    throw new WriteRefused(
      `${dir} holds files this tool did not generate: ${foreign.sort().join(', ')}. Synth replaces the whole ` +
        'directory; move them elsewhere, or pass --force to replace them (e.g. when adopting hand-written manifests).',
    );
  }
}

/** The work directory next to `path`, created with a `.gitignore` that hides everything in it. */
export function workDirFor(path: string): string {
  return ensureWorkDir(join(dirname(path), WORK_DIR_NAME));
}

/** Creates a work directory (if needed) with its `.gitignore` of `*`. */
export function ensureWorkDir(work: string): string {
  mkdirSync(work, { recursive: true });
  const ignore = join(work, '.gitignore');
  try {
    lstatSync(ignore);
  } catch {
    writeFileSync(ignore, '# leftovers of forgejo-runner-cdk8s (staging sets, temp files); never commit\n*\n');
  }
  return work;
}

function replaceDirectory(target: string, files: readonly RenderedFile[], faultAt: FaultPoint | undefined): void {
  const parent = dirname(target);
  mkdirSync(parent, { recursive: true });
  const work = workDirFor(target);
  const staging = join(work, `staging-${process.pid}-${basename(target)}`);
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging);
  // No fsync per file: these are working-tree files of a git repository, and git itself never
  // fsyncs the working tree (core.fsync, git's Documentation/config/core.txt, names only
  // repository components: objects, packs, refs, the index). What a synth promises is atomicity
  // against a killed process, and that comes from the rename below, not from fsync:
  // a SIGKILL leaves the old set or the new one (test/slow/crash.test.ts). A power cut after the
  // rename may leave a file torn or empty, and `npm run check` (CI) catches exactly that. The
  // fsyncs cost 1.8-4 s for 1000 pools on an idle disk here, most of that synth's time.
  const paths = files.map((f) => join(staging, f.path));
  files.forEach((f, i) => writeFileSync(paths[i]!, f.text));
  fsyncDir(staging);
  fsyncDir(work);
  if (faultAt === 'staged') process.kill(process.pid, 'SIGKILL');

  const aside = join(work, `old-${process.pid}-${basename(target)}`);
  let movedAside = false;
  try {
    renameSync(target, aside);
    movedAside = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (movedAside) {
    fsyncDir(parent);
    fsyncDir(work);
  }
  if (faultAt === 'aside') process.kill(process.pid, 'SIGKILL');
  try {
    renameSync(staging, target);
  } catch (e) {
    if (movedAside) renameSync(aside, target); // put the old set back before reporting
    throw e;
  }
  fsyncDir(parent);
  fsyncDir(work);
  if (faultAt === 'swapped') process.kill(process.pid, 'SIGKILL');
  rmSync(aside, { recursive: true, force: true });
  removeWorkDirIfIdle(work);
}

// <kind>-<pid>-<name of the output it belongs to>: several outputs may share one parent directory.
const LEFTOVER = /^(staging|old|tmp)-(\d+)-(.+)$/;

/** True when a process with this pid exists (EPERM: it exists, owned by someone else). */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Cleans up after synths that died mid-write: if the output directory is missing and a dead
 * process moved the old set aside, it is put back; every other leftover of a dead process is
 * deleted. Leftovers of live processes are never touched.
 */
export function recoverLeftovers(target: string): void {
  const work = join(dirname(target), WORK_DIR_NAME);
  let names: string[];
  try {
    names = readdirSync(work);
  } catch {
    return;
  }
  for (const name of names.sort()) {
    const m = LEFTOVER.exec(name);
    if (!m || processAlive(Number(m[2]))) continue;
    // Another output's staging or old set is that output's to recover; temp files are anyone's.
    if (m[1] !== 'tmp' && m[3] !== basename(target)) continue;
    const path = join(work, name);
    if (m[1] === 'old' && !exists(target)) {
      renameSync(path, target);
      fsyncDir(dirname(target));
    } else {
      rmSync(path, { recursive: true, force: true });
    }
  }
  removeWorkDirIfIdle(work);
}

/** Removes the work directory when only its .gitignore is left, so a clean run leaves no trace. */
export function removeWorkDirIfIdle(work: string): void {
  try {
    const left = readdirSync(work);
    if (left.every((n) => n === '.gitignore' || n === 'lock')) {
      if (left.includes('lock')) return; // the repository's lock lives here while held
      rmSync(join(work, '.gitignore'), { force: true });
      rmdirSync(work);
    }
  } catch {
    // another writer's leftovers, or already gone: leave it
  }
}

function exists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Write-to-temp in the work directory, rename: the file is replaced whole or not at all (no fsync: see replaceDirectory). */
function writeFileAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const work = workDirFor(path);
  const tmp = join(work, `tmp-${process.pid}-${path.split(/[\\/]/).pop()}`);
  writeFileSync(tmp, text);
  renameSync(tmp, path);
  fsyncDir(dirname(path));
  removeWorkDirIfIdle(work);
}

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some platforms (Windows) cannot open or fsync a directory; the renames are still atomic.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
