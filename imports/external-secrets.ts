// External Secrets Operator API types: the JSON shapes of the objects this project writes
// (ExternalSecret and SecretStore of external-secrets.io/v1, PushSecret of v1alpha1), field names
// as in ESO's CRDs. Type-only, as imports/k8s.ts, so the library depends on no model package: the
// CRD schemas are checked once, after synthesis (src/validate/schemas.ts, with
// @kubernetes-models/external-secrets). A field the constructs never set is left out.
import type { ObjectMeta } from './k8s.ts';

type StringMap = Record<string, string>;

/** The store an ExternalSecret reads or a PushSecret writes through. */
export interface StoreRef {
  kind?: 'SecretStore' | 'ClusterSecretStore';
  name: string;
}

export interface ExternalSecret {
  apiVersion: 'external-secrets.io/v1';
  kind: 'ExternalSecret';
  metadata: ObjectMeta;
  spec: {
    refreshInterval?: string;
    secretStoreRef: StoreRef;
    target: {
      name?: string;
      creationPolicy?: 'Owner' | 'Orphan' | 'Merge' | 'None';
      template?: { engineVersion?: 'v1' | 'v2'; metadata?: { labels?: StringMap; annotations?: StringMap }; data?: StringMap };
    };
    data?: { secretKey: string; remoteRef: { key: string; property?: string } }[];
  };
}

/** The webhook provider of a SecretStore (ESO apis/externalsecrets/v1 WebhookProvider). */
export interface WebhookProvider {
  method?: string;
  /** Go template of the URL. */
  url: string;
  /** Go templates of header values. */
  headers?: StringMap;
  /** Go template of the request body. */
  body?: string;
  timeout?: string;
  /** How to read a response (required by the CRD; a push reads none). */
  result: { jsonPath?: string };
  /** Secrets whose keys the templates read as .<name>.<key>. */
  secrets?: { name: string; secretRef: { name: string; key?: string } }[];
}

export interface SecretStore {
  apiVersion: 'external-secrets.io/v1';
  kind: 'SecretStore';
  metadata: ObjectMeta;
  spec: { provider: { webhook: WebhookProvider } };
}

export interface PushSecret {
  apiVersion: 'external-secrets.io/v1alpha1';
  kind: 'PushSecret';
  metadata: ObjectMeta;
  spec: {
    refreshInterval?: string;
    updatePolicy?: 'Replace' | 'IfNotExists';
    deletionPolicy?: 'Delete' | 'None';
    secretStoreRefs: StoreRef[];
    selector: { secret: { name: string } };
    data: { match: { secretKey: string; remoteRef: { remoteKey: string; property?: string } } }[];
  };
}
