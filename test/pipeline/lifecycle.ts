// Operations: rollouts let jobs finish, restarts keep one identity, Secrets exist before pods.
import { dindPreStopCommand } from '../../src/constructs/pool/runner-probes.js';
import { parse } from 'yaml';
import { runnerStartupScript } from '../../src/constructs/startup-script.js';
import { SYNC_WAVE_ANNOTATION } from '../../src/constructs/sync-waves.js';
import { checkWiring } from '../../src/validate/wiring.js';
import { container, find, synthWith } from '../helpers.js';

const wave = (o: any) => Number(o.metadata.annotations?.[SYNC_WAVE_ANNOTATION]);
const runnerConfigOf = (manifests: readonly { object: any }[]) =>
  parse(manifests.find((o) => o.object.kind === 'ConfigMap')!.object.data['config.yaml']);

describe('graceful shutdown', () => {
  const d = find(synthWith().manifests, 'Deployment', 'forgejo-runner');

  test('grace period covers runner.shutdown_timeout (3h = 10800 s) plus a margin', () => {
    expect(runnerConfigOf(synthWith().manifests).runner.shutdown_timeout).toBe('3h');
    expect(d.spec.template.spec.terminationGracePeriodSeconds).toBe(10800 + 300);
  });

  test('the grace period follows shutdownTimeout from values', () => {
    const g = find(synthWith((v) => (v.pools[0].shutdownTimeout = '30m')).manifests, 'Deployment', 'forgejo-runner');
    expect(g.spec.template.spec.terminationGracePeriodSeconds).toBe(1800 + 300);
  });

  test('a grace period shorter than shutdownTimeout is a values error at the field, naming the minimum', () => {
    expect(() => synthWith((v) => (v.pools[0].terminationGracePeriodSeconds = 60))).toThrow(
      /test-values\.yaml:\d+: pools\[0\]\.terminationGracePeriodSeconds: expected at least 10800 \(shutdownTimeout 3h\), got 60/,
    );
    // The default shutdownTimeout (3h) counts when the file sets none.
    expect(() => synthWith((v) => (delete v.pools[0].shutdownTimeout, (v.pools[0].terminationGracePeriodSeconds = 60)))).toThrow(/expected at least 10800/);
  });

  test('rollout surges: the old pod drains while the new one takes jobs, never zero runners', () => {
    expect(d.spec.strategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } });
  });
});

describe('DinD lifetime by Kubernetes version', () => {
  test('>= 1.29: DinD is a native sidecar with a startup probe; the runner is the only container', () => {
    const d = find(synthWith((v) => (v.kubernetesVersion = '1.29')).manifests, 'Deployment', 'forgejo-runner');
    const spec = d.spec.template.spec;
    expect(spec.containers.map((c: any) => c.name)).toEqual(['runner']);
    expect(spec.initContainers).toHaveLength(1);
    expect(spec.initContainers[0]).toMatchObject({ name: 'dind', restartPolicy: 'Always', startupProbe: { exec: { command: ['docker', 'info'] } } });
    expect(spec.initContainers[0].lifecycle).toBeUndefined();
    expect(spec.shareProcessNamespace).toBeUndefined();
  });

  test('1.28: DinD is an ordinary container whose preStop waits for the runner to exit', () => {
    const d = find(synthWith((v) => (v.kubernetesVersion = '1.28')).manifests, 'Deployment', 'forgejo-runner');
    const spec = d.spec.template.spec;
    expect(spec.initContainers).toBeUndefined();
    expect(spec.containers.map((c: any) => c.name)).toEqual(['runner', 'dind']);
    const dind = container(d, 'dind');
    expect(dind.restartPolicy).toBeUndefined(); // not allowed on ordinary containers
    expect(dind.lifecycle.preStop.exec.command).toEqual(dindPreStopCommand()); // run under busybox in test/scripts/runner-probes.ts
    expect(spec.shareProcessNamespace).toBe(true); // so DinD's preStop can see the runner process
    expect(dind.startupProbe.exec.command).toEqual(['docker', 'info']);
  });
});

describe('registration', () => {
  test('token: registering (with --config) only when /data/.runner is missing or empty', () => {
    const script = container(find(synthWith().manifests, 'Deployment', 'forgejo-runner'), 'runner').command[2];
    expect(script).toBe(runnerStartupScript({ registration: 'token', configPath: '/config/config.yaml', stateFile: '/data/.runner', dockerUrl: 'http://127.0.0.1:2375' }));
    expect(script).toContain('if [ ! -s /data/.runner ]; then');
    expect(script).toContain('--token "$RUNNER_TOKEN"');
    expect(script).not.toContain('create-runner-file');
  });

  const offline = () =>
    synthWith((v) => {
      v.registration = { mode: 'offline', secretName: 'forgejo-runner-identity', item: 'Forgejo Secrets' };
    });

  test('offline: an ExternalSecret for the runner secret, and create-runner-file on every start, never register', () => {
    const s = offline();
    const es = find(s.manifests, 'ExternalSecret', 'forgejo-runner-identity');
    expect(es.spec.data).toEqual([{ secretKey: 'forgejo-runner', remoteRef: { key: 'Forgejo Secrets', property: 'forgejo-runner' } }]);
    expect(s.manifests.some((o) => o.object.metadata.name === 'forgejo-runner-env')).toBe(false);
    const runner = container(find(s.manifests, 'Deployment', 'forgejo-runner'), 'runner');
    const script: string = runner.command[2];
    expect(script).toContain('forgejo-runner --config /config/config.yaml create-runner-file');
    expect(script).toContain('--secret "$RUNNER_SECRET"');
    expect(script).not.toMatch(/forgejo-runner register|RUNNER_TOKEN|if \[ ! -f/);
    expect(runner.env).toContainEqual({ name: 'RUNNER_SECRET', valueFrom: { secretKeyRef: { name: 'forgejo-runner-identity', key: 'forgejo-runner' } } });
    expect(runner.envFrom).toBeUndefined();
    expect(checkWiring(s.manifests)).toEqual([]);
  });

  test('offline: labels move into runner.labels, since create-runner-file writes none', () => {
    expect(runnerConfigOf(offline().manifests).runner.labels).toEqual(['k8s:docker://registry.example.org/ci/runner-job-image:v1.0.0']);
    expect(runnerConfigOf(synthWith().manifests).runner.labels).toBeUndefined();
  });

  test('offline: two pods or two pools sharing one identity are rejected', () => {
    const base = { mode: 'offline', secretName: 'forgejo-runner-identity', item: 'Forgejo Secrets' };
    expect(() => synthWith((v) => ((v.registration = base), (v.pools[0].replicas = 2)))).toThrow(
      /test-values\.yaml:\d+: pools\[0\]\.replicas: expected replicas 0 or 1 with registration\.mode offline: 2 pods would run as one runner identity/,
    );
    expect(() =>
      synthWith((v) => {
        v.registration = { ...base, property: 'runner_secret' };
        v.pools.push({ ...v.pools[0], name: 'second' });
      }),
    ).toThrow(/test-values\.yaml:\d+: pools\[1\]\.name: expected a 1Password field of its own: pools\[0\] already reads "runner_secret"/);
  });
});

describe('sync waves', () => {
  test('Namespace, then ConfigMaps and ExternalSecrets, then the Deployment', () => {
    const { manifests } = synthWith();
    const waves = Object.fromEntries(manifests.map((m) => [m.object.kind, wave(m.object)]));
    expect(waves.Namespace).toBeLessThan(waves.ConfigMap!);
    for (const m of manifests.filter((o) => o.object.kind === 'ExternalSecret')) {
      expect(wave(m.object)).toBe(waves.ConfigMap);
      expect(wave(m.object)).toBeLessThan(waves.Deployment!);
    }
  });
});

describe('DinD knobs keep today\'s behaviour by default', () => {
  test('defaults: no resources, no extra args (only the loopback host bindings), no MTU, today\'s registry mirror', () => {
    const s = synthWith();
    const dind = container(find(s.manifests, 'Deployment', 'forgejo-runner'), 'dind');
    expect(dind.resources).toBeUndefined();
    expect(dind.args).toEqual(['dockerd', '--host=unix:///var/run/docker.sock', '--host=tcp://127.0.0.1:2375']);
    const daemon = JSON.parse((s.manifests.find((o) => o.object.kind === 'ConfigMap')!.object as any).data['daemon.json']);
    expect(daemon).toEqual({ 'registry-mirrors': ['http://host.minikube.internal:5050'] });
  });

  test('resources per container, MTU, extra args and mirrors come from values', () => {
    const s = synthWith((v) => {
      v.pools[0].runnerResources = { requests: { cpu: '100m', memory: '128Mi' } };
      v.pools[0].dindResources = { requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '8Gi' } };
      v.dind = { registryMirrors: ['http://a.example:5000', 'https://b.example'], mtu: 1400, extraArgs: ['--debug'] };
    });
    const d = find(s.manifests, 'Deployment', 'forgejo-runner');
    expect(container(d, 'runner').resources).toEqual({ requests: { cpu: '100m', memory: '128Mi' } });
    expect(container(d, 'dind').resources).toEqual({ requests: { cpu: '1', memory: '2Gi' }, limits: { memory: '8Gi' } });
    expect(container(d, 'dind').args).toEqual(['dockerd', '--host=unix:///var/run/docker.sock', '--host=tcp://127.0.0.1:2375', '--debug']);
    const daemon = JSON.parse((s.manifests.find((o) => o.object.kind === 'ConfigMap')!.object as any).data['daemon.json']);
    expect(daemon).toEqual({ 'registry-mirrors': ['http://a.example:5000', 'https://b.example'], mtu: 1400 });
  });
});
