// Review notes: the "why" behind non-obvious fields, attached by the construct that sets the
// field and written as YAML comments next to it, so the reviewer of a diff sees the reason.
import type { ApiObject } from 'cdk8s';

const notes = new WeakMap<ApiObject, Map<string, string>>();
const fileStems = new WeakMap<ApiObject, string>();

/**
 * Explains a field of an object's manifest. `path` is dotted, with `[name=x]` selecting a list
 * entry by name, e.g. `spec.template.spec.initContainers[name=dind].restartPolicy`.
 */
export function explain(obj: ApiObject, path: string, why: string): void {
  const map = notes.get(obj) ?? new Map<string, string>();
  map.set(path, why);
  notes.set(obj, map);
}

export function notesOf(obj: ApiObject): ReadonlyMap<string, string> {
  return notes.get(obj) ?? new Map();
}

/**
 * Names the output file of an object (without extension) when `kind-name` would not be stable,
 * e.g. a ConfigMap whose name carries a content hash.
 */
export function setFileStem(obj: ApiObject, stem: string): void {
  fileStems.set(obj, stem);
}

export function fileStemOf(obj: ApiObject): string | undefined {
  return fileStems.get(obj);
}
