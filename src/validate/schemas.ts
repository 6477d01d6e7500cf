// Schema validation of every synthesized object against its API's OpenAPI schema, before
// anything is written; the one place objects are schema-validated. Unknown kinds fail closed:
// nothing reaches Argo CD unchecked. Why after synthesis: escape hatches (JsonPatch, a raw
// ApiObject) change objects after the constructs built them, and the library does not load the
// schema validators (its runtime depends on cdk8s and constructs only).
import type { SynthesizedObject } from '../synth/synthesize.ts';

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

// Each kind's model is imported when an object of that kind is validated, not before: the
// validators are hundreds of small modules (the SecretStore schema alone holds every ESO
// provider), and a synth of Deployment pools has no KEDA or PushSecret object to check. Doing
// less work, not remembering any: each synth still validates every object it makes.
const MODELS: Readonly<Record<string, () => Promise<unknown>>> = {
  'v1/Namespace': async () => (await import('kubernetes-models/v1/Namespace')).Namespace,
  'v1/ConfigMap': async () => (await import('kubernetes-models/v1/ConfigMap')).ConfigMap,
  'apps/v1/Deployment': async () => (await import('kubernetes-models/apps/v1/Deployment')).Deployment,
  'networking.k8s.io/v1/NetworkPolicy': async () => (await import('kubernetes-models/networking.k8s.io/v1/NetworkPolicy')).NetworkPolicy,
  'external-secrets.io/v1/ExternalSecret': async () => (await import('@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret')).ExternalSecret,
  'external-secrets.io/v1/SecretStore': async () => (await import('@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStore')).SecretStore,
  'external-secrets.io/v1alpha1/PushSecret': async () => (await import('@kubernetes-models/external-secrets/external-secrets.io/v1alpha1/PushSecret')).PushSecret,
  'argoproj.io/v1alpha1/Application': async () => (await import('../../imports/argo-cd.ts')).Application,
  'keda.sh/v1alpha1/ScaledJob': async () => (await import('../../imports/keda.ts')).ScaledJob,
  'keda.sh/v1alpha1/TriggerAuthentication': async () => (await import('../../imports/keda.ts')).TriggerAuthentication,
  'keda.sh/v1alpha1/ClusterTriggerAuthentication': async () => (await import('../../imports/keda.ts')).ClusterTriggerAuthentication,
};

export interface SchemaProblem {
  readonly file: string;
  readonly kind: string;
  readonly name: string;
  /** JSON path of the field, e.g. /spec/template/spec/containers/0/image. */
  readonly field: string;
  readonly message: string;
}

export async function validateSchemas(objects: readonly SynthesizedObject[]): Promise<SchemaProblem[]> {
  const problems: SchemaProblem[] = [];
  const keys = [...new Set(objects.map(({ object }) => `${object.apiVersion}/${object.kind}`))];
  const models = new Map(await Promise.all(keys.filter((k) => k in MODELS).map(async (k) => [k, (await MODELS[k]!()) as ModelClass] as const)));
  for (const { file, object } of objects) {
    const where = { file, kind: object.kind, name: object.metadata?.name ?? '(unnamed)' };
    const Model = models.get(`${object.apiVersion}/${object.kind}`);
    if (!Model) {
      problems.push({ ...where, field: '/apiVersion', message: `no schema known for ${object.apiVersion} ${object.kind}; add its model to src/validate/schemas.ts` });
      continue;
    }
    try {
      // The model's constructor copies every plain object and array it is given (kubernetes-models
      // base Model: setDefinedProps/filterUndefinedValues), and validation only reads that copy:
      // the synthesized object is never touched, so no clone of our own is needed.
      new Model(object as never).validate();
    } catch (e) {
      const errors = (e as { errors?: { instancePath: string; message?: string; params?: Record<string, unknown> }[] }).errors;
      if (!errors) throw e;
      for (const err of errors) {
        const extra = err.params && 'missingProperty' in err.params ? `/${String(err.params.missingProperty)}` : '';
        problems.push({ ...where, field: `${err.instancePath}${extra}` || '/', message: err.message ?? 'invalid' });
      }
    }
  }
  return problems;
}

export function formatSchemaProblem(p: SchemaProblem): string {
  return `${p.file}: ${p.kind} ${p.name}: ${p.field}: ${p.message}`;
}
