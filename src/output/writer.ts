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
import { closeSync, constants, fstatSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, rmdirSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { GENERATED_MARK, type RenderedFile, type RenderedOutput } from './render.ts';

/** Name of the tool-owned, git-ignored directory that holds staging sets, temp files and the lock. */
export const WORK_DIR_NAME = '.forgejo-runner-cdk8s';

/** Points where a test can make the writer die as if killed (SIGKILL). */
export type FaultPoint = 'staged' | 'aside' | 'swapped';

export interface WriteOptions {
  /**
   * Take over generated output whose header names another values file (e.g. after renaming the
   * values file). Never lets synth replace anything it did not generate. @default false
   */
  readonly force?: boolean;
  /** The values file this output is synthesized from, as named in the generated header. @default not checked */
  readonly source?: string;
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

/** An OS error while writing, as one line naming the path; what this write created is removed again. */
export class WriteFailed extends Error {
  override name = 'WriteFailed';
}

const ERRNO: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENOTDIR: 'a parent of the path is not a directory',
  EISDIR: 'is a directory',
  EEXIST: 'already exists',
  ELOOP: 'too many symbolic links',
  EIO: 'input/output error',
};

/** An OS error in words, with its code: `no space left on the device (ENOSPC)`. */
export function describeErrno(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code ? `${ERRNO[code] ?? (e as Error).message} (${code})` : String((e as Error).message ?? e);
}

/** `e` as a WriteFailed naming `shown` (and the path the OS named, relative to the root). */
function failed(e: unknown, root: string, shown: string): Error {
  if (e instanceof WriteRefused || e instanceof WriteFailed) return e;
  if (!(e as NodeJS.ErrnoException).code) return e as Error;
  const at = (e as NodeJS.ErrnoException).path;
  const where = at ? relative(root, at) || at : undefined;
  return Object.assign(new WriteFailed(`${shown}: cannot write: ${describeErrno(e)}${where && where !== shown ? ` at ${where}` : ''}`), {
    written: (e as { written?: string }).written,
  });
}

/** What is on disk where an output goes, after checking synth may replace it, and how it differs. */
export interface OutputState extends WriteResult {
  /** The manifests directory's files (undefined: it does not exist). */
  readonly current: ReadonlyMap<string, Buffer> | undefined;
  /** The application file's bytes (undefined: it does not exist). */
  readonly applicationBefore: Buffer | undefined;
}

/**
 * Reads an output's paths and checks them against the allow-list: the manifests directory must not
 * exist, or hold only regular files this tool generated (and its work directory); the application
 * file must not exist, or be a regular file this tool generated; no work directory beside either
 * may be anything but a real directory. Writes nothing. check and diff see exactly what synth sees.
 */
export function inspectOutput(root: string, output: RenderedOutput, options: WriteOptions = {}): OutputState {
  const target = resolve(root, output.manifestsDir);
  const current = readTree(target, output.manifestsDir, options);
  checkWorkDir(join(dirname(target), WORK_DIR_NAME), root);
  const appPath = resolve(root, output.application.path);
  const applicationBefore = readApplication(appPath, output.application.path, options);
  checkWorkDir(join(dirname(appPath), WORK_DIR_NAME), root);
  const wanted = new Map(output.manifests.map((f) => [f.path, Buffer.from(f.text)]));
  const differs = (p: string) => !current!.get(p)!.equals(wanted.get(p)!);
  const appText = Buffer.from(output.application.text);
  return {
    current,
    applicationBefore,
    added: [...wanted.keys()].filter((p) => !current?.has(p)).sort(),
    changed: [...wanted.keys()].filter((p) => current?.has(p) && differs(p)).sort(),
    removed: [...(current?.keys() ?? [])].filter((p) => !wanted.has(p)).sort(),
    application: applicationBefore === undefined ? 'added' : applicationBefore.equals(appText) ? 'unchanged' : 'changed',
  };
}

/** Recovers a dead synth's leftovers, then inspects (and checks) the output's paths. */
export function prepareOutput(root: string, output: RenderedOutput, options: WriteOptions = {}): OutputState {
  const target = resolve(root, output.manifestsDir);
  recoverLeftovers(target, root);
  return inspectOutput(root, output, options);
}

/** Writes one output whose paths prepareOutput checked; an OS error is a WriteFailed naming the path. */
export function applyOutput(root: string, output: RenderedOutput, state: OutputState, options: WriteOptions = {}): WriteResult {
  const target = resolve(root, output.manifestsDir);
  const dirChanged = state.added.length + state.changed.length + state.removed.length > 0;
  if (dirChanged) {
    try {
      replaceDirectoryOrNothing(target, output.manifests, options.faultAt);
    } catch (e) {
      throw failed(e, root, output.manifestsDir);
    }
  }
  if (state.application !== 'unchanged') {
    try {
      writeFileAtomic(resolve(root, output.application.path), output.application.text);
    } catch (e) {
      const error = failed(e, root, output.application.path);
      // The manifests are already swapped in: say so, the caller reports exactly what was written.
      if (dirChanged) Object.assign(error, { written: `${output.manifestsDir}/ (replaced; ${output.application.path} was not written)` });
      throw error;
    }
  }
  const { added, changed, removed, application } = state;
  return { added, changed, removed, application };
}

export function writeOutput(root: string, output: RenderedOutput, options: WriteOptions = {}): WriteResult {
  return applyOutput(root, output, prepareOutput(root, output, options), options);
}

/** The values file named in a generated header (`# Generated by forgejo-runner-cdk8s from X by ...`). */
export function generatedFrom(bytes: Buffer): string | undefined {
  const first = bytes.subarray(0, 4096).toString('utf8').split('\n')[0]!;
  return /^# Generated by forgejo-runner-cdk8s from (.+) by `npm run synth`; do not edit\.$/.exec(first)?.[1];
}

export const isGenerated = (bytes: Buffer) => bytes.subarray(0, GENERATED_MARK.length).toString('latin1') === GENERATED_MARK;

/** Generated output of another values file is taken over only with --force (a renamed values file). */
function checkSource(shown: string, bytes: Buffer, options: WriteOptions): void {
  const from = generatedFrom(bytes);
  if (options.force || options.source === undefined || from === undefined || from === options.source) return;
  throw new WriteRefused(
    `${shown} was generated from ${from}, not from ${options.source}; two values files never share an output. ` +
      `If ${from} was renamed to ${options.source}, pass --force to take its output over.`,
  );
}

/**
 * Bytes of a regular file, read without following a symlink and without blocking on a FIFO or
 * device (O_NOFOLLOW | O_NONBLOCK, then fstat); anything else is a WriteRefused naming it.
 */
export function readRegularFile(path: string, shown: string): Buffer {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new WriteRefused(`${shown} is a symbolic link; synth writes only regular files it generated (also with --force)`);
    throw new WriteRefused(`${shown}: cannot read: ${describeErrno(e)}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) throw new WriteRefused(`${shown} is not a regular file; synth writes only regular files it generated (also with --force)`);
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

/**
 * Files of a manifests directory (name -> bytes), or undefined when it does not exist. Synth owns
 * the directory only if every entry is a regular file it generated (or its work directory): a
 * foreign file, a subdirectory, a symlink or any other entry is refused, also with --force.
 */
export function readTree(dir: string, shown = dir, options: WriteOptions = {}): Map<string, Buffer> | undefined {
  let stat;
  try {
    stat = lstatSync(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WriteRefused(`${shown}: cannot read the output directory (${(e as NodeJS.ErrnoException).code})`);
  }
  if (stat.isSymbolicLink()) throw new WriteRefused(`${shown} is a symbolic link; synth writes a directory of manifests there and never follows a link`);
  if (!stat.isDirectory()) throw new WriteRefused(`${shown} exists and is not a directory; synth writes a directory of manifests there`);
  const files = new Map<string, Buffer>();
  const foreign: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === WORK_DIR_NAME && entry.isDirectory()) continue; // its own work directory
    if (!entry.isFile()) {
      const what = entry.isDirectory() ? 'a subdirectory' : entry.isSymbolicLink() ? 'a symbolic link' : 'not a regular file';
      throw new WriteRefused(`${shown}/${entry.name} is ${what}; synth replaces only a directory of files it generated (also with --force): move it elsewhere`);
    }
    const bytes = readRegularFile(join(dir, entry.name), `${shown}/${entry.name}`);
    if (!isGenerated(bytes)) foreign.push(entry.name);
    else checkSource(`${shown}/${entry.name}`, bytes, options);
    files.set(entry.name, bytes);
  }
  if (foreign.length > 0) {
    throw new WriteRefused(
      `${shown} holds files this tool did not generate: ${foreign.sort().join(', ')}. Synth replaces the whole directory, ` +
        'so it writes only where the directory is absent, empty or holds only files it generated (also with --force): ' +
        'move them elsewhere, or choose another output.manifests.',
    );
  }
  return files;
}

/** The application file's bytes (undefined: absent), after checking synth may replace it. */
function readApplication(path: string, shown: string, options: WriteOptions): Buffer | undefined {
  try {
    lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new WriteRefused(`${shown}: cannot read the application file (${(e as NodeJS.ErrnoException).code})`);
  }
  const bytes = readRegularFile(path, shown);
  if (!isGenerated(bytes)) {
    throw new WriteRefused(
      `${shown} exists and was not generated by this tool; synth writes the Argo CD Application only where no file is ` +
        'or where it wrote one before (also with --force): move it elsewhere, or choose another output.application.',
    );
  }
  checkSource(shown, bytes, options);
  return bytes;
}

/** A work directory must be absent or a real directory: never followed through a symlink. */
export function checkWorkDir(work: string, root: string): void {
  let stat;
  try {
    stat = lstatSync(work);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return; // made when needed (ENOTDIR: the output check names the file)
    throw new WriteRefused(`${relative(root, work) || work}: cannot use the work directory: ${describeErrno(e)}`);
  }
  if (stat.isDirectory()) return;
  const what = stat.isSymbolicLink() ? 'a symbolic link' : stat.isFile() ? 'a file' : 'not a directory';
  throw new WriteRefused(
    `${relative(root, work) || work} is ${what}; synth keeps its temporary files and lock in a directory of that name ` +
      'and never follows or replaces anything else there: remove it (it is not part of the output)',
  );
}

/** The work directory next to `path`, created with a `.gitignore` that hides everything in it. */
export function workDirFor(path: string): string {
  return ensureWorkDir(join(dirname(path), WORK_DIR_NAME));
}

/**
 * Creates a work directory (if needed; its parent must exist) with its `.gitignore` of `*`.
 * Never follows a symlink: one (or a file) in its place is a WriteRefused. A failure (ENOSPC,
 * EROFS, EACCES) leaves nothing of what it created.
 */
export function ensureWorkDir(work: string): string {
  makeWorkDir(work);
  return work;
}

/** ensureWorkDir, returning the undo: removing what it made (the .gitignore, the directory if empty). */
export function makeWorkDir(work: string): () => void {
  let created = false;
  try {
    mkdirSync(work);
    created = true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const undoDir = () => {
    if (created) rmSync(work, { recursive: true, force: true });
  };
  checkWorkDir(work, dirname(work));
  const ignore = join(work, '.gitignore');
  let fd: number;
  try {
    fd = openSync(ignore, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return undoDir;
    undoDir();
    throw e;
  }
  const undo = () => {
    rmSync(ignore, { force: true });
    if (created) {
      try {
        rmdirSync(work);
      } catch {
        // not empty: someone else's files
      }
    }
  };
  try {
    writeSync(fd, '# leftovers of forgejo-runner-cdk8s (staging sets, temp files); never commit\n*\n');
  } catch (e) {
    closeSync(fd);
    undo();
    throw e;
  }
  closeSync(fd);
  return undo;
}

/** mkdir -p that returns an undo: removing the directories it made (after a failure). */
function makeParents(dir: string): () => void {
  const first = mkdirSync(dir, { recursive: true });
  return () => {
    if (first) rmSync(first, { recursive: true, force: true });
  };
}

/**
 * replaceDirectory, leaving nothing behind when it fails before the swap (ENOSPC, EROFS, EACCES):
 * no staging set, no work directory or .gitignore it made, no parent directory it made.
 */
function replaceDirectoryOrNothing(target: string, files: readonly RenderedFile[], faultAt: FaultPoint | undefined): void {
  const undoParents = makeParents(dirname(target));
  const work = join(dirname(target), WORK_DIR_NAME);
  const hadWork = exists(work);
  try {
    replaceDirectory(target, files, faultAt);
  } catch (e) {
    rmSync(join(work, `staging-${process.pid}-${basename(target)}`), { recursive: true, force: true });
    if (!hadWork) removeWorkDirIfIdle(work);
    undoParents();
    throw e;
  }
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
export function recoverLeftovers(target: string, root = dirname(target)): void {
  const work = join(dirname(target), WORK_DIR_NAME);
  checkWorkDir(work, root);
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
    if (m[1] === 'old' && !exists(target) && lstatSync(path).isDirectory()) {
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
  const undoParents = makeParents(dirname(path));
  let work: string | undefined;
  let tmp: string | undefined;
  try {
    work = workDirFor(path);
    tmp = join(work, `tmp-${process.pid}-${path.split(/[\\/]/).pop()}`);
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    if (tmp) rmSync(tmp, { force: true });
    if (work) removeWorkDirIfIdle(work);
    undoParents();
    throw e;
  }
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
