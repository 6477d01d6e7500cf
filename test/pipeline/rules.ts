// One rule, two doors: each bad input gives the same rule's error whether it comes from library
// props or from a values file. The library error names the prop path; the values error names the
// file, the line of the field, and the same path. The rules live once, in the constructs
// (src/constructs/rules.ts and the constructors); the values file only maps to props.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart } from 'cdk8s';
import { LineCounter, parse, parseDocument, stringify, type Node } from 'yaml';
import { ArgoCdSyncWaves, ForgejoRunner, formatPropPath, PropsError, type ForgejoRunnerProps, type PropPath } from '../../src/index.js';
import { ValuesError } from '../../src/values/load.js';
import { container, find, PROJECT, synthValuesText } from '../helpers.js';
import { synthesizeChart } from '../../src/synth/synthesize.js';

const FIXTURE = join(PROJECT, 'test', 'fixtures', 'rules.yaml');
const FILE = 'fixtures/rules.yaml';
const fixtureData = (): Record<string, any> => parse(readFileSync(FIXTURE, 'utf8'));

/** The fixture's installation, written as a library user writes it. */
const libraryProps = (): ForgejoRunnerProps => ({
  namespace: 'ci-runners',
  forgejoUrl: 'https://forge.example.org',
  timezone: 'Europe/Berlin',
  secretStore: { name: 'vault' },
  registration: { mode: 'offline', secretName: 'runner-identity', item: 'Runner Identity', refreshInterval: '1h' },
  scalerToken: { item: 'Scaler Token' },
  jobCredential: {
    registry: 'registry.example.org',
    username: 'ci-bot',
    item: 'registry-key',
    envVars: { apiKey: 'REGISTRY_KEY', registry: 'REGISTRY_HOST', username: 'REGISTRY_USER' },
  },
  nativeSidecar: true,
  pools: [
    { name: 'steady', labels: ['steady:docker://node:22'], capacity: 2 },
    { name: 'burst', mode: 'ephemeral', labels: ['burst:docker://node:22'], ephemeral: { maxReplicaCount: 3 } },
  ],
});

const buildLibrary = (props: ForgejoRunnerProps) => {
  const chart = new Chart(new App({ outdir: '/nonexistent-cdk8s-out' }), 'c', { disableResourceNameHashes: true });
  new ForgejoRunner(chart, 'Runner', props);
  chart.with(new ArgoCdSyncWaves()); // as the CLI's chart does
  return chart;
};

/** Sets `value` at `path` (undefined deletes), in props and values data alike. */
function setAt(target: any, path: PropPath, value: unknown): void {
  const parent = path.slice(0, -1).reduce((o, k) => (o[k] ??= {}), target);
  const key = path[path.length - 1]!;
  if (value === undefined) delete parent[key];
  else parent[key] = value;
}

type Edit = readonly [PropPath, unknown];
interface Row {
  /** What is wrong. */
  readonly rule: string;
  /** The same edits of the library props and of the values file. */
  readonly edits: readonly Edit[];
  /** Where the error is reported (a prop path, and the values field of the same path). */
  readonly at: PropPath;
  /** The rule's message (or its start), the same in both. */
  readonly message: string;
}

const ROWS: readonly Row[] = [
  { rule: 'a registry given as a URL', edits: [[['jobCredential', 'registry'], 'https://registry.example.org']], at: ['jobCredential', 'registry'], message: 'expected a registry host, not a URL: give "registry.example.org" without the scheme' },
  { rule: 'a user name with ":"', edits: [[['jobCredential', 'username'], 'ci:bot']], at: ['jobCredential', 'username'], message: 'expected a user name without spaces or ":", got "ci:bot"' },
  { rule: 'an unknown time zone', edits: [[['timezone'], 'Mars/Olympus Mons']], at: ['timezone'], message: 'expected an IANA time zone such as America/Los_Angeles, got "Mars/Olympus Mons"' },
  { rule: 'a time zone in the wrong case (zoneinfo file names are case-sensitive)', edits: [[['timezone'], 'europe/berlin']], at: ['timezone'], message: 'expected an IANA time zone such as America/Los_Angeles, got "europe/berlin"; zoneinfo names are case-sensitive: "Europe/Berlin"' },
  { rule: 'an invalid Go duration', edits: [[['registration', 'refreshInterval'], 'hourly']], at: ['registration', 'refreshInterval'], message: 'expected a Go duration such as "1h", "30m" or "1h30m", got "hourly"' },
  { rule: 'a label with a space', edits: [[['pools', 0, 'labels', 0], 'steady:docker://node 22']], at: ['pools', 0, 'labels', 0], message: 'expected a label without spaces or commas, got "steady:docker://node 22"' },
  {
    rule: 'a label name that two ephemeral pools serve',
    edits: [
      [['pools', 0, 'mode'], 'ephemeral'],
      [['pools', 0, 'capacity'], undefined],
      [['pools', 0, 'labels', 0], 'burst:docker://node:20'],
    ],
    at: ['pools', 1, 'labels', 0],
    message: 'expected label name "burst" to be served by this ephemeral pool only; pools[0] (steady) serves it too',
  },
  {
    rule: 'a 1Password title that yields an invalid Secret name',
    edits: [[['jobCredential', 'item'], 'Registry Key']],
    at: ['jobCredential', 'item'],
    message: 'the Secret name defaults to the item title "Registry Key", which is not a DNS-1123 subdomain (lowercase letters, digits, "-", "."); set jobCredential.secretName to choose a valid name',
  },
  { rule: 'capacity 0', edits: [[['pools', 0, 'capacity'], 0]], at: ['pools', 0, 'capacity'], message: 'expected a whole number >= 1, got 0' },
  { rule: 'an ephemeral pool with capacity', edits: [[['pools', 1, 'capacity'], 2]], at: ['pools', 1, 'capacity'], message: 'expected no capacity on an ephemeral pool' },
  { rule: 'token registration with an ephemeral pool', edits: [[['registration', 'mode'], 'token']], at: ['pools', 1, 'mode'], message: 'expected registration.mode offline for an ephemeral pool' },
  { rule: 'a namespace that is not a DNS label', edits: [[['namespace'], 'CI_Runners']], at: ['namespace'], message: 'expected a DNS-1123 label' },
  { rule: 'a forge that is not an http(s) URL', edits: [[['forgejoUrl'], 'forge.example.org']], at: ['forgejoUrl'], message: 'expected an http:// or https:// URL, got "forge.example.org"' },
  { rule: 'an untagged image', edits: [[['images'], { runner: 'code.forgejo.org/forgejo/runner' }]], at: ['images', 'runner'], message: 'expected an image reference with an explicit tag or digest' },
  { rule: 'an MTU out of range', edits: [[['dind'], { mtu: 100 }]], at: ['dind', 'mtu'], message: 'expected an MTU between 576 and 9216, got 100' },
  { rule: 'a dockerd --host (reopens the Docker API)', edits: [[['dind'], { extraArgs: ['--host=tcp://0.0.0.0:2375'] }]], at: ['dind', 'extraArgs', 0], message: '"--host=tcp://0.0.0.0:2375" the DinD API is bound to' },
  { rule: 'two replicas with offline registration (one identity)', edits: [[['pools', 0, 'replicas'], 2]], at: ['pools', 0, 'replicas'], message: 'expected replicas 0 or 1 with registration.mode offline' },
  { rule: 'a grace period shorter than shutdownTimeout', edits: [[['pools', 0, 'terminationGracePeriodSeconds'], 60]], at: ['pools', 0, 'terminationGracePeriodSeconds'], message: 'expected at least 10800 (shutdownTimeout 3h), got 60' },
  { rule: 'maxReplicaCount 0', edits: [[['pools', 1, 'ephemeral', 'maxReplicaCount'], 0]], at: ['pools', 1, 'ephemeral', 'maxReplicaCount'], message: 'expected a whole number >= 1, got 0' },
  { rule: 'scope global without adminToken', edits: [[['pools', 1, 'ephemeral', 'scope'], { kind: 'global', adminToken: false }]], at: ['pools', 1, 'ephemeral', 'scope', 'adminToken'], message: 'expected adminToken: true with scope global' },
  { rule: 'scope repo without its owner', edits: [[['pools', 1, 'ephemeral', 'scope'], { kind: 'repo', repo: 'infra' }]], at: ['pools', 1, 'ephemeral', 'scope', 'owner'], message: 'expected scope.owner with scope kind repo' },
  { rule: 'a scope field of another kind', edits: [[['pools', 1, 'ephemeral', 'scope'], { kind: 'org', org: 'infra', repo: 'x' }]], at: ['pools', 1, 'ephemeral', 'scope', 'repo'], message: 'expected only kind, org with scope kind org' },
  { rule: 'an owner that is no Forgejo name (it goes into the scaler\'s URL path)', edits: [[['pools', 1, 'ephemeral', 'scope'], { kind: 'repo', owner: 'a/b', repo: 'r' }]], at: ['pools', 1, 'ephemeral', 'scope', 'owner'], message: 'expected a Forgejo name' },
  { rule: 'a job credential env var name that is no shell name', edits: [[['jobCredential', 'envVars', 'apiKey'], 'REGISTRY-KEY']], at: ['jobCredential', 'envVars', 'apiKey'], message: 'expected an environment variable name' },
  { rule: 'an egress CIDR that is a host name (NetworkPolicy has none)', edits: [[['networkPolicy'], { egressAllowList: [{ cidr: 'forge.example.org' }] }]], at: ['networkPolicy', 'egressAllowList', 0, 'cidr'], message: 'expected an IP block such as 203.0.113.10/32, got "forge.example.org"' },
  { rule: 'two pools with one name', edits: [[['pools', 1, 'name'], 'steady']], at: ['pools', 1, 'name'], message: 'expected a unique pool name; "steady" is already used by pools[0]' },
  { rule: 'an extra runner env var with an invalid name', edits: [[['runnerEnv'], { 'HTTP-PROXY': 'x' }]], at: ['runnerEnv', 'HTTP-PROXY'], message: 'expected an environment variable name' },
  { rule: 'a pod label value with a space', edits: [[['pools', 0, 'podLabels'], { team: 'build farm' }]], at: ['pools', 0, 'podLabels', 'team'], message: 'expected a label value of at most 63' },
  { rule: 'the selector label as a pod label', edits: [[['podLabels'], { app: 'other' }]], at: ['podLabels', 'app'], message: "app is the pool's selector label" },
  { rule: 'a job env var with an invalid name', edits: [[['jobEnv'], { '1ST': 'x' }]], at: ['jobEnv', '1ST'], message: 'expected an environment variable name' },
  { rule: 'an invalid scaler token Secret name', edits: [[['scalerToken', 'secretName'], 'Scaler Token']], at: ['scalerToken', 'secretName'], message: 'expected a DNS-1123 subdomain' },
  // Label names go unescaped into KEDA's query string (test/pipeline/label-url.ts shows what Forgejo would see).
  ...['k8s+dind', 'k8s#1', 'ci&cd', 'gpu%', 'a;b'].map((name): Row => ({
    rule: `a label name "${name}" that the scaler's URL would change`,
    edits: [[['pools', 1, 'labels', 0], `${name}:docker://node:22`]],
    at: ['pools', 1, 'labels', 0],
    message: `label "${name}:docker://node:22": the name "${name}" may only contain A-Z a-z 0-9 . _ ~ - (KEDA's scaler sends it unescaped in a URL query string)`,
  })),
  { rule: 'a host label (jobs in the runner container)', edits: [[['pools', 0, 'labels', 0], 'steady:host']], at: ['pools', 0, 'labels', 0], message: 'label "steady:host" uses forgejo-runner\'s host schema: jobs would run inside the runner container itself' },
  { rule: 'a bare label (forgejo-runner reads it as host)', edits: [[['pools', 0, 'labels', 0], 'self-hosted']], at: ['pools', 0, 'labels', 0], message: 'label "self-hosted" uses forgejo-runner\'s host schema (a bare name means host)' },
  { rule: 'an lxc label (cannot work in the pod)', edits: [[['pools', 0, 'labels', 0], 'steady:lxc://debian:bookworm']], at: ['pools', 0, 'labels', 0], message: 'label "steady:lxc://debian:bookworm": schema "lxc" cannot work in the runner pod' },
  {
    rule: 'a token in KEDA\'s namespace from a namespaced SecretStore (it serves its own namespace only)',
    edits: [
      [['secretStore', 'kind'], 'SecretStore'],
      [['scalerToken', 'kedaNamespace'], 'keda'],
    ],
    at: ['scalerToken', 'kedaNamespace'],
    message: 'expected a ClusterSecretStore with kedaNamespace: the token\'s ExternalSecret goes to namespace keda, which SecretStore vault does not serve',
  },
  { rule: 'two labels of a pool with one name', edits: [[['pools', 0, 'labels', 1], 'steady:docker://node:20']], at: ['pools', 0, 'labels', 1], message: 'expected each label name once; "steady" is already labels[0] ("steady:docker://node:22")' },
];

/** 1-based line of the field at `path` in YAML text (read here with the yaml library itself); a missing field is its parent's line. */
function lineOfField(text: string, path: PropPath): number {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  for (let n = path.length; n > 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true) as Node | undefined;
    if (node?.range) return lines.linePos(node.range[0]).line;
  }
  throw new Error(`no field ${formatPropPath(path)} in the edited values`);
}

describe('each rule gives the same error from library props and from a values file', () => {
  test('the fixture is valid through both doors, and both build the same objects', () => {
    const fromValues = synthValuesText(readFileSync(FIXTURE, 'utf8'), FILE).manifests.map((o) => o.object);
    const fromLibrary = synthesizeChart(buildLibrary(libraryProps())).map((o) => o.object);
    expect(fromLibrary).toEqual(fromValues);
    // The job credential's env var names are the props' (no registry brand is built in).
    const config = JSON.stringify(fromValues);
    expect(config).toContain('REGISTRY_HOST');
    expect(config).not.toMatch(/zot/i);
  });

  test.each(ROWS.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    // Library: a PropsError whose problem at the prop path says the rule's message.
    const props = libraryProps();
    for (const [path, value] of row.edits) setAt(props, path, value);
    let libraryError: unknown;
    try {
      buildLibrary(props);
    } catch (e) {
      libraryError = e;
    }
    expect(libraryError).toBeInstanceOf(PropsError);
    expect((libraryError as Error).message).toContain(`${formatPropPath(row.at)}: ${row.message}`);
    expect((libraryError as PropsError).problems.map((p) => formatPropPath(p.path))).toContain(formatPropPath(row.at));

    // Values file: the same path and message, at the line of that field.
    const data = fixtureData();
    for (const [path, value] of row.edits) setAt(data, path, value);
    const text = stringify(data);
    let valuesError: unknown;
    try {
      synthValuesText(text, FILE);
    } catch (e) {
      valuesError = e;
    }
    expect(valuesError).toBeInstanceOf(ValuesError);
    expect((valuesError as Error).message).toContain(`${FILE}:${lineOfField(text, row.at)}: ${formatPropPath(row.at)}: ${row.message}`);
  });
});

describe('extending the pod without patches: extra env vars, pod labels and annotations', () => {
  const extensions = (target: any) => {
    target.runnerEnv = { HTTP_PROXY: 'http://proxy.example.org:3128' };
    target.podLabels = { team: 'build' };
    target.pools[0].podLabels = { tier: 'steady' };
    target.pools[0].podAnnotations = { 'example.org/owner': 'ci' };
  };
  test('values and props put them on the pods of each pool; a pool\'s own win and the selector stays', () => {
    const data = fixtureData();
    extensions(data);
    const fromValues = synthValuesText(stringify(data), FILE).manifests;
    const props = libraryProps();
    extensions(props);
    expect(synthesizeChart(buildLibrary(props)).map((o) => o.object)).toEqual(fromValues.map((o) => o.object));
    const d = find(fromValues, 'Deployment', 'steady');
    expect(d.spec.template.metadata.labels).toMatchObject({ app: 'steady', team: 'build', tier: 'steady' });
    expect(d.spec.template.metadata.annotations).toEqual({ 'example.org/owner': 'ci' });
    expect(d.spec.selector.matchLabels).toEqual({ app: 'steady' }); // the selector is not widened
    expect(container(d, 'runner').env).toContainEqual({ name: 'HTTP_PROXY', value: 'http://proxy.example.org:3128' });
    const job = find(fromValues, 'ScaledJob', 'burst').spec.jobTargetRef.template;
    expect(job.metadata.labels).toMatchObject({ app: 'burst', team: 'build' });
    expect(job.spec.containers[0].env).toContainEqual({ name: 'HTTP_PROXY', value: 'http://proxy.example.org:3128' });
  });
});
