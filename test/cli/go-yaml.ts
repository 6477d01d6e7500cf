// Strings Go's YAML reader treats as line breaks (NEL U+0085, U+2028, U+2029) or refuses as
// control characters (C0, DEL, C1, U+FFFE/U+FFFF), written by the real output stage and read back
// by the real reader: gopkg.in/yaml.v3, which forgejo-runner uses for its config.yaml (and
// kustomize and Argo CD for the manifests). Every value and key must come back exactly.
// The Go program is built in GOPATH mode from Debian's golang-go and golang-gopkg-yaml.v3-dev
// (/usr/share/gocode), like scripts/dotenv-go-check.ts; without `go` the tests are skipped.
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Chart } from 'cdk8s';
import { ForgejoRunner } from '../../src/constructs/forgejo-runner.js';
import { render } from '../../src/output/render.js';
import { synthesizeChart, type Synthesis } from '../../src/synth/synthesize.js';
import { buildGo, describeGo } from '../go-harness.js';
import { tempDir } from '../helpers.js';
import { testConcurrently } from '../shell-harness.js';


// Reads every document of each file with yaml.v3 and prints them as one JSON array per file.
const MAIN_GO = `package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"
)

func main() {
	out := [][]interface{}{}
	for _, path := range os.Args[1:] {
		f, err := os.Open(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		dec := yaml.NewDecoder(f)
		docs := []interface{}{}
		for {
			var doc interface{}
			err := dec.Decode(&doc)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				fmt.Fprintf(os.Stderr, "%s: %v\\n", path, err)
				os.Exit(1)
			}
			docs = append(docs, doc)
		}
		out = append(out, docs)
	}
	b, err := json.Marshal(out)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Stdout.Write(b)
}
`;

/** The reader, built once per test run (asynchronously: the build must not block the other tests). */
let built: Promise<string> | undefined;
function goReader(): Promise<string> {
  built ??= buildGo('read-yaml', { source: MAIN_GO });
  return built;
}

/** Every document of each file, as yaml.v3 reads it. */
async function readWithGo(files: readonly string[]): Promise<any[][]> {
  const bin = await goReader();
  return new Promise((resolve, reject) =>
    execFile(bin, files, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (e, stdout, stderr) =>
      e ? reject(new Error(`yaml.v3 could not read the output: ${stderr || e.message}`)) : resolve(JSON.parse(stdout)),
    ),
  );
}

const TRICKY = [
  'a\u2028b', 'a\u2029b', 'a\u0085b', '\u2028', '\u0085leading', 'trailing\u2029', 'multi\nline\u2028here\n', 'NEL\u0085\nand newline\n',
  'c1 \u0080 \u009f', 'del \u007f', 'nonchars \ufffe \uffff', 'c0 \u0001 \u001b', 'cr \r lf', 'tab\tok', 'plain',
];

function renderDir(synthesis: Synthesis): string {
  const out = render(synthesis, { manifestsDir: 'm', applicationFile: 'app.yaml', source: 'values/x.yaml' });
  const dir = tempDir('frc-go-out-');
  mkdirSync(join(dir, 'm'));
  for (const f of out.manifests) writeFileSync(join(dir, 'm', f.path), f.text);
  writeFileSync(join(dir, 'app.yaml'), out.application.text);
  return dir;
}

describeGo("YAML that Go's yaml.v3 reads back exactly", ['gopkg.in/yaml.v3'], () => {
  // The first case builds the Go reader (seconds of CPU, more on a loaded machine): a wide limit.
  const run = (name: string, fn: () => Promise<void>) => testConcurrently(name, fn, { timeout: 180_000 });

  run('line-break and control characters in values and keys survive render -> yaml.v3', async () => {
    const data = Object.fromEntries(TRICKY.map((s, i) => [`k${i}`, s]));
    const keys = Object.fromEntries(TRICKY.map((s, i) => [`key ${s}`, String(i)])); // as keys (a jobEnv key with NEL)
    const object = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'tricky', namespace: 'ns' }, data: { ...data, ...keys } };
    const synthesis = {
      manifests: [{ file: 'configmap.yaml', object, notes: new Map() }],
      application: { file: 'app.yaml', object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ns' } }, notes: new Map() },
    } as unknown as Synthesis;
    const dir = renderDir(synthesis);
    const [[cm]] = await readWithGo([join(dir, 'm', 'configmap.yaml')]);
    expect(cm.data).toEqual(object.data);
  });

  run("a jobEnv value with U+2028 or NEL reaches forgejo-runner's config.yaml (read by yaml.v3) exactly", async () => {
    const chart = new Chart(new App({ outdir: '/nonexistent-cdk8s-out' }), 'ci', { disableResourceNameHashes: true });
    const jobEnv = { LS: 'a\u2028b', PS: 'c\u2029d', NEL: 'e\u0085f', MIXED: 'x\ny\u2028z\n' };
    new ForgejoRunner(chart, 'runner', {
      forgejoUrl: 'https://forgejo.example.org',
      secretStore: { name: 'onepassword' },
      pools: [{ labels: ['docker:docker://node:20-bookworm'], capacity: 2 }],
      jobEnv,
    });
    const manifests = synthesizeChart(chart);
    const dir = renderDir({ manifests, application: manifests[0]! } as Synthesis);
    const configMap = manifests.find((m) => m.object.kind === 'ConfigMap')!;
    const [[cm]] = await readWithGo([join(dir, 'm', configMap.file)]);
    const config = join(dir, 'config.yaml');
    writeFileSync(config, cm.data['config.yaml']);
    const [[runnerConfig]] = await readWithGo([config]);
    expect(runnerConfig.runner.envs).toEqual(expect.objectContaining(jobEnv));
  });

  run('the reader is real: raw U+2028 in a plain scalar is read as another value (so "reads back exactly" means something)', async () => {
    const dir = tempDir('frc-go-raw-');
    writeFileSync(join(dir, 'raw.yaml'), 'v: a\u2028b\n');
    const result = await readWithGo([join(dir, 'raw.yaml')]).then(
      ([[doc]]) => doc.v,
      (e: Error) => e.message,
    );
    expect(result).not.toBe('a\u2028b');
  });
});
