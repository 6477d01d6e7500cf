#!/usr/bin/env node
// Entry point: rebuilds dist/ when the content of src/ (or the other build inputs) changed,
// then runs the CLI bundle. Every synth runs the whole pipeline; nothing is cached.
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
