// The KEDA TriggerAuthentication that hands the forgejo-runner scaler its Forgejo API token.
// The token comes from a Secret key (secretTargetRef), never from trigger metadata: metadata is
// plain text in git, and the scaler reads `token` only from auth params or a resolved env var
// (kedacore/keda pkg/scalers/forgejo_runner_scaler.go, `order=authParams;resolvedEnv`).
import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { TriggerAuthentication, type ITriggerAuthentication } from '../../../imports/keda.ts';
import { kubeObject } from '../kube-object.ts';
import type { SecretKeyHandle } from '../onepassword-secret.ts';
import { explain } from '../metadata.ts';

export interface ForgejoTokenAuthenticationProps {
  /** Name of the TriggerAuthentication. */
  readonly name: string;
  readonly namespace: string;
  /**
   * The Secret key holding the Forgejo access token (e.g. `OnePasswordSecret.key(...)`). Its read
   * scope must cover the trigger's scope: read:repository, read:organization, read:user or read:admin.
   */
  readonly token: SecretKeyHandle;
  /** @default no labels */
  readonly labels?: Readonly<Record<string, string>>;
}

export class ForgejoTokenAuthentication extends Construct {
  /** Name to put in a trigger's authenticationRef. */
  public readonly name: string;
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: ForgejoTokenAuthenticationProps) {
    super(scope, id);
    // The handle carries its OnePasswordSecret, so the Secret and key exist; KEDA reads Secrets
    // only in the TriggerAuthentication's own namespace.
    if (props.token.namespace !== props.namespace) {
      throw new Error(
        `ForgejoTokenAuthentication ${props.name}: token comes from Secret ${props.token.secretName} in namespace ` +
          `${props.token.namespace}, but a TriggerAuthentication reads Secrets only in its own namespace ${props.namespace}`,
      );
    }
    const body: ITriggerAuthentication = {
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'TriggerAuthentication',
      metadata: {
        name: props.name,
        namespace: props.namespace,
        ...(props.labels ? { labels: { ...props.labels } } : {}),
      },
      spec: { secretTargetRef: [{ parameter: 'token', name: props.token.secretName, key: props.token.key }] },
    };
    new TriggerAuthentication(body).validate(); // against the keda.sh/v1alpha1 CRD schema
    this.name = props.name;
    this.resource = kubeObject(this, 'Resource', body);
    explain(this.resource, 'spec.secretTargetRef', 'the scaler sends this Secret key as "Authorization: token ..." to the Forgejo API');
  }
}
