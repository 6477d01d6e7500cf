// One rule, two doors: each bad input gives the same rule's error whether it comes from library
// props or from a values file. The library error names the prop path; the values error names the
// file, the line of the field, and the same path. The rules live once, in the constructs
// (src/constructs/rules.ts and the constructors); the values file only maps to props.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart } from 'cdk8s';
import { LineCounter, parse, parseDocument, stringify, type Node } from 'yaml';
import { ArgoApplication, ArgoCdSyncWaves, ForgejoRunner, formatPropPath, PropsError, type ArgoApplicationProps, type ForgejoRunnerProps, type PropPath } from '../../src/index.js';
import { ValuesError } from '../../src/values/load.js';
import { container, find, PROJECT, synthValuesText } from '../helpers.js';
import { synthesizeChart } from '../../src/synth/synthesize.js';
import { forgejoRunnerTriggerMetadata, rules } from '../../src/parts.js';

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
    delivery: 'envFile',
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
  { rule: 'an owner that is no Forgejo name (it goes into the scaler\'s URL path)', edits: [[['pools', 1, 'ephemeral', 'scope'], { kind: 'repo', owner: 'a/b', repo: 'r' }]], at: ['pools', 1, 'ephemeral', 'scope', 'owner'], message: 'expected a Forgejo user or organization name' },
  { rule: 'a job credential env var name that is no shell name', edits: [[['jobCredential', 'envVars', 'apiKey'], 'REGISTRY-KEY']], at: ['jobCredential', 'envVars', 'apiKey'], message: 'expected an environment variable name' },
  { rule: 'an egress CIDR that is a host name (NetworkPolicy has none)', edits: [[['networkPolicy'], { egressAllowList: [{ cidr: 'forge.example.org' }] }]], at: ['networkPolicy', 'egressAllowList', 0, 'cidr'], message: 'expected an IP block such as 203.0.113.10/32 or 2001:db8::/64, got "forge.example.org": "forge.example.org" is not an IPv4 or IPv6 address (NetworkPolicy takes addresses, not host names)' },
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
  // Issue 17 item 5: no credential in a URL (the URL is committed to git with the manifests).
  {
    rule: 'a forge URL with user:password@ (it would be committed to git)',
    edits: [[['forgejoUrl'], 'https://ci:hunter2@forge.example.org']],
    at: ['forgejoUrl'],
    message: 'expected a URL without user info, got "https://***@forge.example.org" with a user name and password in it: the URL is written into the generated manifests, which are committed to git. The runner needs none there: it authenticates with its registration Secret (registration), which an ExternalSecret fills from 1Password.',
  },
  { rule: 'a forge URL with token@', edits: [[['forgejoUrl'], 'https://0123456789abcdef@forge.example.org/']], at: ['forgejoUrl'], message: 'expected a URL without user info, got "https://***@forge.example.org/" with a user name or token in it' },
  {
    rule: 'a registry mirror with user:token@',
    edits: [[['dind'], { registryMirrors: ['https://ci:tok@mirror.example.org'] }]],
    at: ['dind', 'registryMirrors', 0],
    message: 'expected a URL without user info, got "https://***@mirror.example.org" with a user name and password in it: the URL is written into the generated manifests, which are committed to git. dockerd refuses a mirror URL with user info anyway',
  },
  // Issue 17 item 6: NetworkPolicy allow-list footguns.
  { rule: 'an egress CIDR out of range (999.999.999.999/99)', edits: [[['networkPolicy'], { egressAllowList: [{ cidr: '999.999.999.999/99' }] }]], at: ['networkPolicy', 'egressAllowList', 0, 'cidr'], message: 'expected an IP block such as 203.0.113.10/32 or 2001:db8::/64, got "999.999.999.999/99": "999.999.999.999" is not an IPv4 or IPv6 address' },
  { rule: 'an egress CIDR that is no address (abc/1)', edits: [[['networkPolicy'], { egressAllowList: [{ cidr: 'abc/1' }] }]], at: ['networkPolicy', 'egressAllowList', 0, 'cidr'], message: 'expected an IP block such as 203.0.113.10/32 or 2001:db8::/64, got "abc/1": "abc" is not an IPv4 or IPv6 address' },
  { rule: 'an IPv4 prefix over 32 (10.0.0.0/33)', edits: [[['networkPolicy'], { egressAllowList: [{ cidr: '10.0.0.0/33' }] }]], at: ['networkPolicy', 'egressAllowList', 0, 'cidr'], message: 'expected an IP block such as 203.0.113.10/32 or 2001:db8::/64, got "10.0.0.0/33": the prefix length of an IPv4 block is a number from 0 to 32' },
  { rule: 'an IPv6 prefix over 128 (2001:db8::/129)', edits: [[['networkPolicy'], { egressAllowList: [{ cidr: '2001:db8::/129' }] }]], at: ['networkPolicy', 'egressAllowList', 0, 'cidr'], message: 'expected an IP block such as 203.0.113.10/32 or 2001:db8::/64, got "2001:db8::/129": the prefix length of an IPv6 block is a number from 0 to 128' },
  { rule: 'an except entry that is no IP block', edits: [[['networkPolicy'], { egressAllowList: [{ cidr: '10.0.0.0/8', except: ['10.0.0.0/40'] }] }]], at: ['networkPolicy', 'egressAllowList', 0, 'except', 0], message: 'expected an IP block such as 203.0.113.10/32 or 2001:db8::/64, got "10.0.0.0/40": the prefix length of an IPv4 block is a number from 0 to 32' },
  { rule: 'an except entry outside its cidr', edits: [[['networkPolicy'], { egressAllowList: [{ cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] }] }]], at: ['networkPolicy', 'egressAllowList', 0, 'except', 0], message: 'expected a block inside cidr 10.0.0.0/8, got "192.168.0.0/16", which lies outside it' },
  { rule: 'an except entry equal to its cidr (it would exclude everything)', edits: [[['networkPolicy'], { egressAllowList: [{ cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] }] }]], at: ['networkPolicy', 'egressAllowList', 0, 'except', 0], message: 'expected a block strictly inside cidr 10.0.0.0/8 (a longer prefix than /8), got "10.0.0.0/8", which is the whole cidr' },
  { rule: 'an except entry wider than its cidr', edits: [[['networkPolicy'], { egressAllowList: [{ cidr: '10.1.0.0/16', except: ['10.0.0.0/8'] }] }]], at: ['networkPolicy', 'egressAllowList', 0, 'except', 0], message: 'expected a block strictly inside cidr 10.1.0.0/16 (a longer prefix than /16), got "10.0.0.0/8", which contains the whole cidr' },
  { rule: 'an IPv6 except entry in an IPv4 cidr', edits: [[['networkPolicy'], { egressAllowList: [{ cidr: '10.0.0.0/8', except: ['2001:db8::/64'] }] }]], at: ['networkPolicy', 'egressAllowList', 0, 'except', 0], message: 'expected a block inside cidr 10.0.0.0/8, got "2001:db8::/64", which lies outside it' },
  { rule: 'an empty namespace selector (every namespace: the whole cluster)', edits: [[['networkPolicy'], { egressAllowList: [{ namespaceLabels: {} }] }]], at: ['networkPolicy', 'egressAllowList', 0, 'namespaceLabels'], message: 'is empty, which selects every namespace: egress to every pod of the cluster' },
  { rule: 'a namespace selector with an invalid label key', edits: [[['networkPolicy'], { egressAllowList: [{ namespaceLabels: { 'team name': 'registry' } }] }]], at: ['networkPolicy', 'egressAllowList', 0, 'namespaceLabels', 'team name'], message: 'expected a Kubernetes label key' },
  { rule: 'a namespace selector with an invalid label value', edits: [[['networkPolicy'], { egressAllowList: [{ namespaceLabels: { 'kubernetes.io/metadata.name': 'registry/x' } }] }]], at: ['networkPolicy', 'egressAllowList', 0, 'namespaceLabels', 'kubernetes.io/metadata.name'], message: 'expected a label value of at most 63' },
  { rule: 'an allow-list with the policy disabled (it would be dropped)', edits: [[['networkPolicy'], { enabled: false, egressAllowList: [{ cidr: '203.0.113.10/32' }] }]], at: ['networkPolicy', 'egressAllowList'], message: 'is ignored: networkPolicy.enabled is false, so no NetworkPolicy is written and egress stays unrestricted' },
  // Issue 17 item 6: namespaces the Namespace object would relabel enforce: privileged.
  ...['default', 'kube-system', 'kube-public', 'kube-node-lease'].map(
    (ns): Row => ({ rule: `namespace ${ns}`, edits: [[['namespace'], ns]], at: ['namespace'], message: `expected a namespace of the runner's own, not "${ns}": the Namespace object would relabel it pod-security enforce: privileged` }),
  ),
  // Issue 17 item 6: jobEnv footguns.
  { rule: 'a jobEnv key that is no env name (A=B)', edits: [[['jobEnv'], { 'A=B': 'x' }]], at: ['jobEnv', 'A=B'], message: 'expected an environment variable name matching [A-Za-z_][A-Za-z0-9_]*, got "A=B"' },
  { rule: 'jobEnv.DOCKER_HOST (would point every job away from the pod\'s DinD)', edits: [[['jobEnv'], { DOCKER_HOST: 'tcp://docker.example.org:2375' }]], at: ['jobEnv', 'DOCKER_HOST'], message: 'would replace the DOCKER_HOST every job gets (tcp://127.0.0.1:2375, the pod\'s own DinD)' },
  { rule: 'a jobEnv key that shadows the bridged registry host', edits: [[['jobEnv'], { REGISTRY_HOST: 'evil.example.org' }]], at: ['jobEnv', 'REGISTRY_HOST'], message: "shadows the job credential's REGISTRY_HOST (jobCredential.envVars.registry)" },
  { rule: 'a jobEnv key that shadows the bridged API key', edits: [[['jobEnv'], { REGISTRY_KEY: 'x' }]], at: ['jobEnv', 'REGISTRY_KEY'], message: "shadows the job credential's REGISTRY_KEY (jobCredential.envVars.apiKey)" },
  // Job credential delivery (issue 18): the choice is required; forgejoSecret needs its settings.
  { rule: 'a job credential without a delivery', edits: [[['jobCredential', 'delivery'], undefined]], at: ['jobCredential', 'delivery'], message: 'expected the delivery of the key to jobs, one of "forgejoSecret" (a Forgejo Actions secret: masked in job logs, not given to fork pull requests), "envFile"' },
  { rule: 'delivery forgejoSecret without its settings', edits: [[['jobCredential', 'delivery'], 'forgejoSecret']], at: ['jobCredential', 'forgejoSecret'], message: 'expected forgejoSecret (scope and token' },
  {
    rule: 'forgejoSecret settings with delivery envFile',
    edits: [[['jobCredential', 'forgejoSecret'], { scope: { kind: 'org', org: 'infra' }, token: { item: 'Forgejo Writer', property: 'token' } }]],
    at: ['jobCredential', 'forgejoSecret'],
    message: 'expected delivery: forgejoSecret with forgejoSecret settings (delivery is envFile)',
  },
  {
    rule: 'an Actions secret name Forgejo reserves, defaulted from the key\'s env var name',
    edits: [
      [['jobCredential', 'delivery'], 'forgejoSecret'],
      [['jobCredential', 'envVars', 'apiKey'], 'GITHUB_REGISTRY_KEY'],
      [['jobCredential', 'forgejoSecret'], { scope: { kind: 'org', org: 'infra' }, token: { item: 'Forgejo Writer', property: 'token' } }],
    ],
    at: ['jobCredential', 'envVars', 'apiKey'],
    message: 'expected a name Forgejo does not reserve: not starting with FORGEJO_ and not containing GITEA_ or GITHUB_ (Forgejo answers 400), got "GITHUB_REGISTRY_KEY"; set jobCredential.forgejoSecret.secretName to choose a valid name',
  },
  {
    rule: 'a lower-case Actions secret name',
    edits: [
      [['jobCredential', 'delivery'], 'forgejoSecret'],
      [['jobCredential', 'forgejoSecret'], { scope: { kind: 'org', org: 'infra' }, token: { item: 'Forgejo Writer', property: 'token' }, secretName: 'registry_key' }],
    ],
    at: ['jobCredential', 'forgejoSecret', 'secretName'],
    message: 'expected a Forgejo Actions secret name: upper-case letters, digits and "_", not starting with a digit (e.g. REGISTRY_API_KEY), got "registry_key"',
  },
  {
    rule: 'an Actions secret repo scope without its owner',
    edits: [
      [['jobCredential', 'delivery'], 'forgejoSecret'],
      [['jobCredential', 'forgejoSecret'], { scope: { kind: 'repo', repo: 'cluster' }, token: { item: 'Forgejo Writer', property: 'token' } }],
    ],
    at: ['jobCredential', 'forgejoSecret', 'scope', 'owner'],
    message: 'expected scope.owner with scope kind repo',
  },
  {
    rule: 'an Actions secret org that is no Forgejo name',
    edits: [
      [['jobCredential', 'delivery'], 'forgejoSecret'],
      [['jobCredential', 'forgejoSecret'], { scope: { kind: 'org', org: 'in--fra' }, token: { item: 'Forgejo Writer', property: 'token' } }],
    ],
    at: ['jobCredential', 'forgejoSecret', 'scope', 'org'],
    message: 'expected a Forgejo user or organization name',
  },
  {
    rule: 'Reloader with delivery forgejoSecret (the pods hold no key)',
    edits: [
      [['jobCredential', 'delivery'], 'forgejoSecret'],
      [['jobCredential', 'reloader'], true],
      [['jobCredential', 'forgejoSecret'], { scope: { kind: 'org', org: 'infra' }, token: { item: 'Forgejo Writer', property: 'token' } }],
    ],
    at: ['jobCredential', 'reloader'],
    message: 'expected no reloader with delivery forgejoSecret',
  },
  {
    rule: 'a forge URL with a query, with delivery forgejoSecret (the Actions secrets API goes under it)',
    edits: [
      [['forgejoUrl'], 'https://forge.example.org/?x=1'],
      [['jobCredential', 'delivery'], 'forgejoSecret'],
      [['jobCredential', 'forgejoSecret'], { scope: { kind: 'org', org: 'infra' }, token: { item: 'Forgejo Writer', property: 'token' } }],
    ],
    at: ['forgejoUrl'],
    message: 'expected the Forgejo base URL without query or fragment, got "https://forge.example.org/?x=1"',
  },
  {
    rule: 'an Actions secret push interval that is no Go duration',
    edits: [
      [['jobCredential', 'delivery'], 'forgejoSecret'],
      [['jobCredential', 'forgejoSecret'], { scope: { kind: 'org', org: 'infra' }, token: { item: 'Forgejo Writer', property: 'token' }, pushRefreshInterval: 'hourly' }],
    ],
    at: ['jobCredential', 'forgejoSecret', 'pushRefreshInterval'],
    message: 'expected a Go duration such as "1h", "30m" or "1h30m", got "hourly"',
  },
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

// The Application's rules (ArgoApplication): its props and the values fields that feed them have
// other names (argocd.repoURL, and namespace for destinationNamespace), so each row names both.
describe('each Application rule gives the same error from ArgoApplication props and from a values file', () => {
  const applicationProps = (): ArgoApplicationProps => ({ destinationNamespace: 'ci-runners', repoURL: 'https://git.example.org/infra.git', path: 'out/manifests' });
  const buildApplication = (props: ArgoApplicationProps) => {
    const chart = new Chart(new App({ outdir: '/nonexistent-cdk8s-out' }), 'a', { disableResourceNameHashes: true });
    new ArgoApplication(chart, 'Application', props);
    return chart;
  };
  const rows: readonly { rule: string; prop: Edit; value: Edit; message: string }[] = [
    {
      rule: 'a repoURL with user:token@ (Argo CD would show it, git would keep it)',
      prop: [['repoURL'], 'https://ci:glpat-secret@git.example.org/infra.git'],
      value: [['argocd', 'repoURL'], 'https://ci:glpat-secret@git.example.org/infra.git'],
      message:
        'expected a URL without user info, got "https://***@git.example.org/infra.git" with a user name and password in it: the URL is written into the generated manifests, ' +
        'which are committed to git. Argo CD reads repository credentials from a Secret labelled argocd.argoproj.io/secret-type: repository',
    },
    { rule: 'a repoURL with token@', prop: [['repoURL'], 'https://tok@git.example.org/infra.git'], value: [['argocd', 'repoURL'], 'https://tok@git.example.org/infra.git'], message: 'expected a URL without user info, got "https://***@git.example.org/infra.git" with a user name or token in it' },
    { rule: 'an ssh repoURL with a password', prop: [['repoURL'], 'ssh://git:pw@git.example.org/infra.git'], value: [['argocd', 'repoURL'], 'ssh://git:pw@git.example.org/infra.git'], message: 'expected a URL without user info, got "ssh://***@git.example.org/infra.git" with a user name and password in it' },
    { rule: "the runner in Argo CD's own namespace", prop: [['destinationNamespace'], 'argocd'], value: [['namespace'], 'argocd'], message: 'expected a namespace other than Argo CD\'s own ("argocd", argocdNamespace): the runner\'s Namespace object would relabel it pod-security enforce: privileged' },
  ];

  test.each(rows.map((r) => [r.rule, r] as const))('%s', (_rule, row) => {
    const props = applicationProps();
    setAt(props, row.prop[0], row.prop[1]);
    expect(() => buildApplication(props)).toThrow(PropsError);
    let libraryError: PropsError | undefined;
    try {
      buildApplication(props);
    } catch (e) {
      libraryError = e as PropsError;
    }
    expect(libraryError!.problems.map((p) => formatPropPath(p.path))).toEqual([formatPropPath(row.prop[0])]);
    expect(libraryError!.message).toContain(`${formatPropPath(row.prop[0])}: ${row.message}`);
    // The credential itself is never repeated: errors end up in CI logs.
    expect(libraryError!.message).not.toMatch(/glpat-secret|:pw@|tok@/);

    const data = fixtureData();
    setAt(data, row.value[0], row.value[1]);
    const text = stringify(data);
    let valuesError: unknown;
    try {
      synthValuesText(text, FILE);
    } catch (e) {
      valuesError = e;
    }
    expect(valuesError).toBeInstanceOf(ValuesError);
    expect((valuesError as Error).message).toContain(`${FILE}:${lineOfField(text, row.value[0])}: ${formatPropPath(row.value[0])}: ${row.message}`);
  });

  test('an ssh repoURL may name its login user (the key, in Argo CD\'s repository Secret, is the secret)', () => {
    const data = fixtureData();
    data.argocd.repoURL = 'ssh://git@git.example.org:2222/infra.git';
    const application = synthValuesText(stringify(data), FILE).application;
    expect(JSON.stringify(application)).toContain('ssh://git@git.example.org:2222/infra.git');
  });

  test("Argo CD's namespace is the Application's argocdNamespace, whatever it is called", () => {
    expect(() => buildApplication({ ...applicationProps(), argocdNamespace: 'gitops', destinationNamespace: 'gitops' })).toThrow(
      /destinationNamespace: expected a namespace other than Argo CD's own \("gitops", argocdNamespace\)/,
    );
    expect(() => buildApplication({ ...applicationProps(), argocdNamespace: 'gitops', destinationNamespace: 'argocd' })).not.toThrow();
  });
});

// The rules behind the table, where only library props reach them or the accepted side matters.
describe('footguns the library props reach (issue 17 item 6)', () => {
  test.each(['0.0.0.0/0', '::/0', '203.0.113.10/32', '10.0.0.0/8', '2001:db8::/64', '::ffff:203.0.113.0/120'])('%s is an IP block', (block) => {
    expect(rules.cidr(block)).toBeUndefined();
  });
  test.each(['203.0.113.10', '010.0.0.0/8', '10.0.0.0/08', '10.0.0.0/-1', '10.0.0.0/8/8', 'fe80::1%eth0/64', '10.0.0/8', ' 10.0.0.0/8'])('%s is refused', (block) => {
    expect(rules.cidr(block)).toMatch(/^expected an IP block such as 203\.0\.113\.10\/32 or 2001:db8::\/64, got/);
  });

  test('an except strictly inside its cidr is written as given, IPv4 and IPv6', () => {
    const egressAllowList = [
      { cidr: '10.0.0.0/8', except: ['10.0.0.0/9', '10.255.255.255/32'] },
      { cidr: '2001:db8::/32', except: ['2001:db8:ffff::/48'] },
    ];
    const props = { ...libraryProps(), networkPolicy: { egressAllowList } };
    const policy = synthesizeChart(buildLibrary(props)).find((o) => o.object.kind === 'NetworkPolicy' && o.object.metadata.name === 'steady')!.object as any;
    expect(policy.spec.egress.slice(1).map((e: any) => e.to[0].ipBlock)).toEqual(egressAllowList);
  });

  test('each allow-list problem is reported once, though every pool gets a policy', () => {
    const props = { ...libraryProps(), networkPolicy: { egressAllowList: [{ cidr: 'abc/1' }] } };
    expect(() => buildLibrary(props)).toThrow(PropsError);
    try {
      buildLibrary(props);
    } catch (e) {
      expect((e as PropsError).problems.map((p) => formatPropPath(p.path))).toEqual(['networkPolicy.egressAllowList[0].cidr']);
    }
  });

  test('with createNamespace false a system namespace is still refused: privileged DinD does not belong beside the cluster\'s components', () => {
    for (const namespace of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
      expect(() => buildLibrary({ ...libraryProps(), namespace, createNamespace: false })).toThrow(
        `namespace: expected a namespace of the runner's own, not "${namespace}": the runner's pods run privileged DinD and arbitrary job code`,
      );
    }
    // A namespace of its own that someone else creates is fine.
    expect(() => buildLibrary({ ...libraryProps(), namespace: 'ci', createNamespace: false })).not.toThrow();
  });

  test('a standalone KEDA trigger refuses a credential in its address too', () => {
    expect(() => forgejoRunnerTriggerMetadata('ScaledJob x', { address: 'https://tok@forge.example.org', labels: ['x:docker://node:22'] })).toThrow(
      /ScaledJob x: forgejoUrl: expected a URL without user info, got "https:\/\/\*\*\*@forge\.example\.org" with a user name or token in it: .* The scaler authenticates with scalerToken/,
    );
  });
});
