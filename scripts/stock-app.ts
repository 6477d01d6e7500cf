// The "stock" cdk8s path for scripts/bench.mjs: the same app run straight from the TypeScript
// sources (no dist/), the way `cdk8s init typescript-app` wires `app: npx ts-node main.ts`.
// ts-node cannot run it here: it is not installed, and TypeScript 7 ships no JS compiler API
// (ts-node 10.9.2 crashes with "Cannot read properties of undefined (reading 'fileExists')"),
// so the bench runs this file with tsx:
//   npx cdk8s synth --app "npx tsx scripts/stock-app.ts" --output <scratch dir>
// The repository root for output paths is the CLI's scratch output dir, which `cdk8s synth`
// deletes before every run: the committed argocd/ directory is never touched, and every run
// really writes its manifests.
import { cpSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/cli.js';

const outdir = process.env.CDK8S_OUTDIR;
if (!outdir) {
  process.stderr.write('stock-app: CDK8S_OUTDIR is not set; run me through `cdk8s synth --app ... --output DIR`\n');
  process.exit(2);
}
// A copy of values/ under the scratch root keeps the "Generated from values/<file>" headers,
// so the output is byte-identical to the committed argocd/ tree.
cpSync(fileURLToPath(new URL('../values/', import.meta.url)), join(outdir, 'values'), { recursive: true });
process.exitCode = await main(['synth', '--root', outdir]);
