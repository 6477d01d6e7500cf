// Field formats of the values file that are about the file and the repository, not about a
// construct's props (those rules live in src/constructs/rules.ts and are checked by the
// constructs). Each carries the "what was expected" text that ends up in error messages.
import * as z from 'zod';

/** A path relative to the repository root that stays inside it. */
export const repoPath = z
  .string()
  .min(1, 'expected a non-empty path')
  .refine((s) => !s.startsWith('/') && !s.split(/[\\/]/).includes('..'), {
    message: 'expected a path relative to the repository root, without ".."',
  });
