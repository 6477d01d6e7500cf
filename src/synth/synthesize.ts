// Typed values -> synthesized objects, in memory. No file is written here: the writer decides
// where bytes go only after validation has passed.
//
// Objects come out of cdk8s's own synthesis (Chart.toJson -> App._synthChart), which first runs
// every construct's node.addValidation() over the whole app and throws
// "Validation failed with the following errors" if any fails (cdk8s lib/app.js `validate`).
import { ApiObject, App, Chart } from 'cdk8s';
import { ArgoApplication } from '../constructs/argocd-application.ts';
import { ForgejoRunner } from '../constructs/forgejo-runner.ts';
import { fileStemOf, notesOf } from '../constructs/metadata.ts';
import { ArgoCdSyncWaves } from '../constructs/sync-waves.ts';
import type { Values } from '../values/schema.ts';
import { valuesToProps } from '../values/to-props.ts';

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
  const props = valuesToProps(values);
  // No outdir is ever written: objects are taken from Chart.toJson().
  const app = new App({ outdir: '/nonexistent-cdk8s-out' });
  const manifestsChart = new Chart(app, 'forgejo-runner', { disableResourceNameHashes: true });
  const runner = new ForgejoRunner(manifestsChart, 'Runner', props.runner);
  manifestsChart.with(new ArgoCdSyncWaves());
  const applicationChart = new Chart(app, 'argocd-application', { disableResourceNameHashes: true });
  new ArgoApplication(applicationChart, 'Application', { ...props.application, destinationNamespace: runner.namespace });

  const manifests = synthesizeChart(manifestsChart);
  const [application] = synthesizeChart(applicationChart);
  return { manifests, application: application! };
}

/**
 * A chart's objects through cdk8s's synthesis (validations included), each with its output
 * file name and review notes, sorted by file name. Two objects for one file are an error.
 */
export function synthesizeChart(chart: Chart): SynthesizedObject[] {
  const json = chart.toJson() as KubeObject[];
  const identity = (o: { apiVersion: string; kind: string; name: string; namespace?: string }) =>
    `${o.apiVersion}/${o.kind}/${o.namespace ?? ''}/${o.name}`;
  const constructs = new Map<string, ApiObject>();
  for (const obj of chart.node.findAll().filter((c): c is ApiObject => ApiObject.isApiObject(c))) {
    const id = identity({ apiVersion: obj.apiVersion, kind: obj.kind, name: obj.name, namespace: obj.metadata.namespace });
    if (constructs.has(id)) {
      throw new Error(`two constructs define ${obj.kind} ${obj.name}: ${constructs.get(id)!.node.path} and ${obj.node.path}; rename one`);
    }
    constructs.set(id, obj);
  }
  const files = new Map<string, KubeObject>();
  const out = json.map((object) => {
    const id = identity({ apiVersion: object.apiVersion, kind: object.kind, name: object.metadata.name, namespace: object.metadata.namespace });
    const obj = constructs.get(id);
    const stem = (obj && fileStemOf(obj)) ?? `${object.kind.toLowerCase()}-${object.metadata.name}`;
    const file = `${stem}.yaml`;
    const clash = files.get(file);
    if (clash) {
      throw new Error(
        `two objects would be written to ${file}: ${clash.kind}/${clash.metadata.name} and ${object.kind}/${object.metadata.name}; rename one`,
      );
    }
    files.set(file, object);
    return { file, object, notes: obj ? notesOf(obj) : new Map<string, string>() };
  });
  // Code-unit order, like every other sort here: localeCompare's order would depend on the
  // machine's locale (ICU collation), and its first call costs ~10 ms of ICU set-up per synth.
  return out.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
}
