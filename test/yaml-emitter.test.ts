// The YAML emitter must write text that YAML 1.2 and 1.1 parsers (kubectl, Argo CD, yamllint,
// forgejo-runner) read back as exactly the data it was given.
import { parse, parseAllDocuments } from 'yaml';
import { render } from '../src/output/render.js';
import { emitYaml } from '../src/util/yaml-emitter.js';
import { parseYamlText, rememberEmitted } from '../src/util/yaml-memo.js';
import { synthWith } from './helpers.js';

const tricky = [
  '', ' a', 'a ', 'true', 'True', 'no', 'No', 'on', 'off', 'y', 'n', 'yes', '~', 'null', '1', '-1', '1.5', '.5', '+1', '1e3',
  '0x1F', '0o17', '017', '12.7.0', '1:30', '.inf', '.NaN', '2026-11-25', '=', '<<', 'a: b', 'a:', 'a:b', 'a #b', 'a#b', '#a',
  '-', '- a', '-a', '--x', ':a', '?a', ',a', '{x}', '[x]', '*a', '&a', '!a', '|a', '>a', "'a'", '"a"', '%a', '@a', '`a`',
  'multi\nline', 'multi\nline\n', 'ends\n\n', 'trailing \nspace', '\tstarts with tab', ' \nx', 'a\\b', 'µs', 'ünï ✓',
  'k8s:docker://registry.ops.eblu.me/x:v1', 'tcp://127.0.0.1:2375', '{{ .ZOT_CI_API_KEY }}', "K='{{ .K }}'\n", 'CreateNamespace=true',
];

test.each(tricky.map((s) => [JSON.stringify(s), s]))('string %s round-trips as value, list item and key (YAML 1.2 and 1.1)', (_, s) => {
  const data = { value: s, list: [s], nested: { [s || 'empty']: s } };
  const text = emitYaml(data, { sortKeys: false });
  expect(parse(text)).toEqual(data);
  expect(parse(text, { version: '1.1' })).toEqual(data);
});

test('numbers, booleans, null, empty maps and lists keep their types', () => {
  const data = { n: 0, f: 1.5, neg: -3, t: true, f2: false, z: null, m: {}, l: [], deep: [{ name: 'a', x: [1, 'b'] }, {}] };
  expect(parse(emitYaml(data, { sortKeys: false }))).toEqual(data);
});

test('sortKeys sorts every level; comments land above their field; an unknown comment path is an error', () => {
  const text = emitYaml(
    { b: { d: 1, c: [{ name: 'x', v: 1 }] }, a: 1 },
    { sortKeys: true, comments: new Map([['b.c[name=x].v', 'why v'], ['a', 'why a']]) },
  );
  expect(text).toBe('# why a\na: 1\nb:\n  c:\n  - name: x\n    # why v\n    v: 1\n  d: 1\n');
  expect(() => emitYaml({ a: 1 }, { sortKeys: true, comments: new Map([['nope', 'x']]) })).toThrow('comment for "nope" names no field');
});

test.each([
  ['default values', () => synthWith()],
  ['Kubernetes 1.28, offline registration, two pools, resources', () =>
    synthWith((v) => {
      v.kubernetesVersion = '1.28';
      v.registration = { mode: 'offline', secretName: 'forgejo-runner-identity', item: 'Forgejo Secrets' };
      v.pools.push({ ...v.pools[0], name: 'big', runnerName: 'big', capacity: 4, dindResources: { limits: { memory: '8Gi' } } });
      v.dind.mtu = 1400;
    })],
])('every rendered file of %s parses back to the synthesized object', (_, make) => {
  const synthesis = make();
  const out = render(synthesis, { manifestsDir: 'm', applicationFile: 'a.yaml', source: 'values/x.yaml' });
  const objects = [...synthesis.manifests, synthesis.application].map((m) => m.object);
  const parsed = [...out.manifests.filter((f) => f.path !== 'kustomization.yaml'), out.application].map((f) => parseAllDocuments(f.text)[0]!.toJS());
  expect(parsed).toEqual(expect.arrayContaining(objects));
  expect(parsed).toHaveLength(objects.length);
  for (const m of synthesis.manifests.filter((o) => o.object.kind === 'ConfigMap')) {
    const text = (m.object as any).data['config.yaml'];
    expect(parseYamlText(text)).toEqual(parse(text)); // the remembered data is what the text says
  }
});

test('the memo answers only for the exact text it was given', () => {
  rememberEmitted('a: 1\n', { a: 1 });
  expect(parseYamlText('a: 1\n')).toEqual({ a: 1 });
  expect(parseYamlText('a: 2\n')).toEqual({ a: 2 });
});
