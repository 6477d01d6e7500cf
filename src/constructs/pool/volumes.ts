// Pod volumes and mounts wired by object: a mount carries the volume it mounts, and the pod's
// `volumes` list is derived from the mounts of its containers, so a container cannot mount a
// volume the pod lacks, and a volume nobody mounts is never emitted (the cdk8s-plus
// `container.mount(path, storage)` model, without cdk8s-plus's defaults; see runner-pool.ts).
import type { Container, EnvVar, Volume, VolumeMount } from '../../../imports/k8s.ts';
import type { ConfigMapFile, HashedConfigMap } from '../hashed-config-map.ts';
import type { SecretKeyHandle } from '../onepassword-secret.ts';
import { dnsLabel } from '../rules.ts';

/** A volume of a pod, named once; hand the object to mounts, never its name. */
export class PodVolume {
  /** Scratch space that lives as long as the pod. */
  public static emptyDir(name: string): PodVolume {
    return new PodVolume(name, { emptyDir: {} });
  }

  /** Every file of a ConfigMap synthesized in the same tree. */
  public static configMap(name: string, configMap: HashedConfigMap): PodVolume {
    return new PodVolume(name, { configMap: { name: configMap.name } }, configMap);
  }

  /** A directory of the node. */
  public static hostPath(name: string, path: string, type: 'Directory' | 'File' | 'DirectoryOrCreate'): PodVolume {
    return new PodVolume(name, { hostPath: { path, type } });
  }

  /** One key of a Secret as a file named like the key. */
  public static secretFile(name: string, handle: SecretKeyHandle): PodVolume {
    return new PodVolume(name, { secret: { secretName: handle.secretName, items: [{ key: handle.key, path: handle.key }] } }, handle);
  }

  public readonly name: string;
  private readonly source: Omit<Volume, 'name'>;
  /** The ConfigMap or Secret key this volume reads, for consumers that need the link. */
  public readonly from?: HashedConfigMap | SecretKeyHandle;

  private constructor(name: string, source: Omit<Volume, 'name'>, from?: HashedConfigMap | SecretKeyHandle) {
    this.name = name;
    this.source = source;
    this.from = from;
    if (dnsLabel(name) !== undefined) {
      throw new Error(`volume name "${name}" is not a DNS-1123 label`);
    }
  }

  /** Mounts this volume whole at a directory. */
  public at(mountPath: string, options: { readonly readOnly?: boolean } = {}): Mount {
    return { volume: this, mountPath, ...(options.readOnly ? { readOnly: true } : {}) };
  }

  /** Mounts one file of a ConfigMap volume at a path (subPath). The file must come from this volume's ConfigMap. */
  public file(file: ConfigMapFile, mountPath: string, options: { readonly readOnly?: boolean } = {}): Mount {
    if (this.from !== file.configMap) {
      throw new Error(`volume ${this.name} does not hold ConfigMap ${file.configMapName}, so it cannot mount its file ${file.key}`);
    }
    return { volume: this, mountPath, subPath: file.key, ...(options.readOnly ? { readOnly: true } : {}) };
  }

  public toVolume(): Volume {
    return { name: this.name, ...this.source };
  }
}

export interface Mount {
  readonly volume: PodVolume;
  readonly mountPath: string;
  /** @default the whole volume */
  readonly subPath?: string;
  /** @default false */
  readonly readOnly?: boolean;
}

/** A container before it joins a pod: the Kubernetes shape, with mounts that carry their volumes. */
export interface ContainerPart {
  readonly container: Omit<Container, 'volumeMounts' | 'env'> & { readonly env?: readonly EnvVar[] };
  readonly mounts: readonly Mount[];
}

/** The Kubernetes container, its volumeMounts written from its mounts. */
export function toContainer(part: ContainerPart): Container {
  const { env, ...rest } = part.container;
  const volumeMounts: VolumeMount[] = part.mounts.map((m) => ({
    name: m.volume.name,
    mountPath: m.mountPath,
    ...(m.subPath ? { subPath: m.subPath } : {}),
    ...(m.readOnly ? { readOnly: true } : {}),
  }));
  return { ...rest, ...(env ? { env: [...env] } : {}), ...(volumeMounts.length ? { volumeMounts } : {}) };
}

/**
 * The pod's volumes: every volume mounted by the containers, in order of first mount. Two
 * different volumes with one name would be one volume in Kubernetes: that is an error.
 */
export function podVolumes(parts: readonly ContainerPart[]): Volume[] {
  const byName = new Map<string, PodVolume>();
  for (const part of parts) {
    for (const { volume } of part.mounts) {
      const known = byName.get(volume.name);
      if (known && known !== volume) {
        throw new Error(`two different volumes are named ${volume.name} (container ${part.container.name}); give each its own name`);
      }
      byName.set(volume.name, volume);
    }
  }
  return [...byName.values()].map((v) => v.toVolume());
}

/** An env var read from a Secret key; the handle names the Secret that holds it. */
export function secretEnvVar(name: string, handle: SecretKeyHandle): EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: handle.secretName, key: handle.key } } };
}
