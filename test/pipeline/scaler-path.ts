// What KEDA reads of an ephemeral pool, and what the pool's registration must match.
// - Before it builds the scaler, KEDA resolves the env of the Job template's container named by
//   spec.envSourceContainerName, else containers[0] (kedacore/keda
//   pkg/scaling/resolver/scale_resolvers.go ResolveContainerEnv), reading every Secret it names.
//   The scaler needs none of them (its token comes from the TriggerAuthentication).
// - The scaler counts one repository, one organization, the token owner's or all jobs
//   (pkg/scalers/forgejo_runner_scaler.go getRunnerJobURL); the runner must be registered in the
//   same scope (Forgejo routers/private/actions.go ParseScope), or it takes jobs no pod was started for.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart } from 'cdk8s';
import { parse, stringify } from 'yaml';
import { EphemeralRunnerPool, ForgejoRunner, OnePasswordSecret, type ForgejoRunnerProps } from '../../src/index.js';
import { render } from '../../src/output/render.js';
import { synthesizeChart } from '../../src/synth/synthesize.js';
import { validateSchemas } from '../../src/validate/schemas.js';
import { checkWiring } from '../../src/validate/wiring.js';
import { PROJECT, synthValuesText } from '../helpers.js';

/** Every values file of the examples and the test fixtures, synthesized. */
const VALUES_FILES = [
  ...readdirSync(join(PROJECT, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => join('examples', f)),
  ...readdirSync(join(PROJECT, 'test', 'fixtures')).filter((f) => f.endsWith('.yaml')).map((f) => join('test', 'fixtures', f)),
];

/** The container whose env KEDA resolves. */
function envSource(scaledJob: any): any {
  const pod = scaledJob.spec.jobTargetRef.template.spec;
  const name = scaledJob.spec.envSourceContainerName;
  return name ? pod.containers.find((c: any) => c.name === name) : pod.containers[0];
}

/** The env entries of a container that KEDA would read from a Secret or ConfigMap. */
function fromSecrets(c: any): unknown[] {
  return [...(c.env ?? []).filter((e: any) => e.valueFrom?.secretKeyRef || e.valueFrom?.configMapKeyRef), ...(c.envFrom ?? [])];
}

const runnerProps = (scope: unknown): ForgejoRunnerProps =>
  ({
    namespace: 'ci',
    forgejoUrl: 'https://forge.example.org',
    secretStore: { name: 'vault' },
    registration: { mode: 'offline', secretName: 'runner-identity', item: 'Runner Identity' },
    scalerToken: { item: 'Scaler Token' },
    jobCredential: { registry: 'registry.example.org', username: 'ci', item: 'registry-key', envVars: { apiKey: 'REGISTRY_KEY', registry: 'REGISTRY_HOST', username: 'REGISTRY_USER' }, delivery: 'envFile' },
    pools: [
      { name: 'steady', labels: ['steady:docker://node:22'] },
      { name: 'burst', mode: 'ephemeral', runnerName: 'k8s-burst', labels: ['burst:docker://node:22', 'gpu.large:docker://cuda:12'], ephemeral: { scope: scope as never } },
    ],
  }) as ForgejoRunnerProps;

function buildRunner(props: ForgejoRunnerProps) {
  const chart = new Chart(new App({ outdir: '/nonexistent-cdk8s-out' }), 'c', { disableResourceNameHashes: true });
  const runner = new ForgejoRunner(chart, 'Runner', props);
  return { chart, runner };
}

describe("KEDA's path: the env it resolves holds no Secret", () => {
  test.each(VALUES_FILES)('every ScaledJob of %s: its env-source container has no env from a Secret or ConfigMap', (file) => {
    const synthesis = synthValuesText(readFileSync(join(PROJECT, file), 'utf8'), file);
    for (const { object } of synthesis.manifests.filter((o) => o.object.kind === 'ScaledJob')) {
      const c = envSource(object);
      expect(c).toBeDefined();
      expect(fromSecrets(c)).toEqual([]);
    }
  });

  test('the fixtures hold ScaledJobs (the test above checks something)', () => {
    const count = VALUES_FILES.flatMap((f) => synthValuesText(readFileSync(join(PROJECT, f), 'utf8'), f).manifests).filter((o) => o.object.kind === 'ScaledJob').length;
    expect(count).toBeGreaterThanOrEqual(2);
  });

  test('with a job credential, the Deployment pool still gets the key as env and the ephemeral pool only through the job env file', () => {
    const objects = synthesizeChart(buildRunner(runnerProps({ kind: 'org', org: 'infra' })).chart).map((o) => o.object as any);
    const deployment = objects.find((o) => o.kind === 'Deployment');
    expect(deployment.spec.template.spec.containers[0].env).toContainEqual({ name: 'REGISTRY_KEY', valueFrom: { secretKeyRef: { name: 'registry-key', key: 'REGISTRY_KEY' } } });
    const job = objects.find((o) => o.kind === 'ScaledJob');
    expect(fromSecrets(envSource(job))).toEqual([]);
    expect(envSource(job).env.map((e: any) => e.name)).not.toContain('RUNNER_LABELS'); // one-job reads runner.labels
    expect(job.spec.jobTargetRef.template.spec.volumes.map((v: any) => v.secret?.secretName)).toEqual(expect.arrayContaining(['registry-key', 'runner-identity']));
  });

  test('a Secret-backed runnerEnv on an ephemeral pool is refused, naming the variable and why', () => {
    const props = runnerProps(undefined);
    const chart = new Chart(new App({ outdir: '/nonexistent-cdk8s-out' }), 'c');
    const secret = new OnePasswordSecret(chart, 'Proxy', { name: 'proxy', namespace: 'ci', store: { name: 'vault' }, keys: { PROXY_PASSWORD: { item: 'Proxy', property: 'password' } } });
    const withSecret = { ...props, pools: [props.pools[0]!, { ...props.pools[1]!, runnerEnv: { PROXY_PASSWORD: secret.key('PROXY_PASSWORD') } }] };
    expect(() => new ForgejoRunner(chart, 'Runner', withSecret)).toThrow(
      "pools[1].runnerEnv.PROXY_PASSWORD: KEDA reads the env of the Job template's first container (and fails the scaler when a Secret is missing): env var PROXY_PASSWORD comes from Secret proxy; mount it as a file instead",
    );
  });
});

/** The scope KEDA's scaler counts, from the trigger metadata, by the scaler's own order (getRunnerJobURL). */
function scalerScope(m: Record<string, string>): string | undefined {
  if (m.owner && m.repo) return `${m.owner}/${m.repo}`;
  if (m.org) return m.org;
  if (m.global === 'true') return undefined;
  return 'user';
}

/** The `--scope` of the registration command in the ScaledJob's rendered header comment (undefined: none). */
function commentScope(text: string): string | undefined {
  const comment = text.split('\n').filter((l) => l.startsWith('#')).join('\n');
  expect(comment).toContain('forgejo forgejo-cli actions register');
  return /--scope (\S+)/.exec(comment)?.[1];
}

describe('the registration command carries the scope the trigger counts', () => {
  test('the example: --scope infra/cluster, its trigger\'s repository', () => {
    const text = readFileSync(join(PROJECT, 'examples', 'ephemeral', 'manifests', 'scaledjob-ephemeral.yaml'), 'utf8');
    const job = parse(text.split('\n---\n')[1]!);
    expect(scalerScope(job.spec.triggers[0].metadata)).toBe('infra/cluster');
    expect(commentScope(text)).toBe('infra/cluster');
    // and the example values file's own comment says the same
    expect(readFileSync(join(PROJECT, 'examples', 'ephemeral.yaml'), 'utf8')).toMatch(/actions register --name k8s-ephemeral --scope infra\/cluster /);
  });

  test.each([
    ['repo', { kind: 'repo', owner: 'infra', repo: 'cluster' }, 'infra/cluster'],
    ['org', { kind: 'org', org: 'infra' }, 'infra'],
    ['global', { kind: 'global', adminToken: true }, undefined],
    ['user (named)', { kind: 'user', user: 'ci-bot' }, 'ci-bot'],
  ] as const)('%s scope: the rendered command and the trigger metadata agree', (_kind, scope, expected) => {
    const { chart, runner } = buildRunner(runnerProps(scope));
    const synthesis = { manifests: synthesizeChart(chart).map((o) => ({ ...o })), application: undefined } as any;
    const sj = synthesis.manifests.find((o: any) => o.object.kind === 'ScaledJob');
    const text = render({ manifests: [sj], application: { file: 'app.yaml', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } }, notes: new Map() } } as any, {
      manifestsDir: 'm',
      applicationFile: 'app.yaml',
      source: 'x.yaml',
    }).manifests.find((m) => m.path === sj.file)!.text;
    const fromTrigger = scalerScope(sj.object.spec.triggers[0].metadata);
    expect(commentScope(text)).toBe(expected);
    expect(fromTrigger === 'user' ? (scope as { user?: string }).user : fromTrigger).toBe(expected);
    const pool: EphemeralRunnerPool = runner.ephemeralPools[0]!;
    expect(pool.registerCommand).toBe(
      `forgejo forgejo-cli actions register --name k8s-burst${expected ? ` --scope ${expected}` : ''} --labels burst,gpu.large --secret-file <file holding the 40-hex runner secret>`,
    );
  });
});

describe('Job metadata KEDA copies from the ScaledJob', () => {
  // KEDA's generateJobs (pkg/scaling/executor/scale_jobs.go): its defaults, then every ScaledJob
  // label except those named in scaledjob.keda.sh/job-excluded-labels (split at ",", no trimming).
  const jobLabels = (sj: any) => {
    const excluded = (sj.metadata.annotations?.['scaledjob.keda.sh/job-excluded-labels'] ?? '').split(',');
    const labels: Record<string, string> = { 'app.kubernetes.io/managed-by': 'keda-operator', 'scaledjob.keda.sh/name': sj.metadata.name };
    for (const [k, v] of Object.entries(sj.metadata.labels ?? {})) if (!excluded.includes(k)) labels[k] = v as string;
    return labels;
  };
  test('Jobs keep KEDA\'s managed-by and get no Argo CD instance label', () => {
    const text = readFileSync(join(PROJECT, 'examples', 'ephemeral.yaml'), 'utf8');
    const sj = synthValuesText(text, 'examples/ephemeral.yaml').manifests.find((o) => o.object.kind === 'ScaledJob')!.object as any;
    expect(sj.metadata.labels['app.kubernetes.io/managed-by']).toBe('cdk8s'); // the ScaledJob itself is ours
    expect(jobLabels(sj)['app.kubernetes.io/managed-by']).toBe('keda-operator');
    expect(jobLabels(sj)).not.toHaveProperty('app.kubernetes.io/instance');
    expect(sj.metadata.annotations['scaledjob.keda.sh/job-excluded-labels']).not.toMatch(/\s/);
  });
  test('a values file with a host label needs allowHostLabels; with it, both doors accept it', () => {
    const data = parse(readFileSync(join(PROJECT, 'test', 'fixtures', 'rules.yaml'), 'utf8'));
    data.pools[0].labels = ['steady:host', 'bare'];
    expect(() => synthValuesText(stringify(data), 'fixtures/rules.yaml')).toThrow('uses forgejo-runner\'s host schema');
    data.pools[0].allowHostLabels = true;
    const deployment = synthValuesText(stringify(data), 'fixtures/rules.yaml').manifests.find((o) => o.object.kind === 'Deployment')!.object as any;
    expect(deployment.spec.template.spec.containers[0].env).toContainEqual({ name: 'RUNNER_LABELS', value: 'steady:host,bare' });
  });
});

describe('KEDA_RESTRICT_SECRET_ACCESS: scalerToken.kedaNamespace gives a ClusterTriggerAuthentication', () => {
  const fixture = () => parse(readFileSync(join(PROJECT, 'test', 'fixtures', 'rules.yaml'), 'utf8'));
  test('the token Secret goes to KEDA\'s namespace, the authentication is cluster-scoped, and the trigger names its kind', () => {
    const data = fixture();
    data.scalerToken.kedaNamespace = 'keda';
    const synthesis = synthValuesText(stringify(data), 'fixtures/rules.yaml');
    const all = [...synthesis.manifests, synthesis.application];
    expect(validateSchemas(all)).toEqual([]); // KEDA's ClusterTriggerAuthentication CRD model
    expect(checkWiring(all)).toEqual([]); // its Secret and key are created, the ScaledJob's ref resolves
    const objects = synthesis.manifests.map((o) => o.object as any);
    const cta = objects.find((o) => o.kind === 'ClusterTriggerAuthentication');
    expect(cta.metadata.namespace).toBeUndefined(); // cluster-scoped
    expect(objects.filter((o) => o.kind === 'TriggerAuthentication')).toEqual([]);
    const es = objects.find((o) => o.kind === 'ExternalSecret' && o.metadata.name === cta.spec.secretTargetRef[0].name);
    expect(es.metadata.namespace).toBe('keda'); // where KEDA looks a ClusterTriggerAuthentication's Secret up
    const job = objects.find((o) => o.kind === 'ScaledJob');
    expect(job.spec.triggers[0].authenticationRef).toEqual({ name: cta.metadata.name, kind: 'ClusterTriggerAuthentication' });
  });
  test('without it, a namespaced TriggerAuthentication beside its Secret (the default)', () => {
    const objects = synthValuesText(stringify(fixture()), 'fixtures/rules.yaml').manifests.map((o) => o.object as any);
    const ta = objects.find((o) => o.kind === 'TriggerAuthentication');
    expect(ta.metadata.namespace).toBe('ci-runners');
    expect(objects.find((o) => o.kind === 'ScaledJob').spec.triggers[0].authenticationRef).toEqual({ name: ta.metadata.name });
  });
});
