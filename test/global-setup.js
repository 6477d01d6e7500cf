// Check the external programs the tests run before any suite starts: one message naming what is
// missing (and the Debian packages that bring it) instead of failures test by test.
import { missingPrerequisites, prerequisitesMessage } from './prerequisites.js';

export default async function globalSetup() {
  const missing = missingPrerequisites();
  if (missing.length > 0) {
    // One message and a non-zero exit, not a stack trace: nothing else has run yet.
    process.stderr.write(`\n${prerequisitesMessage(missing)}\n`);
    process.exit(1);
  }
}
