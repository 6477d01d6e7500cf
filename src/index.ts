// Public API of forgejo-runner-cdk8s as a construct library:
//   import { ForgejoRunner } from 'forgejo-runner-cdk8s';
// The constructs, their props and the handles they return. Every construct checks its props in
// its constructor and throws a PropsError naming the prop path. Building blocks (pod and script
// builders, constants) are in 'forgejo-runner-cdk8s/parts' (experimental). The runtime
// dependencies are cdk8s and constructs only.

// Errors of every construct.
export { PropsError, formatPropPath, type PropsProblem, type PropPath } from './constructs/props-error.ts';

// The installation (L3).
export {
  ForgejoRunner,
  type ForgejoRunnerProps,
  type ForgejoRunnerPoolOptions,
  type ForgejoRunnerRegistration,
  type ForgejoScalerToken,
  type ForgejoRunnerNetworkPolicy,
} from './constructs/forgejo-runner.ts';
export {
  JobCredential,
  type JobCredentialOptions,
  type JobCredentialProps,
  type JobCredentialEnvVars,
  type JobCredentialDelivery,
} from './constructs/job-credential.ts';
export { RunnerRegistrationSecret, type RunnerRegistrationSecretProps, type RegisteredPool } from './constructs/runner-registration.ts';

// Pools and the settings of their pods.
export { RunnerPool, type RunnerPoolProps } from './constructs/pool/runner-pool.ts';
export type {
  RunnerPodTemplateProps,
  PoolSettings,
  SharedPoolSettings,
  InstallationSettings,
  PodExtensions,
  DindOptions,
  RunnerImages,
  RunnerEnvValue,
} from './constructs/pool/pool-pod.ts';
export type { ContainerResources, RunnerRegistration } from './constructs/pool/types.ts';
export type { LogLevel } from './constructs/rules.ts';

// Ephemeral pools on KEDA (>= 2.18, built against 2.20.2): one CI job per Job pod, scale to zero.
export { EphemeralRunnerPool, type EphemeralRunnerPoolProps, type EphemeralScalingOptions } from './constructs/keda/ephemeral-runner-pool.ts';
export { ForgejoRunnerScaledJob, type ForgejoRunnerScaledJobProps, type PodTemplate } from './constructs/keda/forgejo-runner-scaled-job.ts';
export type { ForgejoRunnerScope } from './constructs/keda/forgejo-runner-trigger.ts';
export { ForgejoTokenAuthentication, type ForgejoTokenAuthenticationProps, type TriggerAuthenticationKind } from './constructs/keda/trigger-authentication.ts';
export { ForgejoScalerAuthentication, type ForgejoScalerAuthenticationProps } from './constructs/keda/scaler-authentication.ts';

// Secrets from 1Password, and their typed handles.
export {
  OnePasswordSecret,
  SecretKeyHandle,
  SecretEnvSource,
  type OnePasswordSecretProps,
  type OnePasswordField,
  type SecretStoreRef,
} from './constructs/onepassword-secret.ts';

/** Push a credential into a Forgejo Actions secret (External Secrets PushSecret, webhook provider). */
export { ForgejoActionsSecret, type ForgejoActionsSecretProps, type ForgejoActionsSecretScope } from './constructs/forgejo-actions-secret.ts';
export { RunnerNetworkPolicy, type RunnerNetworkPolicyProps, type EgressAllow, type IRunnerPods } from './constructs/runner-network-policy.ts';
export { ArgoApplication, type ArgoApplicationProps } from './constructs/argocd-application.ts';
export { ArgoCdSyncWaves, type ArgoCdSyncWavesProps } from './constructs/sync-waves.ts';
