// The output on disk (the working tree: committed or not) vs a fresh render: equality, and a
// unified diff a reviewer can read, made by the `diff` library (jsdiff's createTwoFilesPatch).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createTwoFilesPatch } from 'diff';
import type { RenderedOutput } from './render.ts';
import { readTree } from './writer.ts';

export interface Comparison {
  readonly same: boolean;
  /** A unified diff of every file that differs, on disk (-) vs fresh (+), with repository paths. */
  readonly diff: string;
}

export function compareOutput(root: string, output: RenderedOutput): Comparison {
  const onDisk = readTree(resolve(root, output.manifestsDir), output.manifestsDir) ?? new Map<string, string>();
  const fresh = new Map(output.manifests.map((f) => [f.path, f.text]));
  const pairs: { path: string; was?: string; now?: string }[] = [];
  for (const name of [...new Set([...onDisk.keys(), ...fresh.keys()])].sort()) {
    pairs.push({ path: `${output.manifestsDir}/${name}`, was: onDisk.get(name), now: fresh.get(name) });
  }
  pairs.push({ path: output.application.path, was: readIfFile(resolve(root, output.application.path)), now: output.application.text });
  const differing = pairs.filter((p) => p.was !== p.now);
  return { same: differing.length === 0, diff: differing.map(unifiedDiff).join('') };
}

function readIfFile(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function unifiedDiff({ path, was, now }: { path: string; was?: string; now?: string }): string {
  const patch = createTwoFilesPatch(
    was === undefined ? '/dev/null' : `a/${path}`,
    now === undefined ? '/dev/null' : `b/${path}`,
    was ?? '',
    now ?? '',
    undefined,
    undefined,
    { context: 3 },
  );
  // Drop the "====" banner line; keep the ---/+++ headers and hunks like `diff -u` / `git diff`.
  return patch.replace(/^=+\n/, '');
}
