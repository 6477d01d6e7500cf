// Go durations ("1h", "90m", "1h30m"): the format forgejo-runner and External Secrets parse.
export const GO_DURATION = /^(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;

const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Seconds in a Go duration; throws on anything else. */
export function durationSeconds(duration: string): number {
  if (!GO_DURATION.test(duration)) throw new Error(`"${duration}" is not a Go duration such as "1h" or "90m"`);
  let total = 0;
  for (const m of duration.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(m[1]) * UNIT_SECONDS[m[2]!]!;
  }
  return total;
}

/** time.Duration is an int64 of nanoseconds: 2562047h47m16.854775807s is the longest Go parses. */
export const MAX_GO_DURATION_SECONDS = 9_223_372_036.854775807;
