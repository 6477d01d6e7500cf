#!/usr/bin/env node
// Entry point: rebuilds dist/ when src/ changed since the last build; answers an unchanged synth
// from the synth cache without loading the synthesizer; otherwise runs the CLI bundle.
import { bundle, cache, ensureBuilt, fastPath } from './build.mjs';

const argv = process.argv.slice(2);
const { rebuilt, typeChecked } = await ensureBuilt();
const { fastSynth } = await import(fastPath);
const current = rebuilt ? undefined : fastSynth(argv, process.env, cache);
if (current) {
  for (const line of current) process.stdout.write(`${line} (cached: inputs and outputs unchanged)\n`);
} else {
  const { main } = await import(bundle);
  // After a rebuild, tsc is still type-checking: main synthesizes and validates in memory, and
  // writes only if the check passed.
  process.exitCode = await main(argv, { cache, typeChecked });
}
