// A Forgejo Actions secret kept in step with a Kubernetes Secret key by External Secrets Operator:
// ESO's `webhook` provider PUTs the value to Forgejo's Actions secrets API, so jobs read it as
// `${{ secrets.NAME }}`: masked in job logs by the runner and not given to runs of pull requests
// from forks (Forgejo services/actions/secret.go `getSecretsOfJob`). Three ESO objects do it:
//
// - an ExternalSecret for a Forgejo access token from 1Password, whose Secret carries the label
//   `external-secrets.io/type: webhook`: the webhook provider refuses unlabelled Secrets (ESO
//   providers/v1/webhook/pkg/webhook/webhook.go `getStoreSecret`, EnforceLabels set in
//   providers/v1/webhook/webhook.go `NewClient`);
// - a namespaced SecretStore with the webhook provider: PUT to
//   /api/v1/orgs/{org}/actions/secrets/{name} or /api/v1/repos/{owner}/{repo}/actions/secrets/{name}
//   (Forgejo routers/api/v1/api.go `addActionsRoutes`; org/action.go and repo/action.go
//   `CreateOrUpdateSecret` answer 201 created or 204 updated), body `{"data": value}`
//   (modules/structs/secret.go `CreateOrUpdateSecretOption`, `data` required);
// - a PushSecret (external-secrets.io/v1alpha1) that pushes one key of the credential's Secret.
//
// The templates are executed by ESO with Go text/template and ESO's copy of sprig's TxtFuncMap
// (providers/v1/webhook/pkg/webhook/webhook.go `ExecuteTemplate`, runtime/template/v2
// `FuncMap`) on a map[string]map[string]string (`PushWebhookData`, `GetTemplatePushData`):
//   .remoteRef.remoteKey       the PushSecret's remoteKey (URL: url.QueryEscape'd)
//   .remoteRef.secretKey       the key of the pushed Secret
//   .remoteRef.<remoteKey>     the pushed value (URL: escaped; body and headers: raw)
//   .<secrets[].name>.<key>    every key of each store Secret (`getTemplatedSecrets`)
// Push needs ESO >= v0.20.4: v0.20.3 and older declare the webhook provider read-only
// (pkg/provider/webhook/webhook.go `Capabilities`) and refuse to push.
import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { PushSecret, SecretStore } from '../../imports/external-secrets.ts';
import { kubeObject } from './kube-object.ts';
import { explain, setFileStem } from './metadata.ts';
import { checkSecretStore, OnePasswordSecret, type OnePasswordField, type SecretKeyHandle, type SecretStoreRef } from './onepassword-secret.ts';
import { PropsCheck, type PropPath } from './props-error.ts';
import {
  ACTIONS_SECRET_SCOPE_KINDS,
  actionsSecretName,
  dnsLabel,
  forgejoApiBaseUrl,
  forgejoRepoName,
  forgejoUserName,
  goDuration,
  labelValue,
  metadataKey,
  oneOf,
} from './rules.ts';

/** Where the Actions secret lives: an organization's secrets, or one repository's. */
export type ForgejoActionsSecretScope =
  /** Every repository of the organization; the token needs `write:organization` and org ownership. */
  | { readonly kind: 'org'; readonly org: string }
  /** One repository; the token needs `write:repository` and to own (admin) the repository. */
  | { readonly kind: 'repo'; readonly owner: string; readonly repo: string };

/** What says where and how the secret is written (JobCredentialOptions.forgejoSecret takes these). */
export interface ForgejoActionsSecretOptions {
  /** Organization or repository whose Actions secret is written. */
  readonly scope: ForgejoActionsSecretScope;
  /**
   * The 1Password field of a Forgejo access token that may write the secret: scope
   * `write:organization` (org) or `write:repository` (repo), of a user who owns the org or repo.
   */
  readonly token: OnePasswordField;
  /**
   * Base name of the objects: PushSecret `<name>`, SecretStore `<name>-forgejo-actions`,
   * ExternalSecret and Secret `<name>-forgejo-token`. A DNS-1123 label of at most 47 characters.
   * @default the secret name in lower case with "_" as "-" (REGISTRY_API_KEY -> registry-api-key)
   */
  readonly name?: string;
  /** How often ESO re-reads the token from 1Password (Go duration). @default 1h */
  readonly tokenRefreshInterval?: string;
  /** How often ESO pushes the value to Forgejo again (Go duration). @default 1h */
  readonly pushRefreshInterval?: string;
  /** Longest ESO waits for Forgejo's answer to one push (Go duration). @default 30s */
  readonly timeout?: string;
}

export interface ForgejoActionsSecretProps extends ForgejoActionsSecretOptions {
  /** Namespace of every object; the credential's Secret (`value`) must be in it too. */
  readonly namespace: string;
  /** The External Secrets store that reads 1Password, for the Forgejo token's ExternalSecret. */
  readonly store: SecretStoreRef;
  /** Forgejo base URL (http or https, no user info, query or fragment); a sub-path is kept. */
  readonly forgejoUrl: string;
  /** The Secret key whose value is pushed (e.g. `OnePasswordSecret.key('REGISTRY_API_KEY')`). */
  readonly value: SecretKeyHandle;
  /**
   * Name of the Actions secret, as workflows read it: `${{ secrets.<secretName> }}`. Upper case,
   * digits and "_", not starting with a digit, not starting with FORGEJO_ and not containing
   * GITEA_ or GITHUB_ (rules.ts `actionsSecretName`, after Forgejo services/secrets/validation.go).
   */
  readonly secretName: string;
  /** @default no labels */
  readonly labels?: Readonly<Record<string, string>>;
}

/** The longest base name: the longest object name, `<name>-forgejo-actions`, stays a DNS label. */
const MAX_NAME = 63 - '-forgejo-actions'.length;
/** Name of the store Secret in the webhook templates: `.forgejo.token`. */
const TOKEN_TEMPLATE_NAME = 'forgejo';
/** Key of the Forgejo token in its Secret. */
const TOKEN_KEY = 'token';

/** The base name of the objects: `name`, else derived from the secret name. */
export function actionsSecretObjectName(options: Pick<ForgejoActionsSecretOptions, 'name'>, secretName: string): string {
  return options.name ?? secretName.toLowerCase().replace(/_+/g, '-').replace(/^-+|-+$/g, '');
}

/**
 * The rules of the options at `prefix`, and of the secret name, which is checked at `secretNameAt`
 * (with `override`: the prop that sets it when it was derived from another, e.g. an env var name).
 */
export function checkForgejoActionsSecretOptions(
  check: PropsCheck,
  prefix: PropPath,
  o: ForgejoActionsSecretOptions,
  secretName: string,
  secretNameAt: PropPath,
  override?: PropPath,
): void {
  const secretProblem = actionsSecretName(secretName);
  if (secretProblem !== undefined) check.problem({ path: secretNameAt, message: secretProblem, ...(override ? { override } : {}) });
  const name = actionsSecretObjectName(o, secretName);
  if (o.name !== undefined || secretProblem === undefined) {
    const problem = dnsLabel(name) ?? (name.length > MAX_NAME ? `expected at most ${MAX_NAME} characters (the SecretStore is <name>-forgejo-actions), got ${name.length}` : undefined);
    if (problem !== undefined) {
      check.problem({
        path: o.name !== undefined ? [...prefix, 'name'] : secretNameAt,
        message: o.name !== undefined ? problem : `the object names default to "${name}", derived from the secret name: ${problem}`,
        ...(o.name === undefined ? { override: [...prefix, 'name'] } : {}),
      });
    }
  }
  checkScope(check, [...prefix, 'scope'], o.scope);
  if (o.token?.item === undefined || o.token.item === '') check.fail([...prefix, 'token', 'item'], 'expected the 1Password item title of the Forgejo token');
  if (o.token?.property === undefined || o.token.property === '') check.fail([...prefix, 'token', 'property'], 'expected the 1Password field of the Forgejo token');
  for (const field of ['tokenRefreshInterval', 'pushRefreshInterval', 'timeout'] as const) {
    const value = o[field];
    if (value !== undefined) check.check([...prefix, field], goDuration(value));
  }
}

/** The scope's kind and the fields of that kind (JavaScript callers and values files bypass the union type). */
function checkScope(check: PropsCheck, at: PropPath, scope: ForgejoActionsSecretScope | undefined): void {
  const fields = (scope ?? {}) as { readonly kind?: unknown; readonly [field: string]: unknown };
  if (!check.check([...at, 'kind'], oneOf(ACTIONS_SECRET_SCOPE_KINDS)(fields.kind))) return;
  const kind = fields.kind as ForgejoActionsSecretScope['kind'];
  const FIELDS = { org: ['org'], repo: ['owner', 'repo'] } as const;
  for (const field of Object.keys(fields)) {
    if (field !== 'kind' && !(FIELDS[kind] as readonly string[]).includes(field)) check.fail([...at, field], `expected only ${['kind', ...FIELDS[kind]].join(', ')} with scope kind ${kind}`);
  }
  for (const field of FIELDS[kind]) {
    const value = fields[field];
    if (typeof value !== 'string') check.fail([...at, field], `expected scope.${field} with scope kind ${kind}`);
    else check.check([...at, field], field === 'repo' ? forgejoRepoName(value) : forgejoUserName(value));
  }
}

export class ForgejoActionsSecret extends Construct {
  /** Name of the Actions secret in Forgejo (what workflows read as `secrets.<name>`). */
  public readonly secretName: string;
  /** The ExternalSecret of the Forgejo token (its Secret carries the webhook label). */
  public readonly token: OnePasswordSecret<'token'>;
  public readonly secretStore: ApiObject;
  public readonly pushSecret: ApiObject;
  /** The Actions secrets endpoint, without the secret name: `https://host:443/api/v1/orgs/x/actions/secrets`. */
  public readonly endpoint: string;

  constructor(scope: Construct, id: string, props: ForgejoActionsSecretProps) {
    super(scope, id);
    const secretName = props.secretName;
    const check = new PropsCheck(`ForgejoActionsSecret ${secretName}`);
    checkForgejoActionsSecretOptions(check, [], props, secretName, ['secretName']);
    check.check(['namespace'], dnsLabel(props.namespace));
    checkSecretStore(check, ['store'], props.store);
    check.check(['forgejoUrl'], forgejoApiBaseUrl(props.forgejoUrl));
    if (props.value.namespace !== props.namespace) {
      check.fail(
        ['value'],
        `expected a Secret in namespace ${props.namespace}: a PushSecret reads Secrets only in its own namespace, and Secret ${props.value.secretName} is in ${props.value.namespace}`,
      );
    }
    for (const [k, v] of Object.entries(props.labels ?? {})) {
      if (check.check(['labels', k], metadataKey(k))) check.check(['labels', k], labelValue(v));
    }
    check.done();
    const name = actionsSecretObjectName(props, secretName);
    this.endpoint = `${forgejoApiBase(props.forgejoUrl)}/${scopePath(props.scope)}/actions/secrets`;
    this.secretName = secretName;
    const labels = props.labels ? { labels: { ...props.labels } } : {};
    const writeScope = props.scope.kind === 'org' ? 'write:organization' : 'write:repository';

    this.token = new OnePasswordSecret(this, 'Token', {
      name: `${name}-forgejo-token`,
      namespace: props.namespace,
      store: props.store,
      keys: { token: props.token },
      refreshInterval: props.tokenRefreshInterval,
      labels: props.labels,
      secretLabels: { 'external-secrets.io/type': 'webhook' },
      description: `Forgejo token with ${writeScope} scope, used only by ESO to write Actions secret ${secretName}`,
    });
    explain(
      this.token.resource,
      'spec.target.template.metadata.labels',
      'the webhook provider reads only Secrets with this label (ESO providers/v1/webhook getStoreSecret)',
    );

    // The external-secrets.io CRD schemas are checked after synthesis (src/validate/schemas.ts).
    const storeName = `${name}-forgejo-actions`;
    this.secretStore = kubeObject<SecretStore>(this, 'Store', {
      apiVersion: 'external-secrets.io/v1',
      kind: 'SecretStore',
      metadata: { name: storeName, namespace: props.namespace, ...labels },
      spec: {
        provider: {
          webhook: {
            method: 'PUT',
            url: `${this.endpoint}/{{ .remoteRef.remoteKey }}`,
            headers: {
              'Content-Type': 'application/json',
              Authorization: `token {{ .${TOKEN_TEMPLATE_NAME}.${TOKEN_KEY} | trim }}`,
            },
            body: '{{ dict "data" (index .remoteRef .remoteRef.remoteKey) | toJson }}',
            timeout: props.timeout ?? '30s',
            result: {},
            secrets: [{ name: TOKEN_TEMPLATE_NAME, secretRef: { name: this.token.secretName, key: TOKEN_KEY } }],
          },
        },
      },
    });
    setFileStem(this.secretStore, `secretstore-${storeName}`);
    explain(this.secretStore, '', `Writes Forgejo Actions secrets of ${scopeText(props.scope)} through the API (ESO webhook provider, ESO >= 0.20.4)`);
    explain(this.secretStore, 'spec.provider.webhook.url', "explicit port: ESO's readiness check dials port 443 when the URL has none (runtime/esutils NetworkValidate)");
    explain(this.secretStore, 'spec.provider.webhook.method', 'PUT creates or replaces the secret (Forgejo answers 201 or 204)');
    explain(this.secretStore, 'spec.provider.webhook.headers', 'trim: a trailing newline in the stored token would break the header');
    explain(this.secretStore, 'spec.provider.webhook.body', 'toJson of a dict: any value becomes a valid JSON string (quote would write Go escapes JSON rejects)');
    explain(this.secretStore, 'spec.provider.webhook.result', 'required by the CRD schema; a push reads no response');
    explain(this.secretStore, 'spec.provider.webhook.secrets', `the token Secret's keys, as .${TOKEN_TEMPLATE_NAME}.<key> in the templates`);

    this.pushSecret = kubeObject<PushSecret>(this, 'Push', {
      apiVersion: 'external-secrets.io/v1alpha1',
      kind: 'PushSecret',
      metadata: { name, namespace: props.namespace, ...labels },
      spec: {
        refreshInterval: props.pushRefreshInterval ?? '1h',
        updatePolicy: 'Replace',
        deletionPolicy: 'None',
        secretStoreRefs: [{ kind: 'SecretStore', name: storeName }],
        selector: { secret: { name: props.value.secretName } },
        data: [{ match: { secretKey: props.value.key, remoteRef: { remoteKey: secretName } } }],
      },
    });
    setFileStem(this.pushSecret, `pushsecret-${name}`);
    explain(this.pushSecret, '', `Forgejo Actions secret ${secretName}: masked in job logs, not given to fork pull requests`);
    explain(this.pushSecret, 'spec.refreshInterval', 'how long a rotated value takes to reach Forgejo after the Secret changed');
    explain(this.pushSecret, 'spec.updatePolicy', 'Replace: PUT on every refresh (IfNotExists would first GET a path Forgejo does not serve)');
    explain(this.pushSecret, 'spec.deletionPolicy', "None: ESO's webhook DELETE goes out without the token (external-secrets issue 6054); remove the secret in Forgejo by hand");
  }
}

/** The Forgejo API base with an explicit port: `https://forge.example:443/api/v1` (the URL passed forgejoApiBaseUrl). */
function forgejoApiBase(forgejoUrl: string): string {
  const u = new URL(forgejoUrl);
  // WHATWG URL drops a scheme's default port; ESO needs it spelled out (see the url note).
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return `${u.protocol}//${u.hostname}:${port}${u.pathname.replace(/\/+$/, '')}/api/v1`;
}

function scopePath(scope: ForgejoActionsSecretScope): string {
  return scope.kind === 'org' ? `orgs/${scope.org}` : `repos/${scope.owner}/${scope.repo}`;
}

function scopeText(scope: ForgejoActionsSecretScope): string {
  return scope.kind === 'org' ? `organization ${scope.org}` : `repository ${scope.owner}/${scope.repo}`;
}
