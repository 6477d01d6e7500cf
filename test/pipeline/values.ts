// Values validation in-process: every error names the file, the line and the field path, says
// what was expected, and one run reports every problem.
import { loadValues } from '../../src/values/load.js';
import { DEFAULT_VALUES_FILE, defaultValuesData, synthValuesText, valuesProblems } from '../helpers.js';
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';

const defaultText = readFileSync(DEFAULT_VALUES_FILE, 'utf8');

const problems = (text: string) => valuesProblems(text);
const parseValues = (text: string, file: string) => synthValuesText(text, file);

const edit = (mutate: (v: Record<string, any>) => void) => {
  const v = defaultValuesData();
  mutate(v);
  return stringify(v);
};

test('the default values file is valid', () => {
  expect(() => loadValues(DEFAULT_VALUES_FILE)).not.toThrow();
});

test('an unknown key is rejected with a did-you-mean and its line', () => {
  const text = defaultText.replace('    capacity: 2', '    capacty: 2');
  const line = text.split('\n').findIndex((l) => l.includes('capacty')) + 1;
  expect(problems(text)).toContain(`values/bad.yaml:${line}: pools[0].capacty: unknown key "capacty" (did you mean "capacity"?)`);
});

test('an unknown key far from any known one lists the expected keys', () => {
  expect(problems(edit((v) => (v.jobCredential.colour = 'blue')))).toMatch(/jobCredential\.colour: unknown key "colour"; expected one of: registry, username, .*delivery/);
});

test('a wrong type names what was expected and what was found', () => {
  expect(problems(edit((v) => (v.pools[0].capacity = 'two')))).toMatch(/values\/bad\.yaml:\d+: pools\[0\]\.capacity: expected number, got string/);
});

test('a negative capacity is out of range', () => {
  expect(problems(edit((v) => (v.pools[0].capacity = -1)))).toMatch(/pools\[0\]\.capacity: expected a whole number >= 1, got -1/);
});

test('negative replicas are out of range; zero is allowed (parks the pool)', () => {
  expect(problems(edit((v) => (v.pools[0].replicas = -1)))).toMatch(/pools\[0\]\.replicas: expected a whole number >= 0, got -1/);
  expect(() => parseValues(edit((v) => (v.pools[0].replicas = 0)), 'ok.yaml')).not.toThrow();
});

test('an invalid env var name is rejected where it is used', () => {
  expect(problems(edit((v) => (v.jobCredential.envVars.apiKey = 'REGISTRY-KEY')))).toMatch(/jobCredential\.envVars\.apiKey: expected an environment variable name matching \[A-Za-z_\]\[A-Za-z0-9_\]\*/);
  expect(problems(edit((v) => (v.jobEnv = { '1BAD': 'x' })))).toMatch(/jobEnv\.1BAD: expected an environment variable name/);
});

test('duplicate pool names are rejected at the second one', () => {
  expect(problems(edit((v) => v.pools.push({ ...v.pools[0] })))).toMatch(
    /pools\[1\]\.name: expected a unique pool name; "forgejo-runner" is already used by pools\[0\]/,
  );
});

test('malformed YAML is reported with file and line', () => {
  const text = defaultText.replace('namespace: forgejo-runner', 'namespace: [forgejo-runner');
  expect(problems(text)).toMatch(/values\/bad\.yaml:\d+: \(document\): malformed YAML/);
});

test('an image reference with a space is rejected', () => {
  expect(problems(edit((v) => (v.images.dind = 'docker:27 dind')))).toMatch(/images\.dind: expected an image reference/);
});

test('an image without tag or digest is rejected (it would float to latest)', () => {
  expect(problems(edit((v) => (v.images.runner = 'code.forgejo.org/forgejo/runner')))).toMatch(/images\.runner: expected an image reference with an explicit tag or digest/);
});

test('URLs, durations, names and the Kubernetes version are checked', () => {
  const msg = problems(
    edit((v) => {
      v.forgejoUrl = 'forge.example.org';
      v.pools[0].timeout = '3 hours';
      v.namespace = 'Forgejo_Runner';
      v.dind.registryMirrors = ['not a url'];
    }),
  );
  expect(msg).toMatch(/forgejoUrl: expected an http:\/\/ or https:\/\/ URL/);
  expect(msg).toMatch(/pools\[0\]\.timeout: expected a Go duration/);
  expect(msg).toMatch(/namespace: expected a DNS-1123 label/);
  expect(msg).toMatch(/dind\.registryMirrors\[0\]: expected an http:\/\/ or https:\/\/ URL/);
  expect(msg).toMatch(/^values\/bad\.yaml: 4 problems in values/); // all of them, in one run
  // The file's own rules come first: a wrong type stops before the constructs are built.
  expect(problems(edit((v) => (v.kubernetesVersion = 1.3)))).toMatch(/kubernetesVersion: expected string, got number/);
});

test('a missing required field is named', () => {
  expect(problems(edit((v) => delete v.forgejoUrl))).toMatch(/forgejoUrl: missing; expected string/);
});

test('an unknown registration mode lists the modes', () => {
  expect(problems(edit((v) => (v.registration.mode = 'ephemeral')))).toMatch(/registration\.mode: expected one of: "token", "offline"/);
});

test('a values file that does not exist', () => {
  expect(() => loadValues('values/nope.yaml')).toThrow(/values\/nope\.yaml: \(document\): cannot read values: file does not exist/);
});

test('a document that is not a mapping', () => {
  expect(problems('- just\n- a list\n')).toContain('expected a YAML mapping of values');
});

describe('cross-field rules of the values file carry the line of the field to change', () => {
  const offline = { mode: 'offline', secretName: 'forgejo-runner-identity', item: 'Forgejo Secrets' };
  const lineOf = (text: string, needle: string, from = 0) => text.split('\n').findIndex((l, i) => i >= from && l.includes(needle)) + 1;

  test('offline registration with replicas > 1 points at the replicas line', () => {
    const text = edit((v) => ((v.registration = offline), (v.pools[0].replicas = 2)));
    expect(problems(text)).toContain(
      `values/bad.yaml:${lineOf(text, 'replicas: 2')}: pools[0].replicas: expected replicas 0 or 1 with registration.mode offline`,
    );
  });

  test('two offline pools reading one 1Password field point at the second pool', () => {
    const text = edit((v) => {
      v.registration = { ...offline, property: 'shared' };
      v.pools.push({ ...v.pools[0], name: 'second' });
    });
    expect(problems(text)).toContain(
      `values/bad.yaml:${lineOf(text, 'name: second')}: pools[1].name: expected a 1Password field of its own: pools[0] already reads "shared"`,
    );
  });

  test('a grace period shorter than shutdownTimeout points at terminationGracePeriodSeconds', () => {
    const text = edit((v) => (v.pools[0].terminationGracePeriodSeconds = 600));
    expect(problems(text)).toContain(
      `values/bad.yaml:${lineOf(text, 'terminationGracePeriodSeconds')}: pools[0].terminationGracePeriodSeconds: expected at least 10800 (shutdownTimeout 3h), got 600`,
    );
  });

  test('token registration may scale a pool, and a grace period covering shutdownTimeout passes', () => {
    expect(() => parseValues(edit((v) => ((v.pools[0].replicas = 3), (v.pools[0].terminationGracePeriodSeconds = 10800))), 'ok.yaml')).not.toThrow();
  });
});

describe('strings and numbers no reader may see differently are rejected at validation, naming the field', () => {
  const cases: [string, string, RegExp][] = [
    ['NEL (U+0085)', defaultText.replace('runnerName: k8s-runner', 'runnerName: "k8s\\x85runner"'), /pools\[0\]\.runnerName: value contains the control character U\+0085 \(NEL \(next line\)\)/],
    ['a C0 control', defaultText.replace('runnerName: k8s-runner', 'runnerName: "k8s\\x01runner"'), /pools\[0\]\.runnerName: value contains the control character U\+0001/],
    ['DEL', defaultText.replace('runnerName: k8s-runner', 'runnerName: "k8s\\x7frunner"'), /pools\[0\]\.runnerName: value contains the control character U\+007F \(DEL\)/],
    ['a carriage return', defaultText.replace('runnerName: k8s-runner', 'runnerName: "k8s\\rrunner"'), /value contains the control character U\+000D \(carriage return\)/],
    ['U+2028', defaultText.replace('runnerName: k8s-runner', 'runnerName: "k8s\\u2028runner"'), /value contains the control character U\+2028 \(line separator\)/],
    ['a C1 control in a key', defaultText.replace('runnerName: k8s-runner', '"x\\x9b": 1\n    runnerName: k8s-runner'), /key "x\?" contains the control character U\+009B/],
    ['.inf', defaultText.replace('replicas: 1', 'replicas: .inf'), /pools\[0\]\.replicas: expected a finite number, got \.inf/],
    ['.nan', defaultText.replace('replicas: 1', 'replicas: .nan'), /pools\[0\]\.replicas: expected a finite number, got \.nan/],
  ];
  test.each(cases)('%s', (_name, text, expected) => {
    const message = problems(text);
    expect(message).toMatch(expected);
    expect(message).toMatch(/values\/bad\.yaml:\d+: /); // the line is named
  });

  test('tab and newline stay allowed (the emitter quotes or blocks them)', () => {
    expect(() => parseValues(defaultText.replace('# ', '#\t'), 'values/ok.yaml')).not.toThrow();
  });

  test('a duration past Go\'s limit (2562047h) is rejected; the limit itself is accepted', () => {
    expect(problems(defaultText.replace('shutdownTimeout: 3h', 'shutdownTimeout: 2562048h'))).toMatch(
      /pools\[0\]\.shutdownTimeout: expected a duration of at most 2562047h/,
    );
    expect(() => parseValues(defaultText.replace('shutdownTimeout: 3h', 'shutdownTimeout: 2562047h'), 'values/ok.yaml')).not.toThrow();
  });
});
