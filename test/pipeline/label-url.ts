// Label names through the real consumer: Go's net/url, as KEDA's forgejo-runner scaler builds the
// URL and Forgejo reads it. The scaler writes the names unescaped into the query
// (kedacore/keda pkg/scalers/forgejo_runner_scaler.go: url.Parse(fmt.Sprintf("%s%s?labels=%s",
// address, path, labels))); net/http sends the path and raw query, never the fragment; Forgejo
// reads ctx.FormTrim("labels") (Go's url.ParseQuery, then strings.TrimSpace) and splits at ","
// (routers/api/v1/shared/runners.go). The Go program below does exactly these steps, so a name
// the rule accepts must come back exactly, and each refused one shows why it is refused.
// Built in GOPATH mode from Debian's golang-go (no module download), like scripts/dotenv-go-check.ts;
// without `go` the tests are skipped (CI installs it: .ci/run).
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rules } from '../../src/parts.js';
import { which } from '../shell-harness.js';
import { tempDir } from '../temp-dir.js';

const go = which('go');
const skip = go ? '' : 'go not on PATH (Debian: golang-go)';

const MAIN_GO = `package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
)

type result struct {
	Labels   string    \`json:"labels"\`
	Path     string    \`json:"path"\`
	Fragment string    \`json:"fragment"\`
	Names    *[]string \`json:"names"\`
	Err      string    \`json:"err,omitempty"\`
}

func main() {
	var in struct {
		Address string   \`json:"address"\`
		Paths   []string \`json:"paths"\`
		Labels  []string \`json:"labels"\`
	}
	if err := json.NewDecoder(os.Stdin).Decode(&in); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	out := []result{}
	for _, labels := range in.Labels {
		for _, path := range in.Paths {
			r := result{Labels: labels, Path: path}
			// The scaler's URL, as KEDA builds it.
			u, err := url.Parse(fmt.Sprintf("%s%s?labels=%s", in.Address, path, labels))
			if err != nil {
				r.Err = err.Error()
				out = append(out, r)
				continue
			}
			r.Fragment = u.Fragment // never sent
			// Forgejo: FormValue (ParseQuery of the raw query; a bad pair is dropped), TrimSpace, Split.
			q, _ := url.ParseQuery(u.RawQuery)
			if vs, ok := q["labels"]; ok && len(vs) > 0 {
				names := strings.Split(strings.TrimSpace(vs[0]), ",")
				r.Names = &names
			}
			out = append(out, r)
		}
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
`;

interface Received {
  readonly labels: string;
  readonly path: string;
  readonly fragment: string;
  readonly names: string[] | null;
  readonly err?: string;
}

// The scaler's four endpoints (forgejo_runner_scaler.go), scope names filled in.
const PATHS = ['/api/v1/admin/runners/jobs', '/api/v1/orgs/infra/actions/runners/jobs', '/api/v1/repos/infra/cluster/actions/runners/jobs', '/api/v1/user/actions/runners/jobs'];

/** What Forgejo receives for each comma-joined label list, on every endpoint. */
function throughGo(bin: string, labelLists: readonly string[]): Received[] {
  const input = JSON.stringify({ address: 'https://forge.example.org', paths: PATHS, labels: labelLists });
  return JSON.parse(execFileSync(bin, { input, encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 }));
}

const accepted = (name: string) => rules.runnerLabelNameRule(name) === undefined;

// Real label names, and every printable ASCII character (and a few others) inside, first and last.
const REAL = ['ubuntu-latest', 'docker', 'k8s', 'k8s-ephemeral', 'k8s.large', 'self_hosted', 'node~22', 'A-Z.0-9_~', '-', '.', '_', '~'];
const CHARACTERS = [...Array.from({ length: 0x7e - 0x20 }, (_, i) => String.fromCharCode(0x21 + i)), ' ', '\t', 'é', '→', '\u00a0'];
const CANDIDATES = [...REAL, ...CHARACTERS.flatMap((c) => [`a${c}b`, `${c}a`, `a${c}`, c])];
/** The issue's five, each with what Forgejo would see instead (null: no labels parameter at all). */
const REFUSED: readonly (readonly [string, string[] | null])[] = [
  ['k8s+dind', ['k8s dind']],
  ['k8s#1', ['k8s']],
  ['ci&cd', ['ci']],
  ['gpu%', null],
  ['a;b', null],
];

describe(`label names through Go's net/url as KEDA's scaler sends them and Forgejo reads them${skip ? ` (skipped: ${skip})` : ''}`, () => {
  if (skip && process.env.CI) {
    test('go is installed (.ci/run installs golang-go; without it this suite would check nothing)', () => {
      throw new Error(`${skip}, but CI is set`);
    });
    return;
  }
  const run = skip ? test.skip : test;
  let bin = '';
  // One build per test run (seconds of CPU on a loaded machine): asynchronous, so it blocks nothing else.
  beforeAll(async () => {
    if (skip) return;
    const dir = tempDir('frc-go-url-');
    writeFileSync(join(dir, 'main.go'), MAIN_GO);
    bin = join(dir, 'label-url');
    await new Promise<void>((resolve, reject) =>
      execFile(
        go!,
        ['build', '-o', bin, join(dir, 'main.go')],
        { env: { ...process.env, GO111MODULE: 'off', GOPATH: '/usr/share/gocode', GOFLAGS: '', GOCACHE: join(tmpdir(), 'frc-go-cache') } },
        (e, _stdout, stderr) => (e ? reject(new Error(`go build failed: ${stderr || e.message}`)) : resolve()),
      ),
    );
  }, 180_000);

  run('every name the rule accepts reaches Forgejo exactly, alone and joined as the trigger sends them, on every endpoint', () => {
    const names = [...new Set(CANDIDATES.filter(accepted))];
    expect(names).toEqual(expect.arrayContaining(REAL)); // the rule keeps the names people use
    expect(names.length).toBeGreaterThan(REAL.length + 60); // and every unreserved character, in every position
    const lists = [...names, names.join(',')];
    const received = throughGo(bin, lists);
    expect(received).toHaveLength(lists.length * PATHS.length);
    const wrong = received.filter((r) => r.err || r.fragment !== '' || JSON.stringify(r.names) !== JSON.stringify(r.labels.split(',')));
    expect(wrong).toEqual([]);
  });

  run('every name Go would change is refused by the rule (the rule is no wider than the URL allows)', () => {
    const changed = throughGo(bin, CANDIDATES)
      .filter((r) => r.err || r.fragment !== '' || JSON.stringify(r.names) !== JSON.stringify([r.labels]))
      .map((r) => r.labels);
    expect(changed.length).toBeGreaterThan(0);
    expect([...new Set(changed)].filter(accepted)).toEqual([]);
  });

  run.each(REFUSED.map(([label, seen]) => [label, seen] as const))('"%s" is refused with the label named; Forgejo would see %j', (label, seen) => {
    expect(rules.runnerLabelNameRule(`${label}:docker://node:22`)).toBe(
      `label "${label}:docker://node:22": the name "${label}" may only contain A-Z a-z 0-9 . _ ~ - (KEDA's scaler sends it unescaped in a URL query string)`,
    );
    for (const r of throughGo(bin, [label])) expect(r.names).toEqual(seen);
  });
});
