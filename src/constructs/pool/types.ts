// Shapes shared by the pool's parts.
import type { SecretEnvSource, SecretKeyHandle } from '../onepassword-secret.ts';

export interface ContainerResources {
  /** @default none */
  readonly requests?: { readonly cpu?: string; readonly memory?: string };
  /** @default none */
  readonly limits?: { readonly cpu?: string; readonly memory?: string };
}

/** How the runner proves its identity to Forgejo. */
export type RunnerRegistration =
  | {
      /** Register with a one-time token when the state file is missing (needs RUNNER_TOKEN). */
      readonly mode: 'token';
      /** Secret whose keys become env vars; must hold RUNNER_TOKEN. */
      readonly tokenSecret: SecretEnvSource;
    }
  | {
      /** Derive a fixed identity from a 40-hex shared secret on every start. */
      readonly mode: 'offline';
      readonly runnerSecret: SecretKeyHandle;
    };
