// A Kubernetes object from its typed JSON body. The body's type (from imports/k8s.ts) checks
// every field at compile time; cdk8s adds the object to the construct tree for synthesis.
import { ApiObject } from 'cdk8s';
import type { Construct } from 'constructs';

interface KubeBody {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
}

export function kubeObject<T extends KubeBody>(scope: Construct, id: string, body: T): ApiObject {
  const { apiVersion, kind, metadata, ...rest } = body;
  return new ApiObject(scope, id, { apiVersion, kind, metadata: metadata as never, ...rest });
}
