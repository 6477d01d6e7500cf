// Schema validation of synthesized objects: a failure names the file, kind, name and field.
import { formatSchemaProblem, validateSchemas } from '../../src/validate/schemas.js';
import { synthWith } from '../helpers.js';

const { manifests, application } = synthWith();
const edited = (file: string, edit: (o: any) => void) =>
  [...manifests, application].map((m) => {
    if (m.file !== file) return m;
    const object = structuredClone(m.object) as any;
    edit(object);
    return { ...m, object };
  });

test('every default object validates against its schema', () => {
  expect(validateSchemas([...manifests, application])).toEqual([]);
});

test('a Deployment field of the wrong type is named with its path', () => {
  const problems = validateSchemas(edited('deployment-forgejo-runner.yaml', (d) => (d.spec.replicas = 'one'))).map(formatSchemaProblem);
  expect(problems).toEqual(['deployment-forgejo-runner.yaml: Deployment forgejo-runner: /spec/replicas: must be integer']);
});

test('an ExternalSecret missing a required field fails the ESO v1 CRD schema', () => {
  const problems = validateSchemas(edited('externalsecret-registry-ci-apikey.yaml', (e) => delete e.spec.data[0].remoteRef)).map(formatSchemaProblem);
  expect(problems).toEqual(['externalsecret-registry-ci-apikey.yaml: ExternalSecret registry-ci-apikey: /spec/data/0/remoteRef: must have required property remoteRef']);
});

test('an Application with a wrong type fails the Argo CD schema', () => {
  const problems = validateSchemas(edited(application.file, (a) => (a.spec.source.path = 42))).map(formatSchemaProblem);
  expect(problems).toEqual(['forgejo-runner.yaml: Application forgejo-runner: /spec/source/path: must be string']);
});

test('an object of a kind without a known schema fails closed', () => {
  const problems = validateSchemas(edited('namespace-forgejo-runner.yaml', (n) => (n.kind = 'Secret'))).map(formatSchemaProblem);
  expect(problems).toEqual([
    'namespace-forgejo-runner.yaml: Secret forgejo-runner: /apiVersion: no schema known for v1 Secret; add its model to src/validate/schemas.ts',
  ]);
});

test('validation leaves the synthesized objects exactly as they were (they are rendered afterwards)', () => {
  const all = [...manifests, application];
  const before = structuredClone(all.map((m) => m.object));
  validateSchemas(all);
  validateSchemas(edited('deployment-forgejo-runner.yaml', (d) => (d.spec.template.spec.containers[0].ports = [{ containerPort: 'x' }])));
  expect(all.map((m) => m.object)).toEqual(before);
});
