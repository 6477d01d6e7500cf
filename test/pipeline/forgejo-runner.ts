// ForgejoRunner built straight from props, as a library user builds it: the smallest call gives
// a valid runner, and each bad prop is an error that names the prop.
import { App, Chart } from 'cdk8s';
import { ForgejoRunner, type ForgejoRunnerProps } from '../../src/constructs/forgejo-runner.js';
import { ArgoCdSyncWaves, SYNC_WAVE_ANNOTATION } from '../../src/constructs/sync-waves.js';
import { synthesizeChart } from '../../src/synth/synthesize.js';
import { validateSchemas } from '../../src/validate/schemas.js';
import { checkWiring } from '../../src/validate/wiring.js';
import { container, find } from '../helpers.js';

const SMALLEST: ForgejoRunnerProps = {
  forgejoUrl: 'https://forgejo.example.org',
  secretStore: { name: 'onepassword' },
  pools: [{ labels: ['docker:docker://node:20'] }],
};

function build(props: ForgejoRunnerProps, withWaves = false) {
  const chart = new Chart(new App(), 'test', { disableResourceNameHashes: true });
  const runner = new ForgejoRunner(chart, 'runner', props);
  if (withWaves) chart.with(new ArgoCdSyncWaves());
  return { runner, objects: synthesizeChart(chart) };
}

describe('the smallest call: forge URL, secret store, one pool with labels', () => {
  const { runner, objects } = build(SMALLEST);

  test('gives a Namespace, the registration ExternalSecret, a ConfigMap, a runner + DinD Deployment and its NetworkPolicy', () => {
    expect(objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`.replace(/-[a-z0-9]{10}$/, '-<hash>'))).toEqual([
      'ConfigMap/forgejo-runner-config-<hash>',
      'Deployment/forgejo-runner',
      'ExternalSecret/forgejo-runner-env',
      'Namespace/forgejo-runner',
      'NetworkPolicy/forgejo-runner',
    ]);
    const d = find(objects, 'Deployment', 'forgejo-runner');
    expect(container(d, 'runner').image).toBe('code.forgejo.org/forgejo/runner:12.7.0');
    expect(container(d, 'dind')).toMatchObject({ image: 'docker:27-dind', restartPolicy: 'Always', securityContext: { privileged: true } });
    expect(runner.pools).toHaveLength(1);
  });

  test('is valid: every object passes its API schema and every Secret/ConfigMap reference resolves', () => {
    expect(validateSchemas(objects)).toEqual([]);
    expect(checkWiring(objects)).toEqual([]);
  });

  test('registers by token from the default 1Password item, and the runner is named after its pool', () => {
    const es = find(objects, 'ExternalSecret', 'forgejo-runner-env');
    expect(es.spec.data).toEqual([{ secretKey: 'RUNNER_TOKEN', remoteRef: { key: 'forgejo-runner', property: 'runner_reg' } }]);
    expect(es.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'onepassword' });
    const runnerEnv = container(find(objects, 'Deployment', 'forgejo-runner'), 'runner').env;
    expect(runnerEnv).toContainEqual({ name: 'RUNNER_NAME', value: 'forgejo-runner' });
    expect(runnerEnv.map((e: any) => e.name)).not.toContain('TZ'); // UTC unless a timezone is given
  });

  test('sync waves are opt-in: none without the mixin, by kind with it', () => {
    expect(JSON.stringify(objects)).not.toContain(SYNC_WAVE_ANNOTATION);
    const waves = Object.fromEntries(
      build(SMALLEST, true).objects.map((o) => [o.object.kind, (o.object.metadata as any).annotations?.[SYNC_WAVE_ANNOTATION]]),
    );
    expect(waves).toEqual({ Namespace: '0', ExternalSecret: '1', ConfigMap: '1', NetworkPolicy: '1', Deployment: '2' });
  });
});

describe('options', () => {
  test('createNamespace: false leaves the Namespace to the caller', () => {
    const { runner, objects } = build({ ...SMALLEST, namespace: 'ci', createNamespace: false });
    expect(runner.namespaceObject).toBeUndefined();
    expect(objects.map((o) => o.object.kind)).not.toContain('Namespace');
    expect(objects.every((o) => o.object.metadata.namespace === 'ci')).toBe(true);
  });

  test('offline registration: one identity key per pool, each pool reading its own key', () => {
    const { objects } = build({
      ...SMALLEST,
      registration: { mode: 'offline', secretName: 'identity', item: 'Runner secrets' },
      pools: [{ name: 'small', labels: ['a:docker://node:22'] }, { name: 'big', labels: ['b:docker://node:22'], runnerSecretProperty: 'big-secret' }],
    });
    expect(find(objects, 'ExternalSecret', 'identity').spec.data).toEqual([
      { secretKey: 'small', remoteRef: { key: 'Runner secrets', property: 'small' } },
      { secretKey: 'big', remoteRef: { key: 'Runner secrets', property: 'big-secret' } },
    ]);
    expect(container(find(objects, 'Deployment', 'big'), 'runner').env).toContainEqual({
      name: 'RUNNER_SECRET',
      valueFrom: { secretKeyRef: { name: 'identity', key: 'big' } },
    });
    expect(checkWiring(objects)).toEqual([]);
  });

  test('a registry credential: env var in the runner, dotenv file for jobs, registry and user as job env', () => {
    const envVars = { apiKey: 'REGISTRY_API_KEY', registry: 'REGISTRY_HOST', username: 'REGISTRY_USER' };
    const { runner, objects } = build({ ...SMALLEST, jobCredential: { registry: 'registry.example.org', username: 'ci', item: 'registry-key', envVars, delivery: 'envFile' } });
    expect(runner.jobCredential?.secret.secretName).toBe('registry-key');
    const d = find(objects, 'Deployment', 'forgejo-runner');
    expect(container(d, 'runner').env).toContainEqual({ name: 'REGISTRY_API_KEY', valueFrom: { secretKeyRef: { name: 'registry-key', key: 'REGISTRY_API_KEY' } } });
    expect(d.spec.template.spec.volumes).toContainEqual({ name: 'job-secrets', secret: { secretName: 'registry-key', items: [{ key: 'jobs.env', path: 'jobs.env' }] } });
    expect(checkWiring(objects)).toEqual([]);
  });
});

describe('each bad prop is an error naming the prop', () => {
  test('a forge URL that is not http(s)', () => {
    expect(() => build({ ...SMALLEST, forgejoUrl: 'forgejo.example.org' })).toThrow(
      'ForgejoRunner forgejo-runner: forgejoUrl: expected an http:// or https:// URL, got "forgejo.example.org"',
    );
  });

  test('a namespace that is not a DNS label', () => {
    expect(() => build({ ...SMALLEST, namespace: 'CI_Runners' })).toThrow('ForgejoRunner CI_Runners: namespace: expected a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit; got "CI_Runners"');
  });

  test('an empty secret store name', () => {
    expect(() => build({ ...SMALLEST, secretStore: { name: '' } })).toThrow('ForgejoRunner forgejo-runner: secretStore.name: expected a DNS-1123 subdomain: lowercase letters, digits, "-" and "."; got ""');
  });

  test('no pools', () => {
    expect(() => build({ ...SMALLEST, pools: [] })).toThrow('ForgejoRunner forgejo-runner: pools: expected at least one runner pool');
  });

  test('two pools with one name (including two unnamed pools)', () => {
    expect(() => build({ ...SMALLEST, pools: [{ labels: ['a:docker://node:22'] }, { labels: ['b:docker://node:22'] }] })).toThrow(
      'ForgejoRunner forgejo-runner: pools[1].name: expected a unique pool name; "forgejo-runner" is already used by pools[0]',
    );
  });

  test('offline registration with two pools reading one 1Password field', () => {
    expect(() =>
      build({
        ...SMALLEST,
        registration: { mode: 'offline', secretName: 'identity', item: 'i', property: 'shared' },
        pools: [{ name: 'a', labels: ['a:docker://node:22'] }, { name: 'b', labels: ['b:docker://node:22'] }],
      }),
    ).toThrow('ForgejoRunner forgejo-runner: pools[1].name: expected a 1Password field of its own: pools[0] already reads "shared", and two pools would share one runner identity (set runnerSecretProperty)');
  });

  test('a pool prop error surfaces with the pool named', () => {
    expect(() => build({ ...SMALLEST, pools: [{ labels: [] }] })).toThrow('ForgejoRunner forgejo-runner: pools[0].labels: expected at least one runner label such as "docker:docker://node:20"');
  });
});
