// Recommended labels (app.kubernetes.io/*) shared by every object of one runner installation.
export function standardLabels(props: { readonly instance: string; readonly component: string }): Record<string, string> {
  return {
    'app.kubernetes.io/name': 'forgejo-runner',
    'app.kubernetes.io/instance': props.instance,
    'app.kubernetes.io/component': props.component,
    'app.kubernetes.io/managed-by': 'cdk8s',
  };
}
