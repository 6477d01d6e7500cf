// Review notes and output file names, carried on the construct tree as construct metadata
// (node.addMetadata), so they travel with the ApiObject they describe: no module-global state,
// and a second App in the same process cannot see or overwrite them.
import type { ApiObject } from 'cdk8s';

/** Metadata type of a review note: data is `{ path, why }`. */
export const REVIEW_NOTE = 'forgejo-runner-cdk8s:review-note';
/** Metadata type of an output file stem: data is the stem (file name without `.yaml`). */
export const FILE_STEM = 'forgejo-runner-cdk8s:file-stem';

interface ReviewNote {
  readonly path: string;
  readonly why: string;
}

/**
 * Explains a field of an object's manifest; the renderer writes it as a comment next to the
 * field. `path` is dotted, with `[name=x]` selecting a list entry by name, e.g.
 * `spec.template.spec.initContainers[name=dind].restartPolicy`; `''` is the whole document.
 */
export function explain(obj: ApiObject, path: string, why: string): void {
  obj.node.addMetadata(REVIEW_NOTE, { path, why } satisfies ReviewNote);
}

/** The review notes of an object, field path -> why (a later note on the same path wins). */
export function notesOf(obj: ApiObject): ReadonlyMap<string, string> {
  const notes = new Map<string, string>();
  for (const entry of obj.node.metadata) {
    if (entry.type === REVIEW_NOTE) {
      const note = entry.data as ReviewNote;
      notes.set(note.path, note.why);
    }
  }
  return notes;
}

/**
 * Names the output file of an object (without extension) when `kind-name` would not be stable,
 * e.g. a ConfigMap whose name carries a content hash.
 */
export function setFileStem(obj: ApiObject, stem: string): void {
  obj.node.addMetadata(FILE_STEM, stem);
}

export function fileStemOf(obj: ApiObject): string | undefined {
  const stems = obj.node.metadata.filter((e) => e.type === FILE_STEM);
  return stems.length ? (stems[stems.length - 1]!.data as string) : undefined;
}
