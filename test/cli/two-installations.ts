// Two installations in one chart (a library user's app: ForgejoRunners in namespaces a and b)
// synthesize: objects whose file names would clash get their namespace appended, and only those,
// so a chart with one installation keeps the names it always had (values/cluster.yaml's output is
// byte-identical: `npm run check` and the snapshots hold it). kubectl kustomize of the rendered
// directory gives every object of both installations.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiObject, App, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { ForgejoRunner } from '../../src/constructs/forgejo-runner.js';
import { setFileStem } from '../../src/constructs/metadata.js';
import { render } from '../../src/output/render.js';
import { synthesizeChart, type Synthesis } from '../../src/synth/synthesize.js';
import { tempDir } from '../helpers.js';
import { testConcurrently, which } from '../shell-harness.js';

function chartWith(namespaces: readonly string[]): Chart {
  const chart = new Chart(new App({ outdir: '/nonexistent-cdk8s-out' }), 'ci', { disableResourceNameHashes: true });
  for (const namespace of namespaces) {
    new ForgejoRunner(chart, `runner-${namespace}`, {
      namespace,
      forgejoUrl: 'https://forgejo.example.org',
      secretStore: { name: 'onepassword' },
      pools: [{ labels: ['docker:docker://node:20-bookworm'], capacity: 2 }],
      registration: { mode: 'token', secretName: 'forgejo-runner-token', item: 'Forgejo runner' },
      jobCredential: { registry: 'registry.example.org', username: 'ci', item: 'registry-ci-key', envVars: { apiKey: 'REGISTRY_API_KEY', registry: 'REGISTRY_HOST', username: 'REGISTRY_USER' }, delivery: 'envFile' },
    });
  }
  return chart;
}

test('two ForgejoRunners (namespaces a and b) in one chart: every object gets a file of its own, named by its namespace where the names would clash', () => {
  const one = synthesizeChart(chartWith(['a']));
  const two = synthesizeChart(chartWith(['a', 'b']));
  const files = two.map((o) => o.file);
  expect(new Set(files).size).toBe(files.length);
  expect(two).toHaveLength(2 * one.length);
  expect(files).toContain('externalsecret-forgejo-runner-token-a.yaml');
  expect(files).toContain('externalsecret-forgejo-runner-token-b.yaml');
  // Names that do not clash stay as they are (each installation's Namespace object).
  expect(files).toContain('namespace-a.yaml');
  expect(files).toContain('namespace-b.yaml');
  // Each file holds the object of its own namespace.
  for (const { file, object } of two.filter((o) => /-(a|b)\.yaml$/.test(o.file) && !o.file.startsWith('namespace-'))) {
    expect({ file, namespace: object.metadata.namespace }).toEqual({ file, namespace: file.slice(-6, -5) });
  }
  // One installation: the names it always had, no namespace appended.
  expect(one.map((o) => o.file)).toContain('externalsecret-forgejo-runner-token.yaml');
});

test('objects of ONE namespace (or cluster-scoped) that would share a file are still an error naming both', () => {
  const chart = new Chart(new App({ outdir: '/nonexistent-cdk8s-out' }), 'c', { disableResourceNameHashes: true });
  const first = new ApiObject(chart, 'x', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'n' } });
  const second = new ApiObject(chart, 'y', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'y', namespace: 'n' } });
  setFileStem(first, 'same');
  setFileStem(second, 'same');
  expect(() => synthesizeChart(chart)).toThrow('two objects would be written to same-n.yaml: ConfigMap/x and ConfigMap/y; rename one');
});

const kubectl = which('kubectl');
(kubectl ? testConcurrently : test.skip)(`kubectl kustomize of the two installations' directory gives every object of both${kubectl ? '' : ' (skipped: kubectl not on PATH)'}`, async () => {
  const manifests = synthesizeChart(chartWith(['a', 'b']));
  const synthesis = { manifests, application: manifests[0]! } as Synthesis;
  const out = render(synthesis, { manifestsDir: 'm', applicationFile: 'app.yaml', source: 'main.ts' });
  const dir = join(tempDir('frc-two-'), 'm');
  mkdirSync(dir);
  for (const f of out.manifests) writeFileSync(join(dir, f.path), f.text);
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(kubectl!, ['kustomize', dir], { maxBuffer: 16 * 1024 * 1024 }, (e, so, se) => (e ? reject(new Error(`${e.message}${se}`)) : resolve(so))),
  );
  const built = parseAllDocuments(stdout).map((d) => d.toJS() as { kind: string; metadata: { name: string; namespace?: string } });
  const key = (o: { kind: string; metadata: { name: string; namespace?: string } }) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  expect(built.map(key).sort()).toEqual(manifests.map((m) => key(m.object)).sort());
  expect(new Set(built.map((o) => o.metadata.namespace ?? o.metadata.name))).toEqual(new Set(['a', 'b']));
});
