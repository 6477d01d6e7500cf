#!/usr/bin/env bash
# Proves the README's "Use as a library" section against what npm would ship: packs this
# project (prepack builds lib/), installs the tarball with cdk8s and constructs into a scratch
# app in a temp dir, copies the README's main.ts block as written, type-checks it with
# `tsc --strict` against the shipped .d.ts, runs it, and checks the synthesized manifests.
# Needs the npm registry (or its cache) for cdk8s/constructs and the tarball's dependencies;
# nothing else from the network. Not part of `npm test` (it takes ~30 s): `.ci/run` calls it.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/frc-pack-XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
fail() { echo "test-pack: $*" >&2; exit 1; }

# The example, exactly as the README shows it: the ```ts block after the marker comment.
awk '/^<!-- library-example: main.ts/ { found = 1; next }
     found && /^```ts$/ { inside = 1; next }
     inside && /^```$/ { exit }
     inside { print }' "$root/README.md" >"$scratch/main.ts"
[ -s "$scratch/main.ts" ] || fail "README.md has no \`\`\`ts block after '<!-- library-example: main.ts'"

echo "== npm pack"
tarball="$(cd "$root" && npm pack --silent --pack-destination "$scratch" | tail -n 1)"
[ -f "$scratch/$tarball" ] || fail "npm pack did not produce a tarball (got: $tarball)"
listing="$(tar -tzf "$scratch/$tarball")" # not piped into grep -q: with pipefail, tar's SIGPIPE would fail the check
# Both builds (scripts/build-lib.mjs): ES modules for this app, CommonJS for scripts/test-stock-app.sh.
for f in lib/esm/src/index.d.ts lib/esm/src/index.js lib/cjs/src/index.d.ts lib/cjs/src/index.js lib/cjs/package.json; do
  grep -qx "package/$f" <<<"$listing" || fail "$tarball ships no $f"
done

version() { node -p "require('$root/package.json').devDependencies['$1']"; }
echo "== scratch app: $tarball + cdk8s@$(version cdk8s) + constructs@$(version constructs)"
cd "$scratch"
cat >package.json <<'JSON'
{ "name": "scratch-app", "private": true, "type": "module" }
JSON
npm install --no-audit --no-fund --loglevel=error "./$tarball" "cdk8s@$(version cdk8s)" "constructs@$(version constructs)" >/dev/null
cat >tsconfig.json <<'JSON'
{
  "compilerOptions": {
    "strict": true,
    "target": "es2022",
    "module": "nodenext",
    "moduleResolution": "nodenext",
    "outDir": "build",
    "types": [],
    "skipLibCheck": false
  },
  "files": ["main.ts"]
}
JSON

echo "== tsc --strict main.ts (against the shipped .d.ts)"
"$root/node_modules/.bin/tsc" -p tsconfig.json --strict || fail "the README example does not type-check against the tarball"

# The shipped types keep the wiring checks: a key the Secret does not declare is a compile error.
cat >wrong-key.ts <<'TS'
import { App, Chart } from 'cdk8s';
import { OnePasswordSecret } from 'forgejo-runner-cdk8s';
const chart = new Chart(new App(), 'c');
const secret = new OnePasswordSecret(chart, 's', { name: 's', namespace: 'n', store: { name: 'store' }, keys: { TOKEN: { item: 'i', property: 'p' } } });
secret.key('TOKEN');
secret.key('TOKEN_TYPO');
TS
if out="$("$root/node_modules/.bin/tsc" --ignoreConfig --strict --noEmit --module nodenext --moduleResolution nodenext --target es2022 --types '' wrong-key.ts 2>&1)"; then
  fail "asking the Secret for an undeclared key type-checked; the shipped .d.ts lost the key types"
fi
echo "$out" | grep -q "TOKEN_TYPO" || fail "expected a type error naming TOKEN_TYPO, got: $out"
[ "$(echo "$out" | grep -c 'error TS')" = 1 ] || fail "expected exactly one type error (the undeclared key), got: $out"

# The second entry, when this tree has it (src/parts.ts): imported and type-checked the same way.
if grep -qx 'package/lib/esm/src/parts.js' <<<"$listing"; then
  echo "== forgejo-runner-cdk8s/parts (import, nodenext types)"
  cat >parts.ts <<'TS'
import * as parts from 'forgejo-runner-cdk8s/parts';
console.log(`parts: ${Object.keys(parts).length} exports`);
TS
  "$root/node_modules/.bin/tsc" --ignoreConfig --strict --module nodenext --moduleResolution nodenext --target es2022 --types '' --outDir build parts.ts \
    || fail "forgejo-runner-cdk8s/parts does not type-check"
  node build/parts.js
else
  echo "forgejo-runner-cdk8s/parts: not in this tree (no src/parts.ts), not checked"
fi

echo "== node build/main.js"
node build/main.js
[ -f dist/ci.k8s.yaml ] || fail "the example wrote no dist/ci.k8s.yaml"

echo "== check the synthesized manifests"
node --input-type=module - <<'JS'
import { createRequire } from 'node:module';
const require = createRequire(`${process.cwd()}/`);
const { Yaml } = require('cdk8s');
const docs = Yaml.load('dist/ci.k8s.yaml');
const problems = [];
const check = (ok, what) => { if (!ok) problems.push(what); };
const of = (kind) => docs.filter((d) => d.kind === kind);

const [deployment, ...more] = of('Deployment');
check(deployment && more.length === 0, 'exactly one Deployment');
const pod = deployment?.spec?.template?.spec ?? {};
const containers = [...(pod.initContainers ?? []), ...(pod.containers ?? [])];
const runner = containers.find((c) => c.name === 'runner');
const dind = containers.find((c) => c.name === 'dind');
check(runner && dind, 'the pod runs a runner and a dind container');
check(dind?.securityContext?.privileged === true && !runner?.securityContext?.privileged, 'only DinD is privileged');
check(dind?.restartPolicy === 'Always', 'DinD is a native sidecar by default');
check(runner?.envFrom?.[0]?.secretRef?.name === 'forgejo-runner-token', 'the runner reads its registration token Secret');
const secrets = of('ExternalSecret').map((e) => e.metadata.name).sort();
check(JSON.stringify(secrets) === JSON.stringify(['forgejo-runner-token', 'registry-ci-key']), `ExternalSecrets forgejo-runner-token and registry-ci-key (got ${secrets})`);
check(runner?.env?.some((e) => e.valueFrom?.secretKeyRef?.name === 'registry-ci-key'), 'the runner env reads the registry key Secret');
check(runner?.env?.some((e) => e.name === 'HTTP_PROXY' && e.value === 'http://proxy.example.org:3128'), 'the extra runner env var is set');
check(deployment?.spec?.template?.metadata?.labels?.team === 'ci', 'the pod carries the extra pod label');
const mounted = new Set(containers.flatMap((c) => (c.volumeMounts ?? []).map((m) => m.name)));
const declared = (pod.volumes ?? []).map((v) => v.name);
check(declared.length === mounted.size && declared.every((n) => mounted.has(n)), 'pod volumes are exactly the mounted ones');
const configMap = of('ConfigMap')[0];
check(pod.volumes?.some((v) => v.configMap?.name === configMap?.metadata?.name), 'the pod mounts the synthesized ConfigMap');
check(of('Namespace')[0]?.metadata?.annotations?.['argocd.argoproj.io/sync-wave'] === '0', 'the opt-in sync waves were applied');
check(deployment?.metadata?.annotations?.['argocd.argoproj.io/sync-wave'] === '2', 'the Deployment is in the last wave');
if (problems.length) {
  console.error(`test-pack: the example's output is wrong:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`ok: ${docs.map((d) => `${d.kind}/${d.metadata.name}`).join(', ')}`);
JS
echo "test-pack: the README library example type-checks and synthesizes from the packed tarball"
