#!/usr/bin/env node
// The floor under (f1000) on this machine: two parts of a 1000-pool synth measured alone, with
// none of the rest of the pipeline (values, cdk8s, validation, wiring, start-up).
//   node scripts/floor.mjs <manifests dir of a 1000-pool synth> [--runs N]
// (1) write: the directory's files written afresh as the writer writes them (writeFileSync
//     each, no fsync per file; then fsync the directory), into a scratch directory beside it.
// (2) render: the `yaml` library turning the same objects back into text, with the options of
//     src/util/yaml.ts (a Document per object, sorted keys, kubectl layout), review comments
//     left out. The objects are parsed from the files first (not timed).
// npm run bench runs it after (f1000) and prints the medians; it is a report, not a target.
import { closeSync, fsyncSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Document, parseAllDocuments } from 'yaml';

const { values: opts, positionals } = parseArgs({ allowPositionals: true, options: { runs: { type: 'string', default: '3' } } });
const [dir] = positionals;
if (!dir) {
  console.error('usage: node scripts/floor.mjs <manifests dir> [--runs N]');
  process.exit(2);
}
const runs = Number(opts.runs);
let files;
try {
  files = readdirSync(dir).map((name) => ({ name, bytes: readFileSync(join(dir, name)) }));
} catch (e) {
  console.error(`floor: ${dir}: cannot read the manifests directory (${e.code ?? e.message}); expected the output of a 1000-pool synth`);
  process.exit(2);
}
const objects = files.flatMap((f) => parseAllDocuments(f.bytes.toString('utf8')).map((d) => d.toJS()).filter((o) => o && typeof o === 'object'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const time = (fn) => {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
};

const write = [];
const render = [];
for (let i = 0; i < runs; i++) {
  const scratch = mkdtempSync(join(dir, '..', '.floor-'));
  write.push(
    time(() => {
      for (const { name, bytes } of files) writeFileSync(join(scratch, name), bytes);
      const d = openSync(scratch, 'r');
      fsyncSync(d);
      closeSync(d);
    }),
  );
  rmSync(scratch, { recursive: true });
  render.push(
    time(() => {
      for (const o of objects) {
        new Document(o, { version: '1.2', sortMapEntries: true, keepUndefined: false, aliasDuplicateObjects: false }).toString({
          indentSeq: false,
          lineWidth: 0,
          minContentWidth: 0,
          blockQuote: 'literal',
          singleQuote: false,
          flowCollectionPadding: false,
          directives: false,
        });
      }
    }),
  );
}
const w = median(write);
const r = median(render);
console.log(
  `floor (f1000), medians of ${runs}: writing its ${files.length} files alone ${w.toFixed(2)} s ` +
    `(${write.map((x) => x.toFixed(2)).join(', ')}); the yaml library rendering its ${objects.length} objects alone ${r.toFixed(2)} s ` +
    `(${render.map((x) => x.toFixed(2)).join(', ')}); together ${(w + r).toFixed(2)} s, before values, cdk8s, validation and start-up`,
);
