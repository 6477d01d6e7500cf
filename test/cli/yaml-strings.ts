// Strings that other YAML readers are known to read differently, rendered by the real output
// stage (render + the yaml library) and read back by the consumer: `kubectl kustomize`, the
// Go YAML reader behind Argo CD. Every value must come back exactly as it went in, both as a map
// value and as a sequence entry (where `a:\tb` once read back as a mapping).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, parse } from 'yaml';
import { render } from '../../src/output/render.js';
import { emitYaml } from '../../src/util/yaml.js';
import type { Synthesis } from '../../src/synth/synthesize.js';
import { tempDir } from '../helpers.js';

const TRICKY: readonly string[] = [
  'quo"te', "it's", `both "double" and 'single'`, 'a:\tb', 'a: b', 'a:b', '# not a comment', 'a #b', 'a# b',
  '  leading spaces', 'trailing  ', '\ttab first', 'tab\tinside', '\n  indented after a blank first line',
  'line1\nline2\n', 'line1\n\n  indented\n', 'no final newline\nsecond', 'ends with blank lines\n\n', ' \n', '\t\n', '\n \nx', 'a\n \n', '',
  ' ', 'unicode: ü ∑ 😀 中文', 'yes', 'no', 'on', 'off', 'y', 'n', 'Yes', 'NO', 'true', 'False', 'null', '~', 'Null',
  '0755', '0o17', '1e3', '0x1F', '.inf', '-.inf', '.nan', '1:20', '190:20:30', '2024-01-01', '2001-12-14t21:59:43.10-05:00',
  '12.50', '1_000', '+1', '-', '- a', '? x', '?', '@at', '`tick', '%pct', '*star', '&amp', '!bang', '|pipe', '>gt',
  '[x]', '{x: 1}', ',', '=', '<<', '---', '...', 'a\n---\nb', 'a\n...\nb', `${'long '.repeat(60)}end`,
  '{{ .REGISTRY_API_KEY }}', 'C:\\path\\to', 'back\\slash', 'dollar $HOME ${X}', '"', "'",
];

test('every tricky string survives render -> kubectl kustomize -> parse, as a value and as a list entry', () => {
  const data = Object.fromEntries(TRICKY.map((s, i) => [`k${String(i).padStart(3, '0')}`, s]));
  const object = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'tricky', namespace: 'ns', annotations: { 'example.org/list': JSON.stringify(TRICKY) } },
    data,
  };
  // A sequence of strings, in a field kustomize passes through verbatim (a CRD-like kind).
  const custom = { apiVersion: 'example.org/v1', kind: 'Tricky', metadata: { name: 'tricky', namespace: 'ns' }, spec: { items: TRICKY } };
  const synthesis = {
    manifests: [
      { file: 'configmap.yaml', object, notes: new Map([['data', 'why: a review note above a field']]) },
      { file: 'tricky.yaml', object: custom, notes: new Map() },
    ],
    application: { file: 'app.yaml', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } }, notes: new Map() },
  } as unknown as Synthesis;
  const out = render(synthesis, { manifestsDir: 'm', applicationFile: 'app.yaml', source: 'values/x.yaml' });
  const dir = tempDir('frc-tricky-');
  mkdirSync(join(dir, 'm'));
  for (const f of out.manifests) writeFileSync(join(dir, 'm', f.path), f.text);
  const built = execFileSync('kubectl', ['kustomize', join(dir, 'm')], { encoding: 'utf8' });
  const docs = parseAllDocuments(built).map((d) => d.toJS());
  const cm = docs.find((d) => d.kind === 'ConfigMap');
  const tricky = docs.find((d) => d.kind === 'Tricky');
  for (const [key, value] of Object.entries(data)) expect({ key, value: cm.data[key] }).toEqual({ key, value });
  TRICKY.forEach((value, i) => expect({ i, value: tricky.spec.items[i] }).toEqual({ i, value }));
  // kustomize's reader resolves like YAML 1.2; older Go readers (go-yaml v2) use YAML 1.1, where
  // yes/no/on/off are booleans and 1:20 is a number. The rendered text must mean the same there.
  const as11 = parse(out.manifests.find((f) => f.path === 'configmap.yaml')!.text, { version: '1.1' });
  for (const [key, value] of Object.entries(data)) expect({ key, value: as11.data[key] }).toEqual({ key, value });
});

test('the emitter keeps the kubectl layout: lists at their key, literal blocks, comments above fields', () => {
  const text = emitYaml(
    { b: ['x', { name: 'c', v: 1 }], a: 'one\ntwo\n', e: [], f: {} },
    { sortKeys: true, comments: new Map([['a', 'why a'], ['b[name=c]', 'why c\n\nsecond paragraph']]) },
  );
  expect(text).toBe('# why a\na: |\n  one\n  two\nb:\n- x\n# why c\n#\n# second paragraph\n- name: c\n  v: 1\ne: []\nf: {}\n');
  expect(parse(text)).toEqual({ a: 'one\ntwo\n', b: ['x', { name: 'c', v: 1 }], e: [], f: {} });
});

test('a review note that names no field is an error, not a silently dropped comment', () => {
  expect(() => emitYaml({ a: 1 }, { sortKeys: true, comments: new Map([['b', 'why']]) })).toThrow('comment for "b" names no field');
});
