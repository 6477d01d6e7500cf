// The external programs `npm test` runs, checked once before any suite (test/global-setup.js):
// a missing one stops the run with one message naming it and the Debian packages to install,
// instead of failing or skipping suite by suite. To find them: grep test/ for spawn/execFile and
// for the tools a generated script calls. `npm run test:slow` needs no others.
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/** Each program the tests run, the Debian package that provides it, and what runs it. */
export const PREREQUISITES = [
  { program: 'kubectl', debian: 'kubernetes-client', why: 'renders the output with `kubectl kustomize`, as Argo CD does' },
  { program: 'yamllint', debian: 'yamllint', why: "lints the output with the operator's rules" },
  { program: 'busybox', debian: 'busybox', why: 'runs the generated scripts under busybox sh, the images\' shell' },
  { program: 'dash', debian: 'dash', why: 'runs the start-up script under a second POSIX shell' },
  { program: 'shellcheck', debian: 'shellcheck', why: 'lints the generated scripts' },
  { program: 'pgrep', debian: 'procps', why: "the probes' pgrep (Debian's busybox has no pgrep applet)" },
  { program: 'perl', debian: 'perl', why: 'a fake daemon with the real command line' },
  { program: 'unshare', debian: 'util-linux', why: 'the start-up script as PID 1 of a new PID namespace' },
  { program: 'mkfifo', debian: 'coreutils', why: 'a FIFO among the values files' },
  { program: 'git', debian: 'git', why: 'git status of a synthesized copy' },
];

/** True when `program` is an executable file in one of PATH's directories (as a shell finds it). */
function onPath(program, path) {
  return path.split(delimiter).some((dir) => {
    if (dir === '') return false;
    const file = join(dir, program);
    try {
      accessSync(file, constants.X_OK);
      return statSync(file).isFile();
    } catch {
      return false;
    }
  });
}

/** The prerequisites not found on `path` (default: this process's PATH). */
export function missingPrerequisites(path = process.env.PATH ?? '') {
  return PREREQUISITES.filter(({ program }) => !onPath(program, path));
}

/** The one message for what is missing: programs, why, and the install command. */
export function prerequisitesMessage(missing) {
  const packages = [...new Set(missing.map((m) => m.debian))];
  return [
    `npm test needs ${missing.length === 1 ? 'a program' : 'programs'} not found on PATH:`,
    ...missing.map((m) => `  ${m.program} (Debian package ${m.debian}): ${m.why}`),
    `Install: sudo apt-get install ${packages.join(' ')}`,
  ].join('\n');
}
