// Text this process emitted, remembered with the data it was emitted from, so a later stage
// that needs the data back (the wiring check reads runner.env_file) does not parse YAML that was
// serialized a moment ago. Keyed by the exact text: a changed text is simply parsed.
import { parse } from 'yaml';

const emitted = new Map<string, unknown>();

/** Records that `text` is the YAML form of `data` (the emitter's round-trip is tested). */
export function rememberEmitted(text: string, data: unknown): void {
  emitted.set(text, structuredClone(data));
}

/** The data of a YAML text: remembered if this process emitted it, parsed otherwise. */
export function parseYamlText(text: string): unknown {
  return emitted.has(text) ? structuredClone(emitted.get(text)) : parse(text);
}
