// The output on disk (the working tree: committed or not) vs a fresh render: equality of BYTES,
// and a unified diff a reviewer can read, made by the `diff` library (jsdiff's createTwoFilesPatch).
// The paths are read and checked by the writer's own inspectOutput, so check and diff refuse
// exactly what synth refuses (a symlink, a foreign file) and agree with it on every state.
import { createTwoFilesPatch } from 'diff';
import type { RenderedOutput } from './render.ts';
import { inspectOutput, type WriteOptions } from './writer.ts';

export interface Comparison {
  readonly same: boolean;
  /** A unified diff of every file that differs, on disk (-) vs fresh (+), with repository paths. */
  readonly diff: string;
}

/** Throws WriteRefused where synth would refuse to write. */
export function compareOutput(root: string, output: RenderedOutput, options: WriteOptions = {}): Comparison {
  const state = inspectOutput(root, output, options);
  const onDisk = state.current ?? new Map<string, Buffer>();
  const fresh = new Map(output.manifests.map((f) => [f.path, Buffer.from(f.text)]));
  const pairs: FilePair[] = [];
  for (const name of [...new Set([...onDisk.keys(), ...fresh.keys()])].sort()) {
    pairs.push({ path: `${output.manifestsDir}/${name}`, was: onDisk.get(name), now: fresh.get(name) });
  }
  pairs.push({ path: output.application.path, was: state.applicationBefore, now: Buffer.from(output.application.text) });
  const differing = pairs.filter((p) => !(p.was && p.now ? p.was.equals(p.now) : p.was === p.now));
  return { same: differing.length === 0, diff: differing.map(unifiedDiff).join('') };
}

export interface FilePair {
  readonly path: string;
  readonly was?: Buffer;
  readonly now?: Buffer;
}

export function unifiedDiff({ path, was, now }: FilePair): string {
  const before = was?.toString('utf8') ?? '';
  const after = now?.toString('utf8') ?? '';
  const patch = createTwoFilesPatch(
    was === undefined ? '/dev/null' : `a/${path}`,
    now === undefined ? '/dev/null' : `b/${path}`,
    before,
    after,
    undefined,
    undefined,
    { context: 3 },
  );
  // Drop the "====" banner line; keep the ---/+++ headers and hunks like `diff -u` / `git diff`.
  const text = patch.replace(/^=+\n/, '');
  if (before !== after || was === undefined || now === undefined) return text;
  // Same text, other bytes: the file on disk is not valid UTF-8 (decoded as U+FFFD) or differs
  // where decoding hides it. Say so instead of an empty diff.
  return `${text}# ${path}: the bytes differ where the text looks the same (the file on disk is not valid UTF-8); synth rewrites it\n`;
}
