// Temporary directories for tests. A module of its own so the script suites, which need no synth
// pipeline, do not load it (jest evaluates a test file's imports afresh, ~0.7 s for the pipeline).
// Every directory made here is removed after its test file (removeTempDirs, called by afterAll in
// each jest file): a run leaves nothing behind in the system's temp directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const made: string[] = [];

export function tempDir(prefix = 'frc-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Removes every directory tempDir() made in this test file. */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
