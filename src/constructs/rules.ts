// The formats the constructs accept, each written once. A rule is a function of a value that
// returns undefined when the value is fine, or what was expected (the message of a PropsError,
// whose path says which prop). Constructs call them on their props; the values file layer only
// checks types and keys and lets the constructs judge the values (src/values/schema.ts).
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { durationSeconds, GO_DURATION, MAX_GO_DURATION_SECONDS } from '../util/duration.ts';

/** A rule: undefined when `value` is acceptable, else what was expected. */
export type Rule<T = string> = (value: T) => string | undefined;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** RFC 1123 label: namespace, Deployment, container and volume names. */
export const dnsLabel: Rule = (s) =>
  s.length > 63
    ? `expected at most 63 characters (a DNS-1123 label), got ${s.length}`
    : DNS_LABEL.test(s)
      ? undefined
      : `expected a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit; got "${s}"`;

/** RFC 1123 subdomain: Secret, ConfigMap and ExternalSecret names. */
export const dnsSubdomain: Rule = (s) =>
  s.length > 253
    ? `expected at most 253 characters (a DNS-1123 subdomain), got ${s.length}`
    : DNS_SUBDOMAIN.test(s)
      ? undefined
      : `expected a DNS-1123 subdomain: lowercase letters, digits, "-" and "."; got "${s}"`;

const ENV_VAR = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** A POSIX-shell-safe environment variable name (the runner's start-up script expands them; dotenv files hold them). */
export const envVarName: Rule = (s) => (ENV_VAR.test(s) ? undefined : `expected an environment variable name matching [A-Za-z_][A-Za-z0-9_]*, got "${s}"`);

const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
/** A key of a Kubernetes Secret. */
export const secretKey: Rule = (s) => (SECRET_KEY.test(s) ? undefined : `expected a Secret key (letters, digits, "-", "_", "."), got "${s}"`);

// Docker reference grammar (distribution/reference), simplified: optional registry host[:port],
// lowercase path components, optional tag, optional digest. No whitespace anywhere.
const IMAGE =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
/** An image reference that pins a tag or digest: an untagged image would silently float to latest. */
export const imageRef: Rule = (s) =>
  !IMAGE.test(s)
    ? `expected an image reference like registry.example/name:tag (no spaces, lowercase path), got "${s}"`
    : /:[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(s) || s.includes('@sha256:')
      ? undefined
      : `expected an image reference with an explicit tag or digest (e.g. docker:27-dind), got "${s}"`;

/** A Go duration ("1h", "90m", "1h30m") greater than zero: forgejo-runner and External Secrets parse it. */
export const goDuration: Rule = (s) => {
  if (!GO_DURATION.test(s)) return `expected a Go duration such as "1h", "30m" or "1h30m", got "${s}"`;
  const seconds = durationSeconds(s);
  if (seconds <= 0) return 'expected a duration greater than zero';
  return seconds <= MAX_GO_DURATION_SECONDS ? undefined : 'expected a duration of at most 2562047h (the longest Go accepts)';
};

/** An http(s) URL without whitespace: the forge, registry mirrors. */
export const httpUrl: Rule = (s) => {
  try {
    const u = new URL(s);
    if ((u.protocol === 'http:' || u.protocol === 'https:') && !/\s/.test(s)) return undefined;
  } catch {
    // not a URL at all
  }
  return `expected an http:// or https:// URL, got "${s}"`;
};

const HOST = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?$/;
/** A registry host with optional port, as `docker login` and skopeo use it (not a URL). */
export const registryHost: Rule = (s) => {
  if (HOST.test(s)) return undefined;
  const url = /^[a-z][a-z0-9+.-]*:\/\/([^/]+)/i.exec(s);
  return url
    ? `expected a registry host, not a URL: give "${url[1]}" without the scheme`
    : `expected a registry host such as registry.example.org or registry.example.org:5000, got "${s}"`;
};

/** A registry user name: `docker login` and skopeo --creds split user:key at the first ":". */
export const userName: Rule = (s) => (s.length > 0 && /^[^\s:]+$/.test(s) ? undefined : `expected a user name without spaces or ":", got "${s}"`);

/**
 * An IANA time zone name the platform knows (Intl, backed by ICU's copy of the tz database the
 * runner's /usr/share/zoneinfo comes from). Offsets ("+01:00") and other spellings are refused:
 * TZ names a zoneinfo file, and file names are case-sensitive.
 */
export const timeZone: Rule = (s) => {
  const expected = `expected an IANA time zone such as America/Los_Angeles, got "${s}"`;
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(s)) return expected;
  let resolved: string;
  try {
    // ICU accepts any case and resolves to the zone's own spelling (or, for a link such as
    // US/Pacific, to its target), without listing every zone (Intl.supportedValuesOf costs ~30 ms).
    resolved = new Intl.DateTimeFormat('en', { timeZone: s }).resolvedOptions().timeZone;
  } catch {
    return expected;
  }
  return resolved !== s && resolved.toLowerCase() === s.toLowerCase() ? `${expected}; zoneinfo names are case-sensitive: "${resolved}"` : undefined;
};

// Runner labels. forgejo-runner splits a label at ":" into name, schema and argument
// (runner internal/pkg/labels/labels.go Parse, strings.SplitN(label, ":", 3)): `k8s:docker://img`
// runs jobs in containers of `img`; `k8s:host` or a bare `k8s` runs them in the runner's own
// container; `lxc://...` needs LXC on the host. Workflows name the NAME in `runs-on`, and KEDA's
// forgejo-runner scaler sends the names unescaped as `?labels=a,b` (kedacore/keda
// pkg/scalers/forgejo_runner_scaler.go, fmt.Sprintf("%s%s?labels=%s")), which Forgejo reads with
// Go's url.ParseQuery and splits at "," (routers/api/v1/shared/runners.go).

/**
 * A label name: RFC 3986 "unreserved" characters only. They reach Forgejo unchanged through an
 * unescaped query string: "+" would arrive as a space, "#" cut the URL, "&" end the value,
 * "%" and ";" drop it (test/pipeline/label-url.ts checks every accepted name with Go's net/url).
 */
export const LABEL_NAME = /^[A-Za-z0-9._~-]+$/;

/** The characters a label name may have, as the errors say it. */
const LABEL_NAME_CHARACTERS = 'A-Z a-z 0-9 . _ ~ -';

/** The name part of a runner label: `k8s` of `k8s:docker://image:tag`; a bare name stays as it is. */
export function runnerLabelName(label: string): string {
  const i = label.indexOf(':');
  return i < 0 ? label : label.slice(0, i);
}

/** The name of `label` (a full label or a bare name): only URL-safe characters. */
export const runnerLabelNameRule: Rule = (label) => {
  const name = runnerLabelName(label);
  if (name === '') return `label "${label}": expected a name before ":"`;
  return LABEL_NAME.test(name)
    ? undefined
    : `label "${label}": the name "${name}" may only contain ${LABEL_NAME_CHARACTERS} (KEDA's scaler sends it unescaped in a URL query string)`;
};

/** Options of the runner label rule. */
export interface RunnerLabelOptions {
  /** Accept `name:host` and bare `name` labels (jobs run inside the runner container). @default false */
  readonly allowHostLabels?: boolean;
}

/**
 * A runner label `name:docker://image` of a pool. RUNNER_LABELS and runner.labels are
 * comma-separated, so no spaces or commas anywhere; the name is URL-safe (runnerLabelNameRule);
 * the schema is docker, or host only when `allowHostLabels` says so.
 */
export const runnerLabel =
  (options: RunnerLabelOptions = {}): Rule =>
  (s) => {
    if (!/^[^\s,]+$/.test(s)) return `expected a label without spaces or commas, got "${s}"`;
    const nameProblem = runnerLabelNameRule(s);
    if (nameProblem) return nameProblem;
    // As the runner's strings.SplitN(label, ":", 3): name, schema (none: host), argument.
    const parts = s.split(':');
    const schema = parts.length > 1 ? parts[1] : 'host';
    const arg = parts.slice(2).join(':');
    if (schema === 'docker') {
      return /^\/\/./.test(arg) ? undefined : `label "${s}": expected an image after "docker://", e.g. "${runnerLabelName(s)}:docker://node:22"`;
    }
    if (schema === 'host') {
      return options.allowHostLabels
        ? undefined
        : `label "${s}" uses forgejo-runner's host schema${s.includes(':') ? '' : ' (a bare name means host)'}: jobs would run inside the runner container itself, ` +
            `next to its secrets; write "${runnerLabelName(s)}:docker://image:tag", or set allowHostLabels: true on the pool to mean it`;
    }
    const why = schema === 'lxc' ? 'cannot work in the runner pod (it needs LXC on the host)' : 'is not one forgejo-runner knows (docker, host, lxc)';
    return `label "${s}": schema "${schema}" ${why}; write "${runnerLabelName(s)}:docker://image:tag"`;
  };

/** The problems of two labels of one list with the same name: [index, message] of each repeat. */
export function repeatedLabelNames(labels: readonly string[]): [number, string][] {
  const names = labels.map(runnerLabelName);
  return names.flatMap((n, i): [number, string][] => {
    const first = names.indexOf(n);
    return first === i ? [] : [[i, `expected each label name once; "${n}" is already labels[${first}] ("${labels[first]}"): a job's runs-on could get either`]];
  });
}

/** Owner, repository and organization names as they go, unescaped, into the scaler's URL path. */

/** A runner name as forgejo-runner registers it. */
export const runnerName: Rule = (s) => (/^\S+$/.test(s) ? undefined : `expected a runner name without spaces, got "${s}"`);

/** A whole number of at least `least`. */
export const wholeNumber =
  (least: number): Rule<number> =>
  (n) =>
    Number.isInteger(n) && n >= least ? undefined : `expected a whole number >= ${least}, got ${n}`;

/** A number in [least, most]. */
export const between =
  (least: number, most: number, what: string): Rule<number> =>
  (n) =>
    Number.isInteger(n) && n >= least && n <= most ? undefined : `expected ${what} between ${least} and ${most}, got ${n}`;

/** One of `choices`. */
export const oneOf =
  <T extends string>(choices: readonly T[]): Rule<unknown> =>
  (s) =>
    (choices as readonly unknown[]).includes(s) ? undefined : `expected one of: ${choices.map((c) => JSON.stringify(c)).join(', ')}; got ${JSON.stringify(s)}`;

/** A Kubernetes resource quantity ("500m", "2", "4Gi"). */
export const quantity: Rule = (s) =>
  /^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$/.test(s) ? undefined : `expected a Kubernetes quantity such as "500m", "2" or "4Gi", got "${s}"`;

/** An IP block as the platform parsed it (node:net). */
export interface IpBlock {
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/**
 * `address/prefix` read by node:net (isIPv4, isIPv6): the platform's IP parser, not a pattern.
 * Refused as the API server's ParseCIDR refuses them: an address out of range (999.999.999.999),
 * a host name, an IPv6 zone ("%eth0"), a prefix beyond the family's width (/33, /129), and a
 * prefix with leading zeros or a sign. Undefined when it is no IP block.
 */
export function parseIpBlock(s: string): IpBlock | undefined {
  const slash = s.indexOf('/');
  if (slash < 0 || slash !== s.lastIndexOf('/')) return undefined;
  const [address, bits] = [s.slice(0, slash), s.slice(slash + 1)];
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) && !address.includes('%') ? 'ipv6' : undefined;
  if (!family || !/^(0|[1-9][0-9]{0,2})$/.test(bits)) return undefined;
  const prefix = Number(bits);
  return prefix <= (family === 'ipv4' ? 32 : 128) ? { address, prefix, family } : undefined;
}

/** An IP block, e.g. 203.0.113.10/32 or 2001:db8::/64. */
export const cidr: Rule = (s) => {
  if (parseIpBlock(s)) return undefined;
  const slash = s.lastIndexOf('/');
  const address = slash < 0 ? s : s.slice(0, slash);
  const v4 = isIPv4(address);
  const why = !(v4 || (isIPv6(address) && !address.includes('%')))
    ? `"${address}" is not an IPv4 or IPv6 address (NetworkPolicy takes addresses, not host names)`
    : slash < 0
      ? 'it has no "/prefix" (/32 is one IPv4 address, /128 one IPv6 address)'
      : `the prefix length of an ${v4 ? 'IPv4' : 'IPv6'} block is a number from 0 to ${v4 ? 32 : 128}`;
  return `expected an IP block such as 203.0.113.10/32 or 2001:db8::/64, got "${s}": ${why}`;
};

/**
 * `inner` lies strictly inside `outer` (an ipBlock's except entry): the API server refuses an
 * except outside its cidr or as wide as it ("must be a strict subset of `cidr`", Kubernetes
 * pkg/apis/networking/validation ValidateIPBlock). Containment by node:net's BlockList.
 */
export const strictSubnetOf =
  (outer: string): Rule =>
  (inner) => {
    const o = parseIpBlock(outer);
    const i = parseIpBlock(inner);
    if (!o || !i) return undefined; // each is reported by cidr()
    const within = (block: IpBlock, address: string, family: IpBlock['family']): boolean => {
      const list = new BlockList();
      list.addSubnet(block.address, block.prefix, block.family);
      return list.check(address, family);
    };
    // Two blocks of one family are nested or disjoint: the wider one holds the other's address.
    if (i.family === o.family && i.prefix <= o.prefix && within(i, o.address, o.family)) {
      return `expected a block strictly inside cidr ${outer} (a longer prefix than /${o.prefix}), got "${inner}", which ${i.prefix === o.prefix ? 'is the whole cidr' : 'contains the whole cidr'}: drop the entry, or the cidr`;
    }
    return i.family === o.family && i.prefix > o.prefix && within(o, i.address, i.family)
      ? undefined
      : `expected a block inside cidr ${outer}, got "${inner}", which lies outside it`;
  };

/**
 * A URL without user info (`user:password@`, `token@`). A URL prop is written, as it is, into
 * the generated manifests that are committed to git: a credential in it would be published with
 * them. `belongs` says where this URL's credential goes instead. `sshUser`: an ssh:// URL may
 * name its login user (git@...), which is no secret (the key is); a password is refused there too.
 * Text the WHATWG URL parser does not take is left to the prop's own rule. The readers of these
 * URLs are Go programs (forgejo-runner, Argo CD, dockerd, KEDA), and Go's net/url ends the
 * authority only at "/", "?" or "#", where WHATWG also ends it at "\" ("https://tok\@host" has
 * user info for Go, none for WHATWG): an "@" in the authority as Go reads it counts too
 * (test/cli/go-url.ts holds the rule to Go's url.Parse).
 */
export const noCredentialInUrl =
  (belongs: string, options: { readonly sshUser?: boolean } = {}): Rule =>
  (s) => {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      return undefined;
    }
    // The authority as Go reads it: after "scheme://", up to the first "/", "?" or "#".
    const from = s.indexOf(':') + 3;
    const rest = s.startsWith('//', from - 2) ? s.slice(from) : '';
    const end = rest.search(/[/?#]/);
    const authority = end < 0 ? rest : rest.slice(0, end);
    const at = authority.lastIndexOf('@');
    if (u.username === '' && u.password === '' && at < 0) return undefined;
    const password = u.password !== '' || authority.slice(0, at).includes(':');
    if (options.sshUser && !password && /^(ssh|git\+ssh|ssh\+git):$/.test(u.protocol)) return undefined;
    // The message never repeats the credential: errors end up in CI logs.
    const redacted = at < 0 ? `${u.protocol}//***@${u.host}${u.pathname}` : `${s.slice(0, from)}***@${s.slice(from + at + 1)}`;
    return `expected a URL without user info, got "${redacted}" with a ${password ? 'user name and password' : 'user name or token'} in it: the URL is written into the generated manifests, which are committed to git. ${belongs}`;
  };


/** A dockerd flag (starts with "-"). */
export const dockerdFlag: Rule = (s) => (/^--?[A-Za-z0-9]/.test(s) ? undefined : `expected a dockerd flag starting with "-", got "${s}"`);

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
/** A Kubernetes label or annotation key: optional DNS-subdomain prefix "/" and a name of at most 63 characters. */
export const metadataKey: Rule = (s) => {
  const slash = s.lastIndexOf('/');
  const [prefix, name] = slash < 0 ? [undefined, s] : [s.slice(0, slash), s.slice(slash + 1)];
  const ok = (prefix === undefined || (prefix.length <= 253 && DNS_SUBDOMAIN.test(prefix))) && name.length <= 63 && QUALIFIED_NAME.test(name);
  return ok ? undefined : `expected a Kubernetes label key such as app.example.org/team (prefix "/" name, name of letters, digits, "-", "_", "."), got "${s}"`;
};
/** A Kubernetes label value: at most 63 characters of letters, digits, "-", "_", ".", starting and ending alphanumeric. */
export const labelValue: Rule = (s) =>
  s.length <= 63 && LABEL_VALUE.test(s) ? undefined : `expected a label value of at most 63 letters, digits, "-", "_", "." (alphanumeric at both ends), got "${s}"`;

/** A shell poll interval: seconds > 0 with at most 3 decimals (busybox and dash `sleep` take fractions). */
export const pollSeconds: Rule<number> = (n) =>
  n > 0 && /^\d+(\.\d{1,3})?$/.test(String(n)) ? undefined : `expected a number of seconds > 0 with at most 3 decimals, got ${n}`;

/** forgejo-runner's log levels (logrus). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

// Enumerations of the props, each written once; constructs and the values file shape import them.
/** How runners prove their identity to Forgejo (ForgejoRunnerRegistration.mode). */
export const REGISTRATION_MODES = ['token', 'offline'] as const;
/** How a pool runs its runners (ForgejoRunnerPoolOptions.mode). */
export const POOL_MODES = ['deployment', 'ephemeral'] as const;
/** The kinds of External Secrets store (SecretStoreRef.kind). */
export const SECRET_STORE_KINDS = ['ClusterSecretStore', 'SecretStore'] as const;
/** The protocols of a NetworkPolicy port (EgressAllow.ports). */
export const PROTOCOLS = ['TCP', 'UDP', 'SCTP'] as const;
/** Which jobs KEDA's forgejo-runner scaler counts (ForgejoRunnerScope.kind). */
export const SCOPE_KINDS = ['user', 'repo', 'org', 'global'] as const;
/** How jobs get a job credential (JobCredentialOptions.delivery). */
export const JOB_CREDENTIAL_DELIVERIES = ['forgejoSecret', 'envFile', 'none'] as const;

// Forgejo Actions secrets (ForgejoActionsSecret), from Forgejo's own checks.
/** Where a Forgejo Actions secret lives (ForgejoActionsSecretScope.kind). */
export const ACTIONS_SECRET_SCOPE_KINDS = ['org', 'repo'] as const;

/**
 * A Forgejo Actions secret name: Forgejo services/secrets/validation.go `namePattern`
 * `(?i)^[A-Z_][A-Z0-9_]*$` (upper case here: Forgejo stores names upper-cased, and workflows read
 * them as written), and its forbidden-prefix check `(?i)^FORGEJO_|GITEA_|GITHUB_`, whose `^`
 * binds to FORGEJO_ only: GITEA_ and GITHUB_ are refused anywhere in the name (Forgejo answers 400).
 */
export const actionsSecretName: Rule = (s) =>
  !/^[A-Z_][A-Z0-9_]*$/.test(s)
    ? `expected a Forgejo Actions secret name: upper-case letters, digits and "_", not starting with a digit (e.g. REGISTRY_API_KEY), got "${s}"`
    : /^FORGEJO_|GITEA_|GITHUB_/.test(s)
      ? `expected a name Forgejo does not reserve: not starting with FORGEJO_ and not containing GITEA_ or GITHUB_ (Forgejo answers 400), got "${s}"`
      : undefined;

/**
 * A Forgejo user or organization name (Forgejo modules/validation/helpers.go `IsValidUsername`):
 * letters, digits, "-", "_", ".", starting with a letter or digit, no two of "-", "_", "." in a
 * row nor one at the end; at most 40 characters. They go unescaped into the API path.
 */
export const forgejoUserName: Rule = (s) =>
  s.length <= 40 && /^[0-9A-Za-z][-.\w]*$/.test(s) && !/[-._]{2,}|[-._]$/.test(s)
    ? undefined
    : `expected a Forgejo user or organization name (letters, digits, "-", "_", ".", starting with a letter or digit, no two punctuation marks in a row or at the end, at most 40 characters), got "${s}"`;

/** A Forgejo repository name (letters, digits, "-", "_", ".", at most 100 characters; not "." or "..", which would walk the API path). */
export const forgejoRepoName: Rule = (s) =>
  s.length <= 100 && /^[-.\w]+$/.test(s) && s !== '.' && s !== '..'
    ? undefined
    : `expected a Forgejo repository name (letters, digits, "-", "_", ".", at most 100 characters, not "." or ".."), got "${s}"`;

/**
 * A Forgejo base URL an API path is appended to inside a Go template (the ESO webhook URL): an
 * http(s) URL without user info (the token goes in a header), query or fragment, and without "{",
 * "}" or "%" in its path, which the template or URL escaping would misread.
 */
export const forgejoApiBaseUrl: Rule = (s) => {
  const notUrl = httpUrl(s);
  if (notUrl) return notUrl;
  const u = new URL(s);
  const credential = noCredentialInUrl('The token goes in the Authorization header, from a Secret an ExternalSecret fills.')(s);
  if (credential) return credential;
  if (u.search || u.hash || s.includes('?') || s.includes('#')) return `expected the Forgejo base URL without query or fragment, got "${s}"`;
  if (/[{}%]/.test(u.pathname)) return `expected a Forgejo URL without "{", "}" or "%" in its path (the webhook URL template would misread them), got "${s}"`;
  return undefined;
};
