// The ESO template (engine v2: Go text/template with sprig's functions) of a dotenv file that
// forgejo-runner reads through runner.env_file. forgejo-runner loads it with
// github.com/joho/godotenv v1.5.1 (godotenv.Read in its config loader; v1.5.1 is godotenv's latest
// release), whose parser.go rules decide the encoding:
// - single quotes are literal, but a value cannot contain `'`, and a `\` before the closing quote
//   is taken as an escape (unterminated value);
// - double quotes: `\n` and `\r` become newline and CR, `\X` becomes X for any other X except `$`,
//   `\$` becomes `$`, and an unescaped `$NAME`/`${NAME}` is expanded ("" when unknown). But the
//   closing quote is the first `"` not preceded by `\`, and the value is trimmed of `"` at both
//   ends (TrimLeftFunc/TrimRightFunc), so a value ending in `"` or `\` would come back changed.
// Encoding: double quotes with `\`, `"`, `$`, newline and CR escaped, then `${0}` before the
// closing quote: it expands to "" (no earlier key, and no process env var, can be named "0", a
// name a shell or Kubernetes env var cannot start with), and keeps the value's own last
// character away from the closing quote. Every printable value then reads back exactly, except
// one that ends in `\`: its escaped `\\` unescapes to a `\` that then escapes the `$` of `${0}`,
// and without `${0}` v1.5.1 takes `\"` for an escaped quote. No godotenv v1.5.1 quoting carries
// it, so the template fails (sprig `fail`) and ESO reports the error on the ExternalSecret
// instead of handing jobs a changed value.
// sprig's `replace OLD NEW S` is strings.Replace(S, OLD, NEW, -1); `\` goes first so the later
// escapes are not doubled.
import { envVarName } from './rules.ts';

/** [from, to] in order: the escapes applied to each value (to is the Go string's content). */
export const DOTENV_ESCAPES: readonly (readonly [string, string])[] = [
  ['\\', '\\\\'],
  ['"', '\\"'],
  ['$', '\\$'],
  ['\n', '\\n'],
  ['\r', '\\r'],
];

/** A Go string literal (text/template accepts Go's syntax) for a string. */
function goString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

/** One `KEY="..."` line per key; each key is a template field (the ExternalSecret's data key). */
export function dotenvTemplate(keys: readonly string[]): string {
  return keys
    .map((k) => {
      if (envVarName(k) !== undefined) throw new Error(`dotenvTemplate: "${k}" cannot be a dotenv variable name (letters, digits, "_", not starting with a digit)`);
      const escapes = DOTENV_ESCAPES.map(([from, to]) => `| replace ${goString(from)} ${goString(to)}`);
      const message = `${k} ends in a backslash, which godotenv v1.5.1 (runner.env_file) cannot read back`;
      // Trim markers keep the guard out of the file; newlines inside an action are Go >= 1.16.
      return [
        `{{ if hasSuffix ${goString('\\')} .${k} -}}`,
        `{{ fail ${goString(message)} }}`,
        '{{- end -}}',
        `${k}="{{ .${k} ${escapes.slice(0, 2).join(' ')}`,
        `  ${escapes.slice(2).join(' ')} }}\${0}"`,
        '',
      ].join('\n');
    })
    .join('');
}
