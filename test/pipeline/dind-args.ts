// dind.extraArgs that would crash dockerd next to the generated daemon.json, or reopen the
// Docker API, fail at values time with the file, line and both fields named, and nothing is written.
import { join } from 'node:path';
import { stringify } from 'yaml';
import { App, Chart } from 'cdk8s';
import { dindArgConflicts } from '../../src/constructs/pool/dind-args.js';
import { OnePasswordSecret, PropsError } from '../../src/index.js';
import { dindArgs, dindSidecar, PodVolume, RunnerConfig, runnerPod } from '../../src/parts.js';
import { ValuesError } from '../../src/values/load.js';
import { defaultValuesData, git, runMain, tempRepo, writeValues, synthValuesText } from '../helpers.js';

function problems(mutate: (v: Record<string, any>) => void): string {
  const v = defaultValuesData();
  mutate(v);
  try {
    synthValuesText(stringify(v), 'values/bad.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(ValuesError);
    return (e as Error).message;
  }
  throw new Error('expected a ValuesError');
}

describe('dind.extraArgs against daemon.json and the host bindings', () => {
  test('--mtu=... with dind.mtu names both fields, with file and line (dockerd would refuse to start)', () => {
    const msg = problems((v) => (v.dind = { mtu: 1400, extraArgs: ['--debug', '--mtu=1450'] }));
    expect(msg).toMatch(/values\/bad\.yaml:\d+: dind\.extraArgs\[1\]: "--mtu=1450" repeats dind\.mtu, which daemon\.json already sets/);
  });

  test('--registry-mirror with dind.registryMirrors names both fields', () => {
    const msg = problems((v) => (v.dind.extraArgs = ['--registry-mirror=https://m.example']));
    expect(msg).toMatch(/dind\.extraArgs\[0\]: "--registry-mirror=https:\/\/m\.example" repeats dind\.registryMirrors/);
  });

  test('the same flags are fine when daemon.json does not set them (no false alarm)', () => {
    const v = defaultValuesData();
    v.dind = { extraArgs: ['--mtu=1450', '--registry-mirror=https://m.example'] };
    expect(() => synthValuesText(stringify(v), 'ok.yaml')).not.toThrow();
  });

  test.each(['--host=tcp://0.0.0.0:2375', '-H=tcp://0.0.0.0:2375', '-Htcp://0.0.0.0:2375', '-DH', '--config-file=/x.json'])(
    '%s is rejected in every case (it would reopen the API or bypass daemon.json)',
    (arg) => {
      expect(dindArgConflicts([arg], { mtu: false, registryMirrors: false })).toHaveLength(1);
    },
  );

  test('flags that touch neither are accepted', () => {
    expect(dindArgConflicts(['--debug', '--log-level=warn', '--storage-driver=overlay2', '-D'], { mtu: true, registryMirrors: true })).toEqual([]);
  });

  test('synth with a conflicting flag exits 1 and writes nothing', async () => {
    const repo = tempRepo();
    const v = defaultValuesData();
    v.dind.mtu = 1400;
    v.dind.extraArgs = ['--mtu=1450'];
    v.output = { manifests: 'argocd/manifests/bad', application: 'argocd/apps/bad.yaml' }; // not the committed file's outputs
    const file = writeValues(join(repo, 'values'), 'bad.yaml', stringify(v));
    const r = await runMain(['synth', '--root', repo, '--values', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/bad\.yaml:\d+: dind\.extraArgs\[0\]: "--mtu=1450" repeats dind\.mtu/);
    expect(r.stderr).toContain('nothing written');
    expect(git(repo, 'status', '--porcelain', '--untracked-files=no')).toBe('');
  });
});

// Issue 17 item 6: the exported parts check dockerd's args with the constructs' one rule
// (checkDindExtraArgs), so building a pod from parts cannot skip it. Imported from the package's
// ./parts entry, as a user of the parts would.
describe('the exported parts refuse the same dockerd args as the constructs', () => {
  const build = (dind: { mtu?: number; registryMirrors?: string[] } = {}) => {
    const chart = new Chart(new App({ outdir: '/nonexistent-cdk8s-out' }), 'parts', { disableResourceNameHashes: true });
    const secret = new OnePasswordSecret(chart, 'Token', { name: 'token', namespace: 'ns', store: { name: 'vault' }, keys: { RUNNER_TOKEN: { item: 'i', property: 'p' } } });
    const config = new RunnerConfig(chart, 'Config', {
      poolName: 'job',
      namespace: 'ns',
      labels: {},
      logLevel: 'info',
      capacity: 1,
      timeout: '1h',
      shutdownTimeout: '1h',
      terminationGracePeriodSeconds: 3900,
      dind,
    });
    const pod = (dindExtraArgs: string[]) =>
      runnerPod({
        runnerImage: 'code.forgejo.org/forgejo/runner:12.7.0',
        dindImage: 'docker:27-dind',
        forgejoUrl: 'https://forge.example.org',
        runnerName: 'job',
        labels: ['job:docker://node:22'],
        registration: { mode: 'token', tokenSecret: secret.envSource() },
        config,
        nativeSidecar: true,
        terminationGracePeriodSeconds: 3900,
        dindExtraArgs,
      });
    const sidecar = (extraArgs: string[]) =>
      dindSidecar({
        image: 'docker:27-dind',
        nativeSidecar: true,
        storage: PodVolume.emptyDir('dind-storage'),
        config: PodVolume.configMap('config', config.configMap),
        daemonJson: config.daemonJson,
        extraArgs,
      });
    return { pod, sidecar };
  };
  const propsError = (f: () => unknown): PropsError => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(PropsError);
      return e as PropsError;
    }
    throw new Error('expected a PropsError');
  };

  test.each([
    [['-H', 'tcp://0.0.0.0:2375'], 'the DinD API is bound to unix:///var/run/docker.sock and tcp://127.0.0.1:2375 only'],
    [['--config-file', '/etc/docker/other.json'], 'dockerd would read that file instead of the generated daemon.json'],
  ])('runnerPod() with dindExtraArgs %j: a PropsError at dindExtraArgs[0]', (args, message) => {
    const e = propsError(() => build().pod(args));
    expect(e.construct).toBe('runnerPod');
    expect(e.problems).toContainEqual({ path: ['dindExtraArgs', 0], message: expect.stringContaining(message) });
  });

  test('dindSidecar() refuses them at extraArgs, and dindArgs() too', () => {
    expect(propsError(() => build().sidecar(['-Htcp://0.0.0.0:2375'])).problems.map((p) => p.path)).toEqual([['extraArgs', 0]]);
    expect(propsError(() => dindArgs(['--debug', '--host=tcp://0.0.0.0:2375'], { mtu: false, registryMirrors: false })).problems.map((p) => p.path)).toEqual([['extraArgs', 1]]);
    expect(propsError(() => dindArgs(['debug'], { mtu: false, registryMirrors: false })).message).toContain('extraArgs[0]: expected a dockerd flag starting with "-", got "debug"');
  });

  test('the daemon.json conflicts are judged against the daemon.json the part mounts', () => {
    // The RunnerConfig writes mtu into daemon.json: --mtu next to it would stop dockerd from starting.
    expect(propsError(() => build({ mtu: 1400 }).pod(['--mtu=1450'])).message).toContain('dindExtraArgs[0]: "--mtu=1450" repeats dind.mtu');
    expect(propsError(() => build({ registryMirrors: ['https://mirror.example.org'] }).sidecar(['--registry-mirror=https://m2.example.org'])).problems[0]!.path).toEqual(['extraArgs', 0]);
    // Without mtu in daemon.json the same flag is fine, and it reaches dockerd's args.
    const spec = build().pod(['--mtu=1450']).spec;
    expect(spec.initContainers![0]!.args).toEqual(['dockerd', '--host=unix:///var/run/docker.sock', '--host=tcp://127.0.0.1:2375', '--mtu=1450']);
  });
});
