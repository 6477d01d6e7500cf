// dind.extraArgs that would crash dockerd next to the generated daemon.json, or reopen the
// Docker API, fail at values time with the file, line and both fields named, and nothing is written.
import { join } from 'node:path';
import { stringify } from 'yaml';
import { dindArgConflicts } from '../../src/constructs/pool/dind-args.js';
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
