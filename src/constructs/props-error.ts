// The one error type of the constructs: every rule a construct checks on its props ends here,
// with the prop path it is about (`pools[1].ephemeral.maxReplicaCount`) and a message in terms
// of props. The CLI maps each path back to the line of the values file that fed that prop
// (src/values/locate.ts), so values users get file:line errors from the same rules.

/** A prop path: keys and array indexes from the construct's props, e.g. ['pools', 1, 'capacity']. */
export type PropPath = readonly (string | number)[];

/** One rejected prop. */
export interface PropsProblem {
  /** Where in the props, from the props object of `PropsError.construct`. */
  readonly path: PropPath;
  /** What is wrong and, where there is one, the fix; in terms of props. */
  readonly message: string;
  /** The prop that sets the value another way (e.g. a name derived from `path` that this prop overrides). @default none */
  readonly override?: PropPath;
}

/** The message with its override named: `...; set jobCredential.secretName instead`. */
export function describeProblem(p: PropsProblem, pathName: (path: PropPath) => string = formatPropPath): string {
  return p.override ? `${p.message}; set ${pathName(p.override)} to choose a valid name` : p.message;
}

/** `pools[1].ephemeral.maxReplicaCount` from ['pools', 1, 'ephemeral', 'maxReplicaCount']. */
export function formatPropPath(path: PropPath): string {
  return path.reduce<string>((acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}

/**
 * Props a construct cannot build from. Lists every problem the construct found at once (not only
 * the first), each with its prop path.
 */
export class PropsError extends Error {
  /** The construct that rejected its props, e.g. `ForgejoRunner forgejo-runner`. */
  readonly construct: string;
  readonly problems: readonly PropsProblem[];

  constructor(construct: string, problems: readonly PropsProblem[]) {
    super(`${construct}: ${problems.map((p) => `${formatPropPath(p.path) || '(props)'}: ${describeProblem(p)}`).join('\n  ')}`);
    this.name = 'PropsError';
    this.construct = construct;
    this.problems = problems;
  }

  /** The first problem's path (most errors have one problem). */
  get path(): PropPath {
    return this.problems[0]?.path ?? [];
  }

  /** The same problems under another construct, each path behind `prefix` (a parent's props that hold these). */
  within(construct: string, prefix: PropPath): PropsError {
    return new PropsError(construct, this.problems.map((p) => prefixed(p, prefix)));
  }
}

/** Collects the problems of one construct's props; `done()` throws them all as one PropsError. */
export class PropsCheck {
  private readonly found: PropsProblem[] = [];
  private readonly construct: string;

  constructor(construct: string) {
    this.construct = construct;
  }

  /** Records a problem at `path` when `message` is defined (a rule's result); returns whether it passed. */
  check(path: PropPath, message: string | undefined): boolean {
    if (message !== undefined) this.found.push({ path, message });
    return message === undefined;
  }

  /** Records a problem. */
  problem(p: PropsProblem): void {
    this.found.push(p);
  }

  /** Records a problem at `path`. */
  fail(path: PropPath, message: string): void {
    this.found.push({ path, message });
  }

  /** Runs `build`, recording a PropsError it throws under `prefix` (a child construct's props). */
  nested<T>(prefix: PropPath, build: () => T): T | undefined {
    try {
      return build();
    } catch (e) {
      if (!(e instanceof PropsError)) throw e;
      this.found.push(...e.problems.map((p) => prefixed(p, prefix)));
      return undefined;
    }
  }

  get ok(): boolean {
    return this.found.length === 0;
  }

  /** Throws every recorded problem; returns when there is none. */
  done(): void {
    if (this.found.length > 0) throw new PropsError(this.construct, this.found);
  }
}

function prefixed(p: PropsProblem, prefix: PropPath): PropsProblem {
  return { ...p, path: [...prefix, ...p.path], ...(p.override ? { override: [...prefix, ...p.override] } : {}) };
}
