// Incremental build, decided by content, never by mtime: the build stamp holds a sha256 of every
// input file (path and bytes). A copy that keeps old mtimes (cp -p, tar, rsync) or an edit made
// while a build runs changes the hash, so the next run rebuilds. When the hash matches, dist/ is
// current (hashing ~45 small files costs a few ms). When it does not, two things run side by
// side: tsc type-checks (nothing is written from code that does not type-check) and esbuild
// bundles src/cli.ts into dist/cli.mjs, which imports the packages from dist/vendor/ (~25
// modules to load instead of ~600; the vendor is rebuilt only when what we import changes).
// This is not a result cache: every synth still runs the whole pipeline on the values.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const bundle = join(root, 'dist', 'cli.mjs');
const stamp = join(root, 'dist', '.build-hash');
const inputs = ['src', 'imports', 'tsconfig.json', 'package-lock.json', 'bin/build.mjs'];

function hashInto(hash, path, base) {
  if (!existsSync(path)) return hash.update(`missing ${relative(base, path)}\0`);
  for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = join(path, entry.name);
    if (entry.isDirectory()) hashInto(hash, full, base);
    else if (entry.isFile()) hash.update(`${relative(base, full)}\0`).update(readFileSync(full)).update('\0');
  }
  return hash;
}

/** sha256 of the build inputs' content under `base` (names and bytes; mtimes play no part). */
export function inputHash(base = root) {
  const hash = createHash('sha256');
  for (const input of inputs) {
    const path = join(base, input);
    if (existsSync(path) && statSync(path).isDirectory()) hashInto(hash, path, base);
    else hash.update(`${input}\0`).update(existsSync(path) ? readFileSync(path) : 'missing').update('\0');
  }
  return hash.digest('hex');
}

async function typeCheck() {
  // Imported here: child_process costs a few ms to load, and most runs do not rebuild.
  const { spawn } = await import('node:child_process');
  const project = join(root, 'tsconfig.json');
  // TypeScript 7's bin/tsc is a node script that only finds and execs the native compiler; asking
  // the package's own getExePath (the function that script uses) saves starting a second node
  // (~40 ms, on the critical path of a TypeScript edit). If that file ever moves, run the script.
  let argv = [process.execPath, join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project];
  try {
    const { default: getExePath } = await import(pathToFileURL(join(root, 'node_modules', 'typescript', 'lib', 'getExePath.js')).href);
    argv = [getExePath(), '-p', project];
  } catch {
    // keep the script
  }
  return new Promise((resolve) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', (e) => resolve({ ok: false, output: `${e.message}\n` }));
    child.on('close', (code) => resolve({ ok: code === 0, output }));
  });
}

// The schema validators (kubernetes-models, @kubernetes-models/validate formats.js) take string
// formats from one table that also holds ajv-formats-draft2019's iri, iri-reference, idn-email,
// idn-hostname and duration. No bundled schema names any of those (they use byte, double, int32,
// int64, quantity and date-time; test/build.test.ts checks this against the installed schemas),
// and they pull in uri-js, schemes, smtp-address-parser, nearley and punycode: ~90 KB of bundle
// and ~7 ms of module initialisation on every synth. They are left out. A schema that named one
// would fail loudly (its format entry is undefined), never pass silently.
export const DROPPED_FORMATS = ['iri', 'iri-reference', 'idn-email', 'idn-hostname', 'duration'];
const unusedFormats = {
  name: 'unused-formats',
  setup(build) {
    build.onResolve({ filter: /^ajv-formats-draft2019\/formats\/index\.js$/ }, () => ({ path: 'draft2019-formats', namespace: 'unused-formats' }));
    build.onLoad({ filter: /.*/, namespace: 'unused-formats' }, () => ({ contents: 'export default {};', loader: 'js' }));
  },
};

// Two bundles, so that a TypeScript edit re-bundles only our own code. dist/cli.mjs is src/ (and
// imports/) with every package import left external, pointing at dist/vendor/<specifier>.mjs.
// dist/vendor/ bundles those packages (esbuild code splitting: shared code in chunks), and is
// rebuilt only when the set of package imports, package-lock.json or this file changes: bundling
// the ~550 dependency files takes ~0.45 s here, bundling src/ ~0.1 s. Decided by content, like
// the build itself (vendorKey below).
const vendorDir = join(root, 'dist', 'vendor');
const vendorStamp = join(vendorDir, '.vendor-key');
const esbuildShared = { bundle: true, platform: 'node', format: 'esm', target: 'node22', logLevel: 'silent', absWorkingDir: root, minify: true, write: false };

/** A package import (not relative, not absolute, not a Node built-in). */
const isPackage = (spec) => !/^(?:\.|\/|node:)/.test(spec);
/** dist/cli.mjs imports package `spec` from here (relative, so dist/ can move as a whole). */
const vendorImport = (spec) => `./vendor/${spec}.mjs`;

/** Bundles the CLI (and the vendor, when stale or forced); on a syntax error returns esbuild's message (no stack trace). */
async function bundleCli({ force }) {
  const esbuild = await import('esbuild');
  try {
    const specifiers = new Set();
    const app = await esbuild.build({
      ...esbuildShared,
      entryPoints: { cli: join(root, 'src', 'cli.ts') },
      outdir: dirname(bundle),
      outExtension: { '.js': '.mjs' },
      plugins: [
        {
          name: 'vendor-external',
          setup(build) {
            build.onResolve({ filter: /^[^./]/ }, ({ path }) => {
              if (!isPackage(path)) return undefined;
              specifiers.add(path);
              return { path: vendorImport(path), external: true };
            });
          },
        },
      ],
    });
    const [output] = app.outputFiles;
    const wanted = importedNames(output.text, [...specifiers].sort());
    const whole = Object.keys(wanted).filter((spec) => wanted[spec] === '*');
    if (whole.length > 0) {
      // Bundling all of a package on every synth is what src/util/zod.ts exists to avoid.
      return `src/ imports all of ${whole.join(', ')} (import * as ... from, or export * from): import the names it uses instead, as src/util/zod.ts does for zod\n`;
    }
    const key = vendorKey(wanted);
    if (force || !existsSync(vendorStamp) || readFileSync(vendorStamp, 'utf8') !== key) {
      await bundleVendor(esbuild, wanted);
      writeAtomically(vendorStamp, key);
    }
    for (const file of app.outputFiles) writeAtomically(file.path, file.contents);
    return undefined;
  } catch (e) {
    if (e.code && e.path) {
      // The build could not write dist/ (read-only, full, not ours): say where, without a stack.
      const why = { EROFS: 'read-only file system', EACCES: 'permission denied', EPERM: 'operation not permitted', ENOSPC: 'no space left on the device' }[e.code];
      return `${relative(root, dirname(e.path)) || '.'}/: cannot write the build: ${why ?? e.message} (${e.code}); make dist/ writable, or restore src/ to the last build\n`;
    }
    const errors = e.errors ?? [];
    if (errors.length === 0) return `${e.message}\n`;
    const lines = errors.map((m) => (m.location ? `${m.location.file}:${m.location.line}:${m.location.column}: ${m.text}` : m.text));
    return `${lines.join('\n')}\n`;
  }
}

/**
 * The names dist/cli.mjs imports from each package: `{ spec: [names] }`, or `'*'` (all of it)
 * for a namespace import or `export *`. esbuild reports which modules an output imports but not which names,
 * so they are read from the output's own import statements, which esbuild writes in one form:
 * `import{a as b,c}from"./vendor/x.mjs"` or `import*as n from"./vendor/x.mjs"`. (Our code
 * imports zod through src/util/zod.ts for this reason.) A name missed here would fail every run
 * at import, which every CLI test would show.
 */
export function importedNames(code, specifiers) {
  const names = Object.fromEntries(specifiers.map((spec) => [spec, new Set()]));
  const bySource = new Map(specifiers.map((spec) => [vendorImport(spec), spec]));
  const statement = /(?:import|export)\s*(?:\{([^}]*)\}|\*(?:\s*as\s+[\w$]+)?)\s*from\s*"([^"]+)"/g;
  for (const [, list, source] of code.matchAll(statement)) {
    const spec = bySource.get(source);
    if (spec === undefined || names[spec] === '*') continue;
    if (list === undefined) names[spec] = '*';
    else for (const item of list.split(',')) if (item.trim()) names[spec].add(item.trim().split(/\s+as\s+/)[0]);
  }
  return Object.fromEntries(Object.entries(names).map(([spec, n]) => [spec, n === '*' ? n : [...n].sort()]));
}

function vendorKey(wanted) {
  const hash = createHash('sha256');
  for (const file of ['package-lock.json', 'bin/build.mjs']) hash.update(existsSync(join(root, file)) ? readFileSync(join(root, file)) : 'missing');
  return `${JSON.stringify(wanted, null, 1)}\n${hash.digest('hex')}\n`;
}

/**
 * One entry per package import, naming what dist/cli.mjs imports from it (`export { a, b } from
 * 'pkg'`), so esbuild drops the rest of the package, as one bundle would. (`export * from` a
 * CommonJS package, such as cdk8s, constructs or yaml, would give ESM output no named exports.)
 */
async function bundleVendor(esbuild, wanted) {
  const specifiers = Object.keys(wanted);
  const entries = new Map(specifiers.map((spec) => [spec, `export { ${wanted[spec].join(', ')} } from ${JSON.stringify(spec)};\n`]));
  const result = await esbuild.build({
    ...esbuildShared,
    entryPoints: specifiers.map((spec) => ({ in: `vendor-entry:${spec}`, out: spec })),
    outdir: vendorDir,
    outExtension: { '.js': '.mjs' },
    splitting: true,
    alias: {
      // uri-js (via the schema validators) asks for the userland punycode package, which is
      // installed; without the alias Node's deprecated built-in is used and warns on Node 22+.
      punycode: 'punycode/punycode.js',
      // cdk8s carries its own copy of yaml, the same version (2.9.1) as ours: bundle one.
      yaml: './node_modules/yaml',
    },
    plugins: [
      unusedFormats,
      {
        name: 'vendor-entries',
        setup(build) {
          build.onResolve({ filter: /^vendor-entry:/ }, ({ path }) => ({ path: path.slice('vendor-entry:'.length), namespace: 'vendor-entry' }));
          build.onLoad({ filter: /.*/, namespace: 'vendor-entry' }, ({ path }) => ({ contents: entries.get(path), resolveDir: root, loader: 'js' }));
        },
      },
    ],
    // Bundled CommonJS dependencies (cdk8s, yaml) call require() for Node built-ins.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  });
  for (const file of result.outputFiles) writeAtomically(file.path, file.contents);
  // Chunks of an earlier dependency set stay (their names are content hashes, so nothing imports
  // them any more): deleting them could pull a file from under a synth that started before this
  // build. `rm -rf dist` clears them; the next run rebuilds.
}

/** Write-then-rename: a synth starting meanwhile loads the old file or the new one, never half of one. */
function writeAtomically(file, contents) {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

/**
 * Builds when the inputs' hash differs from the last build's. Resolves once the bundle is ready
 * (or failed: `ok` false), with `typeChecked`: a promise that is true when tsc found no errors (it
 * runs on, in parallel, while the caller synthesizes in memory; the CLI awaits it before writing
 * anything). On errors it prints them and resolves false.
 */
export async function ensureBuilt({ force = false } = {}) {
  const hash = inputHash(); // before building: an edit made during the build is seen next time
  const built = existsSync(stamp) && existsSync(bundle) ? readFileSync(stamp, 'utf8').trim() : '';
  if (!force && built === hash) return { ok: true, rebuilt: false, typeChecked: Promise.resolve(true) };
  const checking = typeCheck();
  const bundleError = await bundleCli({ force });
  if (bundleError) {
    await checking;
    process.stderr.write(`${bundleError}build failed: fix the error above; nothing was written\n`);
    return { ok: false, rebuilt: true, typeChecked: Promise.resolve(false) };
  }
  const typeChecked = checking.then((check) => {
    if (!check.ok) {
      process.stderr.write(`${check.output}build failed: fix the TypeScript errors above; nothing was written\n`);
      return false;
    }
    try {
      mkdirSync(dirname(stamp), { recursive: true });
      writeFileSync(stamp, `${hash}\n`);
    } catch (e) {
      // A read-only dist/: the build is good, it just is not remembered (the next run rebuilds).
      process.stderr.write(`note: could not record the build in ${relative(root, stamp)} (${e.code ?? e.message}); the next run rebuilds\n`);
    }
    return true;
  });
  return { ok: true, rebuilt: true, typeChecked };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { ok, typeChecked } = await ensureBuilt({ force: process.argv.includes('--force') });
  if (!ok || !(await typeChecked)) process.exitCode = 1;
}
