// Values file -> typed Values. Reads and validates only; knows nothing of constructs.
// Every problem is collected (not just the first) and reported as file:line path: expected ...
import { readFileSync } from 'node:fs';
import { isMap, LineCounter, parseDocument, type Node } from 'yaml';
import { z } from 'zod';
import { ValuesSchema, type Values } from './schema.js';

export interface ValuesProblem {
  /** Field path such as pools[0].capacity ("" for the document itself). */
  readonly path: string;
  /** 1-based line in the values file, when known. */
  readonly line?: number;
  readonly message: string;
}

/** A values file that cannot be used; `message` lists every problem, one per line. */
export class ValuesError extends Error {
  constructor(
    readonly file: string,
    readonly problems: readonly ValuesProblem[],
  ) {
    super(
      `${file}: ${problems.length} problem${problems.length === 1 ? '' : 's'} in values\n` +
        problems
          .map((p) => `  ${file}${p.line ? `:${p.line}` : ''}: ${p.path || '(document)'}: ${p.message}`)
          .join('\n'),
    );
    this.name = 'ValuesError';
  }
}

export interface LoadedValues {
  readonly file: string;
  readonly values: Values;
}

/** Reads and validates one values file; throws ValuesError listing every problem. */
export function loadValues(file: string): LoadedValues {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file does not exist' : code === 'EISDIR' ? 'is a directory, expected a YAML file' : String(e);
    throw new ValuesError(file, [{ path: '', message: `cannot read values: ${why}` }]);
  }
  return { file, values: parseValues(text, file) };
}

/** Validates values text; `file` is only used in messages. */
export function parseValues(text: string, file: string): Values {
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
  const data: unknown = doc.toJS();
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ValuesError(file, [{ path: '', line: 1, message: 'expected a YAML mapping of values' }]);
  }
  const result = ValuesSchema.safeParse(data, { reportInput: true });
  if (result.success) return result.data;

  const lineOf = (path: readonly PropertyKey[]): number | undefined => {
    // Walk up until a node exists: a missing field is reported at its parent's line.
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true) as Node | undefined;
      if (node && (node as Node).range) return lines.linePos((node as Node).range![0]).line;
    }
    return undefined;
  };
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
        const guess = closest(key, known);
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
