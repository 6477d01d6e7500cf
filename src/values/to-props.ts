// A validated values file -> construct props, in one function. Values-file rules (and their
// file:line errors) live in schema.ts; defaults live on the props (`@default`), so an absent
// value is passed on as undefined, never filled in here.
import type { ArgoApplicationProps } from '../constructs/argocd-application.ts';
import type { ForgejoRunnerProps } from '../constructs/forgejo-runner.ts';
import { NATIVE_SIDECAR_MIN_MINOR } from '../constructs/pool/defaults.ts';
import type { Values } from './schema.ts';

export interface ValuesProps {
  /** The runner installation (output.manifests). */
  readonly runner: ForgejoRunnerProps;
  /** The Argo CD Application (output.application); its destination is the runner's namespace. */
  readonly application: Omit<ArgoApplicationProps, 'destinationNamespace'>;
}

export function valuesToProps(values: Values): ValuesProps {
  const [major, minor] = values.kubernetesVersion.split('.').map(Number) as [number, number];
  return {
    runner: {
      forgejoUrl: values.forgejoUrl,
      secretStore: values.secretStore,
      namespace: values.namespace,
      registration: values.registration,
      zot: values.zot,
      images: values.images,
      timezone: values.timezone,
      jobEnv: values.jobEnv,
      dind: values.dind,
      nativeSidecar: major > 1 || minor >= NATIVE_SIDECAR_MIN_MINOR,
      scalerToken: values.scalerToken,
      networkPolicy: values.networkPolicy,
      pools: values.pools.map(({ ephemeral, ...pool }) => ({
        ...pool,
        ...(ephemeral
          ? {
              ephemeral: {
                ...ephemeral,
                // The schema has checked adminToken: true for scope global (with its line).
                scope: ephemeral.scope?.kind === 'global' ? { kind: 'global', adminToken: true } : ephemeral.scope,
              },
            }
          : {}),
      })),
    },
    application: {
      name: values.argocd.applicationName,
      repoURL: values.argocd.repoURL,
      targetRevision: values.argocd.targetRevision,
      project: values.argocd.project,
      path: values.output.manifests,
    },
  };
}
