// Job credential delivery forgejoSecret, end to end through the values file: the committed example
// (examples/masked-secret.yaml) gives the ESO objects that keep a Forgejo Actions secret in step
// with 1Password, and runner pods that hold nothing of the key. The webhook templates of the same
// synthesized SecretStore run through Go and a fake Forgejo in test/pipeline/forgejo-actions-secret.ts.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart } from 'cdk8s';
import { parse, stringify } from 'yaml';
import { JobCredential } from '../../src/constructs/job-credential.js';
import { synthesize, type SynthesizedObject } from '../../src/synth/synthesize.js';
import { validateSchemas } from '../../src/validate/schemas.js';
import { checkWiring, keysEsoWouldCreate } from '../../src/validate/wiring.js';
import { loadValues } from '../../src/values/load.js';
import { PROJECT, synthValuesText } from '../helpers.js';

const EXAMPLE = join(PROJECT, 'examples', 'masked-secret.yaml');
const loaded = loadValues(EXAMPLE).values;
const { manifests } = synthesize(loaded);
const objects = manifests.map((m) => m.object as any);
const one = (kind: string, name?: string) => {
  const hits = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  expect(hits).toHaveLength(1);
  return hits[0];
};

/** The credential's ExternalSecret: the one whose data reads the jobCredential item. */
const credential = objects.find((o) => o.kind === 'ExternalSecret' && o.spec.data.some((d: any) => d.remoteRef.key === loaded.jobCredential!.item));
const credentialSecret: string = credential.spec.target.name;
const apiKey = loaded.jobCredential!.envVars.apiKey;

/** Every pod template of the installation's workloads (Deployments and ScaledJobs). */
function podSpecs(all: readonly SynthesizedObject[]): { where: string; spec: any }[] {
  return all.flatMap(({ object }) => {
    const o = object as any;
    if (o.kind === 'Deployment') return [{ where: `Deployment/${o.metadata.name}`, spec: o.spec.template.spec }];
    if (o.kind === 'ScaledJob') return [{ where: `ScaledJob/${o.metadata.name}`, spec: o.spec.jobTargetRef.template.spec }];
    return [];
  });
}

/** Every way a pod could hold a Secret's data: volumes (incl. projected), env, envFrom. */
function secretUses(spec: any, secretName: string): string[] {
  const uses: string[] = [];
  for (const v of spec.volumes ?? []) {
    if (v.secret?.secretName === secretName) uses.push(`volume ${v.name}`);
    for (const s of v.projected?.sources ?? []) if (s.secret?.name === secretName) uses.push(`projected volume ${v.name}`);
  }
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef?.name === secretName) uses.push(`${c.name} env ${e.name}`);
    for (const e of c.envFrom ?? []) if (e.secretRef?.name === secretName) uses.push(`${c.name} envFrom`);
  }
  return uses;
}

/** runner.env_file of each pool's config.yaml. */
const envFiles = (all: readonly SynthesizedObject[]) =>
  all.filter((m) => m.object.kind === 'ConfigMap').map((m) => parse((m.object as any).data['config.yaml']).runner.env_file);

describe('examples/masked-secret.yaml: the key as a Forgejo Actions secret (delivery forgejoSecret)', () => {
  test('the credential ExternalSecret copies the key only: no dotenv file for runner.env_file', () => {
    expect(loaded.jobCredential!.delivery).toBe('forgejoSecret');
    expect([...keysEsoWouldCreate(credential).keys]).toEqual([apiKey]);
  });

  test('a token ExternalSecret whose Secret carries the webhook label the provider requires', () => {
    const token = one('ExternalSecret', 'registry-api-key-forgejo-token');
    expect(token.spec.target.template.metadata.labels).toEqual({ 'external-secrets.io/type': 'webhook' });
    expect(token.spec.data).toEqual([{ secretKey: 'token', remoteRef: { key: 'Forgejo Actions writer', property: 'token' } }]);
  });

  test('a namespaced webhook SecretStore: PUT to the org endpoint with an explicit port, token header from that Secret, toJson body, timeout', () => {
    const store = one('SecretStore');
    const w = store.spec.provider.webhook;
    expect(store.apiVersion).toBe('external-secrets.io/v1');
    expect(store.metadata.namespace).toBe(loaded.namespace);
    expect(w.method).toBe('PUT');
    expect(w.url).toBe('https://forge.example.org:443/api/v1/orgs/infra/actions/secrets/{{ .remoteRef.remoteKey }}');
    expect(w.headers).toEqual({ 'Content-Type': 'application/json', Authorization: 'token {{ .forgejo.token | trim }}' });
    expect(w.body).toBe('{{ dict "data" (index .remoteRef .remoteRef.remoteKey) | toJson }}');
    expect(w.timeout).toBe('30s');
    expect(w.secrets).toEqual([{ name: 'forgejo', secretRef: { name: 'registry-api-key-forgejo-token', key: 'token' } }]);
  });

  test('a PushSecret pushes the credential Secret\'s key to REGISTRY_API_KEY: Replace, deletionPolicy None, refresh interval', () => {
    const push = one('PushSecret');
    expect(push.apiVersion).toBe('external-secrets.io/v1alpha1');
    expect(push.spec).toEqual({
      refreshInterval: '1h',
      updatePolicy: 'Replace',
      deletionPolicy: 'None',
      secretStoreRefs: [{ kind: 'SecretStore', name: one('SecretStore').metadata.name }],
      selector: { secret: { name: credentialSecret } },
      data: [{ match: { secretKey: apiKey, remoteRef: { remoteKey: 'REGISTRY_API_KEY' } } }],
    });
  });

  test('the runner pods hold nothing of the key: no env_file, no volume, env or envFrom from the credential Secret', () => {
    const pods = podSpecs(manifests);
    expect(pods.length).toBeGreaterThan(0);
    for (const { where, spec } of pods) {
      expect({ where, uses: secretUses(spec, credentialSecret) }).toEqual({ where, uses: [] });
      expect(JSON.stringify(spec)).not.toContain(apiKey);
    }
    expect(envFiles(manifests)).toEqual([undefined]);
  });

  test('the registry host and user name still reach every job as plain env vars', () => {
    const config = parse((one('ConfigMap').data as any)['config.yaml']);
    expect(config.runner.envs).toMatchObject({ REGISTRY_HOST: 'registry.example.org', REGISTRY_USER: 'ci' });
  });

  test('schemas (ESO CRDs included) and wiring hold', () => {
    expect(validateSchemas(manifests)).toEqual([]);
    expect(checkWiring(manifests)).toEqual([]);
  });

  test('Argo CD applies the SecretStore and PushSecret after the Secrets they read (sync waves)', () => {
    const wave = (o: any) => Number(o.metadata.annotations?.['argocd.argoproj.io/sync-wave']);
    expect(wave(one('SecretStore'))).toBeGreaterThan(wave(credential));
    expect(wave(one('PushSecret'))).toBeGreaterThan(wave(one('ExternalSecret', 'registry-api-key-forgejo-token')));
  });

  test('the committed output holds these objects (npm run check compares every byte)', () => {
    const dir = join(PROJECT, loaded.output.manifests);
    for (const m of manifests.filter((x) => ['PushSecret', 'SecretStore'].includes(x.object.kind))) {
      expect(existsSync(join(dir, m.file))).toBe(true);
      expect(readFileSync(join(dir, m.file), 'utf8')).toContain(`kind: ${m.object.kind}`);
    }
  });
});

describe('forgejoSecret on the rule fixture: a Deployment pool and an ephemeral pool', () => {
  const fixture = parse(readFileSync(join(PROJECT, 'test', 'fixtures', 'rules.yaml'), 'utf8'));
  const build = (delivery: string, extra: Record<string, unknown> = {}) => {
    const data = structuredClone(fixture);
    Object.assign(data.jobCredential, { delivery, ...extra });
    return synthValuesText(stringify(data), 'fixtures/rules.yaml').manifests;
  };
  const forgejoSecret = { scope: { kind: 'repo', owner: 'infra', repo: 'cluster' }, token: { item: 'Forgejo Writer', property: 'token' } };

  test('no pod of either pool holds the key; envFile gives it to both (the contrast)', () => {
    const masked = build('forgejoSecret', { forgejoSecret });
    const pods = podSpecs(masked);
    expect(pods.map((p) => p.where).sort()).toEqual(['Deployment/steady', 'ScaledJob/burst']);
    for (const { where, spec } of pods) expect({ where, uses: secretUses(spec, 'registry-key') }).toEqual({ where, uses: [] });
    expect(envFiles(masked)).toEqual([undefined, undefined]);
    // The secret name defaults to the key's env var name; the repo scope gives the repo endpoint.
    const push = masked.find((m) => m.object.kind === 'PushSecret')!.object as any;
    expect(push.spec.data[0].match.remoteRef.remoteKey).toBe('REGISTRY_KEY');
    const store = masked.find((m) => m.object.kind === 'SecretStore')!.object as any;
    expect(store.spec.provider.webhook.url).toBe('https://forge.example.org:443/api/v1/repos/infra/cluster/actions/secrets/{{ .remoteRef.remoteKey }}');

    const plain = build('envFile');
    for (const { where, spec } of podSpecs(plain)) expect({ where, uses: secretUses(spec, 'registry-key').length > 0 }).toEqual({ where, uses: true });
    expect(plain.some((m) => m.object.kind === 'PushSecret')).toBe(false);
  });

  test('an explicit secretName is used as given', () => {
    const push = build('forgejoSecret', { forgejoSecret: { ...forgejoSecret, secretName: 'CI_REGISTRY_KEY' } }).find((m) => m.object.kind === 'PushSecret')!.object as any;
    expect(push.spec.data[0].match.remoteRef.remoteKey).toBe('CI_REGISTRY_KEY');
    expect(push.metadata.name).toBe('ci-registry-key');
  });
});

describe('JobCredential built directly from props', () => {
  const base = {
    namespace: 'ci',
    store: { name: 'vault' },
    registry: 'registry.example.org',
    username: 'ci',
    item: 'registry-key',
    envVars: { apiKey: 'REGISTRY_KEY', registry: 'REGISTRY_HOST', username: 'REGISTRY_USER' },
    delivery: 'forgejoSecret' as const,
    forgejoSecret: { scope: { kind: 'org' as const, org: 'infra' }, token: { item: 'Forgejo Writer', property: 'token' } },
  };
  const chart = () => new Chart(new App({ outdir: '/nonexistent-cdk8s-out' }), 'c', { disableResourceNameHashes: true });

  test('forgejoSecret exposes its ForgejoActionsSecret and gives the runner nothing of the key', () => {
    const c = new JobCredential(chart(), 'Credential', { ...base, forgejoUrl: 'https://forge.example.org' });
    expect(c.actionsSecret?.secretName).toBe('REGISTRY_KEY');
    expect(c.actionsSecret?.endpoint).toBe('https://forge.example.org:443/api/v1/orgs/infra/actions/secrets');
    expect([c.runnerEnv, c.jobEnvFile]).toEqual([{}, undefined]);
  });

  test('forgejoSecret without forgejoUrl is a PropsError at forgejoUrl', () => {
    expect(() => new JobCredential(chart(), 'Credential', base)).toThrow(
      'JobCredential registry-key: forgejoUrl: expected the Forgejo base URL with delivery forgejoSecret (the Actions secrets API is under it)',
    );
  });
});
