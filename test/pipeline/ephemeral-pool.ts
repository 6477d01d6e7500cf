// Ephemeral (KEDA) pools end to end: examples/ephemeral.yaml through the real pipeline (values ->
// constructs -> schemas -> wiring -> committed output), the ScaledJob's runner script RUN under
// busybox, every values error with its file, line and field, and the constructs' own errors
// when built directly from props.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { ScaledJob } from '../../imports/keda.js';
import { EphemeralRunnerPool, type EphemeralRunnerPoolProps } from '../../src/constructs/keda/ephemeral-runner-pool.js';
import { ForgejoTokenAuthentication } from '../../src/constructs/keda/trigger-authentication.js';
import { ForgejoRunner, type ForgejoRunnerProps } from '../../src/constructs/forgejo-runner.js';
import { OnePasswordSecret } from '../../src/constructs/onepassword-secret.js';
import { synthesize, synthesizeChart, type KubeObject, type SynthesizedObject } from '../../src/synth/synthesize.js';
import { validateSchemas } from '../../src/validate/schemas.js';
import { checkWiring, keysEsoWouldCreate } from '../../src/validate/wiring.js';
import { loadValues, parseValues, ValuesError } from '../../src/values/load.js';
import { cpSync, writeFileSync } from 'node:fs';
import * as library from '../../src/index.js';
import { defaultValuesFiles } from '../../src/cli.js';
import { DEFAULT_VALUES_FILE, find, PROJECT, runMain, tempRepo, synthValuesText } from '../helpers.js';
import { run, sandbox } from '../script-harness.js';

const EXAMPLE = join(PROJECT, 'examples', 'ephemeral.yaml');
const exampleText = readFileSync(EXAMPLE, 'utf8');
const values = loadValues(EXAMPLE).values;
const synthesis = synthesize(values);
const objects = synthesis.manifests;
const scaledJob = find(objects, 'ScaledJob', 'ephemeral');
const jobPod = scaledJob.spec.jobTargetRef.template.spec;
const runner = jobPod.containers.find((c: any) => c.name === 'runner');

describe('examples/ephemeral.yaml synthesizes an ephemeral pool', () => {
  test('its output stays under examples/ (never argocd/, which the cluster\'s Argo CD syncs)', () => {
    expect(values.output.manifests).toBe('examples/ephemeral/manifests');
    expect(values.output.application).toBe('examples/ephemeral/application.yaml');
  });

  test('the committed example output equals a fresh synth (what CI\'s npm run check enforces)', async () => {
    const r = await runMain(['check', '--root', PROJECT, '--values', EXAMPLE]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  test('synth and check take examples/*.yaml after values/*.yaml by default', () => {
    const root = tempRepo();
    cpSync(join(PROJECT, 'examples'), join(root, 'examples'), { recursive: true });
    expect(defaultValuesFiles(root).map((f) => f.slice(root.length + 1))).toEqual(['values/cluster.yaml', 'examples/ephemeral.yaml', 'examples/masked-secret.yaml']);
  });

  test('a stale example output fails a plain `check` (so CI fails) and names the example', async () => {
    const root = tempRepo();
    cpSync(join(PROJECT, 'examples'), join(root, 'examples'), { recursive: true });
    const stale = join(root, 'examples', 'ephemeral', 'manifests', 'scaledjob-ephemeral.yaml');
    writeFileSync(stale, readFileSync(stale, 'utf8').replace('maxReplicaCount: 4', 'maxReplicaCount: 3'));
    const r = await runMain(['check', '--root', root]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'examples/ephemeral.yaml: examples/ephemeral/manifests/ and examples/ephemeral/application.yaml in the working tree differ from a fresh synth',
    );
    expect(r.stdout).toContain('values/cluster.yaml: argocd/manifests/forgejo-runner/ and argocd/apps/forgejo-runner.yaml in the working tree match a fresh synth');
  });

  test('the library exports the ephemeral pool and its KEDA parts', () => {
    expect(library.EphemeralRunnerPool).toBe(EphemeralRunnerPool);
    expect(library.ForgejoTokenAuthentication).toBe(ForgejoTokenAuthentication);
    expect(typeof library.ForgejoRunnerScaledJob).toBe('function');
  });

  test('a ScaledJob instead of a Deployment, with the token ExternalSecret, TriggerAuthentication and the pool\'s NetworkPolicy', () => {
    expect(objects.map((o) => o.object.kind).sort()).toEqual(
      ['ConfigMap', 'ExternalSecret', 'ExternalSecret', 'ExternalSecret', 'Namespace', 'NetworkPolicy', 'ScaledJob', 'TriggerAuthentication'].sort(),
    );
  });

  test('the ScaledJob validates against KEDA\'s CRD model, and every object against its schema', () => {
    expect(() => new ScaledJob(structuredClone(scaledJob)).validate()).not.toThrow();
    expect(validateSchemas([...objects, synthesis.application])).toEqual([]);
  });

  test('exactly one forgejo-runner trigger: address is the forge URL, labels exactly the pool\'s label names', () => {
    expect(scaledJob.spec.triggers).toHaveLength(1);
    const [trigger] = scaledJob.spec.triggers;
    expect(trigger.type).toBe('forgejo-runner');
    expect(trigger.metadata.address).toBe(values.forgejoUrl);
    expect(trigger.metadata.labels.split(',')).toEqual(values.pools[0]!.labels.map((l) => l.split(':')[0]));
    expect(trigger.metadata).toMatchObject({ owner: 'infra', repo: 'cluster' });
  });

  test('authenticationRef -> TriggerAuthentication -> a Secret and key that an ExternalSecret in the output creates', () => {
    const auth = find(objects, 'TriggerAuthentication', scaledJob.spec.triggers[0].authenticationRef.name);
    const [ref] = auth.spec.secretTargetRef;
    expect(ref.parameter).toBe('token');
    const creators = objects.filter((o) => o.object.kind === 'ExternalSecret').map((o) => keysEsoWouldCreate(o.object));
    expect(creators.find((s) => s.name === ref.name)?.keys.has(ref.key)).toBe(true);
    expect(find(objects, 'ExternalSecret', ref.name).spec.data[0].remoteRef).toEqual({ key: 'Forgejo Runner', property: 'keda_api_token' });
  });

  test('the wiring check passes on the whole ephemeral output', () => {
    expect(checkWiring([...objects, synthesis.application])).toEqual([]);
  });

  test('the NetworkPolicy selects the Job pods (privileged DinD too) by the pool\'s selector and admits no ingress', () => {
    const np = find(objects, 'NetworkPolicy', 'ephemeral');
    const podLabels = scaledJob.spec.jobTargetRef.template.metadata.labels;
    expect(Object.keys(np.spec.podSelector.matchLabels).length).toBeGreaterThan(0);
    expect(podLabels).toMatchObject(np.spec.podSelector.matchLabels);
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    expect(np.spec.ingress).toBeUndefined();
  });

  test('the job pod never restarts, DinD is a native sidecar and the runner the only main container', () => {
    expect(jobPod.restartPolicy).toBe('Never');
    expect(jobPod.initContainers.map((c: any) => [c.name, c.restartPolicy])).toEqual([['dind', 'Always']]);
    expect(jobPod.containers.map((c: any) => c.name)).toEqual(['runner']);
  });

  test('scaling knobs come from values', () => {
    expect(scaledJob.spec).toMatchObject({ minReplicaCount: 0, maxReplicaCount: 4, pollingInterval: 20, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 5 });
  });

  test('the job pod is the Deployment pool\'s pod: the same values as mode deployment differ only in the runner script, its readiness probe, restartPolicy and what KEDA reads (env)', () => {
    const asDeployment = parseValues(
      exampleText.replace('    mode: ephemeral\n', '').replace(/\n {4}ephemeral:\n(?: {6}.*\n)+/, '\n'),
      'as-deployment.yaml',
    );
    const deployment = find(synthesize(asDeployment).manifests, 'Deployment', 'ephemeral');
    const strip = (pod: any) => {
      const copy = structuredClone(pod);
      delete copy.restartPolicy;
      const runner = copy.containers.find((c: any) => c.name === 'runner');
      runner.command = 'script';
      delete runner.readinessProbe;
      // KEDA resolves the Job pod's runner env: the secret comes as a file there, and RUNNER_LABELS
      // (read by the daemon's registration only) is left out (tested on their own below).
      runner.env = runner.env.filter((e: any) => !e.valueFrom && !['RUNNER_LABELS', 'RUNNER_SECRET_FILE'].includes(e.name));
      runner.volumeMounts = runner.volumeMounts.filter((m: any) => m.name !== 'runner-secret');
      copy.volumes = copy.volumes.filter((v: any) => v.name !== 'runner-secret');
      return copy;
    };
    expect(strip(jobPod)).toEqual(strip(deployment.spec.template.spec));
    // A one-job pod runs no daemon, so the daemon's readiness probe would never pass; a Job needs none.
    expect(jobPod.containers[0].readinessProbe).toBeUndefined();
    expect(deployment.spec.template.spec.containers[0].readinessProbe).toBeDefined();
    expect(deployment.spec.template.spec.containers[0].command[2]).toContain('forgejo-runner daemon');
  });

  test('the runner script, RUN under busybox sh, calls create-runner-file then one-job, never register or daemon', async () => {
    expect(runner.command.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    const s = sandbox();
    const r = await run(runner.command[2], s.env);
    expect(r.status).toBe(0);
    const subcommands = s.calls().filter((c) => c.startsWith('forgejo-runner')).map((c) => c.replace('forgejo-runner --config /config/config.yaml ', '').split(' ')[0]);
    expect(subcommands).toEqual(['create-runner-file', 'one-job']);
    expect(s.calls().join('\n')).not.toMatch(/\b(register|daemon)\b/);
  });

  test('the script reads the identity from the offline runner Secret (a mounted file) and the config from the pool ConfigMap', () => {
    const file = runner.env.find((e: any) => e.name === 'RUNNER_SECRET_FILE').value;
    const mount = runner.volumeMounts.find((m: any) => file.startsWith(`${m.mountPath}/`));
    expect(mount.readOnly).toBe(true);
    const volume = jobPod.volumes.find((v: any) => v.name === mount.name);
    expect(volume.secret.secretName).toBe(values.registration.secretName);
    expect(`${mount.mountPath}/${volume.secret.items[0].path}`).toBe(file);
    expect(runner.command[2]).toContain('runner_secret=$(cat "$RUNNER_SECRET_FILE")');
    const config = find(objects, 'ConfigMap', jobPod.volumes.find((v: any) => v.name === 'config').configMap.name);
    expect(config.data['config.yaml']).toContain('env_file: /secrets/jobs/jobs.env');
  });

  test('values without a mode (the fixture, test/helpers.ts) have no KEDA objects: deployment stays the default mode', () => {
    const kinds = synthesize(loadValues(DEFAULT_VALUES_FILE).values).manifests.map((o) => o.object.kind);
    expect(kinds).toContain('Deployment');
    expect(kinds).not.toContain('ScaledJob');
    expect(kinds).not.toContain('TriggerAuthentication');
  });
});

// kubectl is a prerequisite of `npm test` (test/prerequisites.js): no skip.
test('kubectl kustomize renders the committed example manifests, ScaledJob included', () => {
  const r = spawnSync('kubectl', ['kustomize', join(PROJECT, 'examples', 'ephemeral', 'manifests')], { encoding: 'utf8' });
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  const rendered = parseAllDocuments(r.stdout).map((d) => d.toJS() as KubeObject);
  expect(rendered.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual(objects.map((o) => `${o.object.kind}/${o.object.metadata.name}`).sort());
  expect(rendered.find((o) => o.kind === 'ScaledJob')).toEqual(scaledJob);
});

describe('wiring links of the ephemeral output, each broken once', () => {
  const edit = (kind: string, change: (o: any) => void): SynthesizedObject[] =>
    objects.map((m) => {
      if (m.object.kind !== kind) return m;
      const object = structuredClone(m.object) as any;
      change(object);
      return { ...m, object };
    });
  const messages = (list: SynthesizedObject[]) => checkWiring(list).map((p) => `${p.file}: ${p.message}`);

  test('the token ExternalSecret is missing: the TriggerAuthentication\'s Secret has no creator', () => {
    expect(messages(objects.filter((o) => o.object.metadata.name !== 'forgejo-scaler-token' || o.object.kind !== 'ExternalSecret'))).toEqual([
      'triggerauthentication-forgejo-scaler-token.yaml: TriggerAuthentication forgejo-scaler-token: secretTargetRef token refers to Secret forgejo-scaler-token, which no ExternalSecret in namespace forgejo-runner-ephemeral creates',
    ]);
  });

  test('the TriggerAuthentication names a key the ExternalSecret does not create', () => {
    expect(messages(edit('TriggerAuthentication', (o) => (o.spec.secretTargetRef[0].key = 'TOKEN')))).toEqual([
      'triggerauthentication-forgejo-scaler-token.yaml: TriggerAuthentication forgejo-scaler-token: secretTargetRef token needs key TOKEN of Secret forgejo-scaler-token, but ExternalSecret forgejo-scaler-token creates only: token',
    ]);
  });

  test('the ScaledJob names a TriggerAuthentication that is not in the output', () => {
    expect(messages(edit('ScaledJob', (o) => (o.spec.triggers[0].authenticationRef.name = 'gone')))).toEqual([
      'scaledjob-ephemeral.yaml: ScaledJob ephemeral: trigger 0 (forgejo-runner) authenticationRef names TriggerAuthentication gone, which is not synthesized in namespace forgejo-runner-ephemeral',
    ]);
  });

  test('the job pod is checked like a Deployment\'s: its runner secret key must exist', () => {
    const broken = edit('ScaledJob', (o) => {
      o.spec.jobTargetRef.template.spec.volumes.find((v: any) => v.name === 'runner-secret').secret.items[0].key = 'other';
    });
    expect(messages(broken)).toEqual([
      'scaledjob-ephemeral.yaml: ScaledJob ephemeral: volume runner-secret needs key other of Secret forgejo-runner-identity, but ExternalSecret forgejo-runner-identity creates only: ephemeral',
    ]);
  });

  test('the job pod\'s runner.env_file must come from an ExternalSecret\'s Secret', () => {
    const broken = edit('ScaledJob', (o) => {
      o.spec.jobTargetRef.template.spec.volumes.find((v: any) => v.name === 'job-secrets').secret.secretName = 'hand-made';
    });
    expect(messages(broken)).toEqual([
      'scaledjob-ephemeral.yaml: ScaledJob ephemeral: volume job-secrets refers to Secret hand-made, which no ExternalSecret in namespace forgejo-runner-ephemeral creates',
      'scaledjob-ephemeral.yaml: ScaledJob ephemeral: container runner runner.env_file /secrets/jobs/jobs.env comes from Secret hand-made, which no ExternalSecret in namespace forgejo-runner-ephemeral creates',
    ]);
  });

  test('the job pod\'s config ConfigMap must be synthesized', () => {
    expect(messages(objects.filter((o) => o.object.kind !== 'ConfigMap'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^scaledjob-ephemeral\.yaml: ScaledJob ephemeral: volume config refers to ConfigMap ephemeral-config-\w+, which is not synthesized/)]),
    );
  });
});

describe('values errors of ephemeral pools name the file, the line and the field', () => {
  const FILE = 'examples/bad.yaml';
  /** The example with text replaced; returns the message and the 1-based line of `marker` in the new text. */
  function problems(replace: [string | RegExp, string][], marker: string): { message: string; line: number } {
    let text = exampleText;
    for (const [from, to] of replace) {
      const next = text.replace(from, to);
      if (next === text) throw new Error(`test edit did not apply: ${from}`);
      text = next;
    }
    const line = text.split('\n').findIndex((l) => l.includes(marker)) + 1;
    expect(line).toBeGreaterThan(0);
    try {
      synthValuesText(text, FILE);
    } catch (e) {
      expect(e).toBeInstanceOf(ValuesError);
      return { message: (e as Error).message, line };
    }
    throw new Error('expected a ValuesError');
  }
  const expectProblem = (replace: [string | RegExp, string][], marker: string, field: string, text: string) => {
    const { message, line } = problems(replace, marker);
    expect(message).toContain(`${FILE}:${line}: ${field}: ${text}`);
  };

  test('an ephemeral pool without offline registration', () => {
    expectProblem(
      [['  mode: offline\n', '  mode: token\n']],
      '    mode: ephemeral',
      'pools[0].mode',
      'expected registration.mode offline for an ephemeral pool',
    );
  });

  test('an ephemeral pool without the scaler token', () => {
    expectProblem([[/\nscalerToken:\n(?: {2}.*\n)+/, '\n']], '    mode: ephemeral', 'pools[0].mode', 'expected a scalerToken');
  });

  test('a label name another pool serves too (the scaler would count its jobs)', () => {
    const other = '  - name: steady\n    runnerName: steady\n    runnerSecretProperty: steady\n    labels:\n      - k8s-ephemeral:docker://other:1\n';
    expectProblem(
      [['pools:\n', `pools:\n${other}`]],
      '      - k8s-ephemeral:docker://node:22-bookworm',
      'pools[1].labels[0]',
      'expected label name "k8s-ephemeral" to be served by this ephemeral pool only; pools[0] (steady) serves it too',
    );
  });

  test('one label name twice in the pool', () => {
    expectProblem(
      [['      - k8s-ephemeral:docker://node:22-bookworm\n', '      - k8s-ephemeral:docker://node:22-bookworm\n      - k8s-ephemeral:host\n']],
      '      - k8s-ephemeral:host',
      'pools[0].labels[1]',
      'expected each label name once; "k8s-ephemeral" is already labels[0]',
    );
  });

  test('scope global without the admin acknowledgement', () => {
    expectProblem(
      [['        kind: repo\n        owner: infra\n        repo: cluster\n', '        kind: global\n']],
      '        kind: global',
      'pools[0].ephemeral.scope.adminToken',
      'expected adminToken: true with scope global',
    );
    expect(() => synthValuesText(exampleText.replace('        kind: repo\n        owner: infra\n        repo: cluster\n', '        kind: global\n        adminToken: true\n'), FILE)).not.toThrow();
  });

  test('replicas on an ephemeral pool', () => {
    expectProblem([['    mode: ephemeral\n', '    mode: ephemeral\n    replicas: 2\n']], '    replicas: 2', 'pools[0].replicas', 'expected no replicas on an ephemeral pool');
  });

  test('capacity on an ephemeral pool', () => {
    expectProblem([['    mode: ephemeral\n', '    mode: ephemeral\n    capacity: 2\n']], '    capacity: 2', 'pools[0].capacity', 'expected no capacity on an ephemeral pool');
  });

  test('Kubernetes older than 1.29 (no native sidecar for a Job pod)', () => {
    expectProblem([['kubernetesVersion: "1.34"', 'kubernetesVersion: "1.28"']], 'kubernetesVersion:', 'kubernetesVersion', 'expected a native sidecar (Kubernetes >= 1.29) for ephemeral pools');
  });

  test('ephemeral settings on a Deployment pool', () => {
    // A mapping's line is that of its first key (the loader's rule for object-valued fields).
    expectProblem([['    mode: ephemeral\n', '    mode: deployment\n']], '      scope:', 'pools[0].ephemeral', 'expected mode: ephemeral on a pool with ephemeral settings');
  });

  test('a scaling count out of range', () => {
    expectProblem([['maxReplicaCount: 4', 'maxReplicaCount: 0']], 'maxReplicaCount: 0', 'pools[0].ephemeral.maxReplicaCount', 'expected a whole number >= 1, got 0');
  });

  test('the CLI reports it with a non-zero exit and writes nothing', async () => {
    const { tempDir, writeValues } = await import('../helpers.js');
    const root = tempDir();
    const file = writeValues(join(root, 'examples'), 'bad.yaml', exampleText.replace('  mode: offline\n', '  mode: token\n'));
    const r = await runMain(['synth', '--root', root, '--values', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/examples\/bad\.yaml:\d+: pools\[0\]\.mode: expected registration\.mode offline/);
    expect(existsSync(join(root, 'examples', 'ephemeral'))).toBe(false);
  });
});

describe('constructs built directly from props', () => {
  const NS = 'ci';
  function chartWithSecrets() {
    const chart = new Chart(new App({ outdir: '/nonexistent-cdk8s-out' }), 'c', { disableResourceNameHashes: true });
    const store = { name: 'onepassword' };
    const identity = new OnePasswordSecret(chart, 'Id', { name: 'runner-id', namespace: NS, store, keys: { pool: { item: 'i', property: 'p' } } });
    const token = new OnePasswordSecret(chart, 'Token', { name: 'api-token', namespace: NS, store, keys: { token: { item: 'i', property: 't' } } });
    const authentication = new ForgejoTokenAuthentication(chart, 'Auth', { name: 'api-token', namespace: NS, token: token.key('token') });
    return { chart, identity, authentication };
  }
  const smallest = (c: ReturnType<typeof chartWithSecrets>): EphemeralRunnerPoolProps => ({
    name: 'pool',
    namespace: NS,
    forgejoUrl: 'https://forge.example',
    labels: ['eph:docker://node:22'],
    registration: { mode: 'offline', runnerSecret: c.identity.key('pool') },
    authentication: c.authentication,
  });

  test('EphemeralRunnerPool with its smallest props is a wired, valid ScaledJob that scales to zero', () => {
    const c = chartWithSecrets();
    const pool = new EphemeralRunnerPool(c.chart, 'Pool', smallest(c));
    const out = synthesizeChart(c.chart);
    expect(validateSchemas(out)).toEqual([]);
    expect(checkWiring(out)).toEqual([]);
    expect(pool.scaledJob.toJson().spec).toMatchObject({ minReplicaCount: 0, maxReplicaCount: 1 });
    expect(pool.trigger).toEqual({ address: 'https://forge.example', labels: 'eph' });
  });

  test('waitForTask passes --wait to one-job', () => {
    const c = chartWithSecrets();
    const pool = new EphemeralRunnerPool(c.chart, 'Pool', { ...smallest(c), ephemeral: { waitForTask: true } });
    expect(pool.scaledJob.toJson().spec.jobTargetRef.template.spec.containers[0].command[2]).toContain('one-job --wait');
  });

  test.each<[string, (c: ReturnType<typeof chartWithSecrets>) => Partial<EphemeralRunnerPoolProps>, string]>([
    [
      'token registration',
      (c) => ({ registration: { mode: 'token', tokenSecret: c.identity.envSource() } }),
      'EphemeralRunnerPool pool: registration.mode: expected offline registration for an ephemeral pool: every Job pod must be the one runner registered on the server (create-runner-file --secret); token registration would add a runner to Forgejo per pod',
    ],
    ['DinD not a native sidecar', () => ({ nativeSidecar: false }), 'EphemeralRunnerPool pool: nativeSidecar: expected a native sidecar (Kubernetes >= 1.29) for an ephemeral pool: a Job pod completes only when DinD is one'],
    ['capacity from a JavaScript caller', () => ({ capacity: 2 }) as never, 'EphemeralRunnerPool pool: capacity: expected no capacity on an ephemeral pool: one-job runs exactly one job per pod (set ephemeral.maxReplicaCount)'],
    ['a shared pod prop error keeps the pool\'s name', () => ({ timeout: 'soon' }), 'EphemeralRunnerPool pool: timeout: expected a Go duration such as "1h", "30m" or "1h30m", got "soon"'],
    ['a scaling error from the ScaledJob, at the pool\'s prop', () => ({ ephemeral: { minReplicaCount: 5, maxReplicaCount: 2 } }), 'EphemeralRunnerPool pool: ephemeral.minReplicaCount: expected at most maxReplicaCount (2), got 5'],
  ])('%s', (_name, overrides, message) => {
    const c = chartWithSecrets();
    expect(() => new EphemeralRunnerPool(c.chart, 'Pool', { ...smallest(c), ...overrides(c) })).toThrow(message);
  });

  const runnerProps = (pools: ForgejoRunnerProps['pools'], extra: Partial<ForgejoRunnerProps> = {}): ForgejoRunnerProps => ({
    forgejoUrl: 'https://forge.example',
    secretStore: { name: 'onepassword' },
    registration: { mode: 'offline', secretName: 'runner-id', item: 'Forgejo' },
    scalerToken: { item: 'Forgejo', property: 'keda' },
    pools,
    ...extra,
  });
  const buildRunner = (props: ForgejoRunnerProps) => new ForgejoRunner(new Chart(new App({ outdir: '/nonexistent-cdk8s-out' }), 'c'), 'R', props);

  test('ForgejoRunner: mode ephemeral gives an EphemeralRunnerPool, the token ExternalSecret and the TriggerAuthentication', () => {
    const r = buildRunner(runnerProps([{ name: 'eph', mode: 'ephemeral', labels: ['eph:docker://a:1'], ephemeral: { maxReplicaCount: 3 } }, { name: 'steady', labels: ['k8s:docker://a:1'] }]));
    expect(r.pools.map((p) => p.node.id)).toEqual(['Pool-steady']);
    expect(r.ephemeralPools.map((p) => p.scaledJob.toJson().spec.maxReplicaCount)).toEqual([3]);
    expect(r.scalerAuthentication?.tokenSecret.secretName).toBe('forgejo-scaler-token');
    expect(r.scalerAuthentication?.authentication.name).toBe('forgejo-scaler-token');
  });

  test.each<[string, ForgejoRunnerProps, string]>([
    ['token registration', runnerProps([{ mode: 'ephemeral', labels: ['e:docker://node:22'] }], { registration: undefined }), 'ForgejoRunner forgejo-runner: pools[0].mode: expected registration.mode offline for an ephemeral pool: every Job pod must be the one runner registered on the server (create-runner-file --secret); token registration would add a runner to Forgejo per pod'],
    ['no scaler token', runnerProps([{ mode: 'ephemeral', labels: ['e:docker://node:22'] }], { scalerToken: undefined }), 'ForgejoRunner forgejo-runner: pools[0].mode: expected a scalerToken (1Password item and field of a Forgejo API token) for KEDA\'s forgejo-runner scaler'],
    ['replicas', runnerProps([{ mode: 'ephemeral', labels: ['e:docker://node:22'], replicas: 2 }]), 'ForgejoRunner forgejo-runner: pools[0].replicas: expected no replicas on an ephemeral pool: KEDA decides the pod count (set ephemeral.maxReplicaCount)'],
    ['capacity', runnerProps([{ mode: 'ephemeral', labels: ['e:docker://node:22'], capacity: 2 }]), 'ForgejoRunner forgejo-runner: pools[0].capacity: expected no capacity on an ephemeral pool: one-job runs exactly one job per pod (set ephemeral.maxReplicaCount)'],
    [
      'a label name another pool serves',
      runnerProps([{ name: 'a', labels: ['e:docker://x:1'] }, { name: 'b', mode: 'ephemeral', labels: ['e:docker://y:1'] }]),
      'ForgejoRunner forgejo-runner: pools[1].labels[0]: expected label name "e" to be served by this ephemeral pool only; pools[0] (a) serves it too, and KEDA would count that pool\'s jobs as this one\'s',
    ],
    ['ephemeral options on a Deployment pool', runnerProps([{ labels: ['e:docker://node:22'], ephemeral: { maxReplicaCount: 2 } }]), 'ForgejoRunner forgejo-runner: pools[0].ephemeral: expected mode: ephemeral on a pool with ephemeral settings (this pool is a Deployment)'],
    [
      'scope global without adminToken (JavaScript caller)',
      runnerProps([{ mode: 'ephemeral', labels: ['e:docker://node:22'], ephemeral: { scope: { kind: 'global' } as never } }]),
      'ForgejoRunner forgejo-runner: pools[0].ephemeral.scope.adminToken: expected adminToken: true with scope global: the scaler reads the admin API, so the token must be a site administrator\'s (read:admin)',
    ],
  ])('ForgejoRunner rejects %s', (_name, props, message) => {
    expect(() => buildRunner(props)).toThrow(message);
  });
});
