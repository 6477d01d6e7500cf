// The registration Secret of a runner installation: with token registration one ExternalSecret
// holding RUNNER_TOKEN (envFrom), with offline registration one holding each pool's 40-hex
// runner secret. It hands each pool its RunnerRegistration handle.
import { Construct } from 'constructs';
import { OnePasswordSecret, type SecretStoreRef } from './onepassword-secret.ts';
import type { RunnerRegistration } from './pool/types.ts';
import type { PropsCheck, PropPath } from './props-error.ts';
import { dnsSubdomain, goDuration, oneOf, REGISTRATION_MODES } from './rules.ts';

/** Where the runner's registration secret lives in 1Password. */
export interface ForgejoRunnerRegistration {
  /**
   * `token`: register once with a one-time token when the state file is missing.
   * `offline`: derive a fixed identity from a 40-hex secret per pool on every start.
   */
  readonly mode: (typeof REGISTRATION_MODES)[number];
  /** Secret (and ExternalSecret) name. */
  readonly secretName: string;
  /** 1Password item title. */
  readonly item: string;
  /** Field of the item. @default `runner_reg` (token); each pool's `runnerSecretProperty` (offline) */
  readonly property?: string;
  /** How often ESO re-reads 1Password (Go duration). @default 1h */
  readonly refreshInterval?: string;
}

/** A pool as the registration sees it. */
export interface RegisteredPool {
  readonly name: string;
  /** 1Password field with the pool's 40-hex runner secret (offline). @default registration.property, else the pool name */
  readonly runnerSecretProperty?: string;
}

/** The rules of a registration at `prefix`. */
export function checkRegistration(check: PropsCheck, prefix: PropPath, r: ForgejoRunnerRegistration): void {
  check.check([...prefix, 'mode'], oneOf(REGISTRATION_MODES)(r.mode));
  check.check([...prefix, 'secretName'], dnsSubdomain(r.secretName));
  if (r.item === '') check.fail([...prefix, 'item'], 'expected the 1Password item title');
  if (r.property === '') check.fail([...prefix, 'property'], 'expected the 1Password field name');
  if (r.refreshInterval !== undefined) check.check([...prefix, 'refreshInterval'], goDuration(r.refreshInterval));
}

/** The 1Password field an offline pool's secret is read from. */
export function runnerSecretPropertyOf(registration: ForgejoRunnerRegistration, pool: RegisteredPool): string {
  return pool.runnerSecretProperty ?? registration.property ?? pool.name;
}

/** Props of RunnerRegistrationSecret. */
export interface RunnerRegistrationSecretProps {
  readonly registration: ForgejoRunnerRegistration;
  readonly namespace: string;
  readonly store: SecretStoreRef;
  /** The pools (offline: one Secret key each, named after the pool). */
  readonly pools: readonly RegisteredPool[];
  /** @default no labels */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The registration ExternalSecret; `for(pool)` is the handle a pool registers with. */
export class RunnerRegistrationSecret extends Construct {
  public readonly secret: OnePasswordSecret<string, never>;
  private readonly handles: ReadonlyMap<string, RunnerRegistration>;

  constructor(scope: Construct, id: string, props: RunnerRegistrationSecretProps) {
    super(scope, id);
    const reg = props.registration;
    const common = { name: reg.secretName, namespace: props.namespace, store: props.store, labels: props.labels, refreshInterval: reg.refreshInterval };
    if (reg.mode === 'token') {
      const secret = new OnePasswordSecret(this, 'RegistrationToken', {
        ...common,
        keys: { RUNNER_TOKEN: { item: reg.item, property: reg.property ?? 'runner_reg' } },
        description: `Runner registration token (1Password "${reg.item}"); non-secret settings live in the Deployment so changing them rolls it.`,
      });
      this.secret = secret;
      const token: RunnerRegistration = { mode: 'token', tokenSecret: secret.envSource() };
      this.handles = new Map(props.pools.map((p) => [p.name, token]));
    } else {
      const secret = new OnePasswordSecret(this, 'RunnerIdentity', {
        ...common,
        keys: Object.fromEntries(props.pools.map((p) => [p.name, { item: reg.item, property: runnerSecretPropertyOf(reg, p) }])),
        description: `40-hex runner secrets (1Password "${reg.item}"), one per pool: the same secret always yields the same runner UUID.`,
      });
      this.secret = secret;
      this.handles = new Map(props.pools.map((p) => [p.name, { mode: 'offline', runnerSecret: secret.key(p.name) }]));
    }
  }

  /** The registration of one of the pools. */
  public for(pool: string): RunnerRegistration {
    const handle = this.handles.get(pool);
    if (!handle) throw new Error(`RunnerRegistrationSecret ${this.secret.secretName}: no pool "${pool}"; it has: ${[...this.handles.keys()].join(', ')}`);
    return handle;
  }
}
