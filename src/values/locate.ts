// A construct's PropsError, in terms of the values file: each problem's prop path is mapped to
// the values field that fed it (to-props.ts), and that field to its line, so a values user reads
// `values/x.yaml:42: pools[1].ephemeral.maxReplicaCount: ...` from a rule written once, in the
// construct.
import { describeProblem, formatPropPath, PropsError } from '../constructs/props-error.ts';
import { synthesize, type Synthesis } from '../synth/synthesize.ts';
import { ValuesError, type LoadedValues, type ValuesProblem } from './load.ts';
import { valuesPathOf } from './to-props.ts';

/** The problems of a PropsError from the constructs a values file was synthesized with, at the values file's lines. */
export function locatePropsError(error: PropsError, values: Pick<LoadedValues, 'lineOf'>): ValuesProblem[] {
  const props = error.construct.startsWith('ArgoApplication') ? 'application' : 'runner';
  return error.problems
    .map((p) => {
      const path = valuesPathOf(props, p.path);
      return { path: formatPropPath(path), line: values.lineOf(path), message: describeProblem(p, (o) => formatPropPath(valuesPathOf(props, o))) };
    })
    .sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
}

/** Synthesizes loaded values; a construct's PropsError becomes a ValuesError at the values file's lines (`source` names the file). */
export function synthesizeValues(loaded: Pick<LoadedValues, 'values' | 'lineOf'>, source: string): Synthesis {
  try {
    return synthesize(loaded.values);
  } catch (e) {
    if (e instanceof PropsError) throw new ValuesError(source, locatePropsError(e, loaded));
    throw e;
  }
}
