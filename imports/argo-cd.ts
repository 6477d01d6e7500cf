// Argo CD models (argoproj.io/v1alpha1), validated against the Application CRD schema.
export { Application, type IApplication } from '@kubernetes-models/argo-cd/argoproj.io/v1alpha1/Application';
