#!/usr/bin/env node
// Entry point. Node runs src/ as written: it strips the TypeScript types as it loads each file
// (Node >= 22.18; nothing is built, so an edit shows in the next run). Nothing type-checks here,
// as with Node, tsx or Vite: `npm test` and CI do (`npm run typecheck`). Every synth runs the
// whole pipeline; nothing is cached but V8's compiled code (below).
// This file is plain JavaScript so that a Node too old to strip types reaches the one-line
// message below instead of a stack trace from the first .ts import.
// `npm run synth|check|diff` start node with --max-semi-space-size=8: V8 sizes the young
// generation by the machine's RAM, and with its default 1000 pools peaked at ~300 MB RSS of which
// under half is live data; 8 MB semi-spaces keep it at ~170 MB, with no measurable cost in time.
// (A heap flag cannot be set from inside the process once V8 has started.)
import module from 'node:module';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
if (!process.features.typescript) {
  const command = ['synth', 'check', 'diff'].includes(argv[0]) ? argv[0] : 'synth';
  // Type stripping is on by default from Node 22.18 (and 23.6): on those, it was turned off.
  const [major, minor] = process.versions.node.split('.').map(Number);
  const why = major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18)
    ? `Node ${process.version} has its type stripping turned off (--no-experimental-strip-types)`
    : `this is Node ${process.version}, which cannot run TypeScript`;
  process.stderr.write(`forgejo-runner-cdk8s: needs Node >= 22.18 (24 recommended) to run its TypeScript sources; ${why}. Run it here with: npx -y -p node@24 -c 'npm run ${command}'\n`);
  process.exit(1);
}
// Node's module compile cache: V8 keeps the code it compiled for each module (after type
// stripping), keyed by the source's content, so it cannot return stale code; it saves compiling
// ~600 modules on every run. It lives under node_modules/.cache/ (git-ignored, cleared by `npm ci`);
// NODE_DISABLE_COMPILE_CACHE=1 turns it off. A directory that cannot be written only costs speed.
module.enableCompileCache?.(fileURLToPath(new URL('../node_modules/.cache/forgejo-runner-cdk8s/', import.meta.url)));
let main;
try {
  ({ main } = await import('../src/cli.ts'));
} catch (e) {
  process.stderr.write(`${loadError(e)}\nforgejo-runner-cdk8s: src/ could not be loaded (above); nothing was written\n`);
  process.exit(1);
}
process.exitCode = await main(argv);

/**
 * Why src/ did not load, as `file:line:column: message`, without a stack trace. A syntax error
 * (or syntax Node cannot strip, such as an enum) names its place only in the head of `stack`:
 * `file:///...:LINE`, the source line, then a caret under the column.
 */
function loadError(e) {
  const head = /^(file:\/\/\S+?):(\d+)\n(?:.*\n)*?( *)\^/.exec(String(e?.stack ?? ''));
  const what = `${e?.message ?? e}${e?.code ? ` (${e.code})` : ''}`;
  if (!head) return what;
  const file = new URL(head[1]).pathname;
  const shown = file.startsWith(`${process.cwd()}/`) ? file.slice(process.cwd().length + 1) : file;
  return `${shown}:${head[2]}:${head[3].length + 1}: ${what}`;
}
