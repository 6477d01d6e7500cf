#!/usr/bin/env bash
# Proves that a stock cdk8s app can use this library unchanged: renders the installed cdk8s-cli's
# own `typescript-app` template as `cdk8s init typescript-app` does (cdk8s-cli lib/cli/cmds/init.js:
# sscaff copies templates/typescript-app, substituting {{ $base }} and the versions its
# determineDeps() computes; then the template's .hooks.sscaff.js runs npm install, npm run import,
# npm run compile, npm run test -- -u and npm run synth), installs the packed tarball of this
# project, puts a ForgejoRunner into the template's MyChart and checks, with the template's
# package.json (but for the added dependency), tsconfig.json and jest.config.js untouched:
#   - `npm install <tarball>` prints no warning;
#   - `npx tsc --noEmit` reports no error (CommonJS, TypeScript 5.9, the template's settings);
#   - `npx cdk8s synth` (ts-node) writes a chart with the runner's Deployment;
#   - the template's snapshot test (Testing.app(), Testing.synth(chart), toMatchSnapshot()) passes
#     under ts-jest, and its snapshot holds the runner's Deployment.
# Not done: `npm run import` (downloads the Kubernetes schema from GitHub; the app does not use
# imports/). The app's own dependencies come from the npm registry. Takes a few minutes (the
# template's npm install); CI runs it once (.ci/run). Usage: bash scripts/test-stock-app.sh [--keep]
set -euo pipefail
# Run under `npx -p node@24 -c ...` (.ci/run), npm_config_package=node@24 would make the app's own
# `npx ts-node main.ts` (cdk8s.yaml) look for ts-node in the node package: the app gets a plain npm.
unset npm_config_package npm_config_call
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/frc-stock-XXXXXX")"
if [ "${1:-}" = --keep ]; then echo "scratch: $scratch"; else trap 'rm -rf "$scratch"' EXIT; fi
fail() { echo "test-stock-app: FAILED: $*" >&2; exit 1; }
app="$scratch/stock-app"

echo "== npm pack"
tarball="$(cd "$root" && npm pack --silent --pack-destination "$scratch" | tail -n 1)"
[ -f "$scratch/$tarball" ] || fail "npm pack did not produce a tarball (got: $tarball)"

echo "== render cdk8s-cli's typescript-app template (as cdk8s init does)"
node - "$root" "$app" <<'JS'
// The variables of cdk8s-cli's determineDeps() (lib/cli/cmds/init.js), resolved from the
// installed cdk8s-cli the same way, then sscaff (the function `cdk8s init` calls) on a copy of
// the template without its post-install hook: this script runs those steps itself, below.
const { cpSync, mkdtempSync, readFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { join } = require('node:path');
const [root, app] = process.argv.slice(2);
const cliRoot = join(root, 'node_modules', 'cdk8s-cli');
const cliRequire = createRequire(join(cliRoot, 'lib', 'cli', 'cmds', 'init.js'));
const cliPkg = JSON.parse(readFileSync(join(cliRoot, 'package.json'), 'utf8'));
const version = (name) => cliRequire(`${name}/package.json`).version;
const variables = {
  cdk8s_core_version: version('cdk8s'),
  cdk8s_plus_version: version('cdk8s-plus-33'),
  constructs_version: cliPkg.dependencies.constructs.replace('^', ''),
  jsii_version: version('jsii-pacmak'),
  cdk8s_cli_spec: `^${cliPkg.version}`,
};
const template = mkdtempSync(join(require('node:os').tmpdir(), 'frc-template-'));
cpSync(join(cliRoot, 'templates', 'typescript-app'), template, { recursive: true, filter: (p) => !p.endsWith('.hooks.sscaff.js') });
cliRequire('sscaff').sscaff(template, app, variables).then(
  () => console.log(`rendered with ${JSON.stringify(variables)}`),
  (e) => { console.error(e); process.exit(1); },
);
JS
cd "$app"
cp package.json "$scratch/package.template.json"
for f in tsconfig.json jest.config.js; do cp "$f" "$scratch/$f"; done

echo "== npm install (the template's own dependencies, from the registry)"
npm install --no-audit --no-fund --loglevel=error >/dev/null
echo "== npm run compile && npm run test -- -u && npm run synth (the template's post-install steps)"
npm run --silent compile >/dev/null
npm run --silent test -- -u >/dev/null 2>&1 || fail "the template's own test failed before installing the library"
npm run --silent synth >/dev/null 2>&1 || fail "the template's own synth failed before installing the library"

echo "== npm install $tarball (no warning)"
log="$scratch/install.log"
npm install --no-audit --no-fund "$scratch/$tarball" >"$log" 2>&1 || { cat "$log"; fail "npm install of the tarball failed"; }
cat "$log"
if grep -iE 'warn|EBADENGINE' "$log"; then fail "npm install of the tarball printed the warnings above"; fi

status=0
echo "== what the installed library loads (its .js and .d.ts): only cdk8s, constructs, yaml and node:"
# A CommonJS app cannot load an ES-module-only package (ts-jest, ts-node: ERR_PACKAGE_PATH_NOT_EXPORTED
# on @kubernetes-models/*), and its tsconfig (module CommonJS, no esModuleInterop, no skipLibCheck)
# cannot type-check what the public .d.ts pull in (kubernetes-models, zod). So the shipped code may
# name no package but the peers; and each of its "dependencies" must be one it loads.
if ! node - node_modules/forgejo-runner-cdk8s <<'JS'
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const [pkgDir] = process.argv.slice(2);
const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
// A package added here must ship CommonJS and types that resolve under the template's node10.
// yaml: renders the runner's config.yaml inside the constructs; it ships CommonJS and ESM, with types.
const allowed = new Set(['cdk8s', 'constructs', 'yaml']);
const byPackage = new Map(); // package -> Set of "lib/... (.js|.d.ts)"
const specifier = /(?:\bfrom\s*|\brequire\(\s*|\bimport\(\s*)['"]([^'"]+)['"]/g;
for (const entry of readdirSync(join(pkgDir, 'lib'), { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !/\.(js|d\.ts)$/.test(entry.name)) continue;
  const file = join(entry.parentPath, entry.name);
  const code = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, ''); // not comments
  for (const [, spec] of code.matchAll(specifier)) {
    if (spec.startsWith('.') || spec.startsWith('node:')) continue;
    const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
    if (!byPackage.has(name)) byPackage.set(name, new Set());
    byPackage.get(name).add(file.slice(pkgDir.length + 1));
  }
}
const problems = [];
for (const [name, files] of [...byPackage].sort()) {
  if (allowed.has(name)) continue;
  const list = [...files].sort();
  const kinds = [list.some((f) => f.endsWith('.d.ts')) && 'types', list.some((f) => !f.endsWith('.d.ts')) && 'runtime'].filter(Boolean).join('+');
  problems.push(`loads ${name} (${kinds}): ${list.slice(0, 3).join(', ')}${list.length > 3 ? `, ... (${list.length} files)` : ''}`);
}
for (const name of Object.keys(pkg.dependencies ?? {})) {
  if (!byPackage.has(name)) problems.push(`"dependencies" has ${name}, which lib/ never loads: move it to devDependencies`);
}
if (problems.length) {
  console.error(`test-stock-app: the packed library:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('ok: lib/ loads only cdk8s, constructs and yaml');
JS
then status=1; fi

# The user's edit: a ForgejoRunner in the template's chart (main.ts is the user's file).
cat >main.ts <<'TS'
import { Construct } from 'constructs';
import { App, Chart, ChartProps } from 'cdk8s';
import { ForgejoRunner } from 'forgejo-runner-cdk8s';

export class MyChart extends Chart {
  constructor(scope: Construct, id: string, props: ChartProps = { }) {
    super(scope, id, props);

    new ForgejoRunner(this, 'forgejo-runner', {
      forgejoUrl: 'https://forgejo.example.org',
      secretStore: { name: 'onepassword' },
      pools: [{ labels: ['docker:docker://node:20-bookworm'], capacity: 2 }],
    });
  }
}

const app = new App();
new MyChart(app, 'stock-app');
app.synth();
TS
rm -f main.js main.d.ts # the template's compile step wrote these next to main.ts
# The second entry, when this tree has it (src/parts.ts): required and type-checked the same way.
if [ -f node_modules/forgejo-runner-cdk8s/lib/cjs/src/parts.js ]; then
  sed -i "s#^import { ForgejoRunner } from 'forgejo-runner-cdk8s';#&\nimport * as parts from 'forgejo-runner-cdk8s/parts';\nexport const partNames = Object.keys(parts);#" main.ts
  grep -q "from 'forgejo-runner-cdk8s/parts'" main.ts || fail "could not add the parts import to main.ts"
  echo "main.ts also imports forgejo-runner-cdk8s/parts"
else
  echo "forgejo-runner-cdk8s/parts: not in this tree (no src/parts.ts), not checked"
fi

# The template's configuration must be exactly as rendered (package.json: but for the dependency
# `npm install` added, and npm's sorting of the dependency lists).
node -e '
  const fs = require("node:fs");
  const a = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const b = JSON.parse(fs.readFileSync("package.json", "utf8"));
  delete b.dependencies["forgejo-runner-cdk8s"];
  const sorted = (v) => (v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])])) : v);
  if (JSON.stringify(sorted(a)) !== JSON.stringify(sorted(b))) { console.error("package.json changed beyond the added dependency"); process.exit(1); }
' "$scratch/package.template.json" || fail "the template's package.json was changed"
for f in tsconfig.json jest.config.js; do cmp -s "$f" "$scratch/$f" || fail "the template's $f was changed"; done

echo "== npx tsc --noEmit (the template's tsconfig: CommonJS, TypeScript $(npx tsc --version))"
if ! npx tsc --noEmit >"$scratch/tsc.log" 2>&1; then
  status=1
  echo "test-stock-app: tsc reports $(grep -c 'error TS' "$scratch/tsc.log") errors; by file:" >&2
  grep -oE '^[^(]+\(' "$scratch/tsc.log" | sed -E 's#\($##; s#^(node_modules/(@[^/]+/)?[^/]+).*#\1#' | sort | uniq -c | sort -rn >&2
  grep -m 5 'error TS' "$scratch/tsc.log" >&2
fi

echo "== npx cdk8s synth (ts-node main.ts)"
rm -rf dist
if npx cdk8s synth >"$scratch/synth.log" 2>&1 && grep -q 'kind: Deployment' dist/stock-app.k8s.yaml 2>/dev/null; then
  grep -E '^kind: ' dist/stock-app.k8s.yaml | sort | uniq -c
else
  status=1
  tail -n 15 "$scratch/synth.log" >&2
  echo "test-stock-app: cdk8s synth did not write a chart with the runner's Deployment" >&2
fi

echo "== the template's snapshot test (jest, ts-jest)"
rm -rf __snapshots__ # the template's snapshot is of its empty chart; jest writes the new one
if npx jest --ci=false >"$scratch/jest.log" 2>&1 && npx jest --ci >>"$scratch/jest.log" 2>&1 \
  && grep -q 'kind": "Deployment' __snapshots__/main.test.ts.snap; then
  echo "ok: written, then matched with --ci; the snapshot holds the runner's Deployment"
else
  status=1
  tail -n 25 "$scratch/jest.log" >&2
  echo "test-stock-app: the template's snapshot test failed" >&2
fi

[ $status = 0 ] || fail "the stock cdk8s app does not work with the packed library (above)"
echo "test-stock-app: the stock cdk8s typescript-app template uses the packed library unchanged"
