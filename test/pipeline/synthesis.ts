// Synthesis through cdk8s (Chart.toJson), metadata instead of globals, the sync-wave mixin,
// the small constructs from props, and values -> props.
import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { ArgoApplication } from '../../src/constructs/argocd-application.js';
import { HashedConfigMap } from '../../src/constructs/hashed-config-map.js';
import { explain, fileStemOf, notesOf, REVIEW_NOTE, setFileStem } from '../../src/constructs/metadata.js';
import { OnePasswordSecret } from '../../src/constructs/onepassword-secret.js';
import { ArgoCdSyncWaves, SYNC_WAVE_ANNOTATION } from '../../src/constructs/sync-waves.js';
import { synthesizeChart } from '../../src/synth/synthesize.js';
import { loadValues } from '../../src/values/load.js';
import { valuesToProps } from '../../src/values/to-props.js';
import { DEFAULT_VALUES_FILE, find, valuesWith } from '../helpers.js';

const chart = () => new Chart(new App(), 'test', { disableResourceNameHashes: true });

describe('synthesis goes through cdk8s', () => {
  test('a failing node.addValidation anywhere in the app stops synthesis, naming the construct and the error', () => {
    const c = chart();
    new ApiObject(c, 'Fine', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fine' } });
    const guarded = new Construct(c, 'Guarded');
    guarded.node.addValidation({ validate: () => ['replicas must be 1 for this runner'] });
    expect(() => synthesizeChart(c)).toThrow(/Validation failed with the following errors:\n\s+\[test\/Guarded\] replicas must be 1 for this runner/);
  });

  test('objects come out in code-unit order of their file names, the same on every machine whatever its locale', () => {
    const c = chart();
    // Locale collation would put alpha before Zeta and ignore case first; code units put upper case first.
    for (const name of ['alpha', 'Zeta', 'a-b', 'a.b', 'a0']) new ApiObject(c, name, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
    expect(synthesizeChart(c).map((o) => o.file)).toEqual(['configmap-Zeta.yaml', 'configmap-a-b.yaml', 'configmap-a.b.yaml', 'configmap-a0.yaml', 'configmap-alpha.yaml']);
  });

  test('a passing validation lets synthesis through', () => {
    const c = chart();
    new ApiObject(c, 'Fine', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fine' } });
    c.node.addValidation({ validate: () => [] });
    expect(synthesizeChart(c).map((o) => o.file)).toEqual(['configmap-fine.yaml']);
  });

  test('two objects for one file are rejected, naming both', () => {
    const c = chart();
    const a = new ApiObject(c, 'A', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
    const b = new ApiObject(c, 'B', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'b' } });
    setFileStem(a, 'same');
    setFileStem(b, 'same');
    expect(() => synthesizeChart(c)).toThrow('two objects would be written to same.yaml: ConfigMap/a and ConfigMap/b; rename one');
  });

  test('the values pipeline gives the same objects as building ForgejoRunner from valuesToProps by hand', async () => {
    const { synthesize } = await import('../../src/synth/synthesize.js');
    const { ForgejoRunner } = await import('../../src/constructs/forgejo-runner.js');
    const values = loadValues(DEFAULT_VALUES_FILE).values;
    const c = chart();
    new ForgejoRunner(c, 'Runner', valuesToProps(values).runner);
    c.with(new ArgoCdSyncWaves());
    expect(synthesizeChart(c)).toEqual(synthesize(values).manifests);
  });
});

describe('review notes and file names are construct metadata', () => {
  test('they live on the object node, so two apps in one process never share them', () => {
    const one = new ApiObject(chart(), 'X', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    const two = new ApiObject(chart(), 'X', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    explain(one, 'data', 'why one');
    setFileStem(one, 'stem-one');
    expect(notesOf(one)).toEqual(new Map([['data', 'why one']]));
    expect(notesOf(two).size).toBe(0);
    expect(fileStemOf(two)).toBeUndefined();
    expect(one.node.metadata.find((m) => m.type === REVIEW_NOTE)?.data).toEqual({ path: 'data', why: 'why one' });
  });

  test('synthesized objects carry their notes', () => {
    const c = chart();
    new HashedConfigMap(c, 'Cm', { baseName: 'cfg', namespace: 'ns', files: { a: '1' } });
    const [cm] = synthesizeChart(c);
    expect(cm!.file).toBe('configmap-cfg.yaml');
    expect(cm!.notes.get('metadata.name')).toMatch(/content-hash suffix/);
  });
});

describe('ArgoCdSyncWaves (opt-in mixin)', () => {
  test('annotates by kind; kinds it does not list are left alone; custom waves replace the defaults', () => {
    const c = chart();
    new ApiObject(c, 'Ns', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } });
    new ApiObject(c, 'Svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' } });
    c.with(new ArgoCdSyncWaves());
    const wave = (objects: ReturnType<typeof synthesizeChart>, kind: string, name: string) => find(objects, kind, name).metadata.annotations?.[SYNC_WAVE_ANNOTATION];
    const objects = synthesizeChart(c);
    expect(wave(objects, 'Namespace', 'ns')).toBe('0');
    expect(wave(objects, 'Service', 'svc')).toBeUndefined();
    const d = chart();
    new ApiObject(d, 'Svc', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'svc' } });
    d.with(new ArgoCdSyncWaves({ waves: { Service: 5 } }));
    expect(wave(synthesizeChart(d), 'Service', 'svc')).toBe('5');
  });

  test('a wave that is not a whole number is rejected, naming the kind', () => {
    expect(() => new ArgoCdSyncWaves({ waves: { Deployment: 1.5 } })).toThrow('ArgoCdSyncWaves: waves.Deployment is 1.5; expected a whole number');
  });
});

describe('small constructs from props', () => {
  test('ArgoApplication: the smallest call names the Application after its destination namespace', () => {
    const c = chart();
    new ArgoApplication(c, 'App', { repoURL: 'https://git.example/repo.git', path: 'manifests', destinationNamespace: 'ci' });
    const [app] = synthesizeChart(c);
    expect(app!.object.metadata).toMatchObject({ name: 'ci', namespace: 'argocd' });
    expect(app!.object.spec).toMatchObject({ project: 'default', source: { targetRevision: 'main', path: 'manifests' }, destination: { namespace: 'ci' } });
  });

  test('HashedConfigMap: no files, or a file it lacks, is an error', () => {
    expect(() => new HashedConfigMap(chart(), 'Cm', { baseName: 'cfg', namespace: 'ns', files: {} })).toThrow('HashedConfigMap cfg: files is empty');
    const cm = new HashedConfigMap(chart(), 'Cm', { baseName: 'cfg', namespace: 'ns', files: { a: '1' } });
    expect(() => cm.file('b')).toThrow(/ConfigMap cfg-[a-z0-9]{10} has no file "b"; it has: a/);
  });

  test('OnePasswordSecret: no keys, an invalid key, a file named like a key are errors naming the Secret', () => {
    const base = { name: 's', namespace: 'ns', store: { name: 'st' } };
    expect(() => new OnePasswordSecret(chart(), 'S', { ...base, keys: {} })).toThrow('OnePasswordSecret s: keys: expected at least one Secret key mapped to a 1Password field');
    expect(() => new OnePasswordSecret(chart(), 'S', { ...base, keys: { 'a b': { item: 'i', property: 'p' } } })).toThrow('keys.a b: expected a Secret key');
    expect(
      () => new OnePasswordSecret(chart(), 'S', { ...base, keys: { A: { item: 'i', property: 'p' } }, dotenvFiles: { A: ['A'] } as never }),
    ).toThrow('dotenvFiles.A: has the name of a key; rename one');
  });
});

describe('values -> props', () => {
  test('absent optional values stay undefined, so the construct defaults apply', () => {
    const props = valuesToProps(valuesWith((v) => (delete v.timezone, delete v.pools[0].capacity, delete v.argocd.targetRevision)));
    expect(props.runner.timezone).toBeUndefined();
    expect(props.runner.pools[0]!.capacity).toBeUndefined();
    expect(props.application.targetRevision).toBeUndefined();
  });

  test('kubernetesVersion decides nativeSidecar (>= 1.29)', () => {
    expect(valuesToProps(valuesWith((v) => (v.kubernetesVersion = '1.28'))).runner.nativeSidecar).toBe(false);
    expect(valuesToProps(valuesWith((v) => (v.kubernetesVersion = '1.29'))).runner.nativeSidecar).toBe(true);
  });
});
