// The job credential's path: 1Password registry-ci-apikey -> ExternalSecret -> Secret -> env var
// REGISTRY_API_KEY in the runner, and (bridge) a dotenv file that runner.env_file hands to jobs.
import { dotenvTemplate } from '../../src/constructs/dotenv.js';
import { parse } from 'yaml';
import { App, Chart } from 'cdk8s';
import { OnePasswordSecret, SecretKeyHandle } from '../../src/constructs/onepassword-secret.js';
import { synthesize } from '../../src/synth/synthesize.js';
import { checkWiring, keysEsoWouldCreate } from '../../src/validate/wiring.js';
import { loadValues } from '../../src/values/load.js';
import { container, DEFAULT_VALUES_FILE, find, synthWith } from '../helpers.js';

const { manifests } = synthesize(loadValues(DEFAULT_VALUES_FILE).values);
const credential = find(manifests, 'ExternalSecret', 'registry-ci-apikey');
const deployment = find(manifests, 'Deployment', 'forgejo-runner');
const runner = container(deployment, 'runner');
const dind = container(deployment, 'dind');
const configMap = manifests.find((o) => o.object.kind === 'ConfigMap')!.object as any;
const runnerConfig = parse(configMap.data['config.yaml']);

describe('ExternalSecret registry-ci-apikey', () => {
  test('pulls 1Password item registry-ci-apikey, field credential, through onepassword-cluster', () => {
    expect(credential.apiVersion).toBe('external-secrets.io/v1'); // ESO 2.x serves v1 only
    expect(credential.metadata.namespace).toBe('forgejo-runner');
    expect(credential.spec.secretStoreRef).toEqual({ kind: 'ClusterSecretStore', name: 'onepassword-cluster' });
    expect(credential.spec.data).toEqual([{ secretKey: 'REGISTRY_API_KEY', remoteRef: { key: 'registry-ci-apikey', property: 'credential' } }]);
    expect(credential.spec.refreshInterval).toBe('1h');
    expect(credential.spec.target).toMatchObject({ name: 'registry-ci-apikey', creationPolicy: 'Owner' });
  });

  test('property and refresh interval come from values', () => {
    const es = find(synthWith((v) => Object.assign(v.jobCredential, { property: 'password', refreshInterval: '15m' })).manifests, 'ExternalSecret', 'registry-ci-apikey');
    expect(es.spec.data[0].remoteRef.property).toBe('password');
    expect(es.spec.refreshInterval).toBe('15m');
  });

  test('the Secret ESO builds holds the env key and the dotenv file (Replace keeps only templated keys)', () => {
    const built = keysEsoWouldCreate(credential);
    expect(built.name).toBe('registry-ci-apikey');
    expect([...built.keys].sort()).toEqual(['REGISTRY_API_KEY', 'jobs.env']);
    expect(credential.spec.target.template.data['jobs.env']).toBe(dotenvTemplate(['REGISTRY_API_KEY'])); // round trip: test/pipeline/dotenv.ts
  });
});

describe('runner pod', () => {
  test('the runner gets REGISTRY_API_KEY from a secretKeyRef to registry-ci-apikey', () => {
    expect(runner.env).toContainEqual({
      name: 'REGISTRY_API_KEY',
      valueFrom: { secretKeyRef: { name: 'registry-ci-apikey', key: 'REGISTRY_API_KEY' } },
    });
  });

  test('DinD, which runs job containers as root, refers to nothing of the key', () => {
    expect(JSON.stringify(dind)).not.toMatch(/registry-ci-apikey|REGISTRY_API_KEY|REGISTRY_USER|job-secrets/);
  });
});

describe('job bridge', () => {
  test('runner.env_file is the dotenv file mounted read-only from Secret registry-ci-apikey', () => {
    const envFile: string = runnerConfig.runner.env_file;
    const mount = runner.volumeMounts.find((m: any) => envFile.startsWith(`${m.mountPath}/`));
    expect(mount).toMatchObject({ readOnly: true });
    const volume = deployment.spec.template.spec.volumes.find((v: any) => v.name === mount.name);
    expect(volume.secret.secretName).toBe('registry-ci-apikey');
    expect(volume.secret.items).toEqual([{ key: 'jobs.env', path: envFile.slice(mount.mountPath.length + 1) }]);
  });

  test('jobs also get the registry and user as plain values, so workflows hardcode nothing', () => {
    expect(runnerConfig.runner.envs).toMatchObject({ REGISTRY_HOST: 'registry.example.org', REGISTRY_USER: 'ci-bot' });
  });

  test('delivery none keeps the key in the runner pod only', () => {
    const s = synthWith((v) => (v.jobCredential.delivery = 'none'));
    const cm = s.manifests.find((o) => o.object.kind === 'ConfigMap')!.object as any;
    expect(parse(cm.data['config.yaml']).runner.env_file).toBeUndefined();
    const es = find(s.manifests, 'ExternalSecret', 'registry-ci-apikey');
    expect(es.spec.target.template).toBeUndefined();
    expect(container(find(s.manifests, 'Deployment', 'forgejo-runner'), 'runner').env.map((e: any) => e.name)).toContain('REGISTRY_API_KEY');
    expect(checkWiring(s.manifests)).toEqual([]);
  });

  test('reloader: true annotates the Deployment with the Secret to watch', () => {
    const d = find(synthWith((v) => (v.jobCredential.reloader = true)).manifests, 'Deployment', 'forgejo-runner');
    expect(d.metadata.annotations['secret.reloader.stakater.com/reload']).toBe('registry-ci-apikey');
    expect(deployment.metadata.annotations['secret.reloader.stakater.com/reload']).toBeUndefined();
  });
});

describe('wiring by reference', () => {
  const store = { name: 'onepassword-cluster' };
  const secret = () =>
    new OnePasswordSecret(new Chart(new App(), 'c'), 's', {
      name: 'registry-ci-apikey',
      namespace: 'ns',
      store,
      keys: { REGISTRY_API_KEY: { item: 'registry-ci-apikey', property: 'credential' } },
      dotenvFiles: { 'jobs.env': ['REGISTRY_API_KEY'] },
    });

  test('a handle carries the construct that creates its Secret, and names the Secret and key', () => {
    const s = secret();
    const key = s.key('REGISTRY_API_KEY');
    expect(key.secret).toBe(s);
    expect([key.secretName, key.key, key.namespace]).toEqual(['registry-ci-apikey', 'REGISTRY_API_KEY', 'ns']);
    const file = s.file('jobs.env');
    expect(file.secret).toBe(s);
    expect([file.secretName, file.key]).toEqual(['registry-ci-apikey', 'jobs.env']);
  });

  test('a handle made by hand for a key the Secret lacks is rejected at construction', () => {
    expect(() => new SecretKeyHandle(secret(), 'NOPE')).toThrow('Secret registry-ci-apikey has no key "NOPE"; it has: REGISTRY_API_KEY, jobs.env');
  });

  test('asking for a key the secret does not produce fails at compile time and at synth', () => {
    // @ts-expect-error: 'REGISTRY_KEY' is not a key of this secret (checked by `npm run typecheck`)
    expect(() => secret().key('REGISTRY_KEY')).toThrow('Secret registry-ci-apikey has no key "REGISTRY_KEY"; it has: REGISTRY_API_KEY');
    // @ts-expect-error: no such file
    expect(() => secret().file('job.env')).toThrow('Secret registry-ci-apikey has no file "job.env"; it has: jobs.env');
  });

  test('a dotenv file that uses a key the secret lacks is rejected', () => {
    expect(
      () =>
        new OnePasswordSecret(new Chart(new App(), 'c'), 's', {
          name: 'x',
          namespace: 'ns',
          store,
          keys: { A: { item: 'i', property: 'p' } },
          dotenvFiles: { 'f.env': ['B' as 'A'] },
        }),
    ).toThrow('OnePasswordSecret x: dotenvFiles.f.env: uses key "B", which is not in keys');
  });
});

describe('synth-time wiring check: each broken link is named', () => {
  /** Default synthesis with one object edited after synth, as an escape hatch could. */
  function broken(edit: (objects: Record<string, any>) => void): string[] {
    const s = synthesize(loadValues(DEFAULT_VALUES_FILE).values);
    const copy = s.manifests.map((m) => ({ ...m, object: structuredClone(m.object) }));
    const byName: Record<string, any> = Object.fromEntries(copy.map((m) => [`${m.object.kind}/${m.object.metadata.name.replace(/-[a-z0-9]{10}$/, '')}`, m.object]));
    edit(byName);
    return checkWiring(copy).map((p) => `${p.file}: ${p.message}`);
  }
  const runnerOf = (o: Record<string, any>) => container(o['Deployment/forgejo-runner'], 'runner');

  test('the default output is fully wired', () => {
    expect(broken(() => {})).toEqual([]);
  });

  test('secretKeyRef to a key the Secret lacks', () => {
    expect(broken((o) => (runnerOf(o).env.find((e: any) => e.name === 'REGISTRY_API_KEY').valueFrom.secretKeyRef.key = 'api-key'))).toEqual([
      'deployment-forgejo-runner.yaml: Deployment forgejo-runner: container runner env REGISTRY_API_KEY (secretKeyRef) needs key api-key of Secret registry-ci-apikey, but ExternalSecret registry-ci-apikey creates only: REGISTRY_API_KEY, jobs.env',
    ]);
  });

  test('secretKeyRef to a Secret no ExternalSecret creates', () => {
    expect(broken((o) => (runnerOf(o).env.find((e: any) => e.name === 'REGISTRY_API_KEY').valueFrom.secretKeyRef.name = 'registry-api-key'))).toContainEqual(
      'deployment-forgejo-runner.yaml: Deployment forgejo-runner: container runner env REGISTRY_API_KEY (secretKeyRef) refers to Secret registry-api-key, which no ExternalSecret in namespace forgejo-runner creates',
    );
  });

  test('envFrom a Secret no ExternalSecret creates', () => {
    expect(broken((o) => (o['ExternalSecret/forgejo-runner-env'].spec.target.name = 'runner-env'))).toEqual([
      'deployment-forgejo-runner.yaml: Deployment forgejo-runner: container runner envFrom refers to Secret forgejo-runner-env, which no ExternalSecret in namespace forgejo-runner creates',
    ]);
  });

  test('an ExternalSecret in another namespace does not count', () => {
    expect(broken((o) => (o['ExternalSecret/registry-ci-apikey'].metadata.namespace = 'default'))).toEqual(
      expect.arrayContaining([expect.stringContaining('refers to Secret registry-ci-apikey, which no ExternalSecret in namespace forgejo-runner creates')]),
    );
  });

  test('a template without the plain key drops it from the Secret (mergePolicy Replace)', () => {
    expect(broken((o) => delete o['ExternalSecret/registry-ci-apikey'].spec.target.template.data.REGISTRY_API_KEY)).toEqual([
      'deployment-forgejo-runner.yaml: Deployment forgejo-runner: container runner env REGISTRY_API_KEY (secretKeyRef) needs key REGISTRY_API_KEY of Secret registry-ci-apikey, but ExternalSecret registry-ci-apikey creates only: jobs.env',
    ]);
  });

  test('...while mergePolicy Merge keeps the spec.data keys', () => {
    expect(
      broken((o) => {
        const t = o['ExternalSecret/registry-ci-apikey'].spec.target.template;
        delete t.data.REGISTRY_API_KEY;
        t.mergePolicy = 'Merge';
      }),
    ).toEqual([]);
  });

  test('a secret volume item the Secret lacks', () => {
    expect(broken((o) => delete o['ExternalSecret/registry-ci-apikey'].spec.target.template.data['jobs.env'])).toEqual([
      'deployment-forgejo-runner.yaml: Deployment forgejo-runner: volume job-secrets needs key jobs.env of Secret registry-ci-apikey, but ExternalSecret registry-ci-apikey creates only: REGISTRY_API_KEY',
      'deployment-forgejo-runner.yaml: Deployment forgejo-runner: container runner runner.env_file /secrets/jobs/jobs.env needs key jobs.env of Secret registry-ci-apikey, but it holds only: REGISTRY_API_KEY',
    ]);
  });

  test('runner.env_file outside every mount', () => {
    expect(broken((o) => (runnerOf(o).volumeMounts = runnerOf(o).volumeMounts.filter((m: any) => m.name !== 'job-secrets')))).toEqual([
      'deployment-forgejo-runner.yaml: Deployment forgejo-runner: container runner runner.env_file /secrets/jobs/jobs.env is not under any volumeMount of the container, so jobs would get no secrets',
    ]);
  });

  test.each([
    ['naming a file the Secret volume does not project', '/secrets/jobs/registry.env', 'runner.env_file /secrets/jobs/registry.env: volume job-secrets projects no file registry.env from Secret registry-ci-apikey'],
    ['on a volume that is not a Secret', '/data/jobs.env', 'runner.env_file /data/jobs.env is mounted from volume data, which is not a Secret volume'],
  ])('runner.env_file %s', (_, path, message) => {
    expect(
      broken((o) => {
        const cm = o['ConfigMap/forgejo-runner-config'];
        cm.data['config.yaml'] = cm.data['config.yaml'].replace('/secrets/jobs/jobs.env', path);
      }),
    ).toEqual([`deployment-forgejo-runner.yaml: Deployment forgejo-runner: container runner ${message}`]);
  });

  test('a mount of a volume the pod does not have', () => {
    expect(broken((o) => (o['Deployment/forgejo-runner'].spec.template.spec.volumes = o['Deployment/forgejo-runner'].spec.template.spec.volumes.filter((v: any) => v.name !== 'zoneinfo')))).toEqual([
      'deployment-forgejo-runner.yaml: Deployment forgejo-runner: container runner mounts volume zoneinfo at /usr/share/zoneinfo, but the pod has no such volume',
    ]);
  });

  test('a ConfigMap volume naming a ConfigMap that is not synthesized (stale hash)', () => {
    expect(broken((o) => (o['Deployment/forgejo-runner'].spec.template.spec.volumes.find((v: any) => v.name === 'config').configMap.name = 'forgejo-runner-config-old'))).toEqual(
      expect.arrayContaining([
        'deployment-forgejo-runner.yaml: Deployment forgejo-runner: volume config refers to ConfigMap forgejo-runner-config-old, which is not synthesized in namespace forgejo-runner',
      ]),
    );
  });
});
