// Atomically swaps two directories. Node has no binding for renameat2(RENAME_EXCHANGE) (Linux)
// or renamex_np(RENAME_SWAP) (macOS), so python3's ctypes makes the one system call. Without
// python3 or kernel support, the caller falls back to two renames plus recovery (writer.ts).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

const SWAP = `
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
a, b = (os.fsencode(p) for p in sys.argv[1:3])
if sys.platform.startswith("linux"):
    rc = libc.renameat2(-100, a, -100, b, 2)  # AT_FDCWD, RENAME_EXCHANGE
elif sys.platform == "darwin":
    rc = libc.renamex_np(a, b, 2)  # RENAME_SWAP
else:
    sys.exit("unsupported platform")
if rc != 0:
    sys.exit(os.strerror(ctypes.get_errno()))
`;

// The system interpreter first: a version-manager shim (pyenv, asdf) on PATH costs ~100 ms.
const CANDIDATES = ['/usr/bin/python3', '/usr/local/bin/python3', '/opt/homebrew/bin/python3', 'python3'];

/** The python3 to use; FORGEJO_RUNNER_CDK8S_PYTHON overrides it, and "" turns the exchange off. */
export function pythonForExchange(): string | undefined {
  const override = process.env.FORGEJO_RUNNER_CDK8S_PYTHON;
  if (override !== undefined) return override || undefined;
  for (const candidate of CANDIDATES) {
    if (candidate.startsWith('/')) {
      if (existsSync(candidate)) return candidate;
    } else {
      const onPath = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, candidate)).find((p) => existsSync(p));
      if (onPath) return onPath;
    }
  }
  return undefined;
}

/** True when the two paths were exchanged in one atomic step; false when that is not possible here. */
export function exchangeDirectories(a: string, b: string): boolean {
  const exe = pythonForExchange();
  if (!exe) return false;
  return spawnSync(exe, ['-c', SWAP, a, b], { encoding: 'utf8' }).status === 0;
}
