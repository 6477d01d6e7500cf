// Orphaned output: generated files that no values file produces any more (a values file deleted,
// or its output paths changed). Argo CD would go on deploying them, so synth removes them and
// check and diff report them as a change.
//
// Found by their generated header, inside the output perimeter only: the repository is walked
// without following symlinks, skipping the protected top-level entries (src, values, .git, ...),
// every .git, node_modules and work directory, and every output a values file claims. An orphan
// is either a directory whose generated kustomization.yaml marks it as a manifests directory (it
// is removed only if everything in it was generated), or a single generated YAML file (an
// Application). One generated from a values file that still exists but that synth did not read
// (say, one passed with --values before) is left in place, and said so.
import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync, rmdirSync, rmSync, unlinkSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { PROTECTED } from '../values/perimeter.ts';
import { generatedFrom, isGenerated, readRegularFile, WORK_DIR_NAME } from './writer.ts';

export interface Orphan {
  /** Relative to the root: a manifests directory or an application file. */
  readonly path: string;
  readonly kind: 'manifests' | 'application';
  /** Its files: name inside the directory (or the file's own path) -> bytes. */
  readonly files: ReadonlyMap<string, Buffer>;
  /** The values file its header names, if any. */
  readonly from?: string;
}

export interface OrphanScan {
  readonly orphans: readonly Orphan[];
  /** Generated output no values file claims, left in place, and why. */
  readonly kept: readonly { readonly path: string; readonly why: string }[];
}

const MAX_DEPTH = 16;

/**
 * Generated output under `root` that none of `claimed` (absolute, symlink-resolved output paths of
 * every values file) is. `sources`: the values files synth read, as named in headers.
 */
export function findOrphans(root: string, claimed: readonly string[], sources: ReadonlySet<string>): OrphanScan {
  const realRoot = realpathSync(root);
  const claimedSet = new Set(claimed);
  const orphans: Orphan[] = [];
  const kept: { path: string; why: string }[] = [];
  const consider = (orphan: Orphan) => {
    const from = orphan.from;
    if (from !== undefined && !sources.has(from) && isRegular(resolve(realRoot, from))) {
      kept.push({ path: orphan.path, why: `generated from ${from}, which synth did not read: left in place (pass it with --values, or remove the output by hand)` });
    } else orphans.push(orphan);
  };
  const walk = (dir: string, depth: number) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (depth > 0 && entries.some((e) => e.name === 'kustomization.yaml' && e.isFile())) {
      const kustomization = head(join(dir, 'kustomization.yaml'));
      if (kustomization && isGenerated(kustomization)) {
        const shown = relative(realRoot, dir);
        const files = new Map<string, Buffer>();
        const foreign: string[] = [];
        for (const e of entries) {
          if (e.name === WORK_DIR_NAME && e.isDirectory()) continue;
          const bytes = e.isFile() ? readRegularFile(join(dir, e.name), `${shown}/${e.name}`) : undefined;
          if (bytes && isGenerated(bytes)) files.set(e.name, bytes);
          else foreign.push(e.name);
        }
        if (foreign.length > 0) kept.push({ path: `${shown}/`, why: `holds entries this tool did not generate (${foreign.sort().join(', ')}): left in place` });
        else consider({ path: shown, kind: 'manifests', files, from: generatedFrom(files.get('kustomization.yaml')!) });
        return;
      }
    }
    for (const e of entries) {
      if (e.name === '.git' || e.name === 'node_modules' || e.name === WORK_DIR_NAME) continue;
      if (depth === 0 && PROTECTED.includes(e.name)) continue;
      const path = join(dir, e.name);
      if (claimedSet.has(path)) continue;
      if (e.isDirectory()) {
        if (depth < MAX_DEPTH) walk(path, depth + 1);
      } else if (e.isFile() && /\.ya?ml$/i.test(e.name)) {
        const start = head(path);
        if (start && isGenerated(start)) {
          const shown = relative(realRoot, path);
          const bytes = readRegularFile(path, shown);
          consider({ path: shown, kind: 'application', files: new Map([[shown, bytes]]), from: generatedFrom(bytes) });
        }
      }
    }
  };
  walk(realRoot, 0);
  const order = (a: { path: string }, b: { path: string }) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
  return { orphans: orphans.sort(order), kept: kept.sort(order) };
}

/** Removes an orphan found under the lock; the directory's kustomization.yaml goes last. */
export function removeOrphan(root: string, orphan: Orphan): void {
  const path = resolve(realpathSync(root), orphan.path);
  if (orphan.kind === 'application') {
    unlinkSync(path);
    return;
  }
  const names = [...orphan.files.keys()].sort((a, b) => Number(a === 'kustomization.yaml') - Number(b === 'kustomization.yaml'));
  for (const name of names) unlinkSync(join(path, name));
  rmSync(join(path, WORK_DIR_NAME), { recursive: true, force: true });
  rmdirSync(path);
}

/** The first bytes of a regular file (never blocks on a FIFO, never follows a symlink). */
function head(path: string): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    if (!fstatSync(fd).isFile()) return undefined;
    const buffer = Buffer.alloc(64);
    return buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, 0));
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function isRegular(path: string): boolean {
  try {
    return lstatSync(path).isFile();
  } catch {
    return false;
  }
}
