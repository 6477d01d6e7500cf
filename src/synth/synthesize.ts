// Typed values -> synthesized objects, in memory. No file is written here: the writer decides
// where bytes go only after validation has passed.
import { ApiObject, App, type Chart } from 'cdk8s';
import { ArgoApplicationChart, ForgejoRunnerChart } from '../constructs/forgejo-runner-chart.js';
import { fileStemOf, notesOf } from '../constructs/review-notes.js';
import type { Values } from '../values/schema.js';

/** A Kubernetes object as it will be written. */
export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly [k: string]: unknown };
  readonly [k: string]: unknown;
}

export interface SynthesizedObject {
  /** File name inside its output target, e.g. `deployment-forgejo-runner.yaml`. */
  readonly file: string;
  readonly object: KubeObject;
  /** Field path -> why, written as comments. */
  readonly notes: ReadonlyMap<string, string>;
}

export interface Synthesis {
  /** Objects for the manifests directory, sorted by file name. */
  readonly manifests: readonly SynthesizedObject[];
  /** The Argo CD Application, for its own file. */
  readonly application: SynthesizedObject;
}

export function synthesize(values: Values): Synthesis {
  // No outdir is ever written: objects are read from the tree with toJson().
  const app = new App({ outdir: '/nonexistent-cdk8s-out' });
  const manifests = collect(new ForgejoRunnerChart(app, 'forgejo-runner', values));
  const [application] = collect(new ArgoApplicationChart(app, 'argocd-application', values));
  const seen = new Map<string, KubeObject>();
  for (const m of manifests) {
    const clash = seen.get(m.file);
    if (clash) {
      throw new Error(
        `two objects would be written to ${m.file}: ${clash.kind}/${clash.metadata.name} and ${m.object.kind}/${m.object.metadata.name}; rename one`,
      );
    }
    seen.set(m.file, m.object);
  }
  return { manifests: [...manifests].sort((a, b) => a.file.localeCompare(b.file)), application: application! };
}

function collect(chart: Chart): SynthesizedObject[] {
  return chart.node
    .findAll()
    .filter((c): c is ApiObject => ApiObject.isApiObject(c))
    .map((obj) => {
      const object = obj.toJson() as KubeObject;
      const stem = fileStemOf(obj) ?? `${object.kind.toLowerCase()}-${object.metadata.name}`;
      return { file: `${stem}.yaml`, object, notes: notesOf(obj) };
    });
}
