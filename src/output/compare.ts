// Committed output vs a fresh render: equality, and a unified diff a reviewer can read.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { RenderedOutput } from './render.js';
import { readTree } from './writer.js';

export interface Comparison {
  readonly same: boolean;
  /** `diff -u` of every file that differs, committed (-) vs fresh (+), with repository paths. */
  readonly diff: string;
}

export function compareOutput(root: string, output: RenderedOutput): Comparison {
  const committed = readTree(resolve(root, output.manifestsDir)) ?? new Map<string, string>();
  const pairs: { path: string; was?: string; now?: string }[] = [];
  const names = new Set([...committed.keys(), ...output.manifests.map((f) => f.path)]);
  for (const name of [...names].sort()) {
    pairs.push({ path: `${output.manifestsDir}/${name}`, was: committed.get(name), now: output.manifests.find((f) => f.path === name)?.text });
  }
  const appPath = resolve(root, output.application.path);
  pairs.push({ path: output.application.path, was: existsSync(appPath) ? readFileSync(appPath, 'utf8') : undefined, now: output.application.text });
  const differing = pairs.filter((p) => p.was !== p.now);
  return { same: differing.length === 0, diff: differing.map(unifiedDiff).join('') };
}

function unifiedDiff({ path, was, now }: { path: string; was?: string; now?: string }): string {
  const dir = mkdtempSync(join(tmpdir(), 'forgejo-runner-cdk8s-diff-'));
  try {
    writeFileSync(join(dir, 'a'), was ?? '');
    writeFileSync(join(dir, 'b'), now ?? '');
    const labels = [was === undefined ? '/dev/null' : `committed/${path}`, now === undefined ? '/dev/null' : `synth/${path}`];
    const r = spawnSync('diff', ['-u', '--label', labels[0]!, '--label', labels[1]!, join(dir, 'a'), join(dir, 'b')], { encoding: 'utf8' });
    if (r.error) return `${path} differs (install diff to see how)\n`;
    return r.stdout;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
