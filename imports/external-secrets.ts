// External Secrets Operator models for external-secrets.io/v1, the only version ESO 2.x serves.
// Each model validates itself against the CRD's OpenAPI schema (`validate()`).
export { ExternalSecret, type IExternalSecret } from '@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret';
