// The formats the constructs accept, each written once. A rule is a function of a value that
// returns undefined when the value is fine, or what was expected (the message of a PropsError,
// whose path says which prop). Constructs call them on their props; the values file layer only
// checks types and keys and lets the constructs judge the values (src/values/schema.ts).
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
  try {
    new Intl.DateTimeFormat('en', { timeZone: s });
  } catch {
    return expected;
  }
  const known = Intl.supportedValuesOf('timeZone');
  if (known.includes(s) || s === 'UTC') return undefined;
  const spelled = known.find((z) => z.toLowerCase() === s.toLowerCase());
  return spelled ? `${expected}; zoneinfo names are case-sensitive: "${spelled}"` : undefined;
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
export const FORGEJO_NAME = /^[A-Za-z0-9_.-]+$/;
export const forgejoName: Rule = (s) => (FORGEJO_NAME.test(s) ? undefined : `expected a Forgejo name (letters, digits, "-", "_", "."), got "${s}"`);

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

/** An IP block, e.g. 203.0.113.10/32. */
export const cidr: Rule = (s) => (/^(\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/.test(s) ? undefined : `expected an IP block such as 203.0.113.10/32, got "${s}"`);

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
export const JOB_CREDENTIAL_DELIVERIES = ['envFile', 'none'] as const;
