// A registry credential for CI jobs: an API key in 1Password, copied into a Secret by an
// ExternalSecret, given to the runner as an env var and (delivery `envFile`) to every job
// through runner.env_file, with the registry host and user name as plain job env vars. The env
// var names are props: nothing here assumes a particular registry.
import { Construct } from 'constructs';
import { dnsSubdomain, envVarName, goDuration, JOB_CREDENTIAL_DELIVERIES, oneOf, registryHost, userName } from './rules.ts';
import { OnePasswordSecret, type SecretKeyHandle, type SecretStoreRef } from './onepassword-secret.ts';
import { PropsCheck } from './props-error.ts';

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
 * How jobs get the key. `envFile`: a dotenv file in the Secret, named by runner.env_file (every
 * job reads it). `none`: only the runner container gets the key.
 */
export type JobCredentialDelivery = (typeof JOB_CREDENTIAL_DELIVERIES)[number];

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
  /** How jobs get the key. @default envFile */
  readonly delivery?: JobCredentialDelivery;
  /** Add Stakater Reloader's secret.reloader.stakater.com/reload annotation to Deployment pools. @default false */
  readonly reloader?: boolean;
  /** Comment for the reviewer above the ExternalSecret. @default `Registry credential of <username>@<registry> (1Password "<item>").` */
  readonly description?: string;
}

/** Props of JobCredential: the credential, and where its ExternalSecret goes. */
export interface JobCredentialProps extends JobCredentialOptions {
  readonly namespace: string;
  readonly store: SecretStoreRef;
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
  if (c.delivery !== undefined) check.check([...prefix, 'delivery'], oneOf(JOB_CREDENTIAL_DELIVERIES)(c.delivery));
}

/** The ExternalSecret of a job credential, and the handles pools consume. */
export class JobCredential extends Construct {
  public readonly secret: OnePasswordSecret<string, string>;
  /** Env vars of the runner container read from the Secret (the key). */
  public readonly runnerEnv: Readonly<Record<string, SecretKeyHandle>>;
  /** The env file runner.env_file names (delivery `envFile`). */
  public readonly jobEnvFile?: SecretKeyHandle;
  /** Plain env vars for every job: the registry and the user name. */
  public readonly jobEnv: Readonly<Record<string, string>>;
  /** Deployment annotations (Reloader), when `reloader` is set. */
  public readonly workloadAnnotations?: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: JobCredentialProps) {
    super(scope, id);
    const check = new PropsCheck(`JobCredential ${props.secretName ?? props.item}`);
    checkJobCredential(check, [], props);
    check.done();
    const key = props.envVars.apiKey;
    const envFile = (props.delivery ?? 'envFile') === 'envFile';
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
    this.runnerEnv = { [key]: secret.key(key) };
    this.jobEnvFile = envFile ? secret.file(JOB_ENV_FILE) : undefined;
    this.jobEnv = { [props.envVars.registry]: props.registry, [props.envVars.username]: props.username };
    this.workloadAnnotations = props.reloader ? { 'secret.reloader.stakater.com/reload': secret.secretName } : undefined;
  }
}
