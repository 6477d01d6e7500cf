// A NetworkPolicy for the runner pods of one pool. Nothing connects in to a runner (it polls
// Forgejo; the runner reaches DinD on the pod's loopback, which NetworkPolicy does not filter), so
// all ingress is denied. Egress is unrestricted unless an allow-list is given: jobs share the pod's
// network (container.network: host) and usually need the internet, and NetworkPolicy has no host
// names, only CIDRs, ports and namespace/pod selectors, so an allow-list pins the forge's,
// registry's and mirrors' addresses. No sync-wave here: ArgoCdSyncWaves (sync-waves.ts) puts
// NetworkPolicy before the workloads when the chart opts in.
import type { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort } from '../../imports/k8s.ts';
import { kubeObject } from './kube-object.ts';
import { explain } from './metadata.ts';

/** One allowed egress destination. Exactly one of cidr, namespaceLabels. */
export interface EgressAllow {
  /** An IP block, e.g. 203.0.113.10/32. @default none (then namespaceLabels) */
  readonly cidr?: string;
  /** Addresses inside cidr to exclude. @default none */
  readonly except?: readonly string[];
  /** Pods in namespaces with these labels, e.g. { 'kubernetes.io/metadata.name': 'zot' }. @default none (then cidr) */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /** Only these ports. @default every port */
  readonly ports?: readonly { readonly port: number; /** @default TCP */ readonly protocol?: 'TCP' | 'UDP' | 'SCTP' }[];
}

/** What a RunnerNetworkPolicy selects: a pool (RunnerPool or EphemeralRunnerPool). */
export interface IRunnerPods {
  /** Labels that select exactly the pool's pods. */
  readonly podSelector: Readonly<Record<string, string>>;
}

export interface RunnerNetworkPolicyProps {
  readonly name: string;
  readonly namespace: string;
  /** The pool whose pods the policy selects (by its podSelector). */
  readonly pool: IRunnerPods;
  /** @default no labels */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Restrict egress to DNS (port 53, any destination) plus these destinations.
   * @default egress unrestricted
   */
  readonly egressAllowList?: readonly EgressAllow[];
}

const CIDR = /^(\d{1,3}(\.\d{1,3}){3}\/\d{1,2}|[0-9a-fA-F:]+\/\d{1,3})$/;

export class RunnerNetworkPolicy extends Construct {
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: RunnerNetworkPolicyProps) {
    super(scope, id);
    const podSelector = props.pool.podSelector;
    if (Object.keys(podSelector).length === 0) {
      throw new Error(`RunnerNetworkPolicy ${props.name}: pool.podSelector is empty; it would select every pod in ${props.namespace}`);
    }
    const egress = props.egressAllowList?.map((allow, i) => {
      const where = `RunnerNetworkPolicy ${props.name}: egressAllowList[${i}]`;
      if ((allow.cidr === undefined) === (allow.namespaceLabels === undefined)) throw new Error(`${where}: set exactly one of cidr, namespaceLabels`);
      if (allow.cidr !== undefined && !CIDR.test(allow.cidr)) throw new Error(`${where}: cidr "${allow.cidr}" is not an IP block such as 203.0.113.10/32`);
      if (allow.except && allow.cidr === undefined) throw new Error(`${where}: except needs cidr`);
      const peer: NetworkPolicyPeer = allow.cidr
        ? { ipBlock: { cidr: allow.cidr, ...(allow.except?.length ? { except: [...allow.except] } : {}) } }
        : { namespaceSelector: { matchLabels: { ...allow.namespaceLabels } } };
      const ports: NetworkPolicyPort[] | undefined = allow.ports?.map((p) => ({ protocol: p.protocol ?? 'TCP', port: p.port }));
      return { to: [peer], ...(ports?.length ? { ports } : {}) };
    });
    const body: NetworkPolicy = {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: {
        name: props.name,
        namespace: props.namespace,
        ...(props.labels ? { labels: { ...props.labels } } : {}),
      },
      spec: {
        podSelector: { matchLabels: { ...podSelector } },
        policyTypes: egress ? ['Ingress', 'Egress'] : ['Ingress'],
        ...(egress
          ? {
              egress: [
                { ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
                ...egress,
              ],
            }
          : {}),
      },
    };
    this.resource = kubeObject(this, 'Resource', body);
    explain(this.resource, 'spec.podSelector', 'the pool\'s pod selector: its runner pods (privileged DinD) and nothing else');
    explain(this.resource, 'spec.policyTypes', egress
      ? 'Ingress with no rules: nothing may connect in; Egress: only the allow-list below'
      : 'Ingress with no rules: nothing may connect in (the DinD API stays unreachable even if bound wider); egress unrestricted, jobs need the internet');
    if (egress) explain(this.resource, 'spec.egress', 'DNS anywhere, then the allow-list; jobs share this policy (container.network: host)');
  }
}
