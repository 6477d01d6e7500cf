// The runner container's start-up script. Waiting for dockerd stays in the script even with a
// DinD startup probe: it is the second line of defence (e.g. a DinD restart inside the pod).

export interface StartupScriptProps {
  /** `token`: register once when the state file is missing; `offline`: derive identity from a secret every start. */
  readonly registration: 'token' | 'offline';
  /** Path of config.yaml inside the runner container. */
  readonly configPath: string;
  /** The runner's state file (runner.file in config.yaml). */
  readonly stateFile: string;
  /** dockerd's TCP endpoint, as the runner reaches it. */
  readonly dockerUrl: string;
}

export function runnerStartupScript(props: StartupScriptProps): string {
  const wait = [
    '# Wait for DinD to be ready',
    'echo "Waiting for Docker daemon..."',
    `while ! wget -q -O /dev/null ${props.dockerUrl}/_ping 2>/dev/null; do`,
    '  sleep 1',
    'done',
    'echo "Docker daemon ready"',
  ];
  const identity =
    props.registration === 'token'
      ? [
          '# Register if not already registered',
          `if [ ! -f ${props.stateFile} ]; then`,
          '  echo "Registering runner..."',
          '  forgejo-runner register \\',
          '    --instance "$FORGEJO_URL" \\',
          '    --token "$RUNNER_TOKEN" \\',
          '    --name "$RUNNER_NAME" \\',
          '    --labels "$RUNNER_LABELS" \\',
          '    --no-interactive',
          'fi',
        ]
      : [
          '# Same secret, same runner UUID: rewrite the state file on every start instead of',
          '# registering, so restarts never leave offline "ghost" runners in Forgejo.',
          '# Labels come from runner.labels in the config.',
          'echo "Writing runner file from the shared secret..."',
          `forgejo-runner --config ${props.configPath} create-runner-file \\`,
          '  --instance "$FORGEJO_URL" \\',
          '  --secret "$RUNNER_SECRET" \\',
          '  --name "$RUNNER_NAME"',
        ];
  return [...wait, '', ...identity, '', '# Start daemon', `exec forgejo-runner daemon --config ${props.configPath}`, ''].join('\n');
}
