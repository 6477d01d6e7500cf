// Which dind.extraArgs dockerd would refuse or that would undo the pod's hardening. dockerd
// exits at start ("the following directives are specified both as a flag and in the
// configuration file") when a flag repeats a key daemon.json sets: a crash loop that synth
// must catch. And the DinD args are `dockerd --host=unix://... --host=tcp://127.0.0.1:2375
// ...extraArgs` (dindArgs in constructs/pool/dind-sidecar.ts): another --host would reopen the
// unauthenticated API to the network.
import type { PropPath, PropsCheck } from '../props-error.ts';
import { dockerdFlag } from '../rules.ts';
import { dindDockerHost } from './dind-endpoint.ts';

/** One rejected flag: where it is in extraArgs, and why. */
export interface DindArgConflict {
  readonly index: number;
  readonly message: string;
}

/** The daemon.json keys the project sets, as the values that set them. */
export interface DaemonJsonSources {
  /** dind.mtu is set (daemon.json "mtu"). */
  readonly mtu: boolean;
  /** dind.registryMirrors is non-empty (daemon.json "registry-mirrors"). */
  readonly registryMirrors: boolean;
}

interface Rule {
  /** Flag spellings: long with `--`, short with `-`. */
  readonly flags: readonly string[];
  /** Why it is rejected, or undefined when allowed for these sources. */
  readonly reject: (s: DaemonJsonSources) => string | undefined;
}

// The props (and values fields) that set them: one name in every layer.
const MTU = 'dind.mtu';
const MIRRORS = 'dind.registryMirrors';

const RULES: readonly Rule[] = [
  {
    flags: ['--mtu'],
    reject: (s) =>
      s.mtu
        ? `repeats ${MTU}, which daemon.json already sets ("mtu"): dockerd refuses a directive given both as a flag and in daemon.json; drop the flag or ${MTU}`
        : undefined,
  },
  {
    flags: ['--registry-mirror'],
    reject: (s) =>
      s.registryMirrors
        ? `repeats ${MIRRORS}, which daemon.json already sets ("registry-mirrors"): dockerd refuses a directive given both as a flag and in daemon.json; list every mirror in ${MIRRORS}`
        : undefined,
  },
  {
    flags: ['--host', '-H'],
    reject: () =>
      `the DinD API is bound to unix:///var/run/docker.sock and ${dindDockerHost()} only; another --host would expose an unauthenticated, root-equivalent Docker API`,
  },
  {
    flags: ['--config-file'],
    reject: () => `dockerd would read that file instead of the generated daemon.json, silently dropping ${MTU} and ${MIRRORS}`,
  },
];

/** The flag an argument names (`--mtu=1400` -> `--mtu`, `-Htcp://x` -> `-H`), or undefined for a flag value. */
function flagOf(arg: string): string | undefined {
  if (arg.startsWith('--')) return arg.split('=', 1)[0];
  // Short flags may be clustered (`-DH tcp://...`): any cluster holding H sets a host.
  if (/^-[A-Za-z]/.test(arg)) return arg.split('=', 1)[0]!.includes('H') ? '-H' : arg.slice(0, 2);
  return undefined;
}

/** Every extraArgs entry that conflicts with the generated daemon.json or the host bindings. */
export function dindArgConflicts(extraArgs: readonly string[], sources: DaemonJsonSources): DindArgConflict[] {
  const conflicts: DindArgConflict[] = [];
  extraArgs.forEach((arg, index) => {
    const flag = flagOf(arg);
    if (!flag) return;
    const rule = RULES.find((r) => r.flags.includes(flag));
    const why = rule?.reject(sources);
    if (why) conflicts.push({ index, message: `"${arg}" ${why}` });
  });
  return conflicts;
}

/**
 * The one check of dockerd's extra args, for every entry that takes them (ForgejoRunner and the
 * pools as `dind.extraArgs`, the parts runnerPod() as `dindExtraArgs`, dindSidecar() and
 * dindArgs() as `extraArgs`): each is a flag, and none conflicts with daemon.json or the hosts.
 */
export function checkDindExtraArgs(check: PropsCheck, prefix: PropPath, extraArgs: readonly string[], sources: DaemonJsonSources): void {
  extraArgs.forEach((a, i) => check.check([...prefix, i], dockerdFlag(a)));
  for (const c of dindArgConflicts(extraArgs, sources)) check.fail([...prefix, c.index], c.message);
}

/** Which daemon.json keys a rendered daemon.json sets (the file the DinD sidecar mounts). */
export function daemonJsonSources(daemonJson: string): DaemonJsonSources {
  const config = JSON.parse(daemonJson) as { readonly mtu?: unknown; readonly 'registry-mirrors'?: readonly unknown[] };
  return { mtu: config.mtu !== undefined, registryMirrors: (config['registry-mirrors']?.length ?? 0) > 0 };
}
