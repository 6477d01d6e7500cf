// `npm run build:lib` (run by prepack): the library as npm ships it, in two module systems.
//   lib/esm/  ES modules (tsconfig.build.json)      for `import` (package.json "type": "module")
//   lib/cjs/  CommonJS  (tsconfig.build.cjs.json)   for `require()`: the `cdk8s init
//             typescript-app` template compiles to CommonJS, runs main.ts with ts-node and its
//             tests with ts-jest, none of which can load an ES module; a package.json of
//             {"type": "commonjs"} there makes Node and TypeScript read those .js/.d.ts as CommonJS.
// Each public entry is a subpath of package.json "exports" (the one list of them): "." is
// src/index.ts, "./parts" is src/parts.ts. An entry whose source file is absent is not built;
// one whose source exists must end up with all four files its "exports" conditions name, or the
// build fails saying which.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(root, 'node_modules', '.bin', 'tsc');
const run = (project) =>
  new Promise((resolve) => {
    spawn(tsc, ['-p', project], { cwd: root, stdio: 'inherit' }).on('exit', (code) => resolve(code === 0));
  });

rmSync(join(root, 'lib'), { recursive: true, force: true });
const built = await Promise.all([run('tsconfig.build.json'), run('tsconfig.build.cjs.json')]);
if (!built.every(Boolean)) {
  console.error('build:lib: tsc failed (errors above)');
  process.exit(1);
}
writeFileSync(join(root, 'lib', 'cjs', 'package.json'), '{ "type": "commonjs" }\n');

// Every condition's target of every entry whose source exists, e.g. "./parts" ->
// { import: { types, default }, require: { types, default } }.
const { exports } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const targets = (value) => (typeof value === 'string' ? [value] : Object.values(value).flatMap(targets));
const missing = [];
for (const [subpath, conditions] of Object.entries(exports)) {
  if (subpath === './package.json') continue;
  const source = subpath === '.' ? 'src/index.ts' : `src/${subpath.slice(2)}.ts`;
  if (!existsSync(join(root, source))) continue;
  for (const target of targets(conditions)) if (!existsSync(join(root, target))) missing.push(`${subpath} (${source}): ${target}`);
}
if (missing.length > 0) {
  console.error(`build:lib: package.json "exports" names files the build did not produce:\n  ${missing.join('\n  ')}`);
  process.exit(1);
}
