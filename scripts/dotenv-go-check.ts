// Slow check (not in `npm test`): the job env file round trip through REAL Go text/template,
// sprig and godotenv v1.5.1, from Debian's golang-go, golang-github-masterminds-sprig-dev and
// golang-github-joho-godotenv-dev (offline, GOPATH mode). Run: npx tsx scripts/dotenv-go-check.ts
// Exits 1 on any value that does not read back exactly (a trailing backslash must be a template error).
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dotenvTemplate } from '../src/constructs/dotenv.js';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(mkdtempSync(join(tmpdir(), 'dotenv-go-')), 'check');
execFileSync('go', ['build', '-o', bin, join(here, 'dotenv-go-check', 'main.go')], {
  env: { ...process.env, GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOFLAGS: '', GOCACHE: join(tmpdir(), 'dotenv-go-cache') },
  stdio: 'inherit',
});
const values = ["it's", '"quoted" and "', '$HOME ${HOME} $(id) $ $$ \\$X', 'a#b # not a comment', 'a=b==c=', 'a\\b\\\\c\\n\\"', '  padded  ', '${0}', '', 'line1\nline2\r', 'päss→wörd'];
for (let c = 0x20; c < 0x7f; c++) {
  const ch = String.fromCharCode(c);
  if (ch !== '\\') values.push(ch, `${ch}x`, `x${ch}`, `x${ch}x`, `${ch}${ch}`);
}
values.push('ends in a backslash\\');
const out = execFileSync(bin, { input: JSON.stringify({ Template: dotenvTemplate(['A_KEY']), Values: values }), encoding: 'utf8' });
const bad = out.trim().split('\n').filter((l) => !l.endsWith('\tOK') && l !== '"ends in a backslash\\\\"\tTEMPLATE-ERROR');
console.log(`dotenv-go-check: ${values.length} values through Go text/template + sprig + godotenv v1.5.1: ${bad.length} wrong`);
for (const l of bad) console.log(`  ${l}`);
process.exit(bad.length === 0 ? 0 : 1);
