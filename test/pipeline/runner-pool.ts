// RunnerPool and its parts built straight from props: defaults, the one DinD endpoint, volumes
// derived from mounts, the pod reused outside a Deployment, and each error a prop can cause.
import { ApiObject, App, Chart } from 'cdk8s';
import { parse } from 'yaml';
import { OnePasswordSecret } from '../../src/constructs/onepassword-secret.js';
import { DIND_ENDPOINT, dindDockerHost, dindHttpUrl } from '../../src/constructs/pool/dind-endpoint.js';
import { HashedConfigMap } from '../../src/constructs/hashed-config-map.js';
import { RunnerConfig } from '../../src/constructs/pool/runner-config.js';
import { runnerPod } from '../../src/constructs/pool/runner-pod.js';
import { RunnerPool, type RunnerPoolProps } from '../../src/constructs/pool/runner-pool.js';
import { PodVolume, podVolumes } from '../../src/constructs/pool/volumes.js';
import { synthesizeChart } from '../../src/synth/synthesize.js';
import { checkWiring } from '../../src/validate/wiring.js';
import { container, find } from '../helpers.js';

const store = { name: 'onepassword' };

/** A chart with a token Secret in namespace `ns`, and a pool built from the given props. */
function pool(props: Partial<RunnerPoolProps> = {}, namespace = 'ns') {
  const chart = new Chart(new App(), 'test', { disableResourceNameHashes: true });
  const token = new OnePasswordSecret(chart, 'Token', { name: 'token', namespace, store, keys: { RUNNER_TOKEN: { item: 'i', property: 'p' } } });
  const p = new RunnerPool(chart, 'Pool', {
    name: 'runners',
    namespace: 'ns',
    forgejoUrl: 'https://forgejo.example.org',
    labels: ['docker:docker://node:20'],
    registration: { mode: 'token', tokenSecret: token.envSource() },
    ...props,
  });
  return { chart, pool: p, objects: () => synthesizeChart(chart) };
}

const configOf = (objects: ReturnType<ReturnType<typeof pool>['objects']>) =>
  parse((objects.find((o) => o.object.kind === 'ConfigMap')!.object as any).data['config.yaml']);

describe('defaults (written once, on RunnerPoolProps)', () => {
  const { objects } = pool();
  const all = objects();
  const d = find(all, 'Deployment', 'runners');

  test('one replica, capacity 1, 3h timeouts, info logs, grace = 3h + 300 s', () => {
    expect(d.spec.replicas).toBe(1);
    expect(configOf(all)).toMatchObject({ log: { level: 'info' }, runner: { capacity: 1, timeout: '3h', shutdown_timeout: '3h' } });
    expect(d.spec.template.spec.terminationGracePeriodSeconds).toBe(10800 + 300);
  });

  test('the runner registers under the pool name, with the pinned default images', () => {
    expect(container(d, 'runner').env).toContainEqual({ name: 'RUNNER_NAME', value: 'runners' });
    expect(container(d, 'runner').image).toBe('code.forgejo.org/forgejo/runner:12.7.0');
    expect(container(d, 'dind').image).toBe('docker:27-dind');
  });

  test('the output is fully wired', () => {
    expect(checkWiring(all)).toEqual([]);
  });
});

describe('one DinD endpoint', () => {
  const all = pool().objects();
  const runner = container(find(all, 'Deployment', 'runners'), 'runner');

  test('DOCKER_HOST, runner.envs.DOCKER_HOST, container.docker_host and the ping URL all come from DIND_ENDPOINT', () => {
    const expected = `tcp://${DIND_ENDPOINT.host}:${DIND_ENDPOINT.port}`;
    expect(dindDockerHost()).toBe(expected);
    expect(runner.env).toContainEqual({ name: 'DOCKER_HOST', value: expected });
    const config = configOf(all);
    expect(config.runner.envs.DOCKER_HOST).toBe(expected);
    expect(config.container.docker_host).toBe(expected);
    expect(runner.command[2]).toContain(`wget -q -T 5 -O /dev/null ${dindHttpUrl()}/_ping`);
    expect(container(find(all, 'Deployment', 'runners'), 'dind').args).toContain(`--host=${expected}`); // dockerd binds exactly that
  });

  test('no other spelling of the endpoint is left anywhere in the output', () => {
    expect(JSON.stringify(all)).not.toMatch(/localhost/);
  });
});

describe('volumes are derived from mounts', () => {
  test('the pod declares exactly the volumes its containers mount, each once', () => {
    const spec = find(pool().objects(), 'Deployment', 'runners').spec.template.spec;
    const mounted = [...spec.initContainers, ...spec.containers].flatMap((c: any) => c.volumeMounts.map((m: any) => m.name));
    expect(spec.volumes.map((v: any) => v.name).sort()).toEqual([...new Set(mounted)].sort());
  });

  test('two different volumes with one name are rejected', () => {
    const a = PodVolume.emptyDir('data');
    const b = PodVolume.emptyDir('data');
    expect(() =>
      podVolumes([
        { container: { name: 'one' }, mounts: [a.at('/a')] },
        { container: { name: 'two' }, mounts: [b.at('/b')] },
      ]),
    ).toThrow('two different volumes are named data (container two); give each its own name');
  });

  test('a ConfigMap file can only be mounted from a volume of that ConfigMap', () => {
    const chart = new Chart(new App(), 'c');
    const one = new HashedConfigMap(chart, 'One', { baseName: 'one', namespace: 'ns', files: { 'a.json': '{}' } });
    const two = new HashedConfigMap(chart, 'Two', { baseName: 'two', namespace: 'ns', files: { 'b.json': '{}' } });
    expect(() => PodVolume.configMap('config', one).file(two.file('b.json'), '/etc/b.json')).toThrow(
      /volume config does not hold ConfigMap two-[a-z0-9]{10}, so it cannot mount its file b\.json/,
    );
  });
});

describe('nativeSidecar: false (Kubernetes < 1.29)', () => {
  test('DinD is an ordinary container with a preStop wait, and the pod shares its process namespace', () => {
    const spec = find(pool({ nativeSidecar: false }).objects(), 'Deployment', 'runners').spec.template.spec;
    expect(spec.initContainers).toBeUndefined();
    expect(spec.containers.map((c: any) => c.name)).toEqual(['runner', 'dind']);
    expect(spec.shareProcessNamespace).toBe(true);
  });
});

describe('the runner pod outside a Deployment (e.g. a Job template)', () => {
  test('runnerPod() gives a pod spec that is fully wired inside a Job', () => {
    const chart = new Chart(new App(), 'test', { disableResourceNameHashes: true });
    const token = new OnePasswordSecret(chart, 'Token', { name: 'token', namespace: 'ns', store, keys: { RUNNER_TOKEN: { item: 'i', property: 'p' } } });
    const config = new RunnerConfig(chart, 'Config', {
      poolName: 'ephemeral',
      namespace: 'ns',
      labels: {},
      logLevel: 'info',
      capacity: 1,
      timeout: '1h',
      shutdownTimeout: '1h',
      terminationGracePeriodSeconds: 3900,
    });
    const pod = runnerPod({
      runnerImage: 'runner:1',
      dindImage: 'docker:27-dind',
      forgejoUrl: 'https://forgejo.example.org',
      runnerName: 'ephemeral',
      labels: ['a:docker://node:22'],
      registration: { mode: 'token', tokenSecret: token.envSource() },
      config,
      nativeSidecar: true,
      terminationGracePeriodSeconds: 3900,
    });
    new ApiObject(chart, 'Job', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'ephemeral', namespace: 'ns' },
      spec: { template: { spec: { ...pod.spec, restartPolicy: 'Never' } } },
    });
    const objects = synthesizeChart(chart);
    expect(find(objects, 'Job', 'ephemeral').spec.template.spec.initContainers[0].name).toBe('dind');
    expect(checkWiring(objects)).toEqual([]);
    expect(pod.notes.get('initContainers[name=dind].securityContext.privileged')).toMatch(/only DinD/);
  });
});

describe('each bad prop is an error naming the prop', () => {
  const cases: [string, Partial<RunnerPoolProps>, string | RegExp][] = [
    ['name that is not a DNS label', { name: 'Runners' }, 'RunnerPool Runners: name: expected a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit; got "Runners"'],
    ['no labels', { labels: [] }, 'RunnerPool runners: labels: expected at least one runner label such as "docker:docker://node:20"'],
    ['a label with a comma', { labels: ['a,b'] }, 'RunnerPool runners: labels[0]: expected a label without spaces or commas, got "a,b"'],
    ['capacity 0', { capacity: 0 }, 'RunnerPool runners: capacity: expected a whole number >= 1, got 0'],
    [
      'a dockerd --host in dindExtraArgs (would reopen the unauthenticated Docker API to the network)',
      { dind: { extraArgs: ['--debug', '--host=tcp://0.0.0.0:2375'] } },
      'RunnerPool runners: dind.extraArgs[1]: "--host=tcp://0.0.0.0:2375" the DinD API is bound to unix:///var/run/docker.sock and tcp://127.0.0.1:2375 only',
    ],
    [
      'an --mtu flag next to dindMtu (dockerd refuses to start: crash loop)',
      { dind: { mtu: 1400, extraArgs: ['--mtu=1450'] } },
      'RunnerPool runners: dind.extraArgs[0]: "--mtu=1450" repeats dind.mtu, which daemon.json already sets',
    ],
    ['an untagged runner image (would float to latest)', { images: { runner: 'code.forgejo.org/forgejo/runner' } }, 'RunnerPool runners: images.runner: expected an image reference with an explicit tag or digest'],
    ['an untagged DinD image', { images: { dind: 'registry:5000/docker' } }, 'RunnerPool runners: images.dind: expected an image reference with an explicit tag or digest'],
    ['negative replicas', { replicas: -1 }, 'RunnerPool runners: replicas: expected a whole number >= 0, got -1'],
    ['fractional replicas', { replicas: 1.5 }, 'RunnerPool runners: replicas: expected a whole number >= 0, got 1.5'],
    ['a timeout that is not a Go duration', { timeout: '3 hours' }, 'RunnerPool runners: timeout: expected a Go duration such as "1h", "30m" or "1h30m", got "3 hours"'],
    ['a bad shutdownTimeout', { shutdownTimeout: 'soon' }, 'RunnerPool runners: shutdownTimeout: expected a Go duration such as "1h", "30m" or "1h30m", got "soon"'],
    [
      'a grace period shorter than shutdownTimeout',
      { terminationGracePeriodSeconds: 60 },
      'RunnerPool runners: terminationGracePeriodSeconds: expected at least 10800 (shutdownTimeout 3h), got 60',
    ],
  ];
  test.each(cases)('%s', (_name, props, message) => {
    expect(() => pool(props)).toThrow(message);
  });

  test('offline registration with more than one replica', () => {
    const chart = new Chart(new App(), 'c');
    const id = new OnePasswordSecret(chart, 'Id', { name: 'id', namespace: 'ns', store, keys: { runners: { item: 'i', property: 'p' } } });
    expect(
      () =>
        new RunnerPool(chart, 'Pool', {
          name: 'runners',
          namespace: 'ns',
          forgejoUrl: 'https://f',
          labels: ['a:docker://node:22'],
          registration: { mode: 'offline', runnerSecret: id.key('runners') },
          replicas: 2,
        }),
    ).toThrow('RunnerPool runners: replicas: expected replicas 0 or 1 with registration.mode offline: 2 pods would run as one runner identity (use token registration to scale)');
  });

  test('a Secret from another namespace (the pod could never read it)', () => {
    expect(() => pool({}, 'other')).toThrow('RunnerPool runners: registration.tokenSecret: is Secret token of namespace other, but the pool runs in ns');
  });

  test('runnerEnv that repeats a variable the runner sets', () => {
    const chart = new Chart(new App(), 'c');
    const s = new OnePasswordSecret(chart, 'S', { name: 's', namespace: 'ns', store, keys: { RUNNER_TOKEN: { item: 'i', property: 'p' } } });
    expect(
      () =>
        new RunnerPool(chart, 'Pool', {
          name: 'runners',
          namespace: 'ns',
          forgejoUrl: 'https://f',
          labels: ['a:docker://node:22'],
          registration: { mode: 'token', tokenSecret: s.envSource() },
          runnerEnv: { DOCKER_HOST: s.key('RUNNER_TOKEN') },
        }),
    ).toThrow('RunnerPool runners: runnerEnv: env var DOCKER_HOST is set twice in the runner container');
  });

  test('a job env file in the registration Secret (envFrom would expose it to the runner)', () => {
    const chart = new Chart(new App(), 'c');
    const s = new OnePasswordSecret(chart, 'S', {
      name: 's',
      namespace: 'ns',
      store,
      keys: { RUNNER_TOKEN: { item: 'i', property: 'p' } },
      dotenvFiles: { 'jobs.env': ['RUNNER_TOKEN'] },
    });
    expect(
      () =>
        new RunnerPool(chart, 'Pool', {
          name: 'runners',
          namespace: 'ns',
          forgejoUrl: 'https://f',
          labels: ['a:docker://node:22'],
          registration: { mode: 'token', tokenSecret: s.envSource() },
          jobEnvFile: s.file('jobs.env'),
        }),
    ).toThrow('RunnerPool runners: jobEnvFile: must not live in the registration Secret: envFrom would expose it to the runner as an env var');
  });
});
