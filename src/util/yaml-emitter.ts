// A small YAML emitter for JSON-shaped data (maps, lists, strings, numbers, booleans, null) with
// comments above chosen fields. The `yaml` library's Document model is general but costs ~1 ms
// per object; this writes the same kubectl-style layout directly, which keeps synth time flat
// as pools are added. Tests parse everything it writes back with `yaml` and compare.

export interface EmitOptions {
  /** Sort map keys (Kubernetes objects: yes, like kubectl; hand-shaped config files: no). */
  readonly sortKeys: boolean;
  /**
   * Comments keyed by field path: dotted keys, `[name=x]` to pick a list entry by name
   * (e.g. `spec.template.spec.containers[name=dind].securityContext`). Each comment is written on
   * the lines above its field.
   */
  readonly comments?: ReadonlyMap<string, string>;
}

type Json = null | boolean | number | string | readonly Json[] | { readonly [k: string]: Json };

/** Emits a mapping as a YAML document body (no `---`); throws if a comment names no field. */
export function emitYaml(value: Readonly<Record<string, unknown>>, options: EmitOptions): string {
  const used = new Set<string>();
  const out: string[] = [];
  emitMap(value as Record<string, Json>, 0, '', options, used, out);
  for (const path of options.comments?.keys() ?? []) {
    if (!used.has(path)) throw new Error(`comment for "${path}" names no field`);
  }
  return out.join('');
}

function emitMap(
  map: { readonly [k: string]: Json },
  indent: number,
  path: string,
  options: EmitOptions,
  used: Set<string>,
  out: string[],
  firstLinePrefix?: string,
): void {
  const keys = Object.keys(map).filter((k) => map[k] !== undefined);
  if (options.sortKeys) keys.sort();
  keys.forEach((key, i) => {
    const fieldPath = path ? `${path}.${key}` : key;
    const pad = ' '.repeat(indent);
    // The first key of a list entry shares the line of its "- ".
    const lead = i === 0 && firstLinePrefix !== undefined ? firstLinePrefix : pad;
    comment(fieldPath, i === 0 && firstLinePrefix !== undefined ? indent - 2 : indent, options, used, out);
    emitField(scalarKey(key), map[key]!, indent, lead, fieldPath, options, used, out);
  });
}

function emitField(
  key: string,
  value: Json,
  indent: number,
  lead: string,
  path: string,
  options: EmitOptions,
  used: Set<string>,
  out: string[],
): void {
  if (Array.isArray(value)) {
    if (value.length === 0) {
      out.push(`${lead}${key}: []\n`);
      return;
    }
    out.push(`${lead}${key}:\n`);
    emitSeq(value, indent, path, options, used, out); // kubectl style: "- " at the key's indent
  } else if (value !== null && typeof value === 'object') {
    if (Object.keys(value).length === 0) {
      out.push(`${lead}${key}: {}\n`);
      return;
    }
    out.push(`${lead}${key}:\n`);
    emitMap(value as { readonly [k: string]: Json }, indent + 2, path, options, used, out);
  } else if (typeof value === 'string' && value.includes('\n') && blockSafe(value)) {
    out.push(`${lead}${key}: ${block(value, indent + 2)}`);
  } else {
    out.push(`${lead}${key}: ${scalar(value)}\n`);
  }
}

function emitSeq(seq: readonly Json[], indent: number, path: string, options: EmitOptions, used: Set<string>, out: string[]): void {
  const pad = ' '.repeat(indent);
  seq.forEach((item, i) => {
    const named = item !== null && typeof item === 'object' && !Array.isArray(item) && typeof (item as Record<string, Json>).name === 'string';
    const itemPath = named ? `${path}[name=${(item as Record<string, Json>).name as string}]` : `${path}[${i}]`;
    comment(itemPath, indent, options, used, out);
    if (Array.isArray(item)) {
      if (item.length === 0) out.push(`${pad}- []\n`);
      else throw new Error(`${itemPath}: nested lists are not supported`);
    } else if (item !== null && typeof item === 'object') {
      if (Object.keys(item).length === 0) out.push(`${pad}- {}\n`);
      else emitMap(item as { readonly [k: string]: Json }, indent + 2, itemPath, options, used, out, `${pad}- `);
    } else if (typeof item === 'string' && item.includes('\n') && blockSafe(item)) {
      out.push(`${pad}- ${block(item, indent + 2)}`);
    } else {
      out.push(`${pad}- ${scalar(item)}\n`);
    }
  });
}

function comment(path: string, indent: number, options: EmitOptions, used: Set<string>, out: string[]): void {
  const text = options.comments?.get(path);
  if (text === undefined) return;
  used.add(path);
  const pad = ' '.repeat(indent);
  for (const line of text.split('\n')) out.push(line ? `${pad}# ${line}\n` : `${pad}#\n`);
}

/** A literal block scalar ("|"): the reviewer reads scripts and config files as they are. */
function block(text: string, indent: number): string {
  const pad = ' '.repeat(indent);
  const chomp = text.endsWith('\n') ? '' : '-';
  const body = text.endsWith('\n') ? text.slice(0, -1) : text;
  return `|${chomp}\n${body
    .split('\n')
    .map((l) => (l ? `${pad}${l}` : ''))
    .join('\n')}\n`;
}

/** Literal blocks cannot express leading spaces on the first line, trailing spaces or blank endings. */
function blockSafe(text: string): boolean {
  return !/^[ \t]/.test(text) && !/[ \t]\n/.test(text) && !/[ \t]$/.test(text) && !text.endsWith('\n\n') && !/[\r\0-\x08\x0b\x0c\x0e-\x1f]/.test(text);
}

// Plain (unquoted) strings: only when YAML 1.1 and 1.2 parsers both read them back as the same
// string. Everything else is double-quoted (JSON string syntax is valid YAML).
const PLAIN = /^[A-Za-z0-9_./~+=$^()\\-][^\n#]*$/;
const SPECIAL = /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|<<|=)$/;
const NUMERIC = /^[-+]?(?:\.?[0-9][0-9_.:eE+-]*|0x[0-9a-fA-F_]+|0o?[0-7_]+|0b[01_]+|\.(?:inf|Inf|INF|nan|NaN|NAN))$/;

function plainSafe(s: string): boolean {
  return (
    PLAIN.test(s) &&
    !SPECIAL.test(s) &&
    !NUMERIC.test(s) &&
    !/:(?: |$)/.test(s) &&
    !/\s$/.test(s) &&
    !/^-(?: |$)/.test(s) &&
    !/^\d{4}-\d\d?-\d\d?/.test(s) // timestamps
  );
}

function scalar(value: Json): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (typeof value === 'string') return plainSafe(value) ? value : JSON.stringify(value);
  throw new Error(`not a scalar: ${JSON.stringify(value)}`);
}

function scalarKey(key: string): string {
  return plainSafe(key) ? key : JSON.stringify(key);
}
