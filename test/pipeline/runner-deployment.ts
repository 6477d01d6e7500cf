// Focused assertions on the default synthesis (the fixture values, test/helpers.ts): the properties production
// depends on, each with the reason it matters.
import { synthesize } from '../../src/synth/synthesize.js';
import { loadValues } from '../../src/values/load.js';
import { container, DEFAULT_VALUES_FILE, find, synthWith } from '../helpers.js';

const synthesis = synthesize(loadValues(DEFAULT_VALUES_FILE).values);
const objects = synthesis.manifests;
const deployment = find(objects, 'Deployment', 'forgejo-runner');
const podSpec = deployment.spec.template.spec;
const runner = container(deployment, 'runner');
const dind = container(deployment, 'dind');

describe('names and labels', () => {
  test('objects carry stable human names, no cdk8s hash suffixes', () => {
    expect(objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`).sort()).toEqual([
      expect.stringMatching(/^ConfigMap\/forgejo-runner-config-[a-z0-9]{10}$/),
      'Deployment/forgejo-runner',
      'ExternalSecret/forgejo-runner-env',
      'ExternalSecret/registry-ci-apikey',
      'Namespace/forgejo-runner',
      'NetworkPolicy/forgejo-runner',
    ]);
  });

  test('every namespaced object is in forgejo-runner; the Namespace itself has no namespace', () => {
    for (const { object } of objects) {
      if (object.kind === 'Namespace') expect(object.metadata.namespace).toBeUndefined();
      else expect(object.metadata.namespace).toBe('forgejo-runner');
    }
  });

  test('selector stays exactly app: forgejo-runner (a changed selector forces delete and recreate)', () => {
    expect(deployment.spec.selector).toEqual({ matchLabels: { app: 'forgejo-runner' } });
    expect(deployment.spec.template.metadata.labels).toMatchObject({ app: 'forgejo-runner' });
  });

  test('no cdk8s bookkeeping labels leak into the manifests', () => {
    expect(JSON.stringify(objects)).not.toMatch(/cdk8s\.io\//);
  });
});

describe('cdk8s-plus defaults are not applied', () => {
  test('one replica: a second runner would register a second identity', () => {
    expect(deployment.spec.replicas).toBe(1);
  });

  test('no imagePullPolicy (Kubernetes: IfNotPresent for pinned tags), no resources, no runner securityContext', () => {
    for (const c of [runner, dind]) {
      expect(c.imagePullPolicy).toBeUndefined();
      expect(c.resources).toBeUndefined(); // a limit on DinD throttles or OOM-kills builds
    }
    expect(runner.securityContext).toBeUndefined();
    expect(podSpec.securityContext).toBeUndefined(); // runAsNonRoot would stop DinD from starting
  });
});

describe('containers', () => {
  test('images are the pinned versions from values', () => {
    expect(runner.image).toBe('code.forgejo.org/forgejo/runner:12.7.0');
    expect(dind.image).toBe('docker:27-dind');
  });

  test('privileged only on DinD, never on the runner that runs untrusted workflow steps', () => {
    expect(dind.securityContext).toEqual({ privileged: true });
    const privileged = [...(podSpec.initContainers ?? []), ...podSpec.containers].filter((c: any) => c.securityContext?.privileged);
    expect(privileged.map((c: any) => c.name)).toEqual(['dind']);
  });

  test('runner env matches the reference start-up contract', () => {
    const plain = Object.fromEntries(runner.env.filter((e: any) => 'value' in e).map((e: any) => [e.name, e.value]));
    expect(plain).toEqual({
      TZ: 'America/Los_Angeles',
      DOCKER_HOST: 'tcp://127.0.0.1:2375', // loopback: dockerd binds 127.0.0.1 only (localhost may resolve to ::1)
      FORGEJO_URL: 'https://forge.example.org',
      RUNNER_NAME: 'k8s-runner',
      RUNNER_LABELS: 'k8s:docker://registry.example.org/ci/runner-job-image:v1.0.0',
    });
    expect(runner.envFrom).toEqual([{ secretRef: { name: 'forgejo-runner-env' } }]);
  });

  test('DinD runs without TLS on the pod-local port the runner waits for', () => {
    expect(dind.env).toEqual([{ name: 'DOCKER_TLS_CERTDIR', value: '' }]);
    expect(runner.command[2]).toContain('http://127.0.0.1:2375/_ping');
  });

  test('mounts: data, config, read-only host zoneinfo on the runner; storage and daemon.json on DinD', () => {
    expect(runner.volumeMounts).toEqual(
      expect.arrayContaining([
        { name: 'data', mountPath: '/data' },
        { name: 'config', mountPath: '/config' },
        { name: 'zoneinfo', mountPath: '/usr/share/zoneinfo', readOnly: true },
      ]),
    );
    expect(dind.volumeMounts).toEqual([
      { name: 'dind-storage', mountPath: '/var/lib/docker' },
      { name: 'config', mountPath: '/etc/docker/daemon.json', subPath: 'daemon.json', readOnly: true },
    ]);
    const volumes = Object.fromEntries(podSpec.volumes.map((v: any) => [v.name, v]));
    expect(volumes.data).toEqual({ name: 'data', emptyDir: {} });
    expect(volumes['dind-storage']).toEqual({ name: 'dind-storage', emptyDir: {} });
    expect(volumes.zoneinfo.hostPath).toEqual({ path: '/usr/share/zoneinfo', type: 'Directory' });
  });

  test('the config volume points at the synthesized ConfigMap, hash suffix included', () => {
    const configMap = objects.find((o) => o.object.kind === 'ConfigMap')!.object;
    expect(podSpec.volumes.find((v: any) => v.name === 'config').configMap).toEqual({ name: configMap.metadata.name });
  });
});

describe('ConfigMap', () => {
  test('its name changes when, and only when, its content changes (rolls the Deployment)', () => {
    const nameOf = (s: ReturnType<typeof synthWith>) => s.manifests.find((o) => o.object.kind === 'ConfigMap')!.object.metadata.name;
    const base = nameOf(synthWith());
    expect(nameOf(synthWith())).toBe(base);
    expect(nameOf(synthWith((v) => (v.pools[0].capacity = 3)))).not.toBe(base);
    expect(nameOf(synthWith((v) => (v.dind.registryMirrors = ['http://mirror.example:5000'])))).not.toBe(base);
  });
});

describe('runner pools', () => {
  test('several pools: a Deployment and ConfigMap each, one namespace and shared secrets', () => {
    const s = synthWith((v) => {
      v.pools.push({ ...v.pools[0], name: 'forgejo-runner-big', runnerName: 'k8s-big', capacity: 4 });
    });
    const kinds = s.manifests.map((o) => `${o.object.kind}/${o.object.metadata.name.replace(/-[a-z0-9]{10}$/, '')}`).sort();
    expect(kinds).toEqual([
      'ConfigMap/forgejo-runner-big-config',
      'ConfigMap/forgejo-runner-config',
      'Deployment/forgejo-runner',
      'Deployment/forgejo-runner-big',
      'ExternalSecret/forgejo-runner-env',
      'ExternalSecret/registry-ci-apikey',
      'Namespace/forgejo-runner',
      'NetworkPolicy/forgejo-runner',
      'NetworkPolicy/forgejo-runner-big',
    ]);
    const big = find(s.manifests, 'Deployment', 'forgejo-runner-big');
    expect(big.spec.selector.matchLabels).toEqual({ app: 'forgejo-runner-big' });
    expect(container(big, 'runner').envFrom).toEqual([{ secretRef: { name: 'forgejo-runner-env' } }]);
  });
});
