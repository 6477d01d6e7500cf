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
import { PushSecret, type IPushSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1alpha1/PushSecret';
import { SecretStore, type ISecretStore } from '@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStore';
import { GO_DURATION, durationSeconds } from '../util/duration.ts';
import { kubeObject } from './kube-object.ts';
import { explain, setFileStem } from './metadata.ts';
import { OnePasswordSecret, type OnePasswordField, type SecretKeyHandle, type SecretStoreRef } from './onepassword-secret.ts';

/** Where the Actions secret lives: an organization's secrets, or one repository's. */
export type ForgejoActionsSecretScope =
  /** Every repository of the organization; the token needs `write:organization` and org ownership. */
  | { readonly kind: 'org'; readonly org: string }
  /** One repository; the token needs `write:repository` and to own (admin) the repository. */
  | { readonly kind: 'repo'; readonly owner: string; readonly repo: string };

export interface ForgejoActionsSecretProps {
  /**
   * Base name of the objects: PushSecret `<name>`, SecretStore `<name>-forgejo-actions`,
   * ExternalSecret and Secret `<name>-forgejo-token`. A DNS-1123 label of at most 47 characters.
   * @default secretName in lower case with "_" as "-" (ZOT_CI_API_KEY -> zot-ci-api-key)
   */
  readonly name?: string;
  /** Namespace of every object; the credential's Secret (`value`) must be in it too. */
  readonly namespace: string;
  /** The External Secrets store that reads 1Password, for the Forgejo token's ExternalSecret. */
  readonly store: SecretStoreRef;
  /** Forgejo base URL (http or https, no user info, query or fragment); a sub-path is kept. */
  readonly forgejoUrl: string;
  /** Organization or repository whose Actions secret is written. */
  readonly scope: ForgejoActionsSecretScope;
  /**
   * The 1Password field of a Forgejo access token that may write the secret: scope
   * `write:organization` (org) or `write:repository` (repo), of a user who owns the org or repo.
   */
  readonly token: OnePasswordField;
  /** The Secret key whose value is pushed (e.g. `OnePasswordSecret.key('ZOT_CI_API_KEY')`). */
  readonly value: SecretKeyHandle;
  /**
   * Name of the Actions secret, as workflows read it: `${{ secrets.<secretName> }}`. Upper case,
   * digits and "_", not starting with a digit, not starting with FORGEJO_ and not containing
   * GITEA_ or GITHUB_ (Forgejo services/secrets/validation.go).
   */
  readonly secretName: string;
  /** How often ESO re-reads the token from 1Password (Go duration). @default 1h */
  readonly tokenRefreshInterval?: string;
  /** How often ESO pushes the value to Forgejo again (Go duration). @default 1h */
  readonly pushRefreshInterval?: string;
  /** Longest ESO waits for Forgejo's answer to one push (Go duration). @default 30s */
  readonly timeout?: string;
  /** @default no labels */
  readonly labels?: Readonly<Record<string, string>>;
}

/** Actions secret names Forgejo takes (services/secrets/validation.go `namePattern`, case aside: Forgejo stores them upper-cased). */
const SECRET_NAME = /^[A-Z_][A-Z0-9_]*$/;
/**
 * Forgejo's forbidden-prefix check is `(?i)^FORGEJO_|GITEA_|GITHUB_`: the `^` binds to FORGEJO_
 * only, so GITEA_ and GITHUB_ are refused anywhere in the name (services/secrets/validation.go).
 */
const FORBIDDEN_NAME = /^FORGEJO_|GITEA_|GITHUB_/;
/** Forgejo user and organization names (modules/validation/helpers.go `IsValidUsername`), at most 40 characters. */
const OWNER_NAME = /^[0-9A-Za-z][-.\w]*$/;
const OWNER_NAME_BAD = /[-._]{2,}|[-._]$/;
/** Forgejo repository names: ASCII letters, digits, "-", "_", "." (not "." or ".."), at most 100 characters. */
const REPO_NAME = /^[-.\w]+$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** Name of the store Secret in the webhook templates: `.forgejo.token`. */
const TOKEN_TEMPLATE_NAME = 'forgejo';
/** Key of the Forgejo token in its Secret. */
const TOKEN_KEY = 'token';

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
    const what = `ForgejoActionsSecret ${secretName}`;
    if (!SECRET_NAME.test(secretName)) {
      throw new Error(`${what}: secretName "${secretName}" is not a Forgejo Actions secret name; use upper-case letters, digits and "_", not starting with a digit (e.g. ZOT_CI_API_KEY)`);
    }
    if (FORBIDDEN_NAME.test(secretName)) {
      throw new Error(`${what}: secretName "${secretName}" starts with FORGEJO_ or contains GITEA_ or GITHUB_, which Forgejo reserves (it answers 400); choose another name`);
    }
    const name = props.name ?? secretName.toLowerCase().replace(/_+/g, '-').replace(/^-+|-+$/g, '');
    if (!DNS_LABEL.test(name) || name.length > 47) {
      throw new Error(`${what}: name "${name}" must be a DNS-1123 label of at most 47 characters (lowercase letters, digits, "-"); set name`);
    }
    if (props.value.namespace !== props.namespace) {
      throw new Error(
        `${what}: value comes from Secret ${props.value.secretName} in namespace ${props.value.namespace}, but a PushSecret reads Secrets only in its own namespace ${props.namespace}; create the credential's ExternalSecret in ${props.namespace}`,
      );
    }
    for (const [field, value] of [['tokenRefreshInterval', props.tokenRefreshInterval], ['pushRefreshInterval', props.pushRefreshInterval], ['timeout', props.timeout]] as const) {
      if (value !== undefined && (!GO_DURATION.test(value) || durationSeconds(value) <= 0)) {
        throw new Error(`${what}: ${field} "${value}" must be a Go duration greater than zero, such as "30s", "1h" or "1h30m"`);
      }
    }
    this.endpoint = `${forgejoApiBase(what, props.forgejoUrl)}/${scopePath(what, props.scope)}/actions/secrets`;
    this.secretName = secretName;
    const labels = props.labels ? { labels: { ...props.labels } } : {};

    this.token = new OnePasswordSecret(this, 'Token', {
      name: `${name}-forgejo-token`,
      namespace: props.namespace,
      store: props.store,
      keys: { token: props.token },
      refreshInterval: props.tokenRefreshInterval,
      labels: props.labels,
      secretLabels: { 'external-secrets.io/type': 'webhook' },
      description: `Forgejo token with ${props.scope.kind === 'org' ? 'write:organization' : 'write:repository'} scope, used only by ESO to write Actions secret ${secretName}`,
    });

    explain(
      this.token.resource,
      'spec.target.template.metadata.labels',
      'the webhook provider reads only Secrets with this label (ESO providers/v1/webhook getStoreSecret)',
    );

    const storeBody: ISecretStore = {
      apiVersion: 'external-secrets.io/v1',
      kind: 'SecretStore',
      metadata: { name: `${name}-forgejo-actions`, namespace: props.namespace, ...labels },
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
    };
    new SecretStore(storeBody).validate(); // against the external-secrets.io/v1 CRD schema
    this.secretStore = kubeObject(this, 'Store', storeBody);
    setFileStem(this.secretStore, `secretstore-${name}-forgejo-actions`);
    explain(this.secretStore, '', `Writes Forgejo Actions secrets of ${scopeText(props.scope)} through the API (ESO webhook provider, ESO >= 0.20.4)`);
    explain(this.secretStore, 'spec.provider.webhook.url', "explicit port: ESO's readiness check dials port 443 when the URL has none (runtime/esutils NetworkValidate)");
    explain(this.secretStore, 'spec.provider.webhook.method', 'PUT creates or replaces the secret (Forgejo answers 201 or 204)');
    explain(this.secretStore, 'spec.provider.webhook.headers', 'trim: a trailing newline in the stored token would break the header');
    explain(this.secretStore, 'spec.provider.webhook.body', 'toJson of a dict: any value becomes a valid JSON string (quote would write Go escapes JSON rejects)');
    explain(this.secretStore, 'spec.provider.webhook.result', 'required by the schema model; a push reads no response');
    explain(this.secretStore, 'spec.provider.webhook.secrets', `the token Secret's keys, as .${TOKEN_TEMPLATE_NAME}.<key> in the templates`);

    const pushBody: IPushSecret = {
      apiVersion: 'external-secrets.io/v1alpha1',
      kind: 'PushSecret',
      metadata: { name, namespace: props.namespace, ...labels },
      spec: {
        refreshInterval: props.pushRefreshInterval ?? '1h',
        updatePolicy: 'Replace',
        deletionPolicy: 'None',
        secretStoreRefs: [{ kind: 'SecretStore', name: storeBody.metadata!.name! }],
        selector: { secret: { name: props.value.secretName } },
        data: [{ match: { secretKey: props.value.key, remoteRef: { remoteKey: secretName } } }],
      },
    };
    new PushSecret(pushBody).validate(); // against the external-secrets.io/v1alpha1 CRD schema
    this.pushSecret = kubeObject(this, 'Push', pushBody);
    setFileStem(this.pushSecret, `pushsecret-${name}`);
    explain(this.pushSecret, '', `Forgejo Actions secret ${secretName}: masked in job logs, not given to fork pull requests`);
    explain(this.pushSecret, 'spec.refreshInterval', 'how long a rotated value takes to reach Forgejo after the Secret changed');
    explain(this.pushSecret, 'spec.updatePolicy', 'Replace: PUT on every refresh (IfNotExists would first GET a path Forgejo does not serve)');
    explain(this.pushSecret, 'spec.deletionPolicy', "None: ESO's webhook DELETE goes out without the token (external-secrets issue 6054); remove the secret in Forgejo by hand");
  }
}

/** The Forgejo API base with an explicit port: `https://forge.example:443/api/v1`. */
function forgejoApiBase(what: string, forgejoUrl: string): string {
  let u: URL;
  try {
    u = new URL(forgejoUrl);
  } catch {
    throw new Error(`${what}: forgejoUrl "${forgejoUrl}" is not a URL; give the Forgejo base URL, e.g. https://forge.example`);
  }
  if ((u.protocol !== 'https:' && u.protocol !== 'http:') || /\s/.test(forgejoUrl)) {
    throw new Error(`${what}: forgejoUrl "${forgejoUrl}" must be an http:// or https:// URL`);
  }
  if (u.username || u.password) {
    throw new Error(`${what}: forgejoUrl "${forgejoUrl}" carries user info; remove it (the token goes in the Authorization header)`);
  }
  if (u.search || u.hash || forgejoUrl.includes('?') || forgejoUrl.includes('#')) {
    throw new Error(`${what}: forgejoUrl "${forgejoUrl}" has a query or fragment; give the base URL only`);
  }
  if (u.pathname.includes('{') || u.pathname.includes('}') || u.pathname.includes('%')) {
    throw new Error(`${what}: forgejoUrl "${forgejoUrl}" has "{", "}" or "%" in its path, which the webhook URL template would misread`);
  }
  // WHATWG URL drops a scheme's default port; ESO needs it spelled out (see the url note).
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return `${u.protocol}//${u.hostname}:${port}${u.pathname.replace(/\/+$/, '')}/api/v1`;
}

function scopePath(what: string, scope: ForgejoActionsSecretScope): string {
  const owner = (field: string, value: unknown): string => {
    if (typeof value !== 'string' || !OWNER_NAME.test(value) || OWNER_NAME_BAD.test(value) || value.length > 40) {
      throw new Error(`${what}: scope.${field} "${String(value)}" is not a Forgejo user or organization name (letters, digits, "-", "_", ".", starting with a letter or digit, no two punctuation marks in a row or at the end)`);
    }
    return value;
  };
  switch (scope.kind) {
    case 'org':
      return `orgs/${owner('org', scope.org)}`;
    case 'repo': {
      const repo = scope.repo as unknown;
      if (typeof repo !== 'string' || !REPO_NAME.test(repo) || repo === '.' || repo === '..' || repo.length > 100) {
        throw new Error(`${what}: scope.repo "${String(repo)}" is not a Forgejo repository name (letters, digits, "-", "_", ".")`);
      }
      return `repos/${owner('owner', scope.owner)}/${repo}`;
    }
    default:
      throw new Error(`${what}: scope.kind "${String((scope as { kind?: unknown }).kind)}" is not org or repo; give { kind: 'org', org } or { kind: 'repo', owner, repo }`);
  }
}

function scopeText(scope: ForgejoActionsSecretScope): string {
  return scope.kind === 'org' ? `organization ${scope.org}` : `repository ${scope.owner}/${scope.repo}`;
}
