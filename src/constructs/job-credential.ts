// A registry credential for CI jobs: an API key in 1Password, copied into a Secret by an
// ExternalSecret, and handed to jobs one of two ways (docs/job-credential.md):
// - `forgejoSecret`: pushed into a Forgejo Actions secret by ESO (ForgejoActionsSecret); jobs
//   read `${{ secrets.NAME }}`, masked in logs and not given to fork pull requests; the runner
//   pods never hold the key;
// - `envFile`: given to the runner as an env var and to every job through runner.env_file,
//   fork pull requests included, unmasked.
// The registry host and user name are plain job env vars either way. The env var names are
// props: nothing here assumes a particular registry.
import { Construct } from 'constructs';
import { checkForgejoActionsSecretOptions, ForgejoActionsSecret, type ForgejoActionsSecretOptions } from './forgejo-actions-secret.ts';
import { dnsSubdomain, envVarName, forgejoApiBaseUrl, goDuration, JOB_CREDENTIAL_DELIVERIES, oneOf, registryHost, userName } from './rules.ts';
import { OnePasswordSecret, type SecretKeyHandle, type SecretStoreRef } from './onepassword-secret.ts';
import { PropsCheck, type PropPath } from './props-error.ts';

/** The env var names jobs (and the runner) get the credential under. */
export interface JobCredentialEnvVars {
  /** The API key (a Secret key handle in the runner, a line of the env file for jobs). */
  readonly apiKey: string;
  /** The registry host, a plain job env var. */
  readonly registry: string;
  /** The user name, a plain job env var. */
  readonly username: string;
}

/**
 * How jobs get the key.
 * - `forgejoSecret`: a Forgejo Actions secret kept in step by External Secrets (PushSecret);
 *   masked in job logs, not given to runs of pull requests from forks; the runner pods get
 *   nothing of the key. Needs `forgejoSecret` and ESO >= 0.20.4.
 * - `envFile`: a dotenv file in the Secret, named by runner.env_file: every job the runner takes,
 *   fork pull requests included, reads the key, unmasked in job logs.
 * - `none`: only the runner container gets the key (as an env var); jobs do not.
 */
export type JobCredentialDelivery = (typeof JOB_CREDENTIAL_DELIVERIES)[number];

/** Where the Actions secret goes (delivery `forgejoSecret`): ForgejoActionsSecret's options. */
export interface JobCredentialForgejoSecret extends ForgejoActionsSecretOptions {
  /** Name of the Actions secret, as workflows read it (`${{ secrets.NAME }}`). @default envVars.apiKey */
  readonly secretName?: string;
}

/** The credential as ForgejoRunner takes it (`jobCredential`). */
export interface JobCredentialOptions {
  /** Registry host with optional port, not a URL (e.g. registry.example.org). */
  readonly registry: string;
  /** Registry user name (no spaces, no ":"). */
  readonly username: string;
  /** 1Password item title holding the API key. */
  readonly item: string;
  /** Field of the item. @default credential */
  readonly property?: string;
  /** Secret (and ExternalSecret) name. @default the item title (it must then be a DNS-1123 subdomain) */
  readonly secretName?: string;
  /** How often ESO re-reads 1Password. @default 1h */
  readonly refreshInterval?: string;
  /** Env var names of the key, the registry and the user name. */
  readonly envVars: JobCredentialEnvVars;
  /**
   * How jobs get the key; required, because the choice decides which jobs can read it:
   * `forgejoSecret` (masked, not for fork pull requests), `envFile` (every job, unmasked) or
   * `none` (the runner container only).
   */
  readonly delivery: JobCredentialDelivery;
  /** The Forgejo Actions secret (delivery `forgejoSecret` only, and required there). @default none */
  readonly forgejoSecret?: JobCredentialForgejoSecret;
  /** Add Stakater Reloader's secret.reloader.stakater.com/reload annotation to Deployment pools (not with `forgejoSecret`: the pods hold no key). @default false */
  readonly reloader?: boolean;
  /** Comment for the reviewer above the ExternalSecret. @default `Registry credential of <username>@<registry> (1Password "<item>").` */
  readonly description?: string;
}

/** Props of JobCredential: the credential, and where its ExternalSecret goes. */
export interface JobCredentialProps extends JobCredentialOptions {
  readonly namespace: string;
  readonly store: SecretStoreRef;
  /** Forgejo base URL, for the Actions secrets API (delivery `forgejoSecret`, and required there). @default none */
  readonly forgejoUrl?: string;
  /** @default no labels */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The key of the Secret that holds the jobs' env file. */
const JOB_ENV_FILE = 'jobs.env';

/** The props rules of a credential, paths relative to the credential. */
export function checkJobCredential(check: PropsCheck, prefix: readonly (string | number)[], c: JobCredentialOptions): void {
  check.check([...prefix, 'registry'], registryHost(c.registry));
  check.check([...prefix, 'username'], userName(c.username));
  if (c.item === '') check.fail([...prefix, 'item'], 'expected the 1Password item title');
  if (c.property === '') check.fail([...prefix, 'property'], 'expected the 1Password field name');
  if (c.secretName !== undefined) check.check([...prefix, 'secretName'], dnsSubdomain(c.secretName));
  else if (dnsSubdomain(c.item) !== undefined) {
    check.problem({
      path: [...prefix, 'item'],
      message: `the Secret name defaults to the item title "${c.item}", which is not a DNS-1123 subdomain (lowercase letters, digits, "-", ".")`,
      override: [...prefix, 'secretName'],
    });
  }
  if (c.refreshInterval !== undefined) check.check([...prefix, 'refreshInterval'], goDuration(c.refreshInterval));
  for (const key of ['apiKey', 'registry', 'username'] as const) check.check([...prefix, 'envVars', key], envVarName(c.envVars[key]));
  checkDelivery(check, prefix, c);
}

/** Every delivery, as the error for a missing one says it. */
const DELIVERY_CHOICES =
  '"forgejoSecret" (a Forgejo Actions secret: masked in job logs, not given to fork pull requests), ' +
  '"envFile" (runner.env_file: every job, fork pull requests included, reads it unmasked) or "none" (the runner container only)';

function checkDelivery(check: PropsCheck, prefix: PropPath, c: JobCredentialOptions): void {
  const at = (...path: string[]) => [...prefix, ...path];
  if (c.delivery === undefined) {
    check.fail(at('delivery'), `expected the delivery of the key to jobs, one of ${DELIVERY_CHOICES}`);
    return;
  }
  if (!check.check(at('delivery'), oneOf(JOB_CREDENTIAL_DELIVERIES)(c.delivery))) return;
  if (c.delivery !== 'forgejoSecret') {
    if (c.forgejoSecret !== undefined) check.fail(at('forgejoSecret'), `expected delivery: forgejoSecret with forgejoSecret settings (delivery is ${c.delivery})`);
    return;
  }
  if (c.reloader === true) check.fail(at('reloader'), 'expected no reloader with delivery forgejoSecret: the runner pods hold no key, so a new one needs no restart');
  const f = c.forgejoSecret;
  if (f === undefined) {
    check.fail(at('forgejoSecret'), 'expected forgejoSecret (scope and token: where the Actions secret goes, and the Forgejo token that writes it) with delivery forgejoSecret');
    return;
  }
  // The secret name defaults to the key's env var name, which may be no Actions secret name.
  const [secretName, secretNameAt, override] =
    f.secretName !== undefined ? [f.secretName, at('forgejoSecret', 'secretName'), undefined] : [c.envVars.apiKey, at('envVars', 'apiKey'), at('forgejoSecret', 'secretName')];
  checkForgejoActionsSecretOptions(check, at('forgejoSecret'), f, secretName, secretNameAt, override);
}

/** The ExternalSecret of a job credential, and the handles pools consume. */
export class JobCredential extends Construct {
  public readonly secret: OnePasswordSecret<string, string>;
  /** Env vars of the runner container read from the Secret: the key (none with delivery `forgejoSecret`). */
  public readonly runnerEnv: Readonly<Record<string, SecretKeyHandle>>;
  /** The env file runner.env_file names (delivery `envFile`). */
  public readonly jobEnvFile?: SecretKeyHandle;
  /** Plain env vars for every job: the registry and the user name. */
  public readonly jobEnv: Readonly<Record<string, string>>;
  /** Deployment annotations (Reloader), when `reloader` is set. */
  public readonly workloadAnnotations?: Readonly<Record<string, string>>;
  /** The Forgejo Actions secret the key is pushed to (delivery `forgejoSecret`). */
  public readonly actionsSecret?: ForgejoActionsSecret;

  constructor(scope: Construct, id: string, props: JobCredentialProps) {
    super(scope, id);
    const check = new PropsCheck(`JobCredential ${props.secretName ?? props.item}`);
    checkJobCredential(check, [], props);
    if (props.delivery === 'forgejoSecret') {
      if (props.forgejoUrl === undefined) check.fail(['forgejoUrl'], 'expected the Forgejo base URL with delivery forgejoSecret (the Actions secrets API is under it)');
      else check.check(['forgejoUrl'], forgejoApiBaseUrl(props.forgejoUrl));
    }
    check.done();
    const key = props.envVars.apiKey;
    const envFile = props.delivery === 'envFile';
    const pushed = props.delivery === 'forgejoSecret';
    const secret = new OnePasswordSecret<string, string>(this, 'Secret', {
      name: props.secretName ?? props.item,
      namespace: props.namespace,
      store: props.store,
      labels: props.labels,
      refreshInterval: props.refreshInterval,
      keys: { [key]: { item: props.item, property: props.property ?? 'credential' } },
      dotenvFiles: envFile ? { [JOB_ENV_FILE]: [key] } : undefined,
      description: props.description ?? `Registry credential of ${props.username}@${props.registry} (1Password "${props.item}").`,
    });
    this.secret = secret;
    // forgejoSecret: the runner pods get nothing of the key (no env var, no file); Forgejo hands it
    // to the jobs that may have it, as a masked task secret.
    this.runnerEnv = pushed ? {} : { [key]: secret.key(key) };
    this.jobEnvFile = envFile ? secret.file(JOB_ENV_FILE) : undefined;
    this.jobEnv = { [props.envVars.registry]: props.registry, [props.envVars.username]: props.username };
    this.workloadAnnotations = props.reloader ? { 'secret.reloader.stakater.com/reload': secret.secretName } : undefined;
    if (pushed && props.forgejoSecret && props.forgejoUrl !== undefined) {
      const { secretName = key, ...options } = props.forgejoSecret;
      this.actionsSecret = new ForgejoActionsSecret(this, 'ActionsSecret', {
        ...options,
        secretName,
        namespace: props.namespace,
        store: props.store,
        forgejoUrl: props.forgejoUrl,
        value: secret.key(key),
        labels: props.labels,
      });
    }
  }
}
