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
import { PropsCheck, type PropPath } from './props-error.ts';
import { between, cidr, labelValue, metadataKey, oneOf, PROTOCOLS, strictSubnetOf } from './rules.ts';

/** One allowed egress destination. Exactly one of cidr, namespaceLabels. */
export interface EgressAllow {
  /** An IP block, e.g. 203.0.113.10/32 or 2001:db8::/64. @default none (then namespaceLabels) */
  readonly cidr?: string;
  /** Blocks strictly inside cidr to exclude (the API server refuses others). @default none */
  readonly except?: readonly string[];
  /** Pods in namespaces with these labels (at least one: none would select every namespace), e.g. { 'kubernetes.io/metadata.name': 'registry' }. @default none (then cidr) */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
  /** Only these ports. @default every port */
  readonly ports?: readonly { readonly port: number; /** @default TCP */ readonly protocol?: (typeof PROTOCOLS)[number] }[];
}

/** What a RunnerNetworkPolicy selects: a pool (RunnerPool or EphemeralRunnerPool). */
export interface IRunnerPods {
  /** Labels that select exactly the pool's pods. */
  readonly podSelector: Readonly<Record<string, string>>;
}

/** Props of RunnerNetworkPolicy. */
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

/**
 * The rules of an egress allow-list at `prefix` (RunnerNetworkPolicy checks its own;
 * ForgejoRunner checks its networkPolicy.egressAllowList once for all its pools' policies).
 */
export function checkEgressAllowList(check: PropsCheck, prefix: PropPath, list: readonly EgressAllow[]): void {
  list.forEach((allow, i) => {
    const at = (...path: (string | number)[]) => [...prefix, i, ...path];
    if ((allow.cidr === undefined) === (allow.namespaceLabels === undefined)) check.fail(at(), 'expected exactly one of cidr, namespaceLabels');
    const cidrOk = allow.cidr !== undefined && check.check(at('cidr'), cidr(allow.cidr));
    (allow.except ?? []).forEach((c, j) => {
      if (check.check(at('except', j), cidr(c)) && cidrOk) check.check(at('except', j), strictSubnetOf(allow.cidr!)(c));
    });
    if (allow.except && allow.cidr === undefined) check.fail(at('except'), 'expected cidr next to except');
    if (allow.namespaceLabels !== undefined) {
      const labels = Object.entries(allow.namespaceLabels);
      // An empty matchLabels selects every namespace: the "allow-list" would open the whole cluster.
      if (labels.length === 0) {
        check.fail(
          at('namespaceLabels'),
          "is empty, which selects every namespace: egress to every pod of the cluster; name the namespace, e.g. { 'kubernetes.io/metadata.name': 'registry' }",
        );
      }
      for (const [key, value] of labels) {
        if (check.check(at('namespaceLabels', key), metadataKey(key))) check.check(at('namespaceLabels', key), labelValue(value));
      }
    }
    (allow.ports ?? []).forEach((p, j) => {
      check.check(at('ports', j, 'port'), between(1, 65535, 'a port')(p.port));
      if (p.protocol !== undefined) check.check(at('ports', j, 'protocol'), oneOf(PROTOCOLS)(p.protocol));
    });
  });
}

/** A NetworkPolicy for one pool's pods: all ingress denied; egress open or limited to DNS plus an allow-list. */
export class RunnerNetworkPolicy extends Construct {
  public readonly resource: ApiObject;

  constructor(scope: Construct, id: string, props: RunnerNetworkPolicyProps) {
    super(scope, id);
    const podSelector = props.pool.podSelector;
    const check = new PropsCheck(`RunnerNetworkPolicy ${props.name}`);
    if (Object.keys(podSelector).length === 0) check.fail(['pool', 'podSelector'], `is empty; it would select every pod in ${props.namespace}`);
    if (props.egressAllowList) checkEgressAllowList(check, ['egressAllowList'], props.egressAllowList);
    check.done();
    const egress = props.egressAllowList?.map((allow) => {
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
