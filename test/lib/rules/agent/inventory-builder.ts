import { Baseline } from '../../../../lib/baseline/baseline';
import {
  AgentLabels, Cloud, Declaration, emptyInventory, Grant, Identity, Inventory, OtherResource, PolicyDocumentEntry, TrustEntry,
} from '../../../../lib/inventory/inventory';
import { Finding, Rule } from '../../../../lib/rules/rule';
import { runRules } from '../../../../lib/rules/run-rules';

/** Hand-built inventories for the agent rules, shaped the way the adapters build them. */
export class InventoryBuilder {
  public readonly inventory: Inventory = emptyInventory();
  private grantCount = 0;

  /** A tool identity with labels, a declaration and (optionally) trust. */
  public tool(props: {
    cloud?: Cloud; name: string; agent?: string; tool?: string; tier?: string; environment?: string; component?: string;
    declaration?: Partial<Declaration> | false; trust?: Partial<TrustEntry>[]; maxSessionSeconds?: number; stack?: string;
  }): Identity {
    const cloud = props.cloud ?? 'aws';
    const labels: AgentLabels = {
      agent: props.agent ?? 'triage', tool: props.tool ?? props.name, tier: props.tier ?? 'operator',
      environment: props.environment ?? 'prod', component: props.component ?? 'tool-identity',
    };
    const declaration: Declaration | undefined = props.declaration === false ? undefined : {
      agent: labels.agent!, tool: labels.tool!, tier: labels.tier!, environment: labels.environment!,
      accessLevel: 'read', actions: [], resources: [], dataSources: [], requiresApproval: false, hasWindow: false,
      ...props.declaration,
    };
    const identity: Identity = {
      id: `${cloud}:${props.stack ?? 'Stack'}/${props.name}`, cloud, kind: kindOf(cloud), name: props.name, labels, isAgent: true, declaration,
      maxSessionSeconds: props.maxSessionSeconds, federations: [], longLivedKeys: [],
      trust: (props.trust ?? []).map((t) => ({ effect: 'Allow', actions: ['sts:AssumeRole'], principals: [], principalKinds: [], source: { resource: props.name }, ...t })),
      source: { resource: props.name, stack: props.stack ?? 'Stack' },
    };
    this.inventory.identities.push(identity);
    return identity;
  }

  /** A guardrail identity (broker, revocation) that is not a tool identity. */
  public guardrail(props: { cloud?: Cloud; name: string; component: string; agent?: string; environment?: string; federations?: Identity['federations'] }): Identity {
    const cloud = props.cloud ?? 'aws';
    const identity: Identity = {
      id: `${cloud}:Stack/${props.name}`, cloud, kind: kindOf(cloud), name: props.name, isAgent: false,
      labels: { agent: props.agent ?? 'triage', component: props.component, environment: props.environment ?? 'prod' },
      trust: [], federations: props.federations ?? [], longLivedKeys: [], source: { resource: props.name, stack: 'Stack' },
    };
    this.inventory.identities.push(identity);
    return identity;
  }

  /** An Allow (or Deny) grant to an identity. */
  public grant(identity: Identity, actions: string[], resources: string[], extra: Partial<Grant> = {}): Grant {
    const grant: Grant = {
      id: `g${++this.grantCount}`, cloud: identity.cloud, identityId: identity.id, effect: 'Allow', actions, resources,
      via: identity.cloud === 'aws' ? 'inline-policy' : identity.cloud === 'gcp' ? 'iam-member' : 'role-assignment',
      source: { resource: `${identity.source.resource}Policy`, stack: identity.source.stack }, ...extra,
    };
    this.inventory.grants.push(grant);
    return grant;
  }

  public policy(p: Partial<PolicyDocumentEntry> & { id: string }): PolicyDocumentEntry {
    const policy: PolicyDocumentEntry = {
      cloud: 'aws', kind: 'aws-customer-managed-policy', statements: [], attachedTo: [], boundaryOf: [], source: { resource: p.id, stack: 'Stack' }, ...p,
    };
    this.inventory.policies.push(policy);
    return policy;
  }

  public other(o: Partial<OtherResource> & { type: string; cloud: Cloud }): OtherResource {
    const other: OtherResource = { properties: {}, source: { resource: `${o.type}.main`, stack: 'Stack' }, ...o };
    this.inventory.others.push(other);
    return other;
  }

  /** The AWS kill switch of an agent: deny-all policy and revocation role. */
  public awsKillSwitch(agent = 'triage'): this {
    this.policy({ id: `aws:Stack/${agent}KillSwitch`, name: `${agent}-kill-switch`, labels: { agent, component: 'kill-switch' } });
    this.guardrail({ name: `${agent}-revocation`, component: 'revocation', agent });
    return this;
  }
}

export function kindOf(cloud: Cloud): Identity['kind'] {
  return cloud === 'aws' ? 'aws-iam-role' : cloud === 'gcp' ? 'gcp-service-account' : 'azure-user-assigned-identity';
}

/** Run one rule with the default baseline (or the one given). */
export function check(rule: Rule, inventory: Inventory, baseline: Baseline = Baseline.default()): Finding[] {
  return runRules(inventory, [rule], baseline);
}

/** `RuleId[detail]` of each finding, for compact assertions. */
export function ids(findings: Finding[]): string[] {
  return findings.map((f) => (f.detail ? `${f.ruleId}[${f.detail}]` : f.ruleId));
}
