// The conventional cdk8s app the bench (scripts/bench.mjs) compares with: what a user would pick
// instead of this project's CLI. Constructs in a main.ts, props read from the tests' fixture
// values (test/fixtures/values/cluster.yaml, present in every fork), run by `cdk8s synth` through
// tsx (ts-node, the `cdk8s init` default, cannot run TypeScript 7: it ships no JS compiler API,
// so ts-node 10.9.2 crashes), written by cdk8s's own App.synth():
//   npx cdk8s synth --app "npx tsx scripts/stock-app.ts" --output <scratch dir>
// It builds the same objects (the same constructs), without this project's validation, review
// comments, perimeter or atomic swap.
import { readFileSync } from 'node:fs';
import { App, Chart, YamlOutputType } from 'cdk8s';
import { parse } from 'yaml';
import { ArgoApplication, ArgoCdSyncWaves, ForgejoRunner } from '../src/index.js';
import { ValuesSchema } from '../src/values/schema.js';
import { valuesToProps } from '../src/values/to-props.js';

const props = valuesToProps(ValuesSchema.parse(parse(readFileSync(new URL('../test/fixtures/values/cluster.yaml', import.meta.url), 'utf8'))));
const app = new App({ yamlOutputType: YamlOutputType.FILE_PER_RESOURCE });
const chart = new Chart(app, 'forgejo-runner', { disableResourceNameHashes: true });
const runner = new ForgejoRunner(chart, 'Runner', props.runner);
chart.with(new ArgoCdSyncWaves());
const applicationChart = new Chart(app, 'argocd-application', { disableResourceNameHashes: true });
new ArgoApplication(applicationChart, 'Application', { ...props.application, destinationNamespace: runner.namespace });
app.synth();
