#!/usr/bin/env node
// Entry point: compiles src/ when it changed since the last build, then runs the compiled CLI.
// Skipping the compiler when nothing changed is what keeps a warm `npm run synth` fast.
import { ensureBuilt } from './build.mjs';

ensureBuilt();
const { main } = await import('../dist/src/cli.js');
process.exitCode = await main(process.argv.slice(2));
