// ForgejoActionsSecret built from props: the three ESO objects it synthesizes, its rules, schema
// validation, and its webhook templates run by their real consumers:
// - Go's text/template + sprig, executed the way ESO's webhook provider executes them for a push
//   (test/go/eso-webhook/main.go replays providers/v1/webhook/pkg/webhook/webhook.go), for hostile
//   values: the body must JSON-parse to exactly {"data": value} and the header be well formed;
// - that replayed request sent by Go's net/http to a fake Forgejo on 127.0.0.1, which checks
//   method, path, headers and body the way Forgejo binds them (routers/api/v1/api.go `bind`,
//   modules/structs/secret.go `CreateOrUpdateSecretOption`, services/secrets/validation.go).
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, Chart } from 'cdk8s';
import { ForgejoActionsSecret, type ForgejoActionsSecretProps } from '../../src/constructs/forgejo-actions-secret.js';
import { OnePasswordSecret } from '../../src/constructs/onepassword-secret.js';
import { formatPropPath, PropsError } from '../../src/constructs/props-error.js';
import { synthesize, synthesizeChart, type SynthesizedObject } from '../../src/synth/synthesize.js';
import { loadValues } from '../../src/values/load.js';
import { emitYaml } from '../../src/util/yaml.js';
import { formatSchemaProblem, validateSchemas } from '../../src/validate/schemas.js';
import { checkWiring } from '../../src/validate/wiring.js';
import { PROJECT } from '../helpers.js';
import { buildGo, describeGo } from '../go-harness.js';

const NS = 'ci';

function build(overrides: Partial<ForgejoActionsSecretProps> = {}, credentialNamespace = NS) {
  const chart = new Chart(new App({ outdir: '/nonexistent-cdk8s-out' }), 'test', { disableResourceNameHashes: true });
  const store = { name: 'onepassword' };
  const credential = new OnePasswordSecret(chart, 'Credential', {
    name: 'registry-apikey',
    namespace: credentialNamespace,
    store,
    keys: { REGISTRY_API_KEY: { item: 'registry', property: 'api_key' } },
  });
  const secret = new ForgejoActionsSecret(chart, 'ActionsSecret', {
    namespace: NS,
    store,
    forgejoUrl: 'https://forge.example/',
    scope: { kind: 'org', org: 'infra' },
    token: { item: 'forgejo', property: 'secrets_token' },
    value: credential.key('REGISTRY_API_KEY'),
    secretName: 'REGISTRY_API_KEY',
    ...overrides,
  });
  const objects = synthesizeChart(chart);
  const get = (kind: string) => objects.filter((o) => o.object.kind === kind).map((o) => o.object as any);
  return {
    secret,
    objects,
    pushSecret: get('PushSecret')[0],
    secretStore: get('SecretStore')[0],
    tokenExternalSecret: get('ExternalSecret').find((e) => e.metadata.name.endsWith('-forgejo-token')),
  };
}

const edit = (objects: readonly SynthesizedObject[], kind: string, change: (o: any) => void) =>
  objects.map((m) => {
    if (m.object.kind !== kind) return m;
    const object = structuredClone(m.object) as any;
    change(object);
    return { ...m, object };
  });

describe('ForgejoActionsSecret output', () => {
  const { objects, pushSecret, secretStore, tokenExternalSecret, secret } = build();
  const webhook = secretStore.spec.provider.webhook;

  test('three objects: the token ExternalSecret, the webhook SecretStore, the PushSecret (plus the credential)', () => {
    expect(objects.map((o) => o.file)).toEqual([
      'externalsecret-registry-api-key-forgejo-token.yaml',
      'externalsecret-registry-apikey.yaml',
      'pushsecret-registry-api-key.yaml',
      'secretstore-registry-api-key-forgejo-actions.yaml',
    ]);
    expect(objects.every((o) => o.object.metadata.namespace === NS)).toBe(true);
  });

  test('the token Secret carries external-secrets.io/type: webhook through the template metadata, and keeps its key', () => {
    // ESO's webhook provider refuses a store Secret without this label; with a target template, ESO
    // copies the template's labels to the Secret (not the ExternalSecret's own labels).
    expect(tokenExternalSecret.spec.target.template).toEqual({ engineVersion: 'v2', metadata: { labels: { 'external-secrets.io/type': 'webhook' } } });
    expect(tokenExternalSecret.spec.data).toEqual([{ secretKey: 'token', remoteRef: { key: 'forgejo', property: 'secrets_token' } }]);
    // A metadata-only template keeps spec.data keys in the Secret (ESO ApplyTemplate `noTemplate`),
    // which the wiring check models the same way: the store's secretRef key exists.
    expect(checkWiring(objects)).toEqual([]);
  });

  test('the SecretStore: namespaced, webhook PUT to the org endpoint with an explicit port, JSON headers, timeout', () => {
    expect(secretStore.apiVersion).toBe('external-secrets.io/v1');
    expect(webhook.method).toBe('PUT');
    expect(webhook.url).toBe('https://forge.example:443/api/v1/orgs/infra/actions/secrets/{{ .remoteRef.remoteKey }}');
    expect(webhook.headers).toEqual({ 'Content-Type': 'application/json', Authorization: 'token {{ .forgejo.token | trim }}' });
    expect(webhook.timeout).toBe('30s');
    expect(webhook.secrets).toEqual([{ name: 'forgejo', secretRef: { name: tokenExternalSecret.spec.target.name, key: 'token' } }]);
  });

  test('the body is built with toJson on a dict (any value becomes valid JSON), never by quoting into a JSON text', () => {
    expect(webhook.body).toBe('{{ dict "data" (index .remoteRef .remoteRef.remoteKey) | toJson }}');
  });

  test('the PushSecret pushes the credential key to the secret name: Replace, deletionPolicy None, refresh interval', () => {
    expect(pushSecret.apiVersion).toBe('external-secrets.io/v1alpha1');
    expect(pushSecret.spec).toEqual({
      refreshInterval: '1h',
      updatePolicy: 'Replace',
      deletionPolicy: 'None',
      secretStoreRefs: [{ kind: 'SecretStore', name: secretStore.metadata.name }],
      selector: { secret: { name: 'registry-apikey' } },
      data: [{ match: { secretKey: 'REGISTRY_API_KEY', remoteRef: { remoteKey: 'REGISTRY_API_KEY' } } }],
    });
    expect(secret.secretName).toBe('REGISTRY_API_KEY');
  });

  test('repo scope, a sub-path, an explicit or http port, intervals, timeout and name come from props', () => {
    const b = build({
      name: 'reg',
      scope: { kind: 'repo', owner: 'some.user', repo: 'app_1.x' },
      forgejoUrl: 'http://forge.example:3000/git/',
      tokenRefreshInterval: '15m',
      pushRefreshInterval: '5m',
      timeout: '10s',
    });
    expect(b.secretStore.spec.provider.webhook.url).toBe('http://forge.example:3000/git/api/v1/repos/some.user/app_1.x/actions/secrets/{{ .remoteRef.remoteKey }}');
    expect(b.secretStore.spec.provider.webhook.timeout).toBe('10s');
    expect(b.pushSecret.spec.refreshInterval).toBe('5m');
    expect(b.tokenExternalSecret.spec.refreshInterval).toBe('15m');
    expect(b.objects.map((o) => o.object.metadata.name).sort()).toEqual(['reg', 'reg-forgejo-actions', 'reg-forgejo-token', 'registry-apikey']);
    expect(build({ forgejoUrl: 'http://forge.example' }).secretStore.spec.provider.webhook.url).toMatch(/^http:\/\/forge\.example:80\/api\/v1\//);
  });

  test('every review note lands on a field, and the non-obvious fields have one', () => {
    for (const o of objects) {
      const fieldNotes = new Map([...o.notes].filter(([path]) => path !== ''));
      expect(() => emitYaml(o.object as never, { sortKeys: true, comments: fieldNotes })).not.toThrow();
    }
    const notes = (kind: string) => objects.find((o) => o.object.kind === kind)!.notes;
    expect(notes('SecretStore').get('spec.provider.webhook.url')).toMatch(/explicit port/);
    expect(notes('SecretStore').get('spec.provider.webhook.body')).toMatch(/toJson/);
    expect(notes('PushSecret').get('spec.deletionPolicy')).toMatch(/6054/);
    expect(objects.find((o) => o.file.includes('forgejo-token'))!.notes.get('spec.target.template.metadata.labels')).toMatch(/webhook provider/);
  });
});

describe('ESO schema validation of PushSecret and SecretStore (src/validate/schemas.ts)', () => {
  const { objects } = build();
  test('every object validates', () => {
    expect(validateSchemas(objects)).toEqual([]);
  });
  test('a PushSecret updatePolicy outside the enum is reported with its path', () => {
    const problems = validateSchemas(edit(objects, 'PushSecret', (o) => (o.spec.updatePolicy = 'Always'))).map(formatSchemaProblem);
    expect(problems).toEqual(['pushsecret-registry-api-key.yaml: PushSecret registry-api-key: /spec/updatePolicy: must be equal to one of the allowed values']);
  });
  test('a SecretStore webhook without url fails the schema', () => {
    const problems = validateSchemas(edit(objects, 'SecretStore', (o) => delete o.spec.provider.webhook.url)).map(formatSchemaProblem);
    expect(problems).toEqual(['secretstore-registry-api-key-forgejo-actions.yaml: SecretStore registry-api-key-forgejo-actions: /spec/provider/webhook/url: must have required property url']);
  });
});

describe('errors a prop can cause, phrased in terms of the props', () => {
  test.each<[string, Partial<ForgejoActionsSecretProps>, string]>([
    // Messages are the rules' (src/constructs/rules.ts), behind the prop path.
    ['lower-case name', { secretName: 'registry_key' }, 'secretName: expected a Forgejo Actions secret name: upper-case letters, digits and "_", not starting with a digit'],
    ['leading digit', { secretName: '1KEY' }, 'secretName: expected a Forgejo Actions secret name'],
    ['dash', { secretName: 'API-KEY' }, 'secretName: expected a Forgejo Actions secret name'],
    ['FORGEJO_ prefix', { secretName: 'FORGEJO_KEY' }, 'secretName: expected a name Forgejo does not reserve: not starting with FORGEJO_ and not containing GITEA_ or GITHUB_'],
    ['GITEA_ prefix', { secretName: 'GITEA_KEY' }, 'secretName: expected a name Forgejo does not reserve'],
    // Forgejo's regexp `(?i)^FORGEJO_|GITEA_|GITHUB_` anchors only FORGEJO_: it refuses these too.
    ['GITHUB_ inside', { secretName: 'MY_GITHUB_TOKEN' }, 'secretName: expected a name Forgejo does not reserve'],
    ['no name to derive', { secretName: '___' }, 'secretName: the object names default to "", derived from the secret name: expected a DNS-1123 label'],
    ['long name', { name: 'x'.repeat(48) }, 'name: expected at most 47 characters (the SecretStore is <name>-forgejo-actions), got 48'],
    ['ssh URL', { forgejoUrl: 'ssh://forge.example' }, 'forgejoUrl: expected an http:// or https:// URL, got "ssh://forge.example"'],
    ['not a URL', { forgejoUrl: 'forge.example' }, 'forgejoUrl: expected an http:// or https:// URL, got "forge.example"'],
    ['user info', { forgejoUrl: 'https://me:pw@forge.example' }, 'forgejoUrl: expected a URL without user info, got "https://***@forge.example"'],
    ['query', { forgejoUrl: 'https://forge.example/?a=1' }, 'forgejoUrl: expected the Forgejo base URL without query or fragment'],
    ['template in path', { forgejoUrl: 'https://forge.example/{{x}}' }, 'forgejoUrl: expected a Forgejo URL without "{", "}" or "%" in its path'],
    ['org with a slash', { scope: { kind: 'org', org: 'a/b' } }, 'scope.org: expected a Forgejo user or organization name'],
    ['org ending in a dot', { scope: { kind: 'org', org: 'infra.' } }, 'scope.org: expected a Forgejo user or organization name'],
    ['owner with two dashes', { scope: { kind: 'repo', owner: 'a--b', repo: 'r' } }, 'scope.owner: expected a Forgejo user or organization name'],
    ['repo with a space', { scope: { kind: 'repo', owner: 'a', repo: 'r s' } }, 'scope.repo: expected a Forgejo repository name'],
    ['repo ..', { scope: { kind: 'repo', owner: 'a', repo: '..' } }, 'scope.repo: expected a Forgejo repository name'],
    ['repo scope without a repo', { scope: { kind: 'repo', owner: 'a' } as never }, 'scope.repo: expected scope.repo with scope kind repo'],
    ['a repo field on an org scope', { scope: { kind: 'org', org: 'a', repo: 'r' } as never }, 'scope.repo: expected only kind, org with scope kind org'],
    ['unknown scope', { scope: { kind: 'user' } as never }, 'scope.kind: expected one of: "org", "repo"; got "user"'],
    ['no token field', { token: { item: 'forgejo', property: '' } }, 'token.property: expected the 1Password field of the Forgejo token'],
    ['bad interval', { pushRefreshInterval: '1 hour' }, 'pushRefreshInterval: expected a Go duration such as "1h", "30m" or "1h30m", got "1 hour"'],
    ['zero timeout', { timeout: '0s' }, 'timeout: expected a duration greater than zero'],
  ])('%s', (_, overrides, message) => {
    expect(() => build(overrides)).toThrow(message);
  });

  test('FORGEJO_ inside a name is fine for Forgejo (its ^ anchors only that prefix), so here too', () => {
    expect(build({ secretName: 'MY_FORGEJO_KEY' }).pushSecret.spec.data[0].match.remoteRef.remoteKey).toBe('MY_FORGEJO_KEY');
  });

  test('every problem is reported at once, as a PropsError with prop paths', () => {
    let error: unknown;
    try {
      build({ secretName: 'bad', forgejoUrl: 'forge.example', timeout: '0s' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PropsError);
    expect((error as PropsError).problems.map((p) => formatPropPath(p.path))).toEqual(['secretName', 'timeout', 'forgejoUrl']);
  });

  test('a credential Secret in another namespace is refused (a PushSecret reads its own namespace only)', () => {
    expect(() => build({}, 'elsewhere')).toThrow(
      'value: expected a Secret in namespace ci: a PushSecret reads Secrets only in its own namespace, and Secret registry-apikey is in elsewhere',
    );
  });

  test('OnePasswordSecret secretLabels must be Kubernetes labels (rules.ts metadataKey and labelValue)', () => {
    const chart = new Chart(new App({ outdir: '/nonexistent-cdk8s-out' }), 'test');
    const keys = { token: { item: 'forgejo', property: 'token' } };
    expect(() => new OnePasswordSecret(chart, 'A', { name: 'a', namespace: NS, store: { name: 's' }, keys, secretLabels: { 'bad key!': 'x' } })).toThrow(
      'OnePasswordSecret a: secretLabels.bad key!: expected a Kubernetes label key such as app.example.org/team',
    );
    expect(() => new OnePasswordSecret(chart, 'B', { name: 'b', namespace: NS, store: { name: 's' }, keys, secretLabels: { app: 'has space' } })).toThrow(
      'OnePasswordSecret b: secretLabels.app: expected a label value of at most 63 letters, digits, "-", "_", "." (alphanumeric at both ends), got "has space"',
    );
  });

  test('errors name the construct and the secret', () => {
    expect(() => build({ secretName: 'bad' })).toThrow(/^ForgejoActionsSecret bad: /);
  });
});

// --- the templates through Go text/template + sprig, as ESO's webhook provider runs them --------


interface PushCase {
  Store: { URL: string; Method?: string; Headers?: Record<string, string>; Body?: string; Timeout?: string };
  Secrets: Record<string, Record<string, string>>;
  RemoteKey: string;
  SecretKey: string;
  Value: string;
  Send?: boolean;
}
interface PushResult {
  Dial: string;
  URL: string;
  Method: string;
  Headers: Record<string, string[]> | null;
  Body: string;
  Status: number;
  Error: string;
}

/** Values a credential could hold that break naive quoting. */
const HOSTILE: readonly string[] = [
  'plain-Value_123',
  `it's "quoted" and \\back\\slashed\\`,
  'line1\nline2\r\nline3\n',
  '{{ .remoteRef.remoteKey }}{{ fail "boom" }}{{',
  'päss→wörd ✓ 鍵 😀',
  'esc\u001b[31mred\u001b[0m bell\u0007 vt\u000b nul\u0000 del\u007f',
  'line\u2028sep\u2029 nbsp\u00a0 private\u{F0000}',
  '</script>&<>\'"%41+ =?',
  ' padded ',
  'x'.repeat(20_000),
];
/** The stored token with a trailing newline, as a 1Password field copied with one may come. */
const TOKEN = '0123456789abcdef0123456789abcdef01234567';
const STORED_TOKEN = `${TOKEN}\n`;

// The objects under test are the ones the wired construct synthesizes from the committed example
// (examples/masked-secret.yaml: JobCredential delivery forgejoSecret -> ForgejoActionsSecret), not
// a copy: the store's templates, the PushSecret's keys and the store's Secret reference all come
// from that synthesis. Only forgejoUrl and the scope are changed for the fake Forgejo.
const EXAMPLE = join(PROJECT, 'examples', 'masked-secret.yaml');

/** The example synthesized, optionally with another forgejoUrl and scope. */
function example(edit: { forgejoUrl?: string; scope?: Record<string, string> } = {}) {
  const values = structuredClone(loadValues(EXAMPLE).values) as any;
  if (edit.forgejoUrl) values.forgejoUrl = edit.forgejoUrl;
  if (edit.scope) values.jobCredential.forgejoSecret.scope = edit.scope;
  const { manifests } = synthesize(values);
  const one = (kind: string) => {
    const all = manifests.filter((o) => o.object.kind === kind);
    expect(all).toHaveLength(1);
    return all[0]!.object as any;
  };
  return { secretStore: one('SecretStore'), pushSecret: one('PushSecret') };
}

/** What ESO's push of that PushSecret through that store executes. */
interface Wired {
  readonly store: PushCase['Store'];
  /** The store's one Secret: its template name and key. */
  readonly tokenAt: { readonly name: string; readonly key: string };
  readonly remoteKey: string;
  readonly secretKey: string;
}

function wired({ secretStore, pushSecret }: ReturnType<typeof example>): Wired {
  const w = secretStore.spec.provider.webhook;
  expect(pushSecret.spec.secretStoreRefs).toEqual([{ kind: 'SecretStore', name: secretStore.metadata.name }]);
  expect(w.secrets).toHaveLength(1);
  expect(pushSecret.spec.data).toHaveLength(1);
  const match = pushSecret.spec.data[0].match;
  return {
    store: { URL: w.url, Method: w.method, Headers: w.headers, Body: w.body, Timeout: w.timeout },
    tokenAt: { name: w.secrets[0].name, key: w.secrets[0].secretRef.key },
    remoteKey: match.remoteRef.remoteKey,
    secretKey: match.secretKey,
  };
}

function pushCase(w: Wired, value: string, extra: Partial<PushCase> = {}): PushCase {
  return { Store: w.store, Secrets: { [w.tokenAt.name]: { [w.tokenAt.key]: STORED_TOKEN } }, RemoteKey: w.remoteKey, SecretKey: w.secretKey, Value: value, ...extra };
}

/** The body as it would be if it were built by quoting the value into a JSON text. */
const QUOTE_BODY = '{"data": {{ index .remoteRef .remoteRef.remoteKey | quote }}}';

describeGo('webhook templates through Go text/template + sprig, as ESO executes a push', ['github.com/Masterminds/sprig'], () => {
  let bin = '';
  const replay = async (cases: PushCase[]): Promise<PushResult[]> => {
    const child = promisify(execFile)(bin, [], { maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' });
    child.child.stdin!.end(JSON.stringify(cases));
    return JSON.parse((await child).stdout) as PushResult[];
  };

  beforeAll(async () => {
    // Built once for this test file, offline, in GOPATH mode (test/go-harness.ts).
    bin = await buildGo('eso-webhook', { file: join(PROJECT, 'test', 'go', 'eso-webhook', 'main.go') });
  }, 300_000);

  describe('rendered request', () => {
    const w = wired(example());
    let results: PushResult[] = [];
    beforeAll(async () => {
      results = await replay(HOSTILE.map((v) => pushCase(w, v)));
    });

    test('every hostile value gives a body that JSON-parses to exactly {"data": value}', () => {
      expect(results.map((r) => r.Error)).toEqual(HOSTILE.map(() => ''));
      results.forEach((r, i) => expect(JSON.parse(r.Body)).toStrictEqual({ data: HOSTILE[i] }));
    });

    test('the headers are well formed: "token <token>" trimmed, and JSON content type', () => {
      for (const r of results) {
        expect(r.Headers).toEqual({ Authorization: [`token ${TOKEN}`], 'Content-Type': ['application/json'] });
        expect(r.Headers!.Authorization![0]).toMatch(/^token [\x21-\x7e]+$/);
      }
    });

    test('method PUT and the endpoint with the secret name; readiness dials the explicit port', () => {
      for (const r of results) {
        expect(r.Method).toBe('PUT');
        expect(r.URL).toBe('https://forge.example.org:443/api/v1/orgs/infra/actions/secrets/REGISTRY_API_KEY');
        expect(r.Dial).toBe('forge.example.org:443');
      }
    });

    test('a token Secret without the key fails the push instead of sending "token <no value>"', async () => {
      const [r] = await replay([pushCase(w, 'v', { Secrets: { [w.tokenAt.name]: { other: 'x' } } })]);
      expect(r!.Error).toMatch(/^header Authorization: .*invalid value; expected string/);
    });

    test('without an explicit port ESO would dial 443, even for http (why the construct writes the port)', async () => {
      const [r] = await replay([pushCase({ ...w, store: { ...w.store, URL: 'http://forge.example/api/v1/x/{{ .remoteRef.remoteKey }}' } }, 'v')]);
      expect(r!.Dial).toBe('forge.example:443');
    });

    test('quote instead of toJson breaks: Go escapes (\\x1b, \\U000f0000) are not JSON', async () => {
      const quoted = await replay(HOSTILE.map((v) => pushCase({ ...w, store: { ...w.store, Body: QUOTE_BODY } }, v)));
      const broken = HOSTILE.filter((v, i) => {
        try {
          return JSON.stringify(JSON.parse(quoted[i]!.Body)) !== JSON.stringify({ data: v });
        } catch {
          return true;
        }
      });
      expect(broken).toEqual([HOSTILE[5], HOSTILE[6]]);
    });
  });

  describe('sent to a fake Forgejo on 127.0.0.1', () => {
    // Forgejo's side, from its source: the route PUT /api/v1/{orgs/{org}|repos/{owner}/{repo}}/
    // actions/secrets/{secretname} (routers/api/v1/api.go addActionsRoutes); a token in
    // "Authorization: token <t>" (or "bearer"), split on whitespace into exactly two fields
    // (services/auth/oauth2.go parseToken), else 401; the body bound by gitea.com/go-chi/binding:
    // a Content-Type containing "json" is decoded as JSON (no JSON, or invalid JSON: 422), `data`
    // matched like encoding/json (exact, else case-insensitive), `binding:"Required"` refuses an
    // empty string (422); the name checked by services/secrets/validation.go (400); then 201 when
    // created, 204 when updated (org/action.go, repo/action.go CreateOrUpdateSecret).
    // Stricter than Forgejo in one way: trailing bytes after the JSON value are refused here
    // (json.Decoder.Decode would ignore them); our bodies never have any.
    const stored = new Map<string, string>();
    let server: Server;
    let base = '';

    function forgejo(req: IncomingMessage, body: string): number {
      const m = /^\/api\/v1\/(?:orgs\/[^/]+|repos\/[^/]+\/[^/]+)\/actions\/secrets\/([^/?]+)$/.exec(req.url ?? '');
      if (!m) return 404;
      if (req.method !== 'PUT') return 405;
      const auth = (req.headers.authorization ?? '').split(/\s+/).filter(Boolean);
      if (auth.length !== 2 || !(auth[0] === 'token' || auth[0]!.toLowerCase() === 'bearer') || auth[1] !== TOKEN) return 401;
      if (!(req.headers['content-type'] ?? '').includes('json')) return 422;
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        return 422;
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return 422;
      const keys = Object.keys(parsed);
      const key = keys.includes('data') ? 'data' : keys.find((k) => k.toLowerCase() === 'data');
      const data = key === undefined ? '' : (parsed as Record<string, unknown>)[key];
      if (typeof data !== 'string') return 422;
      if (data === '') return 422;
      const name = decodeURIComponent(m[1]!);
      if (!/^[A-Z_][A-Z0-9_]*$/i.test(name) || /^FORGEJO_|GITEA_|GITHUB_/i.test(name)) return 400;
      const created = !stored.has(name.toUpperCase());
      stored.set(name.toUpperCase(), data);
      return created ? 201 : 204;
    }

    beforeAll(async () => {
      server = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          res.statusCode = forgejo(req, Buffer.concat(chunks).toString('utf8'));
          res.end();
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const storeFor = (scope: Record<string, string>) => wired(example({ forgejoUrl: base, scope }));

    test('each hostile value is created (201), then replaced (204), and Forgejo stores it exactly', async () => {
      const store = storeFor({ kind: 'repo', owner: 'infra', repo: 'app' });
      expect(store.store.URL).toBe(`${base}/api/v1/repos/infra/app/actions/secrets/{{ .remoteRef.remoteKey }}`);
      for (const value of HOSTILE) {
        stored.clear();
        const [first, second] = await replay([pushCase(store, value, { Send: true }), pushCase(store, value, { Send: true })]);
        expect([first!.Error, first!.Status, second!.Status]).toEqual(['', 201, 204]);
        expect(stored.get('REGISTRY_API_KEY')).toBe(value);
      }
    });

    test('the org endpoint is served too', async () => {
      stored.clear();
      const [r] = await replay([pushCase(storeFor({ kind: 'org', org: 'infra' }), 'v', { Send: true })]);
      expect(r!.Status).toBe(201);
    });

    test('an empty value is refused by Forgejo (data is required): ESO reports the push as failed', async () => {
      const [r] = await replay([pushCase(storeFor({ kind: 'org', org: 'infra' }), '', { Send: true })]);
      expect(r!.Status).toBe(422);
    });

    test('a token with a newline inside never reaches Forgejo as a second header: Go refuses the request', async () => {
      const store = storeFor({ kind: 'org', org: 'infra' });
      const [r] = await replay([pushCase(store, 'v', { Send: true, Secrets: { [store.tokenAt.name]: { [store.tokenAt.key]: `${TOKEN}\nX-Evil: 1` } } })]);
      expect(r!.Error).toMatch(/^send: .*invalid header field value/);
    });

    test('quote instead of toJson: Forgejo refuses or stores a different value for the control-character values', async () => {
      const wiredStore = storeFor({ kind: 'org', org: 'infra' });
      const store = { ...wiredStore, store: { ...wiredStore.store, Body: QUOTE_BODY } };
      const outcomes: string[] = [];
      for (const value of HOSTILE) {
        stored.clear();
        const [r] = await replay([pushCase(store, value, { Send: true })]);
        outcomes.push(r!.Status === 201 && stored.get('REGISTRY_API_KEY') === value ? 'ok' : `broken ${r!.Status}`);
      }
      expect(outcomes).toEqual(HOSTILE.map((_, i) => (i === 5 || i === 6 ? 'broken 422' : 'ok')));
    });
  });
});
