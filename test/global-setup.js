// Check the external programs the tests run, then build dist/ once before the suites that spawn
// the real CLI (bin/forgejo-runner-cdk8s.mjs).
import { ensureBuilt } from '../bin/build.mjs';
import { missingPrerequisites, prerequisitesMessage } from './prerequisites.js';

export default async function globalSetup() {
  const missing = missingPrerequisites();
  if (missing.length > 0) {
    // One message and a non-zero exit, not a stack trace: nothing else has run yet.
    process.stderr.write(`\n${prerequisitesMessage(missing)}\n`);
    process.exit(1);
  }
  const { ok, typeChecked } = await ensureBuilt();
  if (!ok || !(await typeChecked)) throw new Error('dist/ could not be built (errors above)');
}
