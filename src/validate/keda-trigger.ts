// Post-synthesis check of each `forgejo-runner` trigger's metadata. Why after synthesis: the
// constructs build valid metadata, but a JsonPatch or a raw ApiObject can change or add a
// trigger, and @kubernetes-models/keda types trigger metadata as an untyped string map, so the
// CRD schema check cannot catch it. The fields as the scaler reads them: see
// src/constructs/keda/forgejo-runner-trigger.ts (kedacore/keda pkg/scalers/forgejo_runner_scaler.go).
import * as z from 'zod';
import { FORGEJO_NAME, httpUrl, LABEL_NAME } from '../constructs/rules.ts';

/** zod schema of the metadata of a `forgejo-runner` trigger. */
export const forgejoRunnerTriggerMetadataSchema = z
  .object({
    address: z.string().refine((s) => httpUrl(s) === undefined && !/[?#]/.test(s), 'must be an http(s) URL without query or fragment'),
    labels: z
      .string()
      .refine((s) => s.split(',').every((n) => LABEL_NAME.test(n)), 'must be comma-separated label names of A-Z a-z 0-9 . _ ~ - (sent unescaped in the scaler\'s query string)'),
    owner: z.string().regex(FORGEJO_NAME).optional(),
    repo: z.string().regex(FORGEJO_NAME).optional(),
    org: z.string().regex(FORGEJO_NAME).optional(),
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

/** Problems of one trigger's metadata, as "field: message". */
export function triggerMetadataProblems(metadata: unknown): string[] {
  const result = forgejoRunnerTriggerMetadataSchema.safeParse(metadata);
  return result.success ? [] : result.error.issues.map((i) => `${i.path.join('.') || '(metadata)'}: ${i.message}`);
}
