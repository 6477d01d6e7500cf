// The credential-in-URL rule (rules.ts noCredentialInUrl) held to the real readers of those URLs:
// forgejo-runner, Argo CD, dockerd and KEDA are Go programs and parse them with net/url. Every URL
// the rule accepts must be one Go's url.Parse reads without user info, and every URL it refuses
// must carry user info for Go (or be one Go refuses for its user info). Built from Go's standard
// library alone; without `go` the test is skipped.
import { execFile } from 'node:child_process';
import { noCredentialInUrl } from '../../src/constructs/rules.js';
import { buildGo, describeGo } from '../go-harness.js';
import { testConcurrently } from '../shell-harness.js';

// For each argument: whether url.Parse sees user info, or its error.
const MAIN_GO = `package main

import (
	"encoding/json"
	"net/url"
	"os"
)

type result struct {
	User bool   \`json:"user"\`
	Err  string \`json:"err"\`
}

func main() {
	out := []result{}
	for _, s := range os.Args[1:] {
		u, err := url.Parse(s)
		if err != nil {
			out = append(out, result{Err: err.Error()})
			continue
		}
		out = append(out, result{User: u.User != nil})
	}
	json.NewEncoder(os.Stdout).Encode(out)
}
`;

async function parseWithGo(urls: readonly string[]): Promise<{ user: boolean; err: string }[]> {
  const bin = await buildGo('parse-url', { source: MAIN_GO });
  return new Promise((resolve, reject) =>
    execFile(bin, urls, { encoding: 'utf8' }, (e, stdout, stderr) => (e ? reject(new Error(stderr || e.message)) : resolve(JSON.parse(stdout)))),
  );
}

const URLS = [
  'https://forge.example.org',
  'https://forge.example.org/sub/path',
  'https://forge.example.org/a@b',
  'https://forge.example.org/?q=a@b',
  'https://forge.example.org/#a@b',
  'https://[2001:db8::1]:3000/',
  'http://mirror.example.org:5000',
  'https://ci:hunter2@forge.example.org',
  'https://0123456789abcdef@forge.example.org/',
  'HTTPS://Token@forge.example.org',
  'https://a%40b@forge.example.org',
  'https://@forge.example.org',
  'https://:@forge.example.org',
  'https://u:p@[2001:db8::1]:3000/x',
  'https://forge.example.org:443@evil.example.org',
  // WHATWG ends the authority at "\", Go does not: user info for Go only.
  'https://tok\\@forge.example.org/',
  'https://forge.example.org\\@evil.example.org/',
  'ssh://git:pw@git.example.org/infra.git',
];

describeGo("credentials in URLs as Go's net/url reads them", [], () => {
  const run = (name: string, fn: () => Promise<void>) => testConcurrently(name, fn, { timeout: 180_000 });

  run('the rule refuses exactly the URLs that carry user info for Go', async () => {
    const rule = noCredentialInUrl('(where it belongs)');
    const go = await parseWithGo(URLS);
    const verdicts = URLS.map((url, i) => ({ url, refused: rule(url) !== undefined, goUserInfo: go[i]!.user || /userinfo/.test(go[i]!.err), goError: go[i]!.err }));
    // Accepted: Go parses it and sees no user info. Refused: Go sees user info (or refuses it for that).
    expect(verdicts.filter((v) => !v.refused && (v.goUserInfo || v.goError))).toEqual([]);
    expect(verdicts.filter((v) => v.refused && !v.goUserInfo)).toEqual([]);
    // Both kinds are in the corpus (the checks above are not vacuous).
    expect(verdicts.filter((v) => v.refused).length).toBeGreaterThan(5);
    expect(verdicts.filter((v) => !v.refused).length).toBeGreaterThan(5);
  });
});
