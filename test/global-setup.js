// Build dist/ once before the suites that spawn the real CLI (bin/forgejo-runner-cdk8s.mjs).
import { ensureBuilt } from '../bin/build.mjs';

export default async function globalSetup() {
  const { ok, typeChecked } = await ensureBuilt();
  if (!ok || !(await typeChecked)) throw new Error('dist/ could not be built (errors above)');
}
