// A validated values file -> construct props, in one function, and the way back: the values
// field that fed a prop path (for errors). The values file mirrors the props, so both directions
// are the identity except for the few renames listed in VALUES_PATHS. Defaults live on the props
// (`@default`), so an absent value is passed on as undefined, never filled in here.
import type { ArgoApplicationProps } from '../constructs/argocd-application.ts';
import type { ForgejoActionsSecretScope } from '../constructs/forgejo-actions-secret.ts';
import type { ForgejoRunnerProps } from '../constructs/forgejo-runner.ts';
import type { JobCredentialDelivery } from '../constructs/job-credential.ts';
import type { ForgejoRunnerScope } from '../constructs/keda/forgejo-runner-trigger.ts';
import { NATIVE_SIDECAR_MIN_MINOR } from '../constructs/pool/defaults.ts';
import type { PropPath } from '../constructs/props-error.ts';
import type { Values } from './schema.ts';

export interface ValuesProps {
  /** The runner installation (output.manifests). */
  readonly runner: ForgejoRunnerProps;
  /** The Argo CD Application (output.application); its destination is the runner's namespace. */
  readonly application: Omit<ArgoApplicationProps, 'destinationNamespace'>;
}

export function valuesToProps(values: Values): ValuesProps {
  const { kubernetesVersion, output, argocd, pools, jobCredential, ...runner } = values;
  const [major, minor] = kubernetesVersion.split('.').map(Number) as [number, number];
  return {
    runner: {
      ...runner,
      // delivery may be absent and the scope's fields are per kind: JobCredential checks both (with their lines).
      ...(jobCredential
        ? {
            jobCredential: {
              ...jobCredential,
              delivery: jobCredential.delivery as JobCredentialDelivery,
              forgejoSecret: jobCredential.forgejoSecret && { ...jobCredential.forgejoSecret, scope: jobCredential.forgejoSecret.scope as ForgejoActionsSecretScope },
            },
          }
        : {}),
      nativeSidecar: major > 1 || minor >= NATIVE_SIDECAR_MIN_MINOR,
      pools: pools.map(({ ephemeral, ...pool }) => ({
        ...pool,
        // adminToken is a boolean in the file; the construct checks that it is true (with its line).
        ...(ephemeral ? { ephemeral: { ...ephemeral, scope: ephemeral.scope as ForgejoRunnerScope | undefined } } : {}),
      })),
    },
    application: {
      name: argocd.applicationName,
      repoURL: argocd.repoURL,
      targetRevision: argocd.targetRevision,
      project: argocd.project,
      path: output.manifests,
    },
  };
}

/** Prop path prefixes whose values field has another name; every other prop path is its field's path. */
const VALUES_PATHS: Readonly<Record<'runner' | 'application', readonly [PropPath, PropPath][]>> = {
  runner: [
    [['nativeSidecar'], ['kubernetesVersion']],
  ],
  application: [
    [['name'], ['argocd', 'applicationName']],
    [['repoURL'], ['argocd', 'repoURL']],
    [['targetRevision'], ['argocd', 'targetRevision']],
    [['project'], ['argocd', 'project']],
    [['path'], ['output', 'manifests']],
    [['destinationNamespace'], ['namespace']],
  ],
};

/** The values field that fed a prop of the runner's or the application's props. */
export function valuesPathOf(props: 'runner' | 'application', path: PropPath): PropPath {
  for (const [from, to] of VALUES_PATHS[props]) {
    if (from.every((seg, i) => path[i] === seg)) return [...to, ...path.slice(from.length)];
  }
  return path;
}
