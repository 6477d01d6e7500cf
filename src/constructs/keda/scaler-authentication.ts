// The Forgejo API token of KEDA's forgejo-runner scaler: its ExternalSecret and the
// TriggerAuthentication every ephemeral pool's trigger names.
import { Construct } from 'constructs';
import { OnePasswordSecret, type SecretStoreRef } from '../onepassword-secret.ts';
import type { PropsCheck, PropPath } from '../props-error.ts';
import { dnsSubdomain, goDuration } from '../rules.ts';
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
}

/** The rules of a scaler token at `prefix`. */
export function checkScalerToken(check: PropsCheck, prefix: PropPath, t: ForgejoScalerToken): void {
  if (t.item === '') check.fail([...prefix, 'item'], 'expected the 1Password item title');
  if (t.property === '') check.fail([...prefix, 'property'], 'expected the 1Password field name');
  if (t.secretName !== undefined) check.check([...prefix, 'secretName'], dnsSubdomain(t.secretName));
  if (t.refreshInterval !== undefined) check.check([...prefix, 'refreshInterval'], goDuration(t.refreshInterval));
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
    this.tokenSecret = new OnePasswordSecret(this, 'ScalerToken', {
      name: secretName,
      namespace: props.namespace,
      store: props.store,
      labels: props.secretLabels,
      refreshInterval: props.refreshInterval,
      keys: { token: { item: props.item, property: props.property ?? 'token' } },
      description: `Forgejo API token of KEDA's forgejo-runner scaler (1Password "${props.item}"); it only reads the job queue.`,
    });
    this.authentication = new ForgejoTokenAuthentication(this, 'ScalerAuthentication', {
      name: secretName,
      namespace: props.namespace,
      token: this.tokenSecret.key('token'),
      labels: props.labels,
    });
  }
}
