// JSON-shaped data -> YAML text with review comments above chosen fields, through the `yaml`
// library's Document API (https://eemeli.org/yaml/#documents, #options). Layout is kubectl's:
// sequences start at their key's indent, multi-line strings are literal blocks, no line folding.
// Strings are written plain only when both YAML 1.2 (the library's core schema decides) and YAML 1.1
// (yes/no/on/off, sexagesimal numbers, 0b/0-octal, timestamps: what go-yaml v2 readers resolve; see
// YAML11_IMPLICIT) read them back as the same string; everything else is double-quoted. The
// library's own `compat: 'yaml-1.1'` option does the same but doubles the render time (it tests
// every string against every 1.1 tag), which matters at 1000 pools.
// Strings (keys included) with a character Go's YAML reader (gopkg.in/yaml.v3, behind forgejo-runner,
// kustomize and Argo CD) reads as a line break (NEL U+0085, U+2028, U+2029) or refuses as a control
// character (C0 but tab and newline, DEL, C1, U+FFFE, U+FFFF) are double-quoted with those
// characters escaped (\uXXXX): the library leaves them raw, even inside double quotes. (yaml.v3
// readerc.go: is_printable and is_break decide both.) A lone surrogate cannot be written as UTF-8
// at all and is refused.
import { Document, isMap, isScalar, isSeq, Scalar, type Node, type Pair, type ToStringOptions } from 'yaml';

export interface EmitOptions {
  /** Sort map keys (Kubernetes objects: yes, like kubectl; hand-shaped config files: no). */
  readonly sortKeys: boolean;
  /**
   * Comments keyed by field path: dotted keys, `[name=x]` to pick a list entry by name
   * (e.g. `spec.template.spec.containers[name=dind].securityContext`), `[i]` for other entries.
   * Each comment is written on the lines above its field.
   */
  readonly comments?: ReadonlyMap<string, string>;
}

const TO_STRING: ToStringOptions = {
  indentSeq: false, // kubectl style: "- " at the key's indent
  lineWidth: 0, // never fold: a reviewer reads scripts and long values as they are
  minContentWidth: 0,
  blockQuote: 'literal',
  singleQuote: false, // one quoting style: double quotes, JSON-like escapes
  flowCollectionPadding: false,
  // No %YAML/%TAG lines or `---` are ever written here (callers add `---`); without this the
  // library walks every node of every document once more only to find that out.
  directives: false,
};

/** Emits a mapping as a YAML document body (no `---`); throws if a comment names no field. */
export function emitYaml(value: Readonly<Record<string, unknown>>, options: EmitOptions): string {
  // aliasDuplicateObjects off: the objects come from JSON-shaped synthesis (no shared references),
  // and Kubernetes manifests should never carry &anchors/*aliases anyway; the library would
  // otherwise track every object in a map to look for repeats.
  const doc = new Document(value, { version: '1.2', sortMapEntries: options.sortKeys, keepUndefined: false, aliasDuplicateObjects: false });
  const comments = options.comments ?? new Map<string, string>();
  const used = new Set<string>();
  attach(doc.contents as Node, '', comments, used, options.sortKeys);
  for (const path of comments.keys()) {
    if (!used.has(path)) throw new Error(`comment for "${path}" names no field`);
  }
  const text = doc.toString(TO_STRING);
  // Every string holding one is double-quoted (attach), where \uXXXX means the character itself.
  return GO_UNSAFE.test(text) ? text.replace(GO_UNSAFE_GLOBAL, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`) : text;
}

// Raw characters a Go YAML reader does not read as themselves (see the header). C0 controls other
// than tab, LF and CR are escaped by the library already inside double quotes, but not in plain scalars.
const GO_UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029\uFFFE\uFFFF]/;
const GO_UNSAFE_GLOBAL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\uFFFE\uFFFF]/g;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** How a string scalar must be written: double-quoted unless plain (or a block) reads back the same everywhere. */
function mustQuote(v: string, where: string, isKey = false): boolean {
  if (LONE_SURROGATE.test(v)) throw new Error(`${where || '(document)'}: a string holds a lone UTF-16 surrogate, which has no UTF-8 encoding; expected valid Unicode text`);
  if (GO_UNSAFE.test(v)) return true;
  if (isKey) return false; // keys keep the library's choice (the YAML 1.1 rule is for values)
  return v.includes('\n') ? AMBIGUOUS_BLOCK.test(v) : YAML11_IMPLICIT.test(v);
}

/** The library writes `#` + each line; a leading space gives "# why" and keeps blank lines "#". */
const commentText = (text: string) => text.split('\n').map((l) => ` ${l}`).join('\n'); // ' ' alone -> '#'

// A literal block whose first non-empty line holds only spaces or tabs has no well-defined
// indentation: Go's reader (kustomize) drops that whitespace. Such strings are double-quoted.
const AMBIGUOUS_BLOCK = /^\n*[ \t]+(?:\n|$)/;

// Plain scalars YAML 1.1 resolves to something other than a string (a superset, on purpose: a
// string that merely looks numeric is quoted too; quoting never changes the value).
const YAML11_IMPLICIT = /^(?:[yYnN]|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|true|True|TRUE|false|False|FALSE|null|Null|NULL|~|=|<<|[-+]?[0-9.][0-9a-fA-FxXoObB_.:eE+-]*|[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)|\d{4}-\d\d?-\d\d?(?:[Tt \t].*)?)$/;

function attach(node: Node, path: string, comments: ReadonlyMap<string, string>, used: Set<string>, sortKeys: boolean): void {
  if (isScalar(node)) {
    const v = node.value;
    if (typeof v === 'string' && mustQuote(v, path)) node.type = Scalar.QUOTE_DOUBLE;
  } else if (isMap(node)) {
    for (const pair of node.items as Pair<Scalar, Node>[]) {
      const key = String(pair.key.value);
      const fieldPath = path ? `${path}.${key}` : key;
      if (mustQuote(key, fieldPath, true)) pair.key.type = Scalar.QUOTE_DOUBLE;
      const text = comments.get(fieldPath);
      if (text !== undefined) {
        used.add(fieldPath);
        pair.key.commentBefore = commentText(text);
      }
      if (pair.value) attach(pair.value, fieldPath, comments, used, sortKeys);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => {
      const entry = item as Node;
      const name = isMap(entry) ? entry.get('name') : undefined;
      const itemPath = typeof name === 'string' ? `${path}[name=${name}]` : `${path}[${i}]`;
      const text = comments.get(itemPath);
      if (text !== undefined) {
        used.add(itemPath);
        entry.commentBefore = commentText(text);
      }
      attach(entry, itemPath, comments, used, sortKeys);
      // The library writes the comment of a list entry's first key after the "- " ("- # why");
      // the comment belongs above the entry, where the reviewer reads it before the "- ".
      if (isMap(entry) && entry.items.length > 0) {
        const keys = (entry.items as Pair<Scalar, Node>[]).map((p) => p.key);
        const first = sortKeys ? keys.reduce((a, b) => (String(b.value) < String(a.value) ? b : a)) : keys[0]!;
        if (first.commentBefore) {
          entry.commentBefore = entry.commentBefore ? `${entry.commentBefore}\n${first.commentBefore}` : first.commentBefore;
          first.commentBefore = undefined;
        }
      }
    });
  }
}
