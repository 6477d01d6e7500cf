// Issue 17 items 5-6 through the CLI as the operator runs it: a credential in a URL or a footgun
// in a values file exits 1, names the file, line and field with the reason, never prints the
// credential, and leaves every byte of the repository as it was. A representative subset of the
// rule table (test/pipeline/rules.ts), on its fixture (not on any cluster's values file).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { git, PROJECT, runMain, tempRepo, writeValues, type CliResult } from '../helpers.js';

const fixture = (): Record<string, any> => parse(readFileSync(join(PROJECT, 'test', 'fixtures', 'rules.yaml'), 'utf8'));

/** Each case: an edit of the fixture, and what stderr must say. */
const cases: Record<string, { edit: (v: Record<string, any>) => void; expect: RegExp }> = {
  'a forge URL with user:password@': {
    edit: (v) => (v.forgejoUrl = 'https://ci:hunter2@forge.example.org'),
    expect: /bad\.yaml:\d+: forgejoUrl: expected a URL without user info, got "https:\/\/\*\*\*@forge\.example\.org" .*registration Secret/,
  },
  'a forge URL with token\\@ (user info for Go, none for WHATWG)': {
    edit: (v) => (v.forgejoUrl = 'https://hunter2\\@forge.example.org'),
    expect: /bad\.yaml:\d+: forgejoUrl: expected a URL without user info, got "https:\/\/\*\*\*@forge\.example\.org" with a user name or token in it/,
  },
  'a repoURL with token@': {
    edit: (v) => (v.argocd.repoURL = 'https://hunter2@git.example.org/infra.git'),
    expect: /bad\.yaml:\d+: argocd\.repoURL: expected a URL without user info, .*argocd\.argoproj\.io\/secret-type: repository/,
  },
  'a registry mirror with user:token@': {
    edit: (v) => (v.dind = { registryMirrors: ['https://ci:hunter2@mirror.example.org'] }),
    expect: /bad\.yaml:\d+: dind\.registryMirrors\[0\]: expected a URL without user info, .*moby registry ValidateMirror/,
  },
  'an egress CIDR 999.999.999.999/99': {
    edit: (v) => (v.networkPolicy = { egressAllowList: [{ cidr: '999.999.999.999/99' }] }),
    expect: /bad\.yaml:\d+: networkPolicy\.egressAllowList\[0\]\.cidr: expected an IP block .* is not an IPv4 or IPv6 address/,
  },
  ...Object.fromEntries(
    (['abc/1', '10.0.0.0/33', '2001:db8::/129'] as const).map((cidr) => [
      `an egress CIDR ${cidr}`,
      { edit: (v: Record<string, any>) => (v.networkPolicy = { egressAllowList: [{ cidr }] }), expect: /bad\.yaml:\d+: networkPolicy\.egressAllowList\[0\]\.cidr: expected an IP block such as 203\.0\.113\.10\/32/ },
    ]),
  ),
  'an except outside its cidr': {
    edit: (v) => (v.networkPolicy = { egressAllowList: [{ cidr: '10.0.0.0/8', except: ['192.168.0.0/16'] }] }),
    expect: /bad\.yaml:\d+: networkPolicy\.egressAllowList\[0\]\.except\[0\]: expected a block inside cidr 10\.0\.0\.0\/8, got "192\.168\.0\.0\/16", which lies outside it/,
  },
  'a namespace selector with an invalid label key': {
    edit: (v) => (v.networkPolicy = { egressAllowList: [{ namespaceLabels: { 'team name': 'registry' } }] }),
    expect: /bad\.yaml:\d+: networkPolicy\.egressAllowList\[0\]\.namespaceLabels\.team name: expected a Kubernetes label key/,
  },
  'an except equal to its cidr': {
    edit: (v) => (v.networkPolicy = { egressAllowList: [{ cidr: '10.0.0.0/8', except: ['10.0.0.0/8'] }] }),
    expect: /bad\.yaml:\d+: networkPolicy\.egressAllowList\[0\]\.except\[0\]: expected a block strictly inside cidr 10\.0\.0\.0\/8 .* is the whole cidr/,
  },
  'namespaceLabels: {} (the whole cluster)': {
    edit: (v) => (v.networkPolicy = { egressAllowList: [{ namespaceLabels: {} }] }),
    expect: /bad\.yaml:\d+: networkPolicy\.egressAllowList\[0\]\.namespaceLabels: is empty, which selects every namespace/,
  },
  'an allow-list with enabled: false': {
    edit: (v) => (v.networkPolicy = { enabled: false, egressAllowList: [{ cidr: '203.0.113.10/32' }] }),
    expect: /bad\.yaml:\d+: networkPolicy\.egressAllowList: is ignored: networkPolicy\.enabled is false/,
  },
  ...Object.fromEntries(
    ['default', 'kube-system', 'kube-public', 'kube-node-lease'].map((ns) => [
      `namespace ${ns}`,
      {
        edit: (v: Record<string, any>) => (v.namespace = ns),
        expect: new RegExp(`bad\\.yaml:\\d+: namespace: expected a namespace of the runner's own, not "${ns}": the Namespace object would relabel it pod-security enforce: privileged`),
      },
    ]),
  ),
  'namespace argocd (the Application\'s own)': {
    edit: (v) => (v.namespace = 'argocd'),
    expect: /bad\.yaml:\d+: namespace: expected a namespace other than Argo CD's own \("argocd", argocdNamespace\)/,
  },
  'jobEnv.DOCKER_HOST': {
    edit: (v) => (v.jobEnv = { DOCKER_HOST: 'tcp://docker.example.org:2375' }),
    expect: /bad\.yaml:\d+: jobEnv\.DOCKER_HOST: would replace the DOCKER_HOST every job gets/,
  },
  'a jobEnv key A=B': {
    edit: (v) => (v.jobEnv = { 'A=B': 'x' }),
    expect: /bad\.yaml:\d+: jobEnv\.A=B: expected an environment variable name/,
  },
  'a jobEnv key shadowing the bridged credential': {
    edit: (v) => (v.jobEnv = { REGISTRY_USER: 'someone-else' }),
    expect: /bad\.yaml:\d+: jobEnv\.REGISTRY_USER: shadows the job credential's REGISTRY_USER \(jobCredential\.envVars\.username\)/,
  },
};

describe('credentials in URLs and footguns: exit 1, the reason at file:line, the repository untouched (issue 17 items 5-6)', () => {
  const results = new Map<string, { result: CliResult; status: string; outputs: boolean }>();

  beforeAll(async () => {
    await Promise.all(
      Object.entries(cases).map(async ([name, c]) => {
        const repo = tempRepo();
        const data = fixture();
        c.edit(data);
        const file = writeValues(join(repo, 'values'), 'bad.yaml', stringify(data));
        const result = await runMain(['synth', '--root', repo, '--values', file]);
        results.set(name, {
          result,
          // Every file of the repository, untracked ones included: only the values file is new.
          status: git(repo, 'status', '--porcelain', '--untracked-files=all'),
          outputs: existsSync(join(repo, 'out')),
        });
      }),
    );
  });

  test.each(Object.keys(cases))('%s', (name) => {
    const { result, status, outputs } = results.get(name)!;
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(cases[name]!.expect);
    expect(result.stderr).toContain('synth: nothing written; the output on disk is unchanged');
    expect(result.stderr).not.toContain('hunter2'); // the credential is never echoed into a CI log
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(status).toBe('?? values/bad.yaml\n');
    expect(outputs).toBe(false);
  });

  test('the fixture itself synthesizes (the cases fail for their edit, not for the base)', async () => {
    const repo = tempRepo();
    const file = writeValues(join(repo, 'values'), 'ok.yaml', stringify(fixture()));
    const result = await runMain(['synth', '--root', repo, '--values', file]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(existsSync(join(repo, 'out', 'manifests', 'kustomization.yaml'))).toBe(true);
  });
});
