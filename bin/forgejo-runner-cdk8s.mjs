#!/usr/bin/env node
// Entry point: rebuilds dist/ when the content of src/ (or the other build inputs) changed,
// then runs the CLI bundle. Every synth runs the whole pipeline; nothing is cached.
// `npm run synth|check|diff` start node with --max-semi-space-size=8: V8 sizes the young
// generation by the machine's RAM, and with its default 1000 pools peaked at ~300 MB RSS of which
// under half is live data; 8 MB semi-spaces keep it at ~170 MB, with no measurable cost in time.
// (A heap flag cannot be set from inside the process once V8 has started.)
import module from 'node:module';
import { fileURLToPath } from 'node:url';

// V8's compiled code for dist/ (and this file's imports) is kept in dist/.compile-cache, Node's
// module compile cache (https://nodejs.org/api/module.html#module-compile-cache), as npm and tsc
// do for themselves. It holds compiled JavaScript, keyed and checked by the source's content (a
// rebuilt bundle is compiled afresh), never anything derived from values or output: every synth
// still runs every stage. It lives in dist/ (ours, git-ignored), not in the shared default under
// $TMPDIR. It saves compiling the bundles on each run. NODE_DISABLE_COMPILE_CACHE=1 turns it off;
// Node ignores a cache entry that does not match its source. Node >= 22.8 (older: no cache).
module.enableCompileCache?.(fileURLToPath(new URL('../dist/.compile-cache', import.meta.url)));

const { bundle, ensureBuilt } = await import('./build.mjs');
const argv = process.argv.slice(2);
const { ok, typeChecked } = await ensureBuilt();
if (!ok) {
  process.exitCode = 1;
} else {
  const { main } = await import(bundle);
  // After a rebuild, tsc is still type-checking: main synthesizes and validates in memory, and
  // writes only if the check passed.
  process.exitCode = await main(argv, { typeChecked });
}
