// Build dist/ once before the suites that spawn the real CLI (bin/forgejo-runner-cdk8s.mjs).
import { ensureBuilt } from '../bin/build.mjs';

export default async function globalSetup() {
  await ensureBuilt();
}
