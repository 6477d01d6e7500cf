// Kubernetes API types (the JSON shapes of the API, generated from its OpenAPI spec by
// kubernetes-models). Type-only: erased at compile time, so typing the manifests costs nothing
// at synth. The runtime validators of the same package are used by src/validate/schemas.ts.
//
// Not cdk8s-plus-28's generated L1 classes: loading their 2.7 MB module took ~65 ms of every
// synth, and their props wrap quantities and int-or-strings in classes the output does not need.
export type { IDeployment as Deployment } from 'kubernetes-models/apps/v1/Deployment';
export type { IConfigMap as ConfigMap } from 'kubernetes-models/v1/ConfigMap';
export type { INamespace as Namespace } from 'kubernetes-models/v1/Namespace';
export type { IContainer as Container } from 'kubernetes-models/v1/Container';
export type { IEnvVar as EnvVar } from 'kubernetes-models/v1/EnvVar';
export type { IVolume as Volume } from 'kubernetes-models/v1/Volume';
export type { IVolumeMount as VolumeMount } from 'kubernetes-models/v1/VolumeMount';
export type { IResourceRequirements as ResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
export type { IPodSpec as PodSpec } from 'kubernetes-models/v1/PodSpec';
export type { INetworkPolicy as NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
export type { INetworkPolicyPeer as NetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
export type { INetworkPolicyPort as NetworkPolicyPort } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPort';
