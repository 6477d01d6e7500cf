// Public API of forgejo-runner-cdk8s as a construct library:
//   import { ForgejoRunner } from 'forgejo-runner-cdk8s';
// The constructs, their props and the handles they return. Every construct checks its props in
// its constructor and throws a PropsError naming the prop path. Building blocks (pod and script
// builders, constants) are in 'forgejo-runner-cdk8s/parts' (experimental). The runtime
// dependencies are cdk8s and constructs only.

// Errors of every construct.
export { PropsError, formatPropPath, type PropsProblem, type PropPath } from './constructs/props-error.js';

// The installation (L3).
export {
  ForgejoRunner,
  type ForgejoRunnerProps,
  type ForgejoRunnerPoolOptions,
  type ForgejoRunnerRegistration,
  type ForgejoScalerToken,
  type ForgejoRunnerNetworkPolicy,
} from './constructs/forgejo-runner.js';
export {
  JobCredential,
  type JobCredentialOptions,
  type JobCredentialProps,
  type JobCredentialEnvVars,
  type JobCredentialDelivery,
} from './constructs/job-credential.js';
export { RunnerRegistrationSecret, type RunnerRegistrationSecretProps, type RegisteredPool } from './constructs/runner-registration.js';

// Pools and the settings of their pods.
export { RunnerPool, type RunnerPoolProps } from './constructs/pool/runner-pool.js';
export type {
  RunnerPodTemplateProps,
  PoolSettings,
  SharedPoolSettings,
  InstallationSettings,
  PodExtensions,
  DindOptions,
  RunnerImages,
  RunnerEnvValue,
} from './constructs/pool/pool-pod.js';
export type { ContainerResources, RunnerRegistration } from './constructs/pool/types.js';
export type { LogLevel } from './constructs/rules.js';

// Ephemeral pools on KEDA (>= 2.20): one CI job per Job pod, scale to zero.
export { EphemeralRunnerPool, type EphemeralRunnerPoolProps, type EphemeralScalingOptions } from './constructs/keda/ephemeral-runner-pool.js';
export { ForgejoRunnerScaledJob, type ForgejoRunnerScaledJobProps, type PodTemplate } from './constructs/keda/forgejo-runner-scaled-job.js';
export type { ForgejoRunnerScope } from './constructs/keda/forgejo-runner-trigger.js';
export { ForgejoTokenAuthentication, type ForgejoTokenAuthenticationProps } from './constructs/keda/trigger-authentication.js';
export { ForgejoScalerAuthentication, type ForgejoScalerAuthenticationProps } from './constructs/keda/scaler-authentication.js';

// Secrets from 1Password, and their typed handles.
export {
  OnePasswordSecret,
  SecretKeyHandle,
  SecretEnvSource,
  type OnePasswordSecretProps,
  type OnePasswordField,
  type SecretStoreRef,
} from './constructs/onepassword-secret.js';

/** Push a credential into a Forgejo Actions secret (External Secrets PushSecret, webhook provider). */
export { ForgejoActionsSecret, type ForgejoActionsSecretProps, type ForgejoActionsSecretScope } from './constructs/forgejo-actions-secret.js';
export { RunnerNetworkPolicy, type RunnerNetworkPolicyProps, type EgressAllow, type IRunnerPods } from './constructs/runner-network-policy.js';
export { ArgoApplication, type ArgoApplicationProps } from './constructs/argocd-application.js';
export { ArgoCdSyncWaves, type ArgoCdSyncWavesProps } from './constructs/sync-waves.js';
