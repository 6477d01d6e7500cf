// Temporary directories for tests. A module of its own so the script suites, which need no synth
// pipeline, do not load it (jest evaluates a test file's imports afresh, ~0.7 s for the pipeline).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function tempDir(prefix = 'frc-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}
