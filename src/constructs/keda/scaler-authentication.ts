// The Forgejo API token of KEDA's forgejo-runner scaler: its ExternalSecret and the
// TriggerAuthentication every ephemeral pool's trigger names.
import { Construct } from 'constructs';
import { OnePasswordSecret, type SecretStoreRef } from '../onepassword-secret.ts';
import type { PropsCheck, PropPath } from '../props-error.ts';
import { dnsLabel, dnsSubdomain, goDuration } from '../rules.ts';
import { ForgejoTokenAuthentication } from './trigger-authentication.ts';

/** The Forgejo API token KEDA's forgejo-runner scaler polls with, in 1Password. */
export interface ForgejoScalerToken {
  /** 1Password item title. */
  readonly item: string;
  /** Field of the item. @default token */
  readonly property?: string;
  /** Secret (and ExternalSecret) name; also the TriggerAuthentication's name. @default forgejo-scaler-token */
  readonly secretName?: string;
  /** How often ESO re-reads 1Password (Go duration). @default 1h */
  readonly refreshInterval?: string;
  /**
   * KEDA's namespace (its operator's, or KEDA_CLUSTER_OBJECT_NAMESPACE). When set, the token's
   * ExternalSecret goes there and a cluster-scoped ClusterTriggerAuthentication names it: what
   * works when KEDA runs with KEDA_RESTRICT_SECRET_ACCESS=true (KEDA then reads Secrets only in
   * its own namespace). Needs a ClusterSecretStore (a SecretStore serves one namespace), and an
   * Argo CD project that may write there.
   * @default unset: a TriggerAuthentication and the token Secret in the runner's namespace
   */
  readonly kedaNamespace?: string;
}

/** The rules of a scaler token at `prefix`. */
export function checkScalerToken(check: PropsCheck, prefix: PropPath, t: ForgejoScalerToken): void {
  if (t.item === '') check.fail([...prefix, 'item'], 'expected the 1Password item title');
  if (t.property === '') check.fail([...prefix, 'property'], 'expected the 1Password field name');
  if (t.secretName !== undefined) check.check([...prefix, 'secretName'], dnsSubdomain(t.secretName));
  if (t.refreshInterval !== undefined) check.check([...prefix, 'refreshInterval'], goDuration(t.refreshInterval));
  if (t.kedaNamespace !== undefined) check.check([...prefix, 'kedaNamespace'], dnsLabel(t.kedaNamespace));
}

/** A ClusterTriggerAuthentication's Secret lives in KEDA's namespace: only a ClusterSecretStore can fill it. */
export function checkScalerTokenStore(check: PropsCheck, prefix: PropPath, t: ForgejoScalerToken, store: SecretStoreRef): void {
  if (t.kedaNamespace !== undefined && store.kind === 'SecretStore') {
    check.fail(
      [...prefix, 'kedaNamespace'],
      `expected a ClusterSecretStore with kedaNamespace: the token's ExternalSecret goes to namespace ${t.kedaNamespace}, which SecretStore ${store.name} does not serve`,
    );
  }
}

/** Props of ForgejoScalerAuthentication: the token in 1Password, and where its objects go. */
export interface ForgejoScalerAuthenticationProps extends ForgejoScalerToken {
  readonly namespace: string;
  readonly store: SecretStoreRef;
  /** Labels of the ExternalSecret. @default no labels */
  readonly secretLabels?: Readonly<Record<string, string>>;
  /** Labels of the TriggerAuthentication. @default no labels */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The scaler's token Secret and the TriggerAuthentication that hands it to KEDA. */
export class ForgejoScalerAuthentication extends Construct {
  public readonly tokenSecret: OnePasswordSecret<'token', never>;
  public readonly authentication: ForgejoTokenAuthentication;

  constructor(scope: Construct, id: string, props: ForgejoScalerAuthenticationProps) {
    super(scope, id);
    const secretName = props.secretName ?? 'forgejo-scaler-token';
    const secretNamespace = props.kedaNamespace ?? props.namespace;
    this.tokenSecret = new OnePasswordSecret(this, 'ScalerToken', {
      name: secretName,
      namespace: secretNamespace,
      store: props.store,
      labels: props.secretLabels,
      refreshInterval: props.refreshInterval,
      keys: { token: { item: props.item, property: props.property ?? 'token' } },
      description: `Forgejo API token of KEDA's forgejo-runner scaler (1Password "${props.item}"); it only reads the job queue.`,
    });
    this.authentication = new ForgejoTokenAuthentication(this, 'ScalerAuthentication', {
      name: secretName,
      namespace: secretNamespace,
      kind: props.kedaNamespace !== undefined ? 'ClusterTriggerAuthentication' : 'TriggerAuthentication',
      token: this.tokenSecret.key('token'),
      labels: props.labels,
    });
  }
}
