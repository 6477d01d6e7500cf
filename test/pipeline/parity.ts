// Parity with what production runs today: every field of the operator's rendered manifests
// (../shared/reference/blumeops, kustomize output of the hand-written YAML) must be present in
// our synthesis of the production values (values/indri.yaml) with the same value, except a short
// allow-list of intended differences.
// Our additions (labels, sync waves, probes, the zot key...) are allowed: the reference is a
// subset of ours. The comparison suites read ../shared and skip when it is absent; the checks of
// the checker itself do not need it.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { synthesize, type KubeObject } from '../../src/synth/synthesize.js';
import { loadValues } from '../../src/values/load.js';
import { hasShared, PROJECT, SHARED_REFERENCE } from '../helpers.js';

/**
 * The production values the reference was rendered from: the one test that reads the operator's
 * own values file (every other test uses test/fixtures). A fork without it skips the comparison.
 */
const PRODUCTION_VALUES = join(PROJECT, 'values', 'indri.yaml');
const hasProduction = existsSync(PRODUCTION_VALUES);

// ---------------------------------------------------------------------------------------------
// The checker
// ---------------------------------------------------------------------------------------------

/** An intended difference from the reference. `path` is `Kind/name:field.path` as the checker prints it. */
interface AllowedDifference {
  readonly path: string;
  readonly reason: string;
  /**
   * The reference's list entry lives elsewhere in ours (a path from our object's root, to a list
   * matched by name); its reference fields are still checked there, plus `with`.
   */
  readonly movedTo?: { readonly path: string; readonly with?: Readonly<Record<string, unknown>> };
}

/** Text fields holding a file: compared as parsed data, so comments and formatting are not data. */
type EmbeddedParsers = Readonly<Record<string, (text: string) => unknown>>;

interface CompareOptions {
  readonly allow: readonly AllowedDifference[];
  readonly embedded?: EmbeddedParsers;
}

interface CompareResult {
  /** `path: expected X vs actual Y`, one per difference not on the allow-list. */
  readonly mismatches: string[];
  /** Allow-list paths that matched nothing (the difference is gone, or the path is wrong). */
  readonly unusedAllowances: string[];
  /**
   * Paths of ours that the reference lacks: keys absent from its object, entries absent from its
   * name-keyed list (entries the allow-list moved are compared where they moved to).
   */
  readonly added: string[];
  /** Name-keyed lists whose shared entries appear in another order in ours. */
  readonly reordered: string[];
}

const show = (v: unknown): string => (v === undefined ? '(absent)' : JSON.stringify(v));
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const key = (k: string): string => (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(k) ? `.${k}` : `[${JSON.stringify(k)}]`);
/** Appends a key to a printed path; the first key after `Kind/name:` (or of an empty path) has no dot. */
const join2 = (base: string, k: string): string => (base === '' || base.endsWith(':') ? `${base}${key(k).replace(/^\./, '')}` : `${base}${key(k)}`);

/** Follows a dotted path of plain keys from a root object. */
function at(root: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((node, k) => (isObject(node) ? node[k] : undefined), root);
}

/**
 * Compares reference objects (matched by `id`) with ours: every reference field must be present
 * in ours with the same value. Objects: every reference key; lists of objects with unique `name`s:
 * matched by name (ours may have more entries); other lists: element by element, same length.
 */
function compareObjects(
  pairs: readonly { readonly id: string; readonly reference: unknown; readonly ours: unknown }[],
  options: CompareOptions,
): CompareResult {
  const mismatches: string[] = [];
  const added: string[] = [];
  const reordered: string[] = [];
  const used = new Set<string>();
  const relocations = options.allow.filter((a) => a.movedTo);
  /** A key of ours the reference lacks; a list the allow-list moved entries into counts per other entry. */
  const noteAdded = (path: string, value: unknown): void => {
    const id = path.slice(0, path.indexOf(':') + 1);
    const into = relocations.filter((a) => a.path.startsWith(id) && `${id}${a.movedTo!.path}` === path);
    if (into.length === 0 || !Array.isArray(value)) return void added.push(path);
    for (const entry of value) {
      const name = isObject(entry) ? String(entry.name) : '';
      if (!into.some((a) => a.path.endsWith(`[name=${name}]`))) added.push(`${path}[name=${name}]`);
    }
  };
  const allowed = new Map(options.allow.map((a) => [a.path, a]));

  const differ = (path: string, expected: unknown, actual: unknown): void => {
    if (allowed.has(path)) used.add(path);
    else mismatches.push(`${path}: expected ${show(expected)} vs actual ${show(actual)}`);
  };

  const walk = (path: string, fieldPath: string, ref: unknown, ours: unknown, oursRoot: unknown): void => {
    const parser = options.embedded?.[fieldPath];
    if (parser && typeof ref === 'string' && typeof ours === 'string') {
      let parsedOurs: unknown;
      try {
        parsedOurs = parser(ours);
      } catch (e) {
        mismatches.push(`${path}: ours does not parse (${(e as Error).message})`);
        return;
      }
      walk(`${path}(parsed)`, `${fieldPath}(parsed)`, parser(ref), parsedOurs, parsedOurs);
      return;
    }
    if (isObject(ref)) {
      if (!isObject(ours)) return differ(path, ref, ours);
      for (const [k, v] of Object.entries(ref)) walk(join2(path, k), join2(fieldPath, k), v, ours[k], oursRoot);
      for (const [k, v] of Object.entries(ours)) if (!(k in ref)) noteAdded(join2(path, k), v);
      return;
    }
    if (Array.isArray(ref)) {
      if (!Array.isArray(ours)) return differ(path, ref, ours);
      const names = ref.map((e) => (isObject(e) && typeof e.name === 'string' ? e.name : undefined));
      const byName = names.every((n) => n !== undefined) && new Set(names).size === names.length;
      if (!byName) {
        if (ref.length !== ours.length) return differ(`${path}.length`, ref.length, ours.length);
        ref.forEach((e, i) => walk(`${path}[${i}]`, `${fieldPath}[${i}]`, e, ours[i], oursRoot));
        return;
      }
      const ourNames = ours.map((o) => (isObject(o) ? o.name : undefined));
      for (const name of ourNames) if (!names.includes(name as string)) added.push(`${path}[name=${String(name)}]`);
      const shared = ourNames.filter((n) => names.includes(n as string));
      if (shared.join('\n') !== names.filter((n) => shared.includes(n)).join('\n')) reordered.push(path);
      for (const entry of ref as Record<string, unknown>[]) {
        const entryPath = `${path}[name=${entry.name}]`;
        const entryField = `${fieldPath}[name=${entry.name}]`;
        const mine = ours.find((o) => isObject(o) && o.name === entry.name);
        const moved = allowed.get(entryPath)?.movedTo;
        if (mine !== undefined) {
          walk(entryPath, entryField, entry, mine, oursRoot); // still where the reference has it
        } else if (moved) {
          used.add(entryPath);
          const list = at(oursRoot, moved.path);
          const relocated = Array.isArray(list) ? list.find((o) => isObject(o) && o.name === entry.name) : undefined;
          const movedPath = `${path.slice(0, path.indexOf(':') + 1)}${moved.path}[name=${entry.name}]`;
          if (relocated === undefined) {
            mismatches.push(`${entryPath}: moved to ${movedPath} per the allow-list, but it is not there either`);
            continue;
          }
          walk(movedPath, entryField, { ...entry, ...moved.with }, relocated, oursRoot); // `with`: what the move adds
        } else {
          differ(entryPath, entry, undefined);
        }
      }
      return;
    }
    if (ref !== ours) differ(path, ref, ours);
  };

  for (const { id, reference, ours } of pairs) walk(`${id}:`, '', reference, ours, ours);
  return { mismatches, unusedAllowances: options.allow.map((a) => a.path).filter((p) => !used.has(p)), added, reordered };
}

// ---------------------------------------------------------------------------------------------
// Reference vs ours
// ---------------------------------------------------------------------------------------------

const REFERENCE_RENDERED = join(SHARED_REFERENCE, 'rendered-forgejo-runner.yaml');
const REFERENCE_APPLICATION = join(SHARED_REFERENCE, 'argocd', 'apps', 'forgejo-runner.yaml');
const CONFIG_MAP_PREFIX = 'forgejo-runner-config-';

/** The reference ConfigMap's name, with kustomize's content hash. */
const REF_CONFIG_MAP = 'ConfigMap/forgejo-runner-config-cfc8c82mkf';

/**
 * Intended differences from production, each with its reason. Keep it short: every entry must
 * still match a real difference (an unused entry fails the suite).
 */
const ALLOWED_DIFFERENCES: readonly AllowedDifference[] = [
  {
    path: `${REF_CONFIG_MAP}:metadata.name`,
    reason:
      'content-hash suffix: ours hashes the config with our own function, not kustomize\'s, and the ' +
      'content grew (runner.env_file, zot job env), so the name differs. The comment on runner.env_file (issue 18: every job, ' +
      'fork pull requests included, reads the key unmasked; delivery forgejoSecret does not) is part of the hashed text: ' +
      'it changed the name once more, and nothing else of the output',
  },
  {
    path: 'Deployment/forgejo-runner:spec.template.spec.volumes[name=config].configMap.name',
    reason: 'follows the ConfigMap name above (same content hash difference)',
  },
  {
    path: 'Deployment/forgejo-runner:spec.template.spec.containers[name=dind]',
    reason:
      'DinD is a native sidecar (initContainers + restartPolicy Always, Kubernetes >= 1.29): it starts ' +
      'before the runner and stops after it, so running jobs keep their dockerd; all its reference fields are checked there',
    movedTo: { path: 'spec.template.spec.initContainers', with: { restartPolicy: 'Always' } },
  },
  {
    path: 'Deployment/forgejo-runner:spec.template.spec.containers[name=runner].env[name=DOCKER_HOST].value',
    reason:
      'tcp://127.0.0.1:2375 instead of tcp://localhost:2375: the DinD endpoint is written once (DIND_ENDPOINT), ' +
      'dockerd binds TCP to 127.0.0.1 only (issue 11), and localhost may resolve to ::1 first',
  },
  {
    path: 'Deployment/forgejo-runner:spec.template.spec.containers[name=runner].command[2]',
    reason:
      'start-up script hardened (issue 11): traps TERM/INT as PID 1 and waits interruptibly (production ignores ' +
      'SIGTERM until the grace period ends), probes http://127.0.0.1:2375/_ping (dockerd binds loopback only), registers with --config, ' +
      'and exits non-zero when registration fails instead of starting a daemon without identity; run under real shells in test/scripts/startup-script*.ts',
  },
];

/**
 * Fields we add to objects production already has (the reference is a subset of ours, so the
 * checker above never sees them): each added field is covered by one entry (a path or a prefix of
 * it) that says why. An added field no entry covers fails the suite, so every new difference from
 * production is named here; an entry that covers nothing fails as stale.
 */
const ADDED_FIELDS: readonly { readonly path: string; readonly reason: string }[] = [
  { path: 'Namespace/forgejo-runner:metadata.annotations', reason: 'Argo CD sync wave 0 (opt-in ArgoCdSyncWaves): the Namespace exists before anything in it' },
  {
    path: 'Namespace/forgejo-runner:metadata.labels',
    reason: 'Pod Security Admission (issue 11): enforce privileged (DinD needs it), warn and audit baseline so anything else privileged is reported',
  },
  { path: 'ConfigMap/forgejo-runner-config-cfc8c82mkf:metadata.annotations', reason: 'Argo CD sync wave 1: config exists before the pods that mount it' },
  { path: 'ConfigMap/forgejo-runner-config-cfc8c82mkf:metadata.labels', reason: 'app.kubernetes.io/* recommended labels, so the pool\'s objects can be selected together' },
  {
    path: 'ConfigMap/forgejo-runner-config-cfc8c82mkf:data["config.yaml"](parsed).runner.envs',
    reason: 'ZOT_REGISTRY and ZOT_CI_USERNAME for every job: the push paths read host and user from the environment (design card)',
  },
  {
    path: 'ConfigMap/forgejo-runner-config-cfc8c82mkf:data["config.yaml"](parsed).runner.env_file',
    reason: 'jobs get ZOT_CI_API_KEY from the dotenv file mounted from the zot Secret (design card: the key reaches the CI jobs)',
  },
  { path: 'Deployment/forgejo-runner:metadata.annotations', reason: 'Argo CD sync wave 2: the Deployment starts after its Secrets and ConfigMap are synced' },
  { path: 'Deployment/forgejo-runner:metadata.labels', reason: 'app.kubernetes.io/* recommended labels (the selector stays app only: it is immutable)' },
  { path: 'Deployment/forgejo-runner:spec.template.metadata.labels', reason: 'the same recommended labels on the pods (the NetworkPolicy still selects app only)' },
  { path: 'Deployment/forgejo-runner:spec.minReadySeconds', reason: 'issue 11: a surge rollout drains the old pod only once the new one has been ready 10 s' },
  { path: 'Deployment/forgejo-runner:spec.strategy', reason: 'surge first (maxSurge 1, maxUnavailable 0): the old pod drains its jobs while the new one takes new jobs' },
  {
    path: 'Deployment/forgejo-runner:spec.template.spec.terminationGracePeriodSeconds',
    reason: 'runner.shutdown_timeout (3h) + 300 s: the kubelet must not SIGKILL running jobs (the default 30 s did)',
  },
  { path: 'Deployment/forgejo-runner:spec.template.spec.containers[name=runner].env[name=ZOT_CI_API_KEY]', reason: 'the zot push key in the runner pod (design card), from the ExternalSecret' },
  {
    path: 'Deployment/forgejo-runner:spec.template.spec.containers[name=runner].readinessProbe',
    reason: 'issue 11: ready only when the daemon runs and the runner has an identity (with minReadySeconds, rollouts wait for it)',
  },
  {
    path: 'Deployment/forgejo-runner:spec.template.spec.containers[name=runner].volumeMounts[name=job-secrets]',
    reason: 'mounts the job dotenv file runner.env_file names (read-only, one Secret key only)',
  },
  { path: 'Deployment/forgejo-runner:spec.template.spec.volumes[name=job-secrets]', reason: 'the Secret volume behind that mount, projecting only the dotenv key' },
  {
    path: 'Deployment/forgejo-runner:spec.template.spec.initContainers[name=dind].args',
    reason: 'issue 11: dockerd binds its unauthenticated TCP API to 127.0.0.1 only (production bound 0.0.0.0:2375, reachable from every pod)',
  },
  {
    path: 'Deployment/forgejo-runner:spec.template.spec.initContainers[name=dind].startupProbe',
    reason: 'docker info must answer before the runner starts (native sidecar startup order)',
  },
  { path: 'ExternalSecret/forgejo-runner-env:metadata.annotations', reason: 'Argo CD sync wave 1 (Argo CD waits for ESO\'s health check before the Deployment)' },
  { path: 'ExternalSecret/forgejo-runner-env:metadata.labels', reason: 'app.kubernetes.io/* recommended labels' },
];

/**
 * Name-keyed lists whose entries we write in another order than production. Kubernetes does not
 * care, but the Deployment's bytes (and so its pod template) differ, which rolls it once.
 */
const REORDERED: readonly { readonly path: string; readonly reason: string }[] = [
  {
    path: 'Deployment/forgejo-runner:spec.template.spec.volumes',
    reason:
      'the pod\'s volumes are derived from its containers\' mounts (issue 10: a mount carries its volume), in ' +
      'container order with DinD (an init container) first, instead of being listed by hand',
  },
];

/** Objects we add on purpose; everything else in ours must be in the reference. */
const ADDITIONS = [
  'ExternalSecret/zot-ci-apikey',
  // Issue 11: denies all ingress to the runner pods (production has no NetworkPolicy, and its DinD
  // API listened on the pod IP, reachable from every pod).
  'NetworkPolicy/forgejo-runner',
];

const EMBEDDED: EmbeddedParsers = {
  'data["config.yaml"]': (text) => parse(text),
  'data["daemon.json"]': (text) => JSON.parse(text),
};

/** `Kind/name`, with the ConfigMap's hash suffix dropped so both sides match. */
function identity(o: KubeObject): string {
  const name = o.kind === 'ConfigMap' && o.metadata.name.startsWith(CONFIG_MAP_PREFIX) ? `${CONFIG_MAP_PREFIX}*` : o.metadata.name;
  return `${o.kind}/${name}`;
}

function formatFailure(result: CompareResult): string {
  return [
    ...result.mismatches.map((m) => `  mismatch  ${m}`),
    ...result.unusedAllowances.map((p) => `  stale allow-list entry (no such difference any more): ${p}`),
  ].join('\n');
}

const describeShared = hasShared && hasProduction ? describe : describe.skip;
const sharedNote = !hasShared ? ' (skipped: ../shared absent)' : !hasProduction ? ' (skipped: values/indri.yaml, the production values, absent)' : '';

describeShared(`parity with ../shared reference${sharedNote}`, () => {
  // jest runs a skipped describe's body too: without the production values there is nothing to load.
  const synthesis = hasProduction ? synthesize(loadValues(PRODUCTION_VALUES).values) : undefined!;
  const ours = hasProduction ? synthesis.manifests.map((m) => m.object) : [];
  const reference = (): KubeObject[] =>
    parseAllDocuments(readFileSync(REFERENCE_RENDERED, 'utf8')).map((doc) => {
      if (Array.isArray(doc)) throw new Error('unexpected empty YAML stream');
      if (doc.errors.length > 0) throw new Error(`${REFERENCE_RENDERED}: ${doc.errors[0]!.message}`);
      return doc.toJS() as KubeObject;
    });
  /** Each reference object with ours of the same identity (undefined when we lack it). */
  const pairs = () =>
    reference().map((r) => ({ id: `${r.kind}/${r.metadata.name}`, reference: r, ours: ours.find((o) => identity(o) === identity(r)) }));
  const compareWithReference = () => compareObjects(pairs(), { allow: ALLOWED_DIFFERENCES, embedded: EMBEDDED });

  test('every reference field is in our manifests with the same value, except the allow-list (production keeps its behaviour)', () => {
    const missing = pairs().filter((p) => p.ours === undefined).map((p) => p.id);
    expect(missing).toEqual([]); // a production object we do not generate would be pruned by Argo CD
    const result = compareWithReference();
    if (result.mismatches.length + result.unusedAllowances.length > 0) {
      throw new Error(`our manifests differ from ${REFERENCE_RENDERED}:\n${formatFailure(result)}`);
    }
    expect(result).toMatchObject({ mismatches: [], unusedAllowances: [] });
  });

  test('every field we add to a production object is named in ADDED_FIELDS with its reason (no silent new difference)', () => {
    const { added } = compareWithReference();
    const covers = (entry: string, path: string) => path === entry || path.startsWith(`${entry}.`) || path.startsWith(`${entry}[`) || path.startsWith(`${entry}(`);
    const unnamed = added.filter((p) => !ADDED_FIELDS.some((e) => covers(e.path, p)));
    const stale = ADDED_FIELDS.filter((e) => !added.some((p) => covers(e.path, p))).map((e) => e.path);
    expect({ unnamed, stale }).toEqual({ unnamed: [], stale: [] });
  });

  test('the reference config.yaml and daemon.json are compared as data and match ours (runner and dockerd settings unchanged)', () => {
    // The check above already covers this; here it is visible that both files really are parsed
    // and that the values production depends on survive, without relying on the allow-list.
    const refMap = reference().find((o) => o.kind === 'ConfigMap') as any;
    const ourMap = ours.find((o) => o.kind === 'ConfigMap') as any;
    const refConfig = parse(refMap.data['config.yaml']);
    const ourConfig = parse(ourMap.data['config.yaml']);
    expect(ourConfig).toMatchObject(refConfig);
    expect(ourConfig.container).toEqual({ network: 'host', docker_host: 'tcp://127.0.0.1:2375' });
    expect(JSON.parse(ourMap.data['daemon.json'])).toMatchObject(JSON.parse(refMap.data['daemon.json']));
  });

  test('the Argo CD Application matches the reference exactly in every reference field (no allow-list: same repo, path, destination)', () => {
    const ref = parse(readFileSync(REFERENCE_APPLICATION, 'utf8')) as KubeObject;
    const app = synthesis.application.object;
    const result = compareObjects([{ id: `${ref.kind}/${ref.metadata.name}`, reference: ref, ours: app }], { allow: [] });
    if (result.mismatches.length > 0) throw new Error(`Application differs from ${REFERENCE_APPLICATION}:\n${formatFailure(result)}`);
    expect(result.mismatches).toEqual([]);
  });

  test('every name-keyed list we write in another order than production is named in REORDERED with its reason', () => {
    const { reordered } = compareWithReference();
    expect(reordered.sort()).toEqual(REORDERED.map((r) => r.path).sort());
  });

  test('the reference objects are exactly ours minus the intended additions (nothing production runs is dropped, nothing unplanned added)', () => {
    const refIds = reference().map(identity).sort();
    const ourIds = ours.map(identity).sort();
    for (const a of ADDITIONS) expect(ourIds).toContain(a); // an addition that is gone is a stale entry
    expect(refIds).toEqual(ourIds.filter((id) => !ADDITIONS.includes(id)));
  });
});

// ---------------------------------------------------------------------------------------------
// The checker itself (no ../shared needed): it must be able to fail.
// ---------------------------------------------------------------------------------------------

describe('parity checker (so a real regression cannot pass unnoticed)', () => {
  const reference = {
    kind: 'Deployment',
    metadata: { name: 'd', labels: { app: 'x' } },
    spec: {
      containers: [
        { name: 'runner', command: ['/bin/sh', '-c', 'run'], env: [{ name: 'A', value: '1' }] },
        { name: 'dind', securityContext: { privileged: true } },
      ],
    },
  };
  const ours = (): any => ({
    kind: 'Deployment',
    metadata: { name: 'd', labels: { app: 'x', extra: 'y' } },
    spec: {
      containers: [{ name: 'runner', command: ['/bin/sh', '-c', 'run'], env: [{ name: 'B', value: '2' }, { name: 'A', value: '1' }] }],
      initContainers: [{ name: 'dind', restartPolicy: 'Always', securityContext: { privileged: true } }],
    },
  });
  const moved: AllowedDifference = {
    path: 'Deployment/d:spec.containers[name=dind]',
    reason: 'test',
    movedTo: { path: 'spec.initContainers', with: { restartPolicy: 'Always' } },
  };
  const run = (o: any, allow: AllowedDifference[] = [moved], embedded?: EmbeddedParsers) =>
    compareObjects([{ id: 'Deployment/d', reference, ours: o }], { allow, ...(embedded ? { embedded } : {}) });

  test('added names every field ours adds, also inside an entry the allow-list moved, and nothing the reference has', () => {
    const o = ours();
    o.spec.initContainers[0].args = ['dockerd'];
    expect(run(o).added.sort()).toEqual(
      ['Deployment/d:metadata.labels.extra', 'Deployment/d:spec.containers[name=runner].env[name=B]', 'Deployment/d:spec.initContainers[name=dind].args'].sort(),
    );
    expect(run(structuredClone(reference), []).added).toEqual([]);
  });

  test('reordered reports a name-keyed list whose shared entries changed order, and not one with entries added', () => {
    const swapped = structuredClone(reference);
    swapped.spec.containers.reverse();
    expect(run(swapped, []).reordered).toEqual(['Deployment/d:spec.containers']);
    const grown = structuredClone(reference);
    (grown.spec.containers[0] as any).env.unshift({ name: 'B', value: '2' });
    expect(run(grown, []).reordered).toEqual([]);
  });

  test('our additions (extra keys, extra named entries, reordered named entries) are not differences', () => {
    expect(run(ours())).toMatchObject({ mismatches: [], unusedAllowances: [] });
  });

  test('a changed value is reported with its path, expected and actual', () => {
    const o = ours();
    o.spec.containers[0].env[1].value = '9';
    expect(run(o).mismatches).toEqual(['Deployment/d:spec.containers[name=runner].env[name=A].value: expected "1" vs actual "9"']);
  });

  test('a dropped field, a dropped named entry and a changed plain list are reported', () => {
    const o = ours();
    delete o.metadata.labels.app;
    o.spec.containers[0].env = [{ name: 'B', value: '2' }];
    o.spec.containers[0].command = ['/bin/sh', '-c', 'run', 'extra'];
    expect(run(o).mismatches).toEqual([
      'Deployment/d:metadata.labels.app: expected "x" vs actual (absent)',
      'Deployment/d:spec.containers[name=runner].command.length: expected 3 vs actual 4',
      'Deployment/d:spec.containers[name=runner].env[name=A]: expected {"name":"A","value":"1"} vs actual (absent)',
    ]);
  });

  test('a moved entry is still checked field by field at its new place, including the required extra fields', () => {
    const o = ours();
    o.spec.initContainers[0] = { name: 'dind', securityContext: { privileged: false } };
    expect(run(o).mismatches).toEqual([
      'Deployment/d:spec.initContainers[name=dind].securityContext.privileged: expected true vs actual false',
      'Deployment/d:spec.initContainers[name=dind].restartPolicy: expected "Always" vs actual (absent)',
    ]);
  });

  test('an allow-list entry that matches no difference is reported as stale', () => {
    const stale: AllowedDifference = { path: 'Deployment/d:metadata.labels.app', reason: 'no longer differs' };
    expect(run(ours(), [moved, stale]).unusedAllowances).toEqual(['Deployment/d:metadata.labels.app']);
    const back = ours();
    back.spec.containers.push({ name: 'dind', securityContext: { privileged: true } });
    back.spec.initContainers = [];
    expect(run(back).unusedAllowances).toEqual([moved.path]); // dind back in containers: entry stale
  });

  test('embedded files are compared as parsed data: comments and formatting do not count, values do', () => {
    const refMap = { kind: 'ConfigMap', metadata: { name: 'c' }, data: { 'c.yaml': '# old header\na:\n  b: "host"\n' } };
    const embedded: EmbeddedParsers = { 'data["c.yaml"]': (t) => parse(t) };
    const check = (text: string) =>
      compareObjects([{ id: 'ConfigMap/c', reference: refMap, ours: { ...refMap, data: { 'c.yaml': text } } }], { allow: [], embedded }).mismatches;
    expect(check('# new header\na:\n  b: host\n  extra: 1\n')).toEqual([]);
    expect(check('a:\n  b: bridge\n')).toEqual(['ConfigMap/c:data["c.yaml"](parsed).a.b: expected "host" vs actual "bridge"']);
  });
});
