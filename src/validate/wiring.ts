// Synth-time wiring check over the synthesized objects (not the constructs), so it also catches
// links broken by escape hatches or hand edits: every Secret a pod refers to must be created by
// an ExternalSecret in the same namespace and hold the key, and runner.env_file must be a file
// mounted from such a Secret. ConfigMap references are checked the same way. KEDA: a
// TriggerAuthentication's secretTargetRef must be such a Secret key, a ScaledJob's job pod is
// checked like a Deployment's, and its authenticationRef must name a synthesized TriggerAuthentication.
import { parse } from 'yaml';
import type { KubeObject, SynthesizedObject } from '../synth/synthesize.ts';
import { triggerMetadataProblems } from './keda-trigger.ts';

export interface WiringProblem {
  readonly file: string;
  readonly message: string;
}

/** Keys of the Secret that ESO builds from an ExternalSecret, exactly as ESO does it. */
export function keysEsoWouldCreate(externalSecret: KubeObject): { name: string; keys: Set<string>; open: boolean } {
  const spec = (externalSecret.spec ?? {}) as {
    target?: { name?: string; template?: { data?: Record<string, string>; templateFrom?: unknown[]; mergePolicy?: string } };
    data?: { secretKey: string }[];
    dataFrom?: unknown[];
  };
  const template = spec.target?.template;
  const templated = Object.keys(template?.data ?? {});
  // ESO: with a template (data or templateFrom) and mergePolicy Replace (the default), the Secret
  // holds only the template's keys; spec.data keys are template inputs. With Merge, or without a
  // template, spec.data keys are written as they are.
  const hasTemplate = templated.length > 0 || (template?.templateFrom?.length ?? 0) > 0;
  const includesData = !hasTemplate || template?.mergePolicy === 'Merge';
  const keys = new Set<string>([...templated, ...(includesData ? (spec.data ?? []).map((d) => d.secretKey) : [])]);
  // Keys from dataFrom or templateFrom are only known at run time.
  const open = (includesData && (spec.dataFrom?.length ?? 0) > 0) || (template?.templateFrom?.length ?? 0) > 0;
  return { name: spec.target?.name ?? externalSecret.metadata.name, keys, open };
}

interface PodSpecLike {
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
  volumes?: VolumeLike[];
}
interface ContainerLike {
  name: string;
  command?: string[];
  args?: string[];
  env?: { name: string; valueFrom?: { secretKeyRef?: { name: string; key: string }; configMapKeyRef?: { name: string; key: string } } }[];
  envFrom?: { secretRef?: { name: string }; configMapRef?: { name: string } }[];
  volumeMounts?: { name: string; mountPath: string; subPath?: string }[];
}
interface VolumeLike {
  name: string;
  secret?: { secretName: string; items?: { key: string; path: string }[] };
  configMap?: { name: string; items?: { key: string; path: string }[] };
}

export function checkWiring(objects: readonly SynthesizedObject[]): WiringProblem[] {
  const problems: WiringProblem[] = [];
  const secrets = new Map<string, { keys: Set<string>; open: boolean; from: string }>();
  const configMaps = new Map<string, Record<string, string>>();
  const ns = (o: KubeObject) => o.metadata.namespace ?? '';
  for (const { object } of objects) {
    if (object.kind === 'ExternalSecret') {
      const s = keysEsoWouldCreate(object);
      secrets.set(`${ns(object)}/${s.name}`, { keys: s.keys, open: s.open, from: object.metadata.name });
    }
    if (object.kind === 'ConfigMap') configMaps.set(`${ns(object)}/${object.metadata.name}`, (object.data ?? {}) as Record<string, string>);
  }

  checkKeda(objects, secrets, ns, problems);

  for (const { file, object } of objects) {
    const pod = podSpecOf(object);
    if (!pod) continue;
    const owner = `${object.kind} ${object.metadata.name}`;
    const report = (message: string) => problems.push({ file, message: `${owner}: ${message}` });
    const secretIn = (name: string) => secrets.get(`${ns(object)}/${name}`);
    const needSecretKey = (where: string, name: string, key: string | undefined) => {
      const s = secretIn(name);
      if (!s) {
        report(`${where} refers to Secret ${name}, which no ExternalSecret in namespace ${ns(object)} creates`);
      } else if (key !== undefined && !s.open && !s.keys.has(key)) {
        report(`${where} needs key ${key} of Secret ${name}, but ExternalSecret ${s.from} creates only: ${[...s.keys].sort().join(', ') || 'no keys'}`);
      }
    };
    const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v]));
    for (const v of pod.volumes ?? []) {
      if (v.secret) {
        if (!v.secret.items) needSecretKey(`volume ${v.name}`, v.secret.secretName, undefined);
        for (const item of v.secret.items ?? []) needSecretKey(`volume ${v.name}`, v.secret.secretName, item.key);
      }
      if (v.configMap) {
        const data = configMaps.get(`${ns(object)}/${v.configMap.name}`);
        if (!data) report(`volume ${v.name} refers to ConfigMap ${v.configMap.name}, which is not synthesized in namespace ${ns(object)}`);
        for (const item of v.configMap.items ?? []) {
          if (data && !(item.key in data)) report(`volume ${v.name} needs key ${item.key} of ConfigMap ${v.configMap.name}`);
        }
      }
    }
    for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
      const where = `container ${c.name}`;
      for (const e of c.env ?? []) {
        const ref = e.valueFrom?.secretKeyRef;
        if (ref) needSecretKey(`${where} env ${e.name} (secretKeyRef)`, ref.name, ref.key);
      }
      for (const src of c.envFrom ?? []) {
        if (src.secretRef) needSecretKey(`${where} envFrom`, src.secretRef.name, undefined);
      }
      for (const m of c.volumeMounts ?? []) {
        const v = volumes.get(m.name);
        if (!v) {
          report(`${where} mounts volume ${m.name} at ${m.mountPath}, but the pod has no such volume`);
          continue;
        }
        if (m.subPath && v.configMap) {
          const data = configMaps.get(`${ns(object)}/${v.configMap.name}`);
          if (data && !(m.subPath in data)) report(`${where} mounts ${m.subPath} from ConfigMap ${v.configMap.name}, which has no such key`);
        }
      }
      checkEnvFile(c, volumes, configMaps, secretIn, ns(object), report);
    }
  }
  return problems;
}

/** runner.env_file of a container's forgejo-runner config must be a file mounted from an ExternalSecret's Secret. */
function checkEnvFile(
  c: ContainerLike,
  volumes: Map<string, VolumeLike>,
  configMaps: Map<string, Record<string, string>>,
  secretIn: (name: string) => { keys: Set<string>; open: boolean } | undefined,
  namespace: string,
  report: (m: string) => void,
): void {
  const configPath = [...(c.command ?? []), ...(c.args ?? [])].join(' ').match(/--config\s+(\S+)/)?.[1];
  if (!configPath) return;
  const configText = fileInContainer(c, volumes, configPath, (v) => configMaps.get(`${namespace}/${v.configMap?.name}`));
  if (configText === undefined) {
    report(`container ${c.name} reads its config from ${configPath}, which is not a file mounted from a synthesized ConfigMap`);
    return;
  }
  const envFile = (parse(configText) as { runner?: { env_file?: string } } | null)?.runner?.env_file;
  if (!envFile) return;
  const where = `container ${c.name} runner.env_file ${envFile}`;
  const mount = (c.volumeMounts ?? []).filter((m) => envFile.startsWith(`${m.mountPath.replace(/\/$/, '')}/`) || envFile === m.mountPath).sort((a, b) => b.mountPath.length - a.mountPath.length)[0];
  if (!mount) return report(`${where} is not under any volumeMount of the container, so jobs would get no secrets`);
  const volume = volumes.get(mount.name);
  if (!volume?.secret) return report(`${where} is mounted from volume ${mount.name}, which is not a Secret volume`);
  const rel = mount.subPath ? mount.subPath : envFile.slice(mount.mountPath.replace(/\/$/, '').length + 1);
  const item = volume.secret.items ? volume.secret.items.find((i) => i.path === rel) : { key: rel, path: rel };
  if (!item) return report(`${where}: volume ${mount.name} projects no file ${rel} from Secret ${volume.secret.secretName}`);
  const secret = secretIn(volume.secret.secretName);
  if (!secret) return report(`${where} comes from Secret ${volume.secret.secretName}, which no ExternalSecret in namespace ${namespace} creates`);
  if (!secret.open && !secret.keys.has(item.key)) {
    report(`${where} needs key ${item.key} of Secret ${volume.secret.secretName}, but it holds only: ${[...secret.keys].sort().join(', ')}`);
  }
}

function fileInContainer(
  c: ContainerLike,
  volumes: Map<string, VolumeLike>,
  path: string,
  dataOf: (v: VolumeLike) => Record<string, string> | undefined,
): string | undefined {
  for (const m of c.volumeMounts ?? []) {
    const v = volumes.get(m.name);
    if (!v?.configMap) continue;
    const data = dataOf(v);
    if (!data) continue;
    if (m.subPath && path === m.mountPath) return data[m.subPath];
    if (!m.subPath && path.startsWith(`${m.mountPath.replace(/\/$/, '')}/`)) {
      const rel = path.slice(m.mountPath.replace(/\/$/, '').length + 1);
      const key = v.configMap.items ? v.configMap.items.find((i) => i.path === rel)?.key : rel;
      if (key !== undefined) return data[key];
    }
  }
  return undefined;
}

function podSpecOf(o: KubeObject): PodSpecLike | undefined {
  const spec = o.spec as
    | {
        template?: { spec?: PodSpecLike };
        jobTemplate?: { spec?: { template?: { spec?: PodSpecLike } } };
        jobTargetRef?: { template?: { spec?: PodSpecLike } };
      }
    | undefined;
  if (o.kind === 'Pod') return o.spec as PodSpecLike;
  // KEDA's ScaledJob carries a whole Job spec in jobTargetRef (keda.sh/v1alpha1 ScaledJobSpec).
  if (o.kind === 'ScaledJob') return spec?.jobTargetRef?.template?.spec;
  return spec?.template?.spec ?? spec?.jobTemplate?.spec?.template?.spec;
}

interface TriggerAuthenticationLike {
  secretTargetRef?: { parameter: string; name: string; key: string }[];
}
interface ScaledJobLike {
  triggers?: { type: string; metadata?: unknown; authenticationRef?: { name: string; kind?: string } }[];
}

/**
 * KEDA links: a TriggerAuthentication's secretTargetRef must name a Secret and key that an
 * ExternalSecret in its namespace creates (ESO semantics, as for pods), and each trigger's
 * authenticationRef must name a TriggerAuthentication in the output (KEDA's default kind) or a
 * ClusterTriggerAuthentication in the output. A ClusterTriggerAuthentication's Secret is read in
 * KEDA's namespace, which the object does not say: some ExternalSecret of the output must create it.
 */
function checkKeda(
  objects: readonly SynthesizedObject[],
  secrets: Map<string, { keys: Set<string>; open: boolean; from: string }>,
  ns: (o: KubeObject) => string,
  problems: WiringProblem[],
): void {
  const auths = new Set<string>();
  for (const { file, object } of objects) {
    const cluster = object.kind === 'ClusterTriggerAuthentication';
    if (object.kind !== 'TriggerAuthentication' && !cluster) continue;
    auths.add(cluster ? `ClusterTriggerAuthentication/${object.metadata.name}` : `${ns(object)}/${object.metadata.name}`);
    for (const ref of (object.spec as TriggerAuthenticationLike | undefined)?.secretTargetRef ?? []) {
      const where = `${object.kind} ${object.metadata.name}: secretTargetRef ${ref.parameter}`;
      const s = cluster ? [...secrets.entries()].find(([k]) => k.endsWith(`/${ref.name}`))?.[1] : secrets.get(`${ns(object)}/${ref.name}`);
      if (!s) {
        problems.push({
          file,
          message: cluster
            ? `${where} refers to Secret ${ref.name}, which no ExternalSecret of the output creates (it must be in KEDA's namespace)`
            : `${where} refers to Secret ${ref.name}, which no ExternalSecret in namespace ${ns(object)} creates`,
        });
      } else if (!s.open && !s.keys.has(ref.key)) {
        problems.push({
          file,
          message: `${where} needs key ${ref.key} of Secret ${ref.name}, but ExternalSecret ${s.from} creates only: ${[...s.keys].sort().join(', ') || 'no keys'}`,
        });
      }
    }
  }
  for (const { file, object } of objects) {
    if (object.kind !== 'ScaledJob' && object.kind !== 'ScaledObject') continue;
    (object.spec as ScaledJobLike | undefined)?.triggers?.forEach((t, i) => {
      if (t.type === 'forgejo-runner') {
        for (const p of triggerMetadataProblems(t.metadata)) problems.push({ file, message: `${object.kind} ${object.metadata.name}: trigger ${i} (forgejo-runner) metadata.${p}` });
      }
      const ref = t.authenticationRef;
      if (!ref) return;
      const where = `${object.kind} ${object.metadata.name}: trigger ${i} (${t.type}) authenticationRef`;
      if (ref.kind === 'ClusterTriggerAuthentication') {
        if (!auths.has(`ClusterTriggerAuthentication/${ref.name}`)) problems.push({ file, message: `${where} names ClusterTriggerAuthentication ${ref.name}, which is not synthesized` });
      } else if ((ref.kind ?? 'TriggerAuthentication') !== 'TriggerAuthentication') {
        problems.push({ file, message: `${where} names a ${ref.kind} ${ref.name}, which KEDA does not know` });
      } else if (!auths.has(`${ns(object)}/${ref.name}`)) {
        problems.push({ file, message: `${where} names TriggerAuthentication ${ref.name}, which is not synthesized in namespace ${ns(object)}` });
      }
    });
  }
}
