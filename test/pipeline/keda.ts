// KEDA constructs built directly from props (no values file): ForgejoRunnerScaledJob,
// ForgejoTokenAuthentication and the forgejo-runner trigger schema; their output validated
// against the KEDA CRD schema and checked by the wiring check.
import { ApiObject, App, Chart } from 'cdk8s';
import type { PodTemplate } from '../../src/constructs/keda/forgejo-runner-scaled-job.js';
import { ephemeralRunnerScript } from '../../src/constructs/keda/ephemeral-script.js';
import { ForgejoRunnerScaledJob, type ForgejoRunnerScaledJobProps } from '../../src/constructs/keda/forgejo-runner-scaled-job.js';
import { forgejoRunnerTriggerMetadataSchema } from '../../src/validate/keda-trigger.js';
import { ForgejoTokenAuthentication } from '../../src/constructs/keda/trigger-authentication.js';
import { HashedConfigMap } from '../../src/constructs/hashed-config-map.js';
import { OnePasswordSecret } from '../../src/constructs/onepassword-secret.js';
import { notesOf } from '../../src/constructs/metadata.js';
import type { KubeObject, SynthesizedObject } from '../../src/synth/synthesize.js';
import { emitYaml } from '../../src/util/yaml.js';
import { formatSchemaProblem, validateSchemas } from '../../src/validate/schemas.js';
import { checkWiring } from '../../src/validate/wiring.js';

const NS = 'forgejo-runner';

function podTemplate(configMapName = 'runner-config'): PodTemplate {
  return {
    metadata: { labels: { app: 'ephemeral' } },
    spec: {
      initContainers: [{ name: 'dind', image: 'docker:27-dind', restartPolicy: 'Always', securityContext: { privileged: true } }],
      containers: [
        {
          name: 'runner',
          image: 'code.forgejo.org/forgejo/runner:12.7.0',
          command: ['/bin/sh', '-c', ephemeralRunnerScript({ configPath: '/config/config.yaml', dockerUrl: 'http://localhost:2375' })],
          // The runner secret as a file: KEDA reads the first container's env (never volumes).
          env: [{ name: 'RUNNER_SECRET_FILE', value: '/secrets/runner/RUNNER_SECRET' }],
          volumeMounts: [
            { name: 'config', mountPath: '/config' },
            { name: 'runner-secret', mountPath: '/secrets/runner', readOnly: true },
          ],
        },
      ],
      volumes: [
        { name: 'config', configMap: { name: configMapName } },
        { name: 'runner-secret', secret: { secretName: 'runner-secret', items: [{ key: 'RUNNER_SECRET', path: 'RUNNER_SECRET' }] } },
      ],
    },
  };
}

/** A chart with the token and runner-secret ExternalSecrets, the TriggerAuthentication and the ScaledJob. */
function build(overrides: Partial<ForgejoRunnerScaledJobProps> = {}) {
  const chart = new Chart(new App({ outdir: '/nonexistent-cdk8s-out' }), 'test');
  const store = { name: 'onepassword' };
  const token = new OnePasswordSecret(chart, 'Token', { name: 'forgejo-api-token', namespace: NS, store, keys: { token: { item: 'Forgejo', property: 'keda_token' } } });
  new OnePasswordSecret(chart, 'RunnerSecret', { name: 'runner-secret', namespace: NS, store, keys: { RUNNER_SECRET: { item: 'Forgejo', property: 'runner_secret' } } });
  const config = new HashedConfigMap(chart, 'Config', { baseName: 'ephemeral-config', namespace: NS, files: { 'config.yaml': 'runner:\n  file: /data/.runner\n' } });
  const authentication = new ForgejoTokenAuthentication(chart, 'Auth', { name: 'forgejo-token', namespace: NS, token: token.key('token') });
  const job = new ForgejoRunnerScaledJob(chart, 'Pool', {
    name: 'ephemeral',
    namespace: NS,
    podTemplate: podTemplate(config.name),
    forgejoUrl: 'https://forge.example/',
    labels: ['k8s-ephemeral:docker://registry.example/job-image:v1'],
    authentication,
    ...overrides,
  });
  const objects: SynthesizedObject[] = chart.node
    .findAll()
    .filter((c): c is ApiObject => ApiObject.isApiObject(c))
    .map((o) => {
      const object = o.toJson() as KubeObject;
      return { file: `${object.kind.toLowerCase()}-${object.metadata.name}.yaml`, object, notes: notesOf(o) };
    });
  const get = (kind: string) => objects.find((o) => o.object.kind === kind)!.object as any;
  return { job, authentication, objects, scaledJob: get('ScaledJob'), triggerAuth: get('TriggerAuthentication') };
}

const edit = (objects: SynthesizedObject[], kind: string, change: (o: any) => void) =>
  objects.map((m) => {
    if (m.object.kind !== kind) return m;
    const object = structuredClone(m.object) as any;
    change(object);
    return { ...m, object };
  });

describe('ForgejoRunnerScaledJob, smallest call', () => {
  const { scaledJob, authentication } = build();
  const spec = scaledJob.spec;

  test('is a keda.sh/v1alpha1 ScaledJob; sync waves are left to the opt-in ArgoCdSyncWaves mixin', () => {
    expect(scaledJob.apiVersion).toBe('keda.sh/v1alpha1');
    expect(scaledJob.metadata).toMatchObject({ name: 'ephemeral', namespace: NS });
    expect(scaledJob.metadata.annotations?.['argocd.argoproj.io/sync-wave']).toBeUndefined();
  });

  test('the job pod never restarts: one pod runs one CI job', () => {
    expect(spec.jobTargetRef.template.spec.restartPolicy).toBe('Never');
  });

  test('"no task" is not retried: backoffLimit 0 and the runner\'s non-zero exit fails the Job', () => {
    expect(spec.jobTargetRef.backoffLimit).toBe(0);
    expect(spec.jobTargetRef.podFailurePolicy.rules).toContainEqual({ action: 'FailJob', onExitCodes: { containerName: 'runner', operator: 'NotIn', values: [0] } });
  });

  test('an evicted pod is replaced, not failed: the DisruptionTarget rule comes before the exit-code rule (first match wins)', () => {
    // An eviction SIGTERMs the runner (exit 143), which the exit-code rule would also match.
    const rules = spec.jobTargetRef.podFailurePolicy.rules;
    const firstMatch = (pod: { exitCode: number; disruption: boolean }) =>
      rules.find((r: any) =>
        r.onPodConditions
          ? pod.disruption && r.onPodConditions.some((c: any) => c.type === 'DisruptionTarget' && c.status === 'True')
          : r.onExitCodes.operator === 'NotIn' && !r.onExitCodes.values.includes(pod.exitCode),
      )?.action;
    expect(firstMatch({ exitCode: 143, disruption: true })).toBe('Ignore');
    expect(firstMatch({ exitCode: 1, disruption: false })).toBe('FailJob');
  });

  test('DinD stays a native sidecar and the runner the only main container', () => {
    const pod = spec.jobTargetRef.template.spec;
    expect(pod.initContainers.map((c: any) => [c.name, c.restartPolicy])).toEqual([['dind', 'Always']]);
    expect(pod.containers.map((c: any) => c.name)).toEqual(['runner']);
    expect(pod.shareProcessNamespace).toBeUndefined();
  });

  test('defaults: scale to zero, one pod at most, KEDA polling 30 s, short history', () => {
    expect(spec).toMatchObject({ minReplicaCount: 0, maxReplicaCount: 1, pollingInterval: 30, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 5 });
  });

  test('scalingStrategy default (Forgejo counts running jobs) and gradual rollout (updates never kill running jobs)', () => {
    expect(spec.scalingStrategy).toEqual({ strategy: 'default' });
    expect(spec.rollout).toEqual({ strategy: 'gradual' });
  });

  test('one forgejo-runner trigger: address is the forge URL, labels are the label NAMES, token via authenticationRef', () => {
    expect(spec.triggers).toEqual([
      { type: 'forgejo-runner', metadata: { address: 'https://forge.example', labels: 'k8s-ephemeral' }, authenticationRef: { name: authentication.name } },
    ]);
  });

  test('the TriggerAuthentication maps parameter token to the ExternalSecret\'s Secret key', () => {
    const { triggerAuth } = build();
    expect(triggerAuth.apiVersion).toBe('keda.sh/v1alpha1');
    expect(triggerAuth.spec).toEqual({ secretTargetRef: [{ parameter: 'token', name: 'forgejo-api-token', key: 'token' }] });
  });
});

describe('validation against the KEDA CRD schema (src/validate/schemas.ts)', () => {
  test('ScaledJob and TriggerAuthentication validate', () => {
    expect(validateSchemas(build().objects)).toEqual([]);
  });

  test('a ScaledJob field of the wrong type is reported with its path', () => {
    const problems = validateSchemas(edit(build().objects, 'ScaledJob', (o) => (o.spec.maxReplicaCount = 'ten'))).map(formatSchemaProblem);
    expect(problems).toEqual(['scaledjob-ephemeral.yaml: ScaledJob ephemeral: /spec/maxReplicaCount: must be integer']);
  });

  test('a TriggerAuthentication secretTargetRef without key fails the schema', () => {
    const problems = validateSchemas(edit(build().objects, 'TriggerAuthentication', (o) => delete o.spec.secretTargetRef[0].key)).map(formatSchemaProblem);
    expect(problems).toEqual(['triggerauthentication-forgejo-token.yaml: TriggerAuthentication forgejo-token: /spec/secretTargetRef/0/key: must have required property key']);
  });
});

describe('props that shape the output', () => {
  test('scope repo, org and global (with adminToken) become the scaler\'s owner+repo, org and global', () => {
    expect(build({ scope: { kind: 'repo', owner: 'infra', repo: 'cluster' } }).job.triggerMetadata).toMatchObject({ owner: 'infra', repo: 'cluster' });
    expect(build({ scope: { kind: 'org', org: 'infra' } }).job.triggerMetadata).toMatchObject({ org: 'infra' });
    expect(build({ scope: { kind: 'global', adminToken: true } }).job.triggerMetadata).toMatchObject({ global: 'true' });
  });

  test('several runner labels give comma-separated names, in order', () => {
    expect(build({ labels: ['a:docker://x:1', 'b:host', 'c'] }).job.triggerMetadata.labels).toBe('a,b,c');
  });

  test('replica counts, polling, history, backoff and deadline come from props', () => {
    const { scaledJob } = build({ minReplicaCount: 1, maxReplicaCount: 4, pollingInterval: 10, successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 2, backoffLimit: 1, activeDeadlineSeconds: 3600 });
    expect(scaledJob.spec).toMatchObject({ minReplicaCount: 1, maxReplicaCount: 4, pollingInterval: 10, successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 2 });
    expect(scaledJob.spec.jobTargetRef).toMatchObject({ backoffLimit: 1, activeDeadlineSeconds: 3600 });
  });

  test('every review note lands on a field of the manifest', () => {
    for (const scope of [undefined, { kind: 'global', adminToken: true } as const]) {
      for (const o of build({ scope }).objects) expect(() => emitYaml(o.object as never, { sortKeys: true, comments: o.notes })).not.toThrow();
    }
    expect(build().objects.find((o) => o.object.kind === 'ScaledJob')!.notes.get('spec.jobTargetRef.backoffLimit')).toMatch(/no retries/);
  });
});

describe('errors a prop can cause, phrased in terms of the props', () => {
  const pod = podTemplate();
  test.each<[string, Partial<ForgejoRunnerScaledJobProps>, string]>([
    ['min above max', { minReplicaCount: 3, maxReplicaCount: 2 }, 'minReplicaCount: expected at most maxReplicaCount (2), got 3; KEDA would silently use 2'],
    ['max of zero', { maxReplicaCount: 0 }, 'maxReplicaCount: expected a whole number >= 1, got 0'],
    ['negative min', { minReplicaCount: -1 }, 'minReplicaCount: expected a whole number >= 0, got -1'],
    ['fractional polling', { pollingInterval: 2.5 }, 'pollingInterval: expected a whole number >= 1, got 2.5'],
    ['negative history', { failedJobsHistoryLimit: -1 }, 'failedJobsHistoryLimit: expected a whole number >= 0, got -1'],
    ['negative backoff', { backoffLimit: -1 }, 'backoffLimit: expected a whole number >= 0, got -1'],
    ['zero deadline', { activeDeadlineSeconds: 0 }, 'activeDeadlineSeconds: expected a whole number >= 1, got 0'],
    ['restarting pod', { podTemplate: { ...pod, spec: { ...pod.spec!, restartPolicy: 'OnFailure' } } }, 'podTemplate.spec.restartPolicy: expected Never (or unset), got OnFailure: a runner pod runs one job and must not restart'],
    ['no runner container', { runnerContainerName: 'forgejo' }, 'runnerContainerName: expected a container of podTemplate, got "forgejo"; its containers are: runner'],
    [
      'a Secret env var where KEDA resolves env (the scaler would read it, and fail without it)',
      { podTemplate: { ...pod, spec: { ...pod.spec!, containers: [{ ...pod.spec!.containers[0]!, env: [{ name: 'RUNNER_SECRET', valueFrom: { secretKeyRef: { name: 'runner-secret', key: 'RUNNER_SECRET' } } }] }] } } },
      "podTemplate.spec.containers[0].env[0]: KEDA reads the env of the Job template's first container (and fails the scaler when a Secret is missing): env var RUNNER_SECRET comes from Secret runner-secret; mount it as a file instead",
    ],
    [
      'envFrom a Secret where KEDA resolves env',
      { podTemplate: { ...pod, spec: { ...pod.spec!, containers: [{ ...pod.spec!.containers[0]!, envFrom: [{ secretRef: { name: 'runner-env' } }] }] } } },
      "podTemplate.spec.containers[0].envFrom[0]: KEDA reads the env of the Job template's first container (and fails the scaler when a Secret is missing): envFrom Secret runner-env; mount it as a file instead",
    ],
    [
      'DinD as a main container',
      { podTemplate: { spec: { containers: [...pod.spec!.containers, { name: 'dind', image: 'docker:dind' }] } } },
      'podTemplate.spec.containers: container(s) dind would keep the Job pod running after the runner exits; run them as native sidecars (initContainers with restartPolicy: Always)',
    ],
    ['no labels', { labels: [] }, 'labels: expected the pool\'s runner labels (e.g. "k8s:docker://image:tag"), got none'],
    ['two labels with one name', { labels: ['k8s:docker://a', 'k8s:docker://b'] }, 'labels[1]: expected each label name once; "k8s" is already labels[0]'],
    ['label without a name', { labels: [':docker://a'] }, 'labels[0]: label ":docker://a": expected a name before ":"'],
    ['label name with a comma', { labels: ['a,b'] }, 'labels[0]: label "a,b": the name "a,b" may only contain A-Z a-z 0-9 . _ ~ - (KEDA\'s scaler sends it unescaped in a URL query string)'],
    ['non-http URL', { forgejoUrl: 'ssh://forge.example' }, 'forgejoUrl: expected an http(s) URL without query or fragment (the scaler appends /api/v1/...), got "ssh://forge.example"'],
    ['URL with a query', { forgejoUrl: 'https://forge.example/?x=1' }, 'forgejoUrl: expected an http(s) URL without query or fragment (the scaler appends /api/v1/...), got "https://forge.example/?x=1"'],
    ['owner with a slash', { scope: { kind: 'repo', owner: 'a/b', repo: 'r' } }, 'scope.owner: expected a Forgejo user or organization name (letters, digits, "-", "_", ".", starting with a letter or digit, no two punctuation marks in a row or at the end, at most 40 characters), got "a/b"'],
    ['global without adminToken', { scope: { kind: 'global' } as never }, 'scope.adminToken: expected adminToken: true with scope global: the scaler reads the admin API, so the token must be a site administrator\'s (read:admin)'],
    ['unknown scope', { scope: { kind: 'team' } as never }, 'scope.kind: expected one of: "user", "repo", "org", "global"; got "team"'],
  ])('%s', (_name, overrides, message) => {
    expect(() => build(overrides)).toThrow(`ForgejoRunnerScaledJob ephemeral: ${message}`);
  });

  test('a token from a Secret in another namespace: KEDA could not read it', () => {
    const chart = new Chart(new App({ outdir: '/nonexistent-cdk8s-out' }), 'c');
    const elsewhere = new OnePasswordSecret(chart, 'T', { name: 't', namespace: 'other', store: { name: 's' }, keys: { token: { item: 'i', property: 'p' } } });
    expect(() => new ForgejoTokenAuthentication(chart, 'A', { name: 'a', namespace: NS, token: elsewhere.key('token') })).toThrow(
      'ForgejoTokenAuthentication a: token: comes from Secret t in namespace other, but a TriggerAuthentication reads Secrets only in its own namespace forgejo-runner',
    );
  });
});

describe('forgejo-runner trigger metadata schema (for triggers edited after synthesis)', () => {
  const ok = { address: 'https://forge.example', labels: 'a,b' };
  test('accepts the scaler\'s fields', () => {
    expect(forgejoRunnerTriggerMetadataSchema.safeParse({ ...ok, owner: 'o', repo: 'r' }).success).toBe(true);
  });
  test.each<[string, Record<string, unknown>]>([
    ['a token in metadata (plain text in git)', { ...ok, token: 'secret' }],
    ['full runner labels instead of names', { ...ok, labels: 'k8s:docker://img:1' }],
    ['an empty label name', { ...ok, labels: 'a,,b' }],
    ['owner without repo', { ...ok, owner: 'o' }],
    ['two scopes at once', { ...ok, org: 'x', global: 'true' }],
    ['global other than "true"', { ...ok, global: 'false' }],
    ['an address that is no URL', { ...ok, address: 'forge.example' }],
  ])('rejects %s', (_name, metadata) => {
    expect(forgejoRunnerTriggerMetadataSchema.safeParse(metadata).success).toBe(false);
  });
});

describe('wiring check over KEDA objects', () => {
  test('the built chart is wired: token Secret and key, runner Secret, TriggerAuthentication', () => {
    expect(checkWiring(build().objects)).toEqual([]);
  });

  test('a TriggerAuthentication naming a Secret no ExternalSecret creates', () => {
    const objects = edit(build().objects, 'TriggerAuthentication', (o) => (o.spec.secretTargetRef[0].name = 'forgejo-token-typo'));
    expect(checkWiring(objects).map((p) => p.message)).toEqual([
      'TriggerAuthentication forgejo-token: secretTargetRef token refers to Secret forgejo-token-typo, which no ExternalSecret in namespace forgejo-runner creates',
    ]);
  });

  test('a TriggerAuthentication naming a key the ExternalSecret does not create', () => {
    const objects = edit(build().objects, 'TriggerAuthentication', (o) => (o.spec.secretTargetRef[0].key = 'TOKEN'));
    expect(checkWiring(objects).map((p) => p.message)).toEqual([
      'TriggerAuthentication forgejo-token: secretTargetRef token needs key TOKEN of Secret forgejo-api-token, but ExternalSecret forgejo-api-token creates only: token',
    ]);
  });

  test('ESO semantics: with a template (mergePolicy Replace) a spec.data key is not in the Secret', () => {
    const objects = edit(build().objects, 'ExternalSecret', (o) => {
      if (o.metadata.name === 'forgejo-api-token') o.spec.target.template = { engineVersion: 'v2', data: { other: '{{ .token }}' } };
    });
    expect(checkWiring(objects).map((p) => p.message)).toEqual([
      'TriggerAuthentication forgejo-token: secretTargetRef token needs key token of Secret forgejo-api-token, but ExternalSecret forgejo-api-token creates only: other',
    ]);
  });

  test('a ScaledJob whose authenticationRef names no synthesized TriggerAuthentication', () => {
    const objects = edit(build().objects, 'ScaledJob', (o) => (o.spec.triggers[0].authenticationRef.name = 'missing'));
    expect(checkWiring(objects).map((p) => p.message)).toEqual([
      'ScaledJob ephemeral: trigger 0 (forgejo-runner) authenticationRef names TriggerAuthentication missing, which is not synthesized in namespace forgejo-runner',
    ]);
  });

  test('a ClusterTriggerAuthentication reference that is not in the output is reported', () => {
    const objects = edit(build().objects, 'ScaledJob', (o) => (o.spec.triggers[0].authenticationRef.kind = 'ClusterTriggerAuthentication'));
    expect(checkWiring(objects).map((p) => p.message)).toEqual([
      'ScaledJob ephemeral: trigger 0 (forgejo-runner) authenticationRef names ClusterTriggerAuthentication forgejo-token, which is not synthesized',
    ]);
  });

  test('the job pod (spec.jobTargetRef.template) is checked like a Deployment\'s pod', () => {
    const objects = edit(build().objects, 'ScaledJob', (o) => (o.spec.jobTargetRef.template.spec.volumes[1].secret.items[0].key = 'SECRET'));
    expect(checkWiring(objects).map((p) => p.message)).toEqual([
      'ScaledJob ephemeral: volume runner-secret needs key SECRET of Secret runner-secret, but ExternalSecret runner-secret creates only: RUNNER_SECRET',
    ]);
  });
});
