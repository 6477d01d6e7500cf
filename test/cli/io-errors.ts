// The file system says no: ENOSPC (a tiny tmpfs, 0 to 8 KiB free), EROFS (a read-only mount of
// the whole repository, or of argocd/ only) and EACCES (a directory the writer may not write
// to, with root's permission override dropped). Each gives exit 1 and a one-line message naming
// the path, and leaves every entry of the repository as it was: no stray .gitignore, no empty
// work directory, no staging set. The real binary runs in a mount namespace of its own
// (`unshare -m`, which needs root, as in CI); elsewhere these tests skip with the reason.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, tempDir, tempRepo } from '../helpers.js';
import { testConcurrently, which } from '../shell-harness.js';

const canMount =
  spawnSync('unshare', ['-m', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs . && mount -o remount,ro .'], { cwd: tempDir('frc-mount-'), stdio: 'ignore' }).status === 0;
const setpriv = which('setpriv');

// In its own mount namespace: a tmpfs at $D holding a copy of the repository, the setup of the
// case, a listing of every entry (type, mode, size, bytes) before and after the CLI, and its exit
// code, written to $OUT (outside the namespace's mounts).
const SCRIPT = `
set -e
mount -t tmpfs -o size="$FRC_SIZE" tmpfs "$FRC_D"
cp -a "$FRC_SRC/." "$FRC_D/"
cd "$FRC_D"
eval "$FRC_SETUP"
list() { find "$FRC_D" -printf '%y %m %s %P\\n' | sort; find "$FRC_D" -type f -exec sha256sum {} + | sort; }
list > "$FRC_OUT/before"
set +e
"$@"
echo $? > "$FRC_OUT/rc"
list > "$FRC_OUT/after"
`;

async function inNamespace(setup: string, wrap: readonly string[] = [], size = '1m') {
  const src = tempRepo();
  const values = join(src, 'values', 'cluster.yaml');
  writeFileSync(values, readFileSync(values, 'utf8').replace('capacity: 2', 'capacity: 3')); // so synth has to write
  const d = tempDir('frc-ns-');
  const out = tempDir('frc-ns-out-');
  const env = { FRC_D: d, FRC_SRC: src, FRC_OUT: out, FRC_SETUP: setup, FRC_SIZE: size };
  const result = await runCli(['synth', '--root', d], { env, wrap: ['unshare', '-m', 'sh', '-c', SCRIPT, 'sh', ...wrap] });
  const read = (f: string) => readFileSync(join(out, f), 'utf8');
  return { ...result, rc: Number(read('rc')), before: read('before'), after: read('after') };
}

/** Fills the tmpfs, then frees `kib` KiB. */
const fill = (kib: number) => `dd if=/dev/zero of=fill bs=4k 2>/dev/null || true; ${kib ? `truncate -s -${kib}k fill` : 'true'}`;
const dropOverride = ['setpriv', '--bounding-set', '-dac_override,-dac_read_search', '--'];

const cases: { name: string; setup: string; wrap?: readonly string[]; message: RegExp; needs?: string }[] = [
  ...[0, 4, 8].map((kib) => ({
    name: `ENOSPC with ${kib} KiB free`,
    setup: fill(kib),
    message: /^(synth|values\/cluster\.yaml): .*cannot (write|make)[^\n]*: no space left on the device \(ENOSPC\)/,
  })),
  { name: 'EROFS: the whole repository read-only', setup: 'mount -o remount,ro "$FRC_D"', message: /^synth: \.forgejo-runner-cdk8s: cannot make the work directory for the lock: read-only file system \(EROFS\)$/m },
  {
    name: 'EROFS: argocd/ read-only (the lock is taken, then given back)',
    setup: 'mount --bind argocd argocd && mount -o remount,bind,ro argocd',
    message: /^values\/cluster\.yaml: argocd\/manifests\/forgejo-runner: cannot write: read-only file system \(EROFS\) at argocd\/manifests\/\.forgejo-runner-cdk8s$/m,
  },
  {
    name: 'EACCES: argocd/manifests not writable',
    setup: 'chmod 555 argocd/manifests',
    wrap: dropOverride,
    needs: 'setpriv',
    message: /^values\/cluster\.yaml: argocd\/manifests\/forgejo-runner: cannot write: permission denied \(EACCES\) at argocd\/manifests\/\.forgejo-runner-cdk8s$/m,
  },
  {
    name: 'EACCES: a read-only work directory',
    setup: 'mkdir argocd/manifests/.forgejo-runner-cdk8s && printf "*\\n" > argocd/manifests/.forgejo-runner-cdk8s/.gitignore && chmod 555 argocd/manifests/.forgejo-runner-cdk8s',
    wrap: dropOverride,
    needs: 'setpriv',
    message: /^values\/cluster\.yaml: argocd\/manifests\/forgejo-runner: cannot write: permission denied \(EACCES\) at argocd\/manifests\/\.forgejo-runner-cdk8s\/staging-\d+-forgejo-runner$/m,
  },
];

describe(`I/O errors: one line naming the path, exit 1, nothing left behind${canMount ? '' : ' (skipped: unshare -m cannot mount here; it needs root)'}`, () => {
  for (const c of cases) {
    const missing = c.needs && !(c.needs === 'setpriv' ? setpriv : true);
    // Each case starts a real synth process in a mount namespace: a wide limit on a loaded machine.
    const run = !canMount || missing ? test.skip : (name: string, fn: () => Promise<void>) => testConcurrently(name, fn, { timeout: 60_000 });
    run(`${c.name}${missing ? ` (skipped: ${c.needs} not on PATH)` : ''}`, async () => {
      const r = await inNamespace(c.setup, c.wrap);
      expect({ rc: r.rc, stderr: r.stderr }).toEqual({ rc: 1, stderr: expect.stringMatching(c.message) });
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(2); // the message, then "nothing written"
      expect(lines[1]).toBe('synth: nothing written; the output on disk is unchanged');
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(r.after).toBe(r.before);
    });
  }

  (canMount ? testConcurrently : test.skip)('the same repository with room: synth writes (so the cases above fail for the reason they name)', async () => {
    const r = await inNamespace('true');
    expect(r.stderr).toBe('');
    expect(r.rc).toBe(0);
    expect(r.stdout).toContain('changed configmap-forgejo-runner-config.yaml');
    expect(r.after).not.toBe(r.before);
  });
});
