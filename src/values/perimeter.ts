// The safety perimeter of output paths, checked with all values files at once, before anything
// is synthesized or written. synth deletes and replaces what a values file names as output, so
// every output path is normalized and resolved through symlinks (the deepest existing ancestor)
// and must
//   - lie inside the repository root and not be the root;
//   - not be, lie inside, or contain a protected path: .git, node_modules, src, bin, test,
//     imports, values, dist, package.json, package-lock.json, the tool's work directory, or any
//     values file; nor contain a `.git` or `node_modules` anywhere below it;
//   - be disjoint from every other output path of every values file in the repository (no
//     equality, no nesting), however it is spelled (`./a`, `a//b`, `a/.`, a symlink), also of
//     the values files synth was not asked to synthesize;
//   - be a plain relative path: no control characters (a newline, a tab...), no backslash.
// This is where outputs may go at all; what may already be there (nothing, or only what this
// tool generated) the writer checks (src/output/writer.ts, inspectOutput).
import { lstatSync, readdirSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** Top-level entries synth must never write to, delete, or write around. */
export const PROTECTED = ['.git', 'node_modules', 'src', 'bin', 'test', 'imports', 'values', 'dist', 'package.json', 'package-lock.json', '.forgejo-runner-cdk8s'];

export interface OutputClaim {
  /** Values file, as shown in messages (relative to the root). */
  readonly source: string;
  /** Field path in the values file, e.g. output.manifests. */
  readonly field: string;
  /** The path as written in the values file. */
  readonly path: string;
  /** Line of the field in the values file, when known. */
  readonly line?: number;
  /**
   * A claim of a values file that is not being synthesized: other claims must not clash with it,
   * but its own problems are not reported (that file's own synth reports them). @default false
   */
  readonly context?: boolean;
}

export interface PerimeterProblem {
  readonly source: string;
  readonly field: string;
  readonly line?: number;
  readonly message: string;
}

export function formatPerimeterProblem(p: PerimeterProblem): string {
  return `${p.source}${p.line ? `:${p.line}` : ''}: ${p.field}: ${p.message}`;
}

/** Resolves a path through the symlinks of its deepest existing ancestor. */
export function resolveReal(path: string): string {
  let existing = resolve(path);
  const rest: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(existing), ...rest.reverse());
    } catch {
      const parent = dirname(existing);
      if (parent === existing) return resolve(path);
      rest.push(basename(existing));
      existing = parent;
    }
  }
}

// C0 (tab and newline included), DEL, C1 and the Unicode line and paragraph separators.
const CONTROL = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;

const inside = (child: string, parent: string) => child === parent || child.startsWith(parent.endsWith(sep) ? parent : parent + sep);

/** Every problem with the output paths of all values files (empty: all inside the perimeter). */
export function checkPerimeter(root: string, claims: readonly OutputClaim[], valuesFiles: readonly string[]): PerimeterProblem[] {
  const realRoot = resolveReal(root);
  const problems: PerimeterProblem[] = [];
  const protectedPaths = [
    ...PROTECTED.map((name) => ({ path: resolveReal(join(root, name)), name })),
    ...valuesFiles.map((f) => ({ path: resolveReal(resolve(root, f)), name: `the values file ${relative(root, resolve(root, f))}` })),
  ];
  const accepted: { claim: OutputClaim; real: string }[] = [];
  // Claims of files not being synthesized first: a clash is then reported on the file being synthesized.
  for (const claim of [...claims.filter((c) => c.context), ...claims.filter((c) => !c.context)]) {
    const say = (message: string) => {
      if (!claim.context) problems.push({ source: claim.source, field: claim.field, line: claim.line, message: `${JSON.stringify(claim.path)} ${message}` });
    };
    if (claim.path === '' || CONTROL.test(claim.path) || claim.path.includes('\\')) {
      say('is not a plain relative path: expected one without control characters (newline, tab...) or backslashes, such as argocd/manifests/<name>');
      continue;
    }
    if (isAbsolute(claim.path) || claim.path.split(/[\\/]/).includes('..')) {
      say('must be a path relative to the repository root, without ".."');
      continue;
    }
    const real = resolveReal(join(realRoot, claim.path));
    const shown = relative(realRoot, real);
    if (!inside(real, realRoot)) {
      say(`resolves (through a symbolic link) to ${real}, outside the repository root ${realRoot}; expected a path inside it`);
      continue;
    }
    if (real === realRoot) {
      say('is the repository root; expected a directory inside it, such as argocd/manifests/<name>');
      continue;
    }
    const hit = protectedPaths.find((p) => inside(real, p.path) || inside(p.path, real));
    if (hit) {
      const how = real === hit.path ? 'is' : inside(real, hit.path) ? 'lies inside' : 'contains';
      say(`${shown === claim.path ? '' : `(${shown}) `}${how} ${hit.name}, which synth must never replace; expected a path of its own, such as argocd/manifests/<name>`);
      continue;
    }
    const nested = findNested(real);
    if (nested) {
      say(`contains ${relative(realRoot, nested)}, which synth must never replace; expected a directory of generated manifests only`);
      continue;
    }
    const clash = accepted.find((a) => inside(real, a.real) || inside(a.real, real));
    if (clash) {
      const how = real === clash.real ? 'is the same path as' : inside(real, clash.real) ? 'lies inside' : 'contains';
      say(`${how} ${clash.claim.field} "${clash.claim.path}" of ${clash.claim.source}; every output must have a path of its own`);
      continue;
    }
    accepted.push({ claim, real });
  }
  return problems;
}

/** A `.git` or `node_modules` (or symlink to elsewhere) anywhere under an existing directory. */
function findNested(dir: string, depth = 0): string | undefined {
  let entries;
  try {
    if (!lstatSync(dir).isDirectory()) return undefined;
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return undefined;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.name === '.git' || e.name === 'node_modules') return path;
    if (e.isDirectory() && depth < 8) {
      const hit = findNested(path, depth + 1);
      if (hit) return hit;
    }
  }
  return undefined;
}
