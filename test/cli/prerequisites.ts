// `npm test` checks the external programs its tests run before any suite (test/global-setup.js,
// test/prerequisites.js): with one missing, the run stops at once with one message naming it and
// the Debian package to install. Checked with a PATH that has every prerequisite but busybox.
import { spawnSync } from 'node:child_process';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PREREQUISITES, missingPrerequisites, prerequisitesMessage } from '../prerequisites.js';
import { PROJECT } from '../helpers.js';
import { which } from '../shell-harness.js';
import { tempDir } from '../temp-dir.js';

/** A PATH of one directory holding links to every prerequisite except `left`. */
function pathWithout(left: string): string {
  const dir = tempDir('frc-path-');
  for (const { program } of PREREQUISITES) if (program !== left) symlinkSync(which(program)!, join(dir, program));
  return dir;
}

describe('prerequisites, checked once before the tests', () => {
  test('a PATH without busybox: busybox alone is missing, named with its Debian package and the install command', () => {
    const missing = missingPrerequisites(pathWithout('busybox'));
    expect(missing.map((m) => m.program)).toEqual(['busybox']);
    const message = prerequisitesMessage(missing);
    expect(message).toMatch(/^ {2}busybox \(Debian package busybox\): /m);
    expect(message).toMatch(/^Install: sudo apt-get install busybox$/m);
    expect(message).not.toMatch(/dash|kubectl|procps/); // only what is missing
  });

  test('control: with every program on PATH nothing is missing (so the case above can fail)', () => {
    expect(missingPrerequisites(pathWithout('none'))).toEqual([]);
  });

  test('several missing: one message, one install command with each Debian package once', () => {
    const message = prerequisitesMessage(missingPrerequisites(''));
    const packages = [...new Set(PREREQUISITES.map((m) => m.debian))];
    expect(message.match(/^Install: .*$/gm)).toEqual([`Install: sudo apt-get install ${packages.join(' ')}`]);
    for (const { program } of PREREQUISITES) expect(message).toContain(`  ${program} (Debian package `);
  });

  test("the README's install line names exactly these packages (the list here is the one home)", () => {
    const packages = [...new Set(PREREQUISITES.map((m) => m.debian))];
    expect(readFileSync(join(PROJECT, 'README.md'), 'utf8')).toContain(`\`sudo apt-get install ${packages.join(' ')}\``);
  });

  test("jest's globalSetup with busybox missing stops at once: exit 1, that one message, no stack trace", () => {
    const setup = pathToFileURL(join(PROJECT, 'test', 'global-setup.js')).href;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', 'await (await import(process.argv[1])).default();', setup], {
      encoding: 'utf8',
      env: { PATH: pathWithout('busybox') },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`\n${prerequisitesMessage([PREREQUISITES.find((m) => m.program === 'busybox')!])}\n`);
    expect(r.stdout).toBe('');
  });
});
