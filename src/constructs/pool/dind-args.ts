// Which dind.extraArgs dockerd would refuse or that would undo the pod's hardening. dockerd
// exits at start ("the following directives are specified both as a flag and in the
// configuration file") when a flag repeats a key daemon.json sets: a crash loop that synth
// must catch. And the DinD args are `dockerd --host=unix://... --host=tcp://127.0.0.1:2375
// ...extraArgs` (dindArgs in constructs/pool/dind-sidecar.ts): another --host would reopen the
// unauthenticated API to the network.
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
  /**
   * How the caller spells the fields that set them, for the messages.
   * @default the values file's: dind.mtu, dind.registryMirrors
   */
  readonly names?: { readonly mtu: string; readonly registryMirrors: string };
}

interface Rule {
  /** Flag spellings: long with `--`, short with `-`. */
  readonly flags: readonly string[];
  /** Why it is rejected, or undefined when allowed for these sources. */
  readonly reject: (s: DaemonJsonSources) => string | undefined;
}

const mtuName = (s: DaemonJsonSources) => s.names?.mtu ?? 'dind.mtu';
const mirrorsName = (s: DaemonJsonSources) => s.names?.registryMirrors ?? 'dind.registryMirrors';

const RULES: readonly Rule[] = [
  {
    flags: ['--mtu'],
    reject: (s) =>
      s.mtu
        ? `repeats ${mtuName(s)}, which daemon.json already sets ("mtu"): dockerd refuses a directive given both as a flag and in daemon.json; drop the flag or ${mtuName(s)}`
        : undefined,
  },
  {
    flags: ['--registry-mirror'],
    reject: (s) =>
      s.registryMirrors
        ? `repeats ${mirrorsName(s)}, which daemon.json already sets ("registry-mirrors"): dockerd refuses a directive given both as a flag and in daemon.json; list every mirror in ${mirrorsName(s)}`
        : undefined,
  },
  {
    flags: ['--host', '-H'],
    reject: () =>
      `the DinD API is bound to unix:///var/run/docker.sock and ${dindDockerHost()} only; another --host would expose an unauthenticated, root-equivalent Docker API`,
  },
  {
    flags: ['--config-file'],
    reject: (s) => `dockerd would read that file instead of the generated daemon.json, silently dropping ${mtuName(s)} and ${mirrorsName(s)}`,
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
