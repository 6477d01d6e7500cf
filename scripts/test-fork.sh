#!/usr/bin/env bash
# Proves that another cluster's fork keeps CI green, on a copy of this repository (a git clone of
# the working tree: HEAD plus uncommitted changes and untracked files, with this project's
# node_modules linked in):
#   1. add a second cluster exactly as the README's "A second cluster" says (copy values/indri.yaml,
#      change the outputs and the Application name), with two pools, one of them ephemeral (as
#      "Ephemeral pools on KEDA" says: offline registration, a scaler token); `npm run synth`,
#      `npm test`, `npm run check`;
#   2. delete values/indri.yaml; `npm run synth` must remove indri's output (it generated it and
#      no values file produces it any more); `npm test`, `npm run check`; no indri output left.
# Not part of `npm test` (it runs `npm test` twice): `.ci/run` calls it.
#   bash scripts/test-fork.sh [--keep]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d "${TMPDIR:-/tmp}/frc-fork-XXXXXX")"
if [ "${1:-}" = "--keep" ]; then echo "test-fork: keeping $scratch"; else trap 'rm -rf "$scratch"' EXIT; fi
fail() { echo "test-fork: FAILED: $*" >&2; exit 1; }
step() { echo; echo "== test-fork: $*"; }

[ -f "$root/values/indri.yaml" ] || fail "values/indri.yaml is absent: the README's \"A second cluster\" copies it"
[ -d "$root/node_modules" ] || fail "no node_modules: run npm ci first"

step "copy of the repository: git clone of the working tree (with its uncommitted changes)"
copy="$scratch/repo"
git clone -q "$root" "$copy"
# Tracked files as they are in the working tree (uncommitted edits included), then untracked ones.
(cd "$root" && git diff --binary HEAD) | (cd "$copy" && git apply --allow-empty --whitespace=nowarn)
# (node_modules is linked below; as a symlink it escapes .gitignore's "node_modules/".)
(cd "$root" && git ls-files -z --others --exclude-standard -- . ':!:node_modules') | (cd "$root" && xargs -0 -r cp -P --parents -t "$copy")
(cd "$copy" && git add -A && git -c user.email=f@f -c user.name=fork commit -qm "working tree" --allow-empty)
ln -s "$root/node_modules" "$copy/node_modules"
cd "$copy"

cluster=second
step "add cluster \"$cluster\" as the README's \"A second cluster\" says: copy values/indri.yaml, change outputs and Application name; two pools, one ephemeral"
cp values/indri.yaml "values/$cluster.yaml"
# Edits with the yaml library (comments kept), so a changed layout of indri.yaml fails loudly here.
node --input-type=module - "values/$cluster.yaml" "$cluster" <<'JS'
import { readFileSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
const [file, cluster] = process.argv.slice(2);
const doc = parseDocument(readFileSync(file, 'utf8'));
const need = (path) => {
  if (!doc.hasIn(path)) throw new Error(`${file}: no ${path.join('.')} (the README's "A second cluster" changes it)`);
};
// "A second cluster": the outputs, which must not equal or nest in another file's, and the
// Application name (unique in Argo CD's namespace). The namespace may stay: another cluster.
for (const path of [['output', 'manifests'], ['output', 'application'], ['argocd']]) need(path);
doc.setIn(['output', 'manifests'], `argocd/manifests/forgejo-runner-${cluster}`);
doc.setIn(['output', 'application'], `argocd/apps/forgejo-runner-${cluster}.yaml`);
doc.setIn(['argocd', 'applicationName'], `forgejo-runner-${cluster}`);
// "Ephemeral pools on KEDA": offline registration (each pool's 40-hex secret is the 1Password
// field runnerSecretProperty, default the pool name), a scaler token, label names no other pool
// serves, Kubernetes >= 1.29.
need(['registration', 'mode']);
doc.setIn(['registration', 'mode'], 'offline');
doc.deleteIn(['registration', 'property']); // the token field; offline reads each pool's own field
doc.setIn(['scalerToken'], doc.createNode({ item: 'Forgejo Runner', property: 'keda_api_token' }));
if (Number(doc.getIn(['kubernetesVersion'])?.split('.')[1]) < 29) doc.setIn(['kubernetesVersion'], '1.34');
const pools = doc.getIn(['pools']);
if (!pools || pools.items.length !== 1) throw new Error(`${file}: expected one pool to add the ephemeral one to`);
pools.add(doc.createNode({
  name: 'ephemeral',
  mode: 'ephemeral',
  runnerName: `k8s-ephemeral-${cluster}`,
  labels: ['k8s-ephemeral:docker://node:22-bookworm'],
  timeout: '1h',
  shutdownTimeout: '5m',
  ephemeral: { scope: { kind: 'user' }, maxReplicaCount: 2 },
}));
writeFileSync(file, doc.toString());
JS

step "npm run synth (both clusters)"
npm run --silent synth | tee "$scratch/synth1.log"
grep -q "^values/indri.yaml -> " "$scratch/synth1.log" || fail "synth did not synthesize values/indri.yaml"
grep -q "^values/$cluster.yaml -> " "$scratch/synth1.log" || fail "synth did not synthesize values/$cluster.yaml"
for f in "argocd/apps/forgejo-runner-$cluster.yaml" "argocd/manifests/forgejo-runner-$cluster/scaledjob-ephemeral.yaml" \
  "argocd/manifests/forgejo-runner-$cluster/deployment-forgejo-runner.yaml" argocd/apps/forgejo-runner.yaml; do
  [ -f "$f" ] || fail "after adding $cluster, $f is missing"
done

step "npm test with two clusters"
npm test || fail "npm test failed after adding a second cluster"
npm run --silent check || fail "npm run check failed after adding a second cluster"
git add -A && git -c user.email=f@f -c user.name=fork commit -qm "add $cluster"

step "delete values/indri.yaml; npm run synth removes its output"
git rm -q values/indri.yaml
npm run --silent synth | tee "$scratch/synth2.log"
for f in argocd/manifests/forgejo-runner argocd/apps/forgejo-runner.yaml; do
  [ ! -e "$f" ] || fail "indri's output $f is still there after synth"
done
[ -f "argocd/apps/forgejo-runner-$cluster.yaml" ] || fail "synth removed $cluster's output too"
grep -q "removed" "$scratch/synth2.log" || fail "synth's summary does not say it removed indri's output"
if grep -rl "values/indri.yaml" argocd examples; then fail "files above still name values/indri.yaml"; fi

step "npm test without indri"
npm test || fail "npm test failed after deleting values/indri.yaml"
npm run --silent check || fail "npm run check failed after deleting values/indri.yaml"

echo
echo "test-fork: ok: a second cluster added, then indri deleted; npm test and check green after each; no indri output left"
