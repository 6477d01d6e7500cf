// The job env file round trip: ESO renders our template (Go text/template + sprig) with a value,
// forgejo-runner reads the file with godotenv v1.5.1: the value must come back exactly.
// No npm package implements godotenv's rules (the dotenv packages follow motdotla/dotenv, whose
// quoting differs), so both ends are small ports here:
// - readGodotenv follows github.com/joho/godotenv v1.5.1 parser.go (parseBytes, getStatementStart,
//   locateKeyName, extractVarValue, expandEscapes, expandVariables), line by line;
// - renderTemplate evaluates exactly the template forms dotenvTemplate emits (a field piped
//   through sprig `replace`, `if hasSuffix ... fail`), parsing the template text itself.
// scripts/dotenv-go-check.sh runs the same cases through real Go, sprig and godotenv v1.5.1.
import { dotenvTemplate } from '../../src/constructs/dotenv.js';

// --- godotenv v1.5.1 -------------------------------------------------------------------------

const isSpace = (c: string): boolean => ['\t', '\v', '\f', '\r', ' ', '\u0085', '\u00a0'].includes(c);
const isUnicodeSpace = (c: string): boolean => /\s/u.test(c);

function expandEscapes(str: string): string {
  // escapeRegex `\\.` (no newline in `.`): \n, \r converted, others kept; then `\\([^$])` -> $1.
  const out = str.replace(/\\./g, (m) => (m === '\\n' ? '\n' : m === '\\r' ? '\r' : m));
  return out.replace(/\\([^$])/gs, '$1');
}

function expandVariables(v: string, m: Map<string, string>): string {
  return v.replace(/(\\)?(\$)(\()?\{?([A-Z0-9_]+)?\}?/g, (s, esc: string | undefined, dollar: string, _paren, name: string | undefined) => {
    if (esc === '\\' || dollar === '(') return s.slice(1);
    if (name) return m.get(name) ?? '';
    return s;
  });
}

export function readGodotenv(src: string): Map<string, string> {
  const out = new Map<string, string>();
  let cut = src.replace(/\r\n/g, '\n');
  for (;;) {
    // getStatementStart
    for (;;) {
      const pos = [...cut].findIndex((c) => !isUnicodeSpace(c));
      if (pos === -1) return out;
      cut = [...cut].slice(pos).join('');
      if (cut[0] !== '#') break;
      const nl = cut.indexOf('\n');
      if (nl === -1) return out;
      cut = cut.slice(nl);
    }
    // locateKeyName
    let s = cut.replace(/^[\t\v\f\r \u0085\u00a0]+/, '');
    if (s.startsWith('export') && isSpace(s.slice(6, 7))) s = s.slice(6).replace(/^[\t\v\f\r \u0085\u00a0]+/, '');
    let key = '';
    let offset = -1;
    for (let i = 0; i < s.length; i++) {
      const c = s[i]!;
      if (isSpace(c)) continue;
      if (c === '=' || c === ':') {
        key = s.slice(0, i);
        offset = i + 1;
        break;
      }
      if (c === '_' || /[\p{L}\p{N}.]/u.test(c)) continue;
      throw new Error(`unexpected character "${c}" in variable name`);
    }
    if (s.length === 0) throw new Error('zero length string');
    key = key.replace(/\s+$/u, '');
    let rest = (offset === -1 ? '' : s.slice(offset)).replace(/^[\t\v\f\r \u0085\u00a0]+/, '');
    // extractVarValue
    const quote = rest[0] === '"' || rest[0] === "'" ? rest[0] : undefined;
    let value: string | undefined;
    if (!quote) {
      let eol = rest.search(/[\n\r]/);
      if (eol === -1) eol = rest.length;
      const line = [...rest.slice(0, eol)];
      let end = line.length;
      for (let i = end - 1; i >= 0; i--) {
        if (line[i] === '#' && i > 0 && isSpace(line[i - 1]!)) {
          end = i;
          break;
        }
      }
      const trimmed = line.slice(0, end).join('').replace(/^[\t\v\f\r \u0085\u00a0]+|[\t\v\f\r \u0085\u00a0]+$/g, '');
      value = expandVariables(trimmed, out);
      rest = rest.slice(eol);
    } else {
      let i = 1;
      for (; i < rest.length; i++) {
        if (rest[i] !== quote) continue;
        if (rest[i - 1] === '\\') continue; // v1.5.1: any preceding backslash escapes the quote
        break;
      }
      if (i >= rest.length) throw new Error(`unterminated quoted value ${rest.split('\n')[0]}`);
      const trimQ = new RegExp(`^${quote}+|${quote}+$`, 'g');
      value = rest.slice(0, i).replace(trimQ, '');
      if (quote === '"') value = expandVariables(expandEscapes(value), out);
      rest = rest.slice(i + 1);
    }
    out.set(key, value);
    cut = rest;
  }
}

// --- the template, as ESO evaluates it ----------------------------------------------------------

const GO_STRING = /"((?:[^"\\]|\\.)*)"/y;
function goUnquote(body: string): string {
  return body.replace(/\\(.)/g, (_m, c: string) => ({ n: '\n', r: '\r', t: '\t', '\\': '\\', '"': '"' })[c] ?? `\\${c}`);
}

/** Evaluates `{{ ... }}` actions of the forms dotenvTemplate emits; anything else throws. */
export function renderTemplate(template: string, data: Readonly<Record<string, string>>): string {
  let out = '';
  let skipping = false;
  const parts = template.split(/(\{\{.*?\}\})/s);
  // Trim markers: `{{- ` trims the whitespace before the action, ` -}}` the whitespace after it.
  parts.forEach((p, i) => {
    if (!p.startsWith('{{')) return;
    if (p.startsWith('{{- ') && i > 0) parts[i - 1] = parts[i - 1]!.replace(/\s+$/, '');
    if (p.endsWith(' -}}') && i + 1 < parts.length) parts[i + 1] = parts[i + 1]!.replace(/^\s+/, '');
  });
  for (const part of parts) {
    if (!part.startsWith('{{')) {
      if (!skipping) out += part;
      continue;
    }
    // Newlines inside an action are whitespace (Go >= 1.16).
    const action = part.replace(/^\{\{-? /, '').replace(/ -?\}\}$/, '').replace(/\s*\n\s*/g, ' ').trim();
    if (action === 'end') {
      skipping = false;
      continue;
    }
    if (skipping) continue;
    let m: RegExpMatchArray | null;
    if ((m = action.match(/^if hasSuffix ("(?:[^"\\]|\\.)*") \.(\w+)$/))) {
      if (!(data[m[2]!]!).endsWith(goUnquote(m[1]!.slice(1, -1)))) skipping = true;
    } else if ((m = action.match(/^fail ("(?:[^"\\]|\\.)*")$/))) {
      throw new Error(`template: ${goUnquote(m[1]!.slice(1, -1))}`);
    } else if ((m = action.match(/^\.(\w+)((?: \| replace "(?:[^"\\]|\\.)*" "(?:[^"\\]|\\.)*")*)$/))) {
      if (!(m[1]! in data)) throw new Error(`map has no entry for key "${m[1]}"`);
      let v = data[m[1]!]!;
      const args: string[] = [];
      GO_STRING.lastIndex = 0;
      for (const s of m[2]!.matchAll(/"((?:[^"\\]|\\.)*)"/g)) args.push(goUnquote(s[1]!));
      for (let i = 0; i < args.length; i += 2) v = v.split(args[i]!).join(args[i + 1]!); // strings.Replace(v, old, new, -1)
      out += v;
    } else {
      throw new Error(`unsupported template action {{ ${action} }}`);
    }
  }
  return out;
}

// --- the round trip -------------------------------------------------------------------------------

const roundTrip = (value: string): string | undefined => {
  const file = renderTemplate(dotenvTemplate(['A_KEY']), { A_KEY: value });
  return readGodotenv(file).get('A_KEY');
};

describe('job env file: every printable value reads back exactly through godotenv v1.5.1', () => {
  test.each([
    ['plain', 'abc123'],
    ['single quote (broke the old single-quoted line)', "it's"],
    ['double quotes, also at both ends', '"quoted" and "'],
    ['dollar forms (never expanded)', '$HOME ${HOME} $(id) $ $$ \\$X'],
    ['hash, also after a space (no comment cut)', 'a#b # not a comment'],
    ['equals signs', 'a=b==c='],
    ['backslashes inside', 'a\\b\\\\c\\n\\"'],
    ['leading and trailing spaces', '  padded  '],
    ['the sentinel text itself', '${0}'],
    ['empty', ''],
    ['newline and CR (not printable, still exact)', 'line1\nline2\r'],
    ['unicode', 'päss→wörd'],
  ])('%s', (_name, value) => {
    expect(roundTrip(value)).toBe(value);
  });

  test('every printable ASCII character at the start, middle and end of a value', () => {
    for (let c = 0x20; c < 0x7f; c++) {
      const ch = String.fromCharCode(c);
      if (ch === '\\') continue; // a trailing backslash is refused, tested below
      for (const value of [ch, `${ch}x`, `x${ch}`, `x${ch}x`, `${ch}${ch}`]) expect([value, roundTrip(value)]).toEqual([value, value]);
    }
  });

  test('control: the old single-quoted line with a quote in the value fails to load, as in the runner (so the reader can fail)', () => {
    expect(() => readGodotenv("A_KEY='it's'\n")).toThrow(/unexpected character "'" in variable name/);
  });

  test('a value ending in a backslash fails the template with a clear message instead of reaching jobs changed', () => {
    expect(() => roundTrip('abc\\')).toThrow(/A_KEY ends in a backslash, which godotenv v1\.5\.1 .* cannot read back/);
  });

  test('several keys: each on its own line, read independently', () => {
    const file = renderTemplate(dotenvTemplate(['A', 'B']), { A: "x'\"$", B: '# y' });
    expect(Object.fromEntries(readGodotenv(file))).toEqual({ A: "x'\"$", B: '# y' });
  });

  test('a key that is not a dotenv name is rejected', () => {
    expect(() => dotenvTemplate(['BAD-KEY'])).toThrow(/"BAD-KEY" cannot be a dotenv variable name/);
  });
});
