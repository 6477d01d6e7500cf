// The KEDA TriggerAuthentication (or ClusterTriggerAuthentication) that hands the forgejo-runner
// scaler its Forgejo API token.
// The token comes from a Secret key (secretTargetRef), never from trigger metadata: metadata is
// plain text in git, and the scaler reads `token` only from auth params or a resolved env var
// (kedacore/keda pkg/scalers/forgejo_runner_scaler.go, `order=authParams;resolvedEnv`).
import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { kubeObject } from '../kube-object.ts';
import type { SecretKeyHandle } from '../onepassword-secret.ts';
import { explain } from '../metadata.ts';
import { PropsCheck } from '../props-error.ts';
import { dnsSubdomain, oneOf } from '../rules.ts';

/** The two kinds of KEDA authentication a trigger can name (ScaledJob CRD authenticationRef.kind). */
export type TriggerAuthenticationKind = 'TriggerAuthentication' | 'ClusterTriggerAuthentication';

/** Props of ForgejoTokenAuthentication. */
export interface ForgejoTokenAuthenticationProps {
  /** Name of the TriggerAuthentication. */
  readonly name: string;
  /**
   * TriggerAuthentication: its namespace (the ScaledJob's). ClusterTriggerAuthentication: KEDA's
   * namespace, where KEDA reads its Secret; the object itself is cluster-scoped.
   */
  readonly namespace: string;
  /**
   * `ClusterTriggerAuthentication`: cluster-scoped, its Secret read in KEDA's namespace
   * (kedacore/keda pkg/scaling/resolver/scale_resolvers.go getTriggerAuthSpec). The one that
   * works when the operator runs with KEDA_RESTRICT_SECRET_ACCESS=true, which makes KEDA read
   * every Secret in its own namespace only (resolveAuthSecret), so a namespaced
   * TriggerAuthentication's token would be empty.
   * @default TriggerAuthentication
   */
  readonly kind?: TriggerAuthenticationKind;
  /**
   * The Secret key holding the Forgejo access token (e.g. `OnePasswordSecret.key(...)`). Its read
   * scope must cover the trigger's scope: read:repository, read:organization, read:user or read:admin.
   */
  readonly token: SecretKeyHandle;
  /** @default no labels */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A KEDA TriggerAuthentication handing the forgejo-runner scaler its Forgejo API token from a Secret key. */
export class ForgejoTokenAuthentication extends Construct {
  /** Name to put in a trigger's authenticationRef. */
  public readonly name: string;
  /** Kind to put in a trigger's authenticationRef. */
  public readonly kind: TriggerAuthenticationKind;
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: ForgejoTokenAuthenticationProps) {
    super(scope, id);
    // The handle carries its OnePasswordSecret, so the Secret and key exist; KEDA reads Secrets
    // only in the TriggerAuthentication's own namespace.
    const kind = props.kind ?? 'TriggerAuthentication';
    const check = new PropsCheck(`ForgejoTokenAuthentication ${props.name}`);
    check.check(['name'], dnsSubdomain(props.name));
    check.check(['kind'], oneOf(['TriggerAuthentication', 'ClusterTriggerAuthentication'] as const)(kind));
    if (props.token.namespace !== props.namespace) {
      check.fail(
        ['token'],
        kind === 'ClusterTriggerAuthentication'
          ? `comes from Secret ${props.token.secretName} in namespace ${props.token.namespace}, but a ClusterTriggerAuthentication's Secret is read in KEDA's namespace ${props.namespace}`
          : `comes from Secret ${props.token.secretName} in namespace ${props.token.namespace}, but a TriggerAuthentication reads Secrets only in its own namespace ${props.namespace}`,
      );
    }
    check.done();
    // The keda.sh/v1alpha1 CRD schema is checked after synthesis (src/validate/schemas.ts).
    const body = {
      apiVersion: 'keda.sh/v1alpha1',
      kind,
      metadata: {
        name: props.name,
        // Cluster-scoped: no namespace (its Secret is looked up in KEDA's).
        ...(kind === 'TriggerAuthentication' ? { namespace: props.namespace } : {}),
        ...(props.labels ? { labels: { ...props.labels } } : {}),
      },
      spec: { secretTargetRef: [{ parameter: 'token', name: props.token.secretName, key: props.token.key }] },
    };
    this.name = props.name;
    this.kind = kind;
    this.resource = kubeObject(this, 'Resource', body);
    explain(
      this.resource,
      'spec.secretTargetRef',
      kind === 'ClusterTriggerAuthentication'
        ? `the scaler sends this Secret key (read in KEDA's namespace ${props.namespace}) as "Authorization: token ..." to the Forgejo API`
        : 'the scaler sends this Secret key as "Authorization: token ..." to the Forgejo API',
    );
  }
}
