// Field formats shared by the values schema. Each carries the "what was expected" text
// that ends up in error messages, so a typo in a values file reads as a fix, not a trace.
import * as z from 'zod';
import { durationSeconds, GO_DURATION, MAX_GO_DURATION_SECONDS } from '../util/duration.ts';

/** RFC 1123 label: what Kubernetes requires of namespace, Deployment and container names. */
export const dnsLabel = z
  .string()
  .max(63, 'expected at most 63 characters (a DNS-1123 label)')
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    'expected a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit',
  );

/** RFC 1123 subdomain: what Kubernetes requires of Secret and ConfigMap names. */
export const dnsSubdomain = z
  .string()
  .max(253, 'expected at most 253 characters (a DNS-1123 subdomain)')
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    'expected a DNS-1123 subdomain: lowercase letters, digits, "-" and "."',
  );

/** A POSIX-shell-safe environment variable name (the runner's start-up script expands them). */
export const envVarName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'expected an environment variable name matching [A-Za-z_][A-Za-z0-9_]*');

// Docker reference grammar (distribution/reference), simplified: optional registry host[:port],
// lowercase path components, optional tag, optional digest. No whitespace anywhere.
const IMAGE =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;

/** An image reference that pins a tag or digest: an untagged image would silently float to latest. */
export const imageRef = z
  .string()
  .regex(IMAGE, { message: 'expected an image reference like registry.example/name:tag (no spaces, lowercase path)', abort: true })
  .refine((s) => /:[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(s) || s.includes('@sha256:'), {
    message: 'expected an image reference with an explicit tag or digest (e.g. docker:27-dind)',
  });

/** A Go duration ("1h", "90m", "1h30m"), the format forgejo-runner and External Secrets parse. */
export const goDuration = z
  .string()
  .regex(GO_DURATION, { message: 'expected a Go duration such as "1h", "30m" or "1h30m"', abort: true })
  .refine((s) => durationSeconds(s) > 0, { message: 'expected a duration greater than zero', abort: true })
  .refine((s) => durationSeconds(s) <= MAX_GO_DURATION_SECONDS, { message: 'expected a duration of at most 2562047h (the longest Go accepts)' });

/** An http(s) URL: the forge, registry mirrors. */
export const httpUrl = z
  .string()
  .refine(
    (s) => {
      try {
        const u = new URL(s);
        return (u.protocol === 'http:' || u.protocol === 'https:') && !/\s/.test(s);
      } catch {
        return false;
      }
    },
    { message: 'expected an http:// or https:// URL' },
  );

/** A registry host name with optional port, as docker login and skopeo --dest-creds use it. */
export const registryHost = z
  .string()
  .regex(
    /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::[0-9]+)?$/,
    'expected a registry host such as registry.example.org or registry.example.org:5000',
  );

/** A path relative to the repository root that stays inside it. */
export const repoPath = z
  .string()
  .min(1, 'expected a non-empty path')
  .refine((s) => !s.startsWith('/') && !s.split(/[\\/]/).includes('..'), {
    message: 'expected a path relative to the repository root, without ".."',
  });

/** A Kubernetes resource quantity ("500m", "2", "4Gi"). */
export const quantity = z
  .union([z.string(), z.number()])
  .refine((q) => /^[0-9]+(\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$/.test(String(q)), {
    message: 'expected a Kubernetes quantity such as "500m", "2" or "4Gi"',
  })
  .transform((q) => String(q));
