#!/usr/bin/env node
// Entry point: rebuilds dist/ when the content of src/ (or the other build inputs) changed,
// then runs the CLI bundle. Every synth runs the whole pipeline; nothing is cached.
// `npm run synth|check|diff` start node with --max-semi-space-size=8: V8 sizes the young
// generation by the machine's RAM, and with its default 1000 pools peaked at ~300 MB RSS of which
// under half is live data; 8 MB semi-spaces keep it at ~170 MB, with no measurable cost in time.
// (A heap flag cannot be set from inside the process once V8 has started.)
// Node's module compile cache is not used: it would save ~40 ms of compiling per run by keeping
// V8's code from earlier runs, and this tool remembers nothing between runs but its build.
import { bundle, ensureBuilt } from './build.mjs';

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
