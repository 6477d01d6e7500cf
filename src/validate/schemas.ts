// Schema validation of every synthesized object against its API's OpenAPI schema, before
// anything is written; the one place objects are schema-validated. Unknown kinds fail closed:
// nothing reaches Argo CD unchecked. Why after synthesis: escape hatches (JsonPatch, a raw
// ApiObject) change objects after the constructs built them, and the library does not load the
// schema validators (its runtime depends on cdk8s and constructs only).
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { ExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
import { PushSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1alpha1/PushSecret';
import { SecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStore';
import { Application } from '../../imports/argo-cd.ts';
import { ClusterTriggerAuthentication, ScaledJob, TriggerAuthentication } from '../../imports/keda.ts';
import type { SynthesizedObject } from '../synth/synthesize.ts';

interface Validatable {
  validate(): void;
}
type ModelClass = new (data: never) => Validatable;

const MODELS: Readonly<Record<string, ModelClass>> = {
  'v1/Namespace': Namespace as unknown as ModelClass,
  'v1/ConfigMap': ConfigMap as unknown as ModelClass,
  'apps/v1/Deployment': Deployment as unknown as ModelClass,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy as unknown as ModelClass,
  'external-secrets.io/v1/ExternalSecret': ExternalSecret as unknown as ModelClass,
  'external-secrets.io/v1/SecretStore': SecretStore as unknown as ModelClass,
  'external-secrets.io/v1alpha1/PushSecret': PushSecret as unknown as ModelClass,
  'argoproj.io/v1alpha1/Application': Application as unknown as ModelClass,
  'keda.sh/v1alpha1/ScaledJob': ScaledJob as unknown as ModelClass,
  'keda.sh/v1alpha1/TriggerAuthentication': TriggerAuthentication as unknown as ModelClass,
  'keda.sh/v1alpha1/ClusterTriggerAuthentication': ClusterTriggerAuthentication as unknown as ModelClass,
};

export interface SchemaProblem {
  readonly file: string;
  readonly kind: string;
  readonly name: string;
  /** JSON path of the field, e.g. /spec/template/spec/containers/0/image. */
  readonly field: string;
  readonly message: string;
}

export function validateSchemas(objects: readonly SynthesizedObject[]): SchemaProblem[] {
  const problems: SchemaProblem[] = [];
  for (const { file, object } of objects) {
    const where = { file, kind: object.kind, name: object.metadata?.name ?? '(unnamed)' };
    const Model = MODELS[`${object.apiVersion}/${object.kind}`];
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
