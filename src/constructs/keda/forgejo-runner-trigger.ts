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
import * as z from 'zod';

/** Which jobs the scaler counts; it should match the scope the runner is registered in. */
export type ForgejoRunnerScope =
  /** Jobs of the token owner's repositories (the scaler's default). */
  | { readonly kind: 'user' }
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

/** A label name as Forgejo stores it in `runs-on`: no ",", no whitespace, no ":". */
const LABEL_NAME = /^[^,:\s]+$/;
/** Owner, repository and organization names as they go, unescaped, into the scaler's URL path. */
const PATH_SEGMENT = /^[A-Za-z0-9_.-]+$/;

const httpUrl = z.string().refine((s) => {
  try {
    const u = new URL(s);
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.host !== '' && !u.search && !u.hash;
  } catch {
    return false;
  }
}, 'must be an http(s) URL without query or fragment');

/** zod schema of the metadata, for checking a trigger in a synthesized ScaledJob. */
export const forgejoRunnerTriggerMetadataSchema = z
  .object({
    address: httpUrl,
    labels: z
      .string()
      .refine((s) => s.split(',').every((n) => LABEL_NAME.test(n)), 'must be comma-separated label names (no ":", spaces or empty names)'),
    owner: z.string().regex(PATH_SEGMENT).optional(),
    repo: z.string().regex(PATH_SEGMENT).optional(),
    org: z.string().regex(PATH_SEGMENT).optional(),
    global: z.literal('true').optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    if ((m.owner === undefined) !== (m.repo === undefined)) {
      ctx.addIssue({ code: 'custom', path: [m.owner === undefined ? 'owner' : 'repo'], message: 'owner and repo go together' });
    }
    const scopes = [m.repo !== undefined && 'owner+repo', m.org !== undefined && 'org', m.global !== undefined && 'global'].filter(Boolean);
    if (scopes.length > 1) {
      ctx.addIssue({ code: 'custom', path: [], message: `scopes ${scopes.join(', ')} are exclusive; the scaler would silently use the first` });
    }
  });

/** The name part of a runner label: `k8s` of `k8s:docker://image:tag`; a bare name stays as it is. */
export function runnerLabelName(label: string): string {
  const i = label.indexOf(':');
  return i < 0 ? label : label.slice(0, i);
}

/**
 * Builds the trigger metadata from props, with errors in terms of the props (`what` names the
 * owner of the props in messages, e.g. `ForgejoRunnerScaledJob pool-a`).
 */
export function forgejoRunnerTriggerMetadata(what: string, props: ForgejoRunnerTriggerProps): ForgejoRunnerTriggerMetadata {
  if (!httpUrl.safeParse(props.address).success) {
    throw new Error(`${what}: forgejoUrl "${props.address}" must be an http(s) URL without query or fragment (the scaler appends /api/v1/...)`);
  }
  if (props.labels.length === 0) throw new Error(`${what}: labels is empty; give the pool's runner labels (e.g. "k8s:docker://image:tag")`);
  const names = props.labels.map(runnerLabelName);
  names.forEach((n, i) => {
    if (!LABEL_NAME.test(n)) {
      throw new Error(`${what}: label "${props.labels[i]}" has no usable name ("${n}"): a label name has no ",", ":" or whitespace`);
    }
  });
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new Error(`${what}: label name "${duplicate}" is given twice in labels`);

  const scope = props.scope ?? { kind: 'user' };
  const segment = (field: string, value: string) => {
    if (!PATH_SEGMENT.test(value)) throw new Error(`${what}: scope.${field} "${value}" is not a Forgejo name (letters, digits, "-", "_", ".")`);
    return value;
  };
  let scoped: Partial<ForgejoRunnerTriggerMetadata>;
  switch (scope.kind) {
    case 'user':
      scoped = {};
      break;
    case 'repo':
      scoped = { owner: segment('owner', scope.owner), repo: segment('repo', scope.repo) };
      break;
    case 'org':
      scoped = { org: segment('org', scope.org) };
      break;
    case 'global':
      // Checked at run time too: values files and JavaScript callers bypass the literal type.
      if ((scope as { adminToken?: unknown }).adminToken !== true) {
        throw new Error(`${what}: scope global counts every job of the instance through the admin API; set scope.adminToken: true to state that the token is a site administrator's`);
      }
      scoped = { global: 'true' };
      break;
    default:
      throw new Error(`${what}: scope.kind "${(scope as { kind?: unknown }).kind}" is not one of user, repo, org, global`);
  }
  const metadata: ForgejoRunnerTriggerMetadata = { address: props.address.replace(/\/+$/, ''), labels: names.join(','), ...scoped };
  forgejoRunnerTriggerMetadataSchema.parse(metadata); // the props checks above should make this unreachable
  return metadata;
}
