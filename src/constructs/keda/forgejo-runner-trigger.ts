// The metadata of KEDA's `forgejo-runner` trigger. @kubernetes-models/keda types trigger
// metadata as an untyped string map, so this project owns its schema, written from the scaler's
// source (kedacore/keda pkg/scalers/forgejo_runner_scaler.go, v2.18 to v2.20):
//
// - `address` (required): the Forgejo URL; a trailing "/" is trimmed.
// - `labels` (required): comma-separated label NAMES, sent unescaped as `?labels=` to Forgejo,
//   which (routers/api/shared GetActionRunJobs) returns the waiting AND running jobs whose every
//   `runs-on` label is among them (ActionRunJob.ItRunsOn). The names are the part of a runner
//   label before ":" (`k8s` of `k8s:docker://image:tag`), the same names a workflow's `runs-on`
//   uses. Running jobs count too, so labels served by another runner inflate the metric.
// - scope, first match wins in the scaler: `owner`+`repo` -> GET /api/v1/repos/{owner}/{repo}/
//   actions/runners/jobs; `org` -> /api/v1/orgs/{org}/actions/runners/jobs; `global: "true"` ->
//   /api/v1/admin/runners/jobs (site admin only); none -> /api/v1/user/actions/runners/jobs (the
//   token owner's jobs). The scaler's default for `global` is false (a Go bool; KEDA's docs page
//   claims true, the code does not). This project makes the scopes exclusive so the manifest says
//   which endpoint is meant.
// - auth parameter `token` (Forgejo access token, sent as `Authorization: token ...`), read from
//   a TriggerAuthentication or a resolved env var; never trigger metadata (a Secret value in git).
//   A GET needs the read level of the route's scope: read:repository (repo), read:organization
//   (org), read:user (user), read:admin (global) (Forgejo routers/api/v1/api.go).
import { PropsCheck } from '../props-error.ts';
import { forgejoName, oneOf, repeatedLabelNames, runnerLabelName, runnerLabelNameRule, SCOPE_KINDS } from '../rules.ts';

/** Which jobs the scaler counts; it should match the scope the runner is registered in. */
export type ForgejoRunnerScope =
  /**
   * Jobs of the token owner's repositories (the scaler's default). `user` is the token owner's
   * user name: the scaler does not need it, the runner's registration does (`--scope <user>`).
   * @default user: not named (the registration command then says where it goes)
   */
  | { readonly kind: 'user'; readonly user?: string }
  /** Jobs of one repository. */
  | { readonly kind: 'repo'; readonly owner: string; readonly repo: string }
  /** Jobs of one organization. */
  | { readonly kind: 'org'; readonly org: string }
  /**
   * Every job of the instance (admin endpoint). `adminToken: true` states that the token is a
   * site administrator's: Forgejo answers 403 to anyone else and the pool never scales.
   */
  | { readonly kind: 'global'; readonly adminToken: true };

export interface ForgejoRunnerTriggerProps {
  /** Forgejo base URL (http or https). */
  readonly address: string;
  /**
   * The pool's runner labels (`name:scheme://...`) or bare label names; the trigger gets the names.
   */
  readonly labels: readonly string[];
  /** @default { kind: 'user' } (the token owner's jobs, as the scaler does without scope) */
  readonly scope?: ForgejoRunnerScope;
}

/** The trigger's metadata as KEDA reads it: every value is a string. */
export interface ForgejoRunnerTriggerMetadata {
  readonly address: string;
  readonly labels: string;
  readonly owner?: string;
  readonly repo?: string;
  readonly org?: string;
  readonly global?: 'true';
}

/** An http(s) URL the scaler can append /api/v1/... to: no query or fragment. */
function triggerAddress(s: string): string | undefined {
  try {
    const u = new URL(s);
    if ((u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '' && !u.search && !u.hash) return undefined;
  } catch {
    // not a URL
  }
  return `expected an http(s) URL without query or fragment (the scaler appends /api/v1/...), got "${s}"`;
}

/**
 * Builds the trigger metadata from props; a PropsError (construct `what`, e.g.
 * `ForgejoRunnerScaledJob pool-a`) with paths of ForgejoRunnerScaledJobProps: `forgejoUrl`,
 * `labels[i]`, `scope.*`.
 */
export function forgejoRunnerTriggerMetadata(what: string, props: ForgejoRunnerTriggerProps): ForgejoRunnerTriggerMetadata {
  const check = new PropsCheck(what);
  check.check(['forgejoUrl'], triggerAddress(props.address));
  if (props.labels.length === 0) check.fail(['labels'], 'expected the pool\'s runner labels (e.g. "k8s:docker://image:tag"), got none');
  const names = props.labels.map(runnerLabelName);
  props.labels.forEach((label, i) => check.check(['labels', i], runnerLabelNameRule(label)));
  for (const [i, message] of repeatedLabelNames(props.labels)) check.fail(['labels', i], message);

  const scope = props.scope ?? { kind: 'user' };
  // JavaScript callers and values files bypass the union type: each kind's fields are checked here.
  const fields = scope as { readonly kind?: unknown; readonly [field: string]: unknown };
  const name = (field: string): string => {
    const value = fields[field];
    if (typeof value !== 'string') check.fail(['scope', field], `expected scope.${field} with scope kind ${String(fields.kind)}`);
    else check.check(['scope', field], forgejoName(value));
    return String(value);
  };
  const FIELDS: Readonly<Record<(typeof SCOPE_KINDS)[number], readonly string[]>> = { user: ['user'], repo: ['owner', 'repo'], org: ['org'], global: ['adminToken'] };
  let scoped: Partial<ForgejoRunnerTriggerMetadata> = {};
  if (!check.check(['scope', 'kind'], oneOf(SCOPE_KINDS)(fields.kind))) check.done(); // throws: no fields to check for an unknown kind
  const kind = fields.kind as (typeof SCOPE_KINDS)[number];
  for (const field of Object.keys(fields)) {
    if (field !== 'kind' && !FIELDS[kind].includes(field)) check.fail(['scope', field], `expected only ${['kind', ...FIELDS[kind]].join(', ')} with scope kind ${kind}`);
  }
  if (kind === 'user' && fields.user !== undefined) name('user'); // not sent to the scaler: only the registration uses it
  if (kind === 'repo') scoped = { owner: name('owner'), repo: name('repo') };
  if (kind === 'org') scoped = { org: name('org') };
  if (kind === 'global') {
    if (fields.adminToken !== true) {
      check.fail(
        ['scope', 'adminToken'],
        'expected adminToken: true with scope global: the scaler reads the admin API, so the token must be a site administrator\'s (read:admin)',
      );
    }
    scoped = { global: 'true' };
  }
  check.done();
  return { address: props.address.replace(/\/+$/, ''), labels: names.join(','), ...scoped };
}

/**
 * The `--scope` of `forgejo forgejo-cli actions register` that makes the runner take exactly the
 * jobs the trigger counts: Forgejo's ParseScope (routers/private/actions.go) reads "owner/repo"
 * as a repository, "name" as a user or organization, and no scope as global; the scaler counts
 * one repository (owner+repo), one organization (org), the token owner's repositories (user) or
 * all (global) (KEDA forgejo_runner_scaler.go getRunnerJobURL; Forgejo GetActionRunJobs). A
 * runner registered wider takes jobs the scaler never counted, so they start no pods and the
 * pool's own wait behind them. Undefined for global (no flag).
 */
export function registrationScope(scope: ForgejoRunnerScope = { kind: 'user' }): string | undefined {
  switch (scope.kind) {
    case 'repo':
      return `${scope.owner}/${scope.repo}`;
    case 'org':
      return scope.org;
    case 'user':
      return scope.user ?? "<the scaler token owner's user name>";
    case 'global':
      return undefined;
  }
}

/** Props of registerCommand. */
export interface RegisterCommandProps {
  /** The name the runner registers under. */
  readonly runnerName: string;
  /** The pool's runner labels; their names are registered. */
  readonly labels: readonly string[];
  /** @default { kind: 'user' } */
  readonly scope?: ForgejoRunnerScope;
}

/**
 * The one-time server-side registration of an ephemeral pool's runner, with the scope its
 * trigger counts (Forgejo cmd/forgejo/actions.go: `--secret-file` keeps the secret out of shell
 * history and argv). Run where the Forgejo binary and app.ini are (e.g. `kubectl exec` into
 * the Forgejo pod).
 */
export function registerCommand(props: RegisterCommandProps): string {
  return registerCommandWords(props).join(' ');
}

/** registerCommand as shell lines, one flag a line (for a comment a reader copies). */
export function registerCommandLines(props: RegisterCommandProps): string[] {
  const [command, ...flags] = registerCommandWords(props);
  return [`${command} \\`, ...flags.map((f, i) => `  ${f}${i < flags.length - 1 ? ' \\' : ''}`)];
}

function registerCommandWords(props: RegisterCommandProps): string[] {
  const scope = registrationScope(props.scope);
  return [
    'forgejo forgejo-cli actions register',
    `--name ${props.runnerName}`,
    ...(scope !== undefined ? [`--scope ${scope}`] : []),
    `--labels ${props.labels.map(runnerLabelName).join(',')}`,
    '--secret-file <file holding the 40-hex runner secret>',
  ];
}
