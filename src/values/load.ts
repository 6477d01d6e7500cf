// Values file -> typed Values. Reads and validates only; knows nothing of constructs.
// Every problem is collected (not just the first) and reported as file:line path: expected ...
import { readFileSync, statSync } from 'node:fs';
import { isMap, isPair, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import * as z from 'zod';
import { RENAMED_KEYS, ValuesSchema, type Values } from './schema.ts';

export interface ValuesProblem {
  /** Field path such as pools[0].capacity ("" for the document itself). */
  readonly path: string;
  /** 1-based line in the values file, when known. */
  readonly line?: number;
  readonly message: string;
}

/** A values file that cannot be used; `message` lists every problem, one per line. */
export class ValuesError extends Error {
  readonly file: string;
  readonly problems: readonly ValuesProblem[];

  constructor(file: string, problems: readonly ValuesProblem[]) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in values\n` +
        problems
          .map((p) => `  ${file}${p.line ? `:${p.line}` : ''}: ${p.path || '(document)'}: ${p.message}`)
          .join('\n'),
    );
    this.name = 'ValuesError';
    this.file = file;
    this.problems = problems;
  }
}

export interface LoadedValues {
  readonly file: string;
  readonly values: Values;
  /** The bytes the values were read from (to notice an edit made while synth runs). */
  readonly bytes: Buffer;
  /** 1-based line of a field (e.g. ['output', 'manifests']) in the values file, when known. */
  readonly lineOf: (path: readonly PropertyKey[]) => number | undefined;
}

/** Reads and validates one values file; throws ValuesError listing every problem. */
export function loadValues(file: string): LoadedValues {
  let bytes: Buffer;
  const cannot = (why: string) => new ValuesError(file, [{ path: '', message: `cannot read values: ${why}` }]);
  try {
    // stat first: reading a FIFO or device would block or never end.
    const stat = statSync(file);
    if (stat.isDirectory()) throw cannot('is a directory, expected a YAML file');
    if (!stat.isFile()) throw cannot('is not a regular file, expected a YAML file');
    bytes = readFileSync(file);
  } catch (e) {
    if (e instanceof ValuesError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw cannot(code === 'ENOENT' ? 'file does not exist' : code === 'ENOTDIR' ? 'a parent of the path is not a directory' : code === 'EACCES' ? 'permission denied' : String(code ?? e));
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const lossy = new TextDecoder('utf-8').decode(bytes);
    const at = lossy.indexOf('\uFFFD');
    throw new ValuesError(file, [{ path: '', line: lossy.slice(0, Math.max(at, 0)).split('\n').length, message: 'not valid UTF-8; expected a UTF-8 text file' }]);
  }
  const parsed = parseWithLines(text, file);
  return { file, values: parsed.values, bytes, lineOf: parsed.lineOf };
}

/** Validates values text; `file` is only used in messages. */
export function parseValues(text: string, file: string): Values {
  return parseWithLines(text, file).values;
}

/** Validates values text and keeps the lines of its fields (for errors found later, e.g. by a construct). */
export function parseValuesText(text: string, file: string): Pick<LoadedValues, 'file' | 'values' | 'lineOf'> {
  return { file, ...parseWithLines(text, file) };
}

// Characters that never reach the output: C0 controls except tab and newline, DEL, C1 (incl. NEL
// U+0085), the Unicode line and paragraph separators, and lone surrogates. Go's YAML reader (behind
// kustomize and Argo CD) treats some of them as line breaks, so the objects Argo CD applies would
// differ from the ones synth validated. Tab and newline are fine: the emitter quotes or blocks them.
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function describeChar(c: string): string {
  const code = c.codePointAt(0)!;
  const names: Record<number, string> = { 0x0d: 'carriage return', 0x7f: 'DEL', 0x85: 'NEL (next line)', 0x2028: 'line separator', 0x2029: 'paragraph separator', 0: 'NUL' };
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}${names[code] ? ` (${names[code]})` : ''}`;
}

/** Strings and numbers no reader may see differently: unsafe characters, .inf and .nan. */
function unsafeScalars(doc: Document, lines: LineCounter): ValuesProblem[] {
  const problems: ValuesProblem[] = [];
  visit(doc, {
    Scalar(key, node, path) {
      const segs: PropertyKey[] = [];
      for (let i = 0; i < path.length; i++) {
        const p = path[i];
        if (isPair(p)) segs.push(String((p.key as { value?: unknown } | null)?.value));
        else if (isSeq(p)) segs.push(p.items.indexOf((path[i + 1] ?? node) as never));
      }
      const line = node.range ? lines.linePos(node.range[0]).line : undefined;
      const field = formatPath(segs) || '(document)';
      if (typeof node.value === 'string') {
        const bad = UNSAFE.exec(node.value);
        if (bad) {
          const where = key === 'key' ? `key "${node.value.replace(UNSAFE, '?')}"` : 'value';
          problems.push({ path: field, line, message: `${where} contains the control character ${describeChar(bad[0])}; expected printable text (tab and newline are allowed)` });
        }
      } else if (typeof node.value === 'number' && !Number.isFinite(node.value)) {
        problems.push({ path: field, line, message: `expected a finite number, got ${node.source ?? String(node.value)}` });
      }
    },
  });
  return problems;
}

function parseWithLines(text: string, file: string): { values: Values; lineOf: (path: readonly PropertyKey[]) => number | undefined } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ValuesError(
      file,
      doc.errors.map((e) => ({
        path: '',
        line: e.linePos?.[0]?.line ?? lines.linePos(e.pos[0]).line,
        message: `malformed YAML: ${e.message.split('\n')[0]}`,
      })),
    );
  }
  const unsafe = unsafeScalars(doc, lines);
  if (unsafe.length > 0) throw new ValuesError(file, unsafe);
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ValuesError(file, [{ path: '', line: 1, message: 'expected a YAML mapping of values' }]);
  }
  const result = ValuesSchema.safeParse(data, { reportInput: true });

  const lineOf = (path: readonly PropertyKey[]): number | undefined => {
    // Walk up until a node exists: a missing field is reported at its parent's line.
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true) as Node | undefined;
      if (node && (node as Node).range) return lines.linePos((node as Node).range![0]).line;
    }
    return undefined;
  };
  if (result.success) return { values: result.data, lineOf };
  const keyLine = (path: readonly PropertyKey[], key: string): number | undefined => {
    const parent = path.length ? doc.getIn(path as unknown[], true) : doc.contents;
    if (isMap(parent)) {
      const pair = parent.items.find((p) => (p.key as { value?: unknown })?.value === key);
      const range = (pair?.key as Node | undefined)?.range;
      if (range) return lines.linePos(range[0]).line;
    }
    return lineOf(path);
  };

  const problems: ValuesProblem[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const known = knownKeys(issue.path);
        const guess = RENAMED_KEYS[key] ?? closest(key, known);
        problems.push({
          path: formatPath([...issue.path, key]),
          line: keyLine(issue.path, key),
          message:
            `unknown key "${key}"` +
            (guess ? ` (did you mean "${guess}"?)` : known.length ? `; expected one of: ${known.join(', ')}` : ''),
        });
      }
      continue;
    }
    problems.push({ path: formatPath(issue.path), line: lineOf(issue.path), message: describe(issue) });
  }
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  throw new ValuesError(file, problems);
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type') {
    const got = (issue as { input?: unknown }).input;
    if (got === undefined) return `missing; expected ${issue.expected}`;
    return `expected ${issue.expected}, got ${typeof got === 'object' ? (Array.isArray(got) ? 'array' : 'mapping') : typeof got}`;
  }
  if (issue.code === 'invalid_union' && 'discriminator' in issue) {
    const union = unwrap(schemaAt(issue.path.slice(0, -1)));
    const field = String((issue as { discriminator: string }).discriminator);
    if (union instanceof z.ZodDiscriminatedUnion) {
      const modes = union.options.map((o) => ((o as z.ZodObject).shape[field] as z.ZodLiteral).value);
      return `expected one of: ${modes.map((m) => JSON.stringify(m)).join(', ')}`;
    }
    return `expected a valid ${field}`;
  }
  if (issue.code === 'invalid_key') {
    return issue.issues[0]?.message ?? issue.message;
  }
  if (issue.code === 'invalid_value') {
    return `expected one of: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
  if (issue.code === 'too_small' && issue.origin === 'number') {
    return issue.message.startsWith('Too small') ? `expected a number >= ${String(issue.minimum)}` : issue.message;
  }
  return issue.message;
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${String(seg)}` : String(seg)),
    '',
  );
}

/** The schema of the field at a path, if the path is one the schema describes. */
function schemaAt(path: readonly PropertyKey[]): z.ZodType | undefined {
  let schema: z.ZodType | undefined = ValuesSchema;
  for (const seg of path) {
    schema = unwrap(schema);
    if (!schema) return undefined;
    if (typeof seg === 'number' && schema instanceof z.ZodArray) schema = schema.element as z.ZodType;
    else if (schema instanceof z.ZodObject) schema = (schema.shape as Record<string, z.ZodType>)[String(seg)];
    else if (schema instanceof z.ZodRecord) schema = schema.valueType as z.ZodType;
    else return undefined;
  }
  return schema;
}

/** Keys the schema accepts at a path, for "did you mean". */
function knownKeys(path: readonly PropertyKey[]): string[] {
  const schema = unwrap(schemaAt(path));
  if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
  if (schema instanceof z.ZodDiscriminatedUnion) {
    return [...new Set(schema.options.flatMap((o) => Object.keys((o as z.ZodObject).shape)))];
  }
  return [];
}

function unwrap(schema: z.ZodType | undefined): z.ZodType | undefined {
  let s = schema;
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault || s instanceof z.ZodPipe) {
    s = (s instanceof z.ZodPipe ? s.in : s.unwrap()) as z.ZodType;
  }
  return s;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  // Close enough to be a typo: at most a third of the word changed.
  return best !== undefined && bestDistance <= Math.max(1, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}

/**
 * The output paths a values file claims, read without validating the rest of it: synth of other
 * values files checks its outputs against these (no two values files may share an output) and
 * never takes them for orphans. undefined when the file cannot be read or parsed as YAML.
 */
export function peekOutputs(file: string): { readonly manifests?: string; readonly application?: string; readonly lineOf: (path: readonly PropertyKey[]) => number | undefined } | undefined {
  try {
    if (!statSync(file).isFile()) return undefined; // never read a FIFO
    const lines = new LineCounter();
    const doc = parseDocument(readFileSync(file, 'utf8'), { lineCounter: lines, prettyErrors: false });
    if (doc.errors.length > 0) return undefined;
    const at = (key: string) => {
      const v = doc.getIn(['output', key]);
      return typeof v === 'string' ? v : undefined;
    };
    const lineOf = (path: readonly PropertyKey[]) => {
      const node = doc.getIn(path as unknown[], true) as Node | undefined;
      return node?.range ? lines.linePos(node.range[0]).line : undefined;
    };
    return { manifests: at('manifests'), application: at('application'), lineOf };
  } catch {
    return undefined;
  }
}
