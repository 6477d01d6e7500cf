// Go programs as test consumers: the real readers of what we generate are Go programs (Go's
// net/url, text/template + sprig as ESO runs them, gopkg.in/yaml.v3), so some tests build a small
// Go program and feed it our output. Built offline in GOPATH mode from Debian's packages
// (golang-go, and the libraries under /usr/share/gocode), like scripts/dotenv-go-check.ts; .ci/run
// installs them. Without them a suite is skipped with the reason in its title, except under CI,
// where a missing toolchain fails the suite (it would otherwise check nothing).
import { execFile } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { which } from './shell-harness.js';
import { tempDir } from './temp-dir.js';

/** Where Debian's golang-*-dev packages put their sources. */
export const GOPATH = '/usr/share/gocode';

/** Debian packages that put a Go library under GOPATH, by import path. */
export const GO_LIBRARIES = {
  'gopkg.in/yaml.v3': 'golang-gopkg-yaml.v3-dev',
  'github.com/Masterminds/sprig': 'golang-github-masterminds-sprig-dev',
} as const;

/** Why Go programs using these libraries cannot be built here, or '' when they can. */
export function goMissing(libraries: readonly (keyof typeof GO_LIBRARIES)[] = []): string {
  if (!which('go')) return 'go not on PATH (Debian: golang-go)';
  const absent = libraries.find((l) => !existsSync(join(GOPATH, 'src', l)));
  return absent ? `${GOPATH}/src/${absent} missing (Debian: ${GO_LIBRARIES[absent]})` : '';
}

/**
 * A describe block for a suite of Go-consumer tests: its title carries "(skipped: why)" when Go or
 * a library is missing, and its tests are then skipped; under CI a missing toolchain is a failing
 * test instead.
 */
export function describeGo(title: string, libraries: readonly (keyof typeof GO_LIBRARIES)[], body: () => void): void {
  const missing = goMissing(libraries);
  if (missing && process.env.CI) {
    describe(title, () => {
      test('the Go toolchain is installed (.ci/run installs it; without it this suite would check nothing)', () => {
        throw new Error(`${missing}, but CI is set`);
      });
    });
    return;
  }
  (missing ? describe.skip : describe)(`${title}${missing ? ` (skipped: ${missing})` : ''}`, body);
}

/**
 * Builds a Go main package, given as source text or as the path of its main.go, into a temp
 * directory and returns the binary's path. Asynchronous, so a build (seconds of CPU on a loaded
 * machine) blocks no other test.
 */
export function buildGo(name: string, program: { readonly source: string } | { readonly file: string }): Promise<string> {
  const dir = tempDir(`frc-go-${name}-`);
  let main: string;
  if ('file' in program) {
    main = program.file;
  } else {
    main = join(dir, 'main.go');
    writeFileSync(main, program.source);
  }
  const bin = join(dir, name);
  const env = { ...process.env, GO111MODULE: 'off', GOPATH, GOFLAGS: '', GOCACHE: join(tmpdir(), 'frc-go-cache') };
  return new Promise((resolve, reject) =>
    execFile('go', ['build', '-o', bin, main], { env }, (e, _stdout, stderr) => (e ? reject(new Error(`go build failed: ${stderr || e.message}`)) : resolve(bin))),
  );
}
