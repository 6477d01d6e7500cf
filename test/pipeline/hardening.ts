// Issue 11's acceptance on the default synth: what is reachable, what admission enforces, and
// when a rollout trusts a pod. The scripts themselves are run in test/scripts/ (startup-script*.ts and
// runner-probes.ts); the dotenv file in dotenv.ts; extraArgs in dind-args.ts.
import { App, Chart } from 'cdk8s';
import { RunnerNetworkPolicy } from '../../src/constructs/runner-network-policy.js';
import { runnerReadinessCommand } from '../../src/constructs/pool/runner-probes.js';
import { container, find, synthWith } from '../helpers.js';

const s = synthWith();
const deployment = find(s.manifests, 'Deployment', 'forgejo-runner');
const dind = container(deployment, 'dind');
const runner = container(deployment, 'runner');

describe('default synth', () => {
  test('dockerd binds TCP to 127.0.0.1 only (args starting with dockerd replace the entrypoint\'s tcp://0.0.0.0:2375)', () => {
    const hosts = dind.args.filter((a: string) => a.startsWith('--host='));
    expect(dind.args[0]).toBe('dockerd');
    expect(hosts).toEqual(['--host=unix:///var/run/docker.sock', '--host=tcp://127.0.0.1:2375']);
    // the startup probe's `docker info` (no DOCKER_HOST in DinD's env) uses that unix socket
    expect(dind.env.map((e: any) => e.name)).not.toContain('DOCKER_HOST');
    expect(dind.startupProbe.exec.command).toEqual(['docker', 'info']);
  });

  test('the runner, its config and the jobs (host network) all reach dockerd on 127.0.0.1:2375', () => {
    const config = (s.manifests.find((o) => o.object.kind === 'ConfigMap')!.object as any).data['config.yaml'];
    expect(runner.env).toContainEqual({ name: 'DOCKER_HOST', value: 'tcp://127.0.0.1:2375' });
    expect(config).toContain('docker_host: tcp://127.0.0.1:2375');
    expect(config).toContain('network: host');
    expect(config).toContain('DOCKER_HOST: tcp://127.0.0.1:2375');
  });

  test('the Namespace enforces privileged (DinD) and warns/audits at baseline', () => {
    expect(find(s.manifests, 'Namespace', 'forgejo-runner').metadata.labels).toEqual({
      'pod-security.kubernetes.io/enforce': 'privileged',
      'pod-security.kubernetes.io/warn': 'baseline',
      'pod-security.kubernetes.io/audit': 'baseline',
    });
  });

  test('a NetworkPolicy selects exactly the runner pods and admits no ingress; egress is left open', () => {
    const np = find(s.manifests, 'NetworkPolicy', 'forgejo-runner');
    expect(np.spec.podSelector).toEqual({ matchLabels: deployment.spec.selector.matchLabels });
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    expect(np.spec.ingress).toBeUndefined(); // no rule: nothing is admitted
    expect(np.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('1'); // before the pods (wave 2)
  });

  test('the runner has a readiness probe (daemon running with an identity) and the Deployment minReadySeconds', () => {
    expect(runner.readinessProbe.exec.command).toEqual(runnerReadinessCommand({ stateFile: '/data/.runner' }));
    expect(deployment.spec.minReadySeconds).toBeGreaterThan(0);
  });

  test('the old comment "reachable only inside the pod" now stands next to a loopback binding', () => {
    const notes = s.manifests.find((o) => o.object.kind === 'Deployment')!.notes;
    expect(notes.get('spec.template.spec.initContainers[name=dind].env[name=DOCKER_TLS_CERTDIR].value')).toMatch(/127\.0\.0\.1:2375 only/);
  });
});

describe('values switches', () => {
  test('networkPolicy.enabled false drops the NetworkPolicy', () => {
    const off = synthWith((v) => (v.networkPolicy = { enabled: false }));
    expect(off.manifests.some((o) => o.object.kind === 'NetworkPolicy')).toBe(false);
  });

  test('an egress allow-list restricts egress to DNS plus the listed CIDRs and namespaces', () => {
    const np = find(
      synthWith((v) => (v.networkPolicy = { egressAllowList: [{ cidr: '203.0.113.10/32', ports: [{ port: 443 }] }, { namespaceLabels: { 'kubernetes.io/metadata.name': 'registry' } }] })).manifests,
      'NetworkPolicy',
      'forgejo-runner',
    );
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.egress).toEqual([
      { ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
      { to: [{ ipBlock: { cidr: '203.0.113.10/32' } }], ports: [{ protocol: 'TCP', port: 443 }] },
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'registry' } } }] },
    ]);
  });

  test('an allow-list entry with neither or both of cidr and namespaceLabels fails at values time', () => {
    expect(() => synthWith((v) => (v.networkPolicy = { egressAllowList: [{ ports: [{ port: 443 }] }] }))).toThrow(/networkPolicy\.egressAllowList\[0\]: expected exactly one of cidr, namespaceLabels/);
  });
});

describe('RunnerNetworkPolicy props', () => {
  const make = (props: Partial<ConstructorParameters<typeof RunnerNetworkPolicy>[2]>) => () =>
    new RunnerNetworkPolicy(new Chart(new App(), 'c'), 'np', { name: 'n', namespace: 'ns', pool: { podSelector: { app: 'x' } }, ...props });

  test('an empty podSelector is rejected: it would select every pod in the namespace', () => {
    expect(make({ pool: { podSelector: {} } })).toThrow(/pool\.podSelector: is empty; it would select every pod in ns/);
  });

  test('the construct itself checks its allow-list (not only ForgejoRunner): an except equal to its cidr', () => {
    expect(make({ egressAllowList: [{ cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] }] })).toThrow(
      /RunnerNetworkPolicy n: egressAllowList\[0\]\.except\[0\]: expected a block strictly inside cidr 10\.0\.0\.0\/8/,
    );
    expect(make({ egressAllowList: [{ namespaceLabels: {} }] })).toThrow(/egressAllowList\[0\]\.namespaceLabels: is empty, which selects every namespace/);
  });

  test('a malformed CIDR is rejected naming the entry', () => {
    expect(make({ egressAllowList: [{ cidr: 'forge.example.com' }] })).toThrow(
      /egressAllowList\[0\]\.cidr: expected an IP block such as 203\.0\.113\.10\/32 or 2001:db8::\/64, got "forge\.example\.com": "forge\.example\.com" is not an IPv4 or IPv6 address/,
    );
  });
});
