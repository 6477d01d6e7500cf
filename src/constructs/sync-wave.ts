// Argo CD sync waves: Argo CD applies a wave only after every resource of the earlier waves is
// healthy, and it has a health check for ExternalSecret, so pods never start before their Secrets.
export const SyncWave = {
  /** The Namespace everything else lives in. */
  NAMESPACE: 0,
  /** ConfigMaps and ExternalSecrets: must exist (and be synced by ESO) before pods mount them. */
  CONFIG: 1,
  /** Deployments. */
  WORKLOAD: 2,
} as const;

export type SyncWaveValue = (typeof SyncWave)[keyof typeof SyncWave];

export const SYNC_WAVE_ANNOTATION = 'argocd.argoproj.io/sync-wave';

export function syncWave(wave: SyncWaveValue): Record<string, string> {
  return { [SYNC_WAVE_ANNOTATION]: String(wave) };
}
