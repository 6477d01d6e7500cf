// Incremental build. When a source is newer than the last build, two things run side by side:
// tsc type-checks (nothing is synthesized from code that does not type-check) and esbuild
// bundles src/cli.ts with its dependencies into one file (one module to load instead of ~600,
// which is most of a synth's start-up). When nothing changed, a few dozen stat() calls.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const bundle = join(root, 'dist', 'cli.mjs');
export const fastPath = join(root, 'dist', 'fast-path.mjs');
/** Where the synth cache lives (see src/synth-cache.ts). */
export const cache = { stamp: join(root, 'dist', '.build-stamp'), file: join(root, 'dist', 'synth-cache.json') };
const stamp = join(root, 'dist', '.build-stamp');
const inputs = ['src', 'imports', 'tsconfig.json', 'package-lock.json', 'bin/build.mjs'];

function newestMtime(path) {
  if (!existsSync(path)) return Infinity; // an input that vanished: rebuild
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs; // a deleted file shows as a newer directory
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

function typeCheck() {
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ ok: code === 0, output }));
  });
}

async function bundleCli() {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: { cli: join(root, 'src', 'cli.ts'), 'fast-path': join(root, 'src', 'fast-path.ts') },
    outdir: dirname(bundle),
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'error',
    // uri-js (via the schema validators) asks for the userland punycode package, which is
    // installed; without the alias Node's deprecated built-in is used and warns on Node 22+.
    alias: { punycode: 'punycode/punycode.js' },
    // Bundled CommonJS dependencies (cdk8s, yaml) call require() for Node built-ins.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
}

/**
 * Builds when stale. Resolves once the bundle is ready, with `typeChecked`: a promise that is
 * true when tsc found no errors (it runs on, in parallel, while the caller synthesizes in memory;
 * the CLI awaits it before writing anything). On type errors it prints them and resolves false.
 */
export async function ensureBuilt({ force = false } = {}) {
  const built = existsSync(stamp) && existsSync(bundle) && existsSync(fastPath) ? statSync(stamp).mtimeMs : 0;
  if (!force && built > 0 && inputs.every((p) => newestMtime(join(root, p)) <= built)) return { rebuilt: false, typeChecked: Promise.resolve(true) };
  const checking = typeCheck();
  await bundleCli();
  const typeChecked = checking.then((check) => {
    if (!check.ok) {
      process.stderr.write(`${check.output}build failed: fix the TypeScript errors above; nothing was written\n`);
      return false;
    }
    mkdirSync(dirname(stamp), { recursive: true });
    writeFileSync(stamp, `${new Date().toISOString()}\n`);
    return true;
  });
  return { rebuilt: true, typeChecked };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { typeChecked } = await ensureBuilt({ force: process.argv.includes('--force') });
  if (!(await typeChecked)) process.exitCode = 1;
}
