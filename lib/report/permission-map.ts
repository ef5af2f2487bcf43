import { Grant, Identity, Inventory } from '../inventory/inventory';
import { Component } from '../model/tags';
import { classifyAction, isReadClass } from '../rules/private/access-classifier';
import { Finding } from '../rules/rule';
import { findingId } from '../rules/run-rules';
import { appendTo } from '../private/append-to';

/** How a held action is drawn: what it can do to the resource. */
export type MapAccess = 'read' | 'write' | 'destructive';

/** Actions of one access group on the resources they reach, with the findings that concern them. */
export interface MapGrant {
  readonly access: MapAccess;
  readonly actions: string[];
  readonly resources: string[];
  /** GCP/Azure roles these actions come from (a role held as an action is listed in `actions` instead). */
  readonly roles?: string[];
  /** Ids of findings that name one of these actions. */
  readonly findings: string[];
}

/** One tool: its identity and what it holds. */
export interface MapTool {
  readonly name: string;
  readonly cloud: string;
  /** The identity's name (role, service account, managed identity), else its resource. */
  readonly identity: string;
  readonly accessLevel?: string;
  readonly requiresApproval: boolean;
  /** The change window, as text (`Mon-Fri 09:00-17:00 Europe/Dublin`). */
  readonly window?: string;
  readonly grants: MapGrant[];
  /** Ids of findings about the identity that name no action drawn here. */
  readonly findings: string[];
}

/** One agent and the guardrails around it. */
export interface MapAgent {
  readonly name: string;
  /** The cloud of its identities: an agent with identities on two clouds is drawn once per cloud. */
  readonly cloud: string;
  readonly tier?: string;
  readonly environments: string[];
  /** Identities of the broker that is the way to the tools. */
  readonly brokers: string[];
  /** Identities that can cut the agent's tools (the kill switch's revocation path). */
  readonly killSwitch: string[];
  /** Whether an approval path of the agent's is in the inventory: an approval gate, or a broker whose record names approvers. */
  readonly approvalGate: boolean;
  /** Stated cross-account opt-ins on the agent's resources (`<accounts> (<reason>)`); absent when none. */
  readonly crossAccount?: string[];
  readonly tools: MapTool[];
}

/** What `agent-guardrails map` draws: for each agent, its tools, identities, grants and guardrails. */
export interface PermissionMap {
  readonly agents: MapAgent[];
}

const ORDER: readonly MapAccess[] = ['read', 'write', 'destructive'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/**
 * The permission map of an inventory: agents from our labels, each tool identity's Allow grants
 * grouped read / write / destructive (read and list classes are read; a destructive tool's
 * declared actions are destructive; anything else, unknown included, is write), with the
 * findings that concern each group. Deterministic: sorted, no file paths.
 */
export function buildPermissionMap(inventory: Inventory, findings: readonly Finding[]): PermissionMap {
  const byAgent = new Map<string, { name: string; cloud: string; identities: Identity[] }>();
  for (const i of inventory.identities) {
    const name = i.labels.agent ?? i.declaration?.agent;
    if (!name) continue;
    const key = `${name}\u0000${i.cloud}`;
    const entry = byAgent.get(key) ?? { name, cloud: i.cloud, identities: [] };
    entry.identities.push(i);
    byAgent.set(key, entry);
  }
  const grantsOf = new Map<string, Grant[]>();
  for (const g of inventory.grants) if (g.identityId && g.effect === 'Allow') appendTo(grantsOf, g.identityId, g);
  const findingsOf = new Map<string, Finding[]>();
  for (const f of findings) if (f.identity) appendTo(findingsOf, f.identity, f);
  const optIns = new Map<string, Set<string>>();
  for (const r of [...inventory.identities, ...inventory.others, ...inventory.grants]) {
    const agent = r.labels?.agent;
    if (!r.crossAccount || !agent) continue;
    optIns.set(`${agent}\u0000${r.cloud}`, (optIns.get(`${agent}\u0000${r.cloud}`) ?? new Set()).add(`${r.crossAccount.accounts.join(', ')} (${r.crossAccount.reason})`));
  }
  // Per agent and cloud (one agent name may live on several clouds): a labelled gate resource, or a
  // broker whose construct record names approvers (the GCP and Azure brokers approve themselves).
  const gates = new Set([
    ...inventory.others.filter((o) => o.labels?.component === Component.APPROVAL_GATE).map((o) => `${o.labels?.agent ?? ''}\u0000${o.cloud}`),
    ...(inventory.brokers ?? []).filter((b) => (b.approvers ?? []).length > 0).map((b) => `${b.agent}\u0000${b.cloud}`),
  ]);
  const agents = [...byAgent.values()].sort((a, b) => a.name.localeCompare(b.name) || a.cloud.localeCompare(b.cloud)).map(({ name, cloud, identities }): MapAgent => {
    const tools = identities.filter((i) => i.isAgent && (i.labels.tool ?? i.declaration?.tool))
      .map((i) => tool(i, grantsOf.get(i.id) ?? [], findingsOf.get(i.id) ?? []))
      .sort((a, b) => a.name.localeCompare(b.name) || a.identity.localeCompare(b.identity));
    const named = (c: Component) => identities.filter((i) => i.labels.component === c).map(identityName).sort();
    return {
      name,
      cloud,
      tier: identities.map((i) => i.labels.tier ?? i.declaration?.tier).find((t) => t !== undefined),
      environments: [...new Set(identities.map((i) => i.labels.environment ?? i.declaration?.environment).filter((e): e is string => !!e))].sort(),
      brokers: named(Component.BROKER),
      killSwitch: [...named(Component.REVOCATION), ...named(Component.KILL_SWITCH)],
      approvalGate: gates.has(`${name}\u0000${cloud}`) || (gates.has(`\u0000${cloud}`) && tools.some((t) => t.requiresApproval)),
      ...(optIns.has(`${name}\u0000${cloud}`) ? { crossAccount: [...optIns.get(`${name}\u0000${cloud}`)!].sort() } : {}),
      tools,
    };
  });
  return { agents };
}

function tool(i: Identity, grants: readonly Grant[], findings: readonly Finding[]): MapTool {
  const declared = new Set(i.declaration?.actions ?? []);
  const destructiveTool = i.declaration?.accessLevel === 'destructive';
  const groups = new Map<string, { access: MapAccess; actions: Set<string>; resources: Set<string>; roles: Set<string> }>();
  for (const g of grants) {
    // A role whose permissions are known is drawn as them (the role named beside); an unknown role as itself.
    const actions = g.notActions?.length ? [`NotAction ${g.notActions.join(',')}`] : g.role && g.actions.length === 0 ? [g.role] : g.actions;
    const resources = g.notResources?.length ? [`NotResource ${g.notResources.join(',')}`] : g.resources;
    for (const action of actions) {
      const access: MapAccess = destructiveTool && declared.has(action) ? 'destructive' : isReadClass(classifyAction(g.cloud, action)) ? 'read' : 'write';
      const key = `${access}\u0000${[...resources].sort().join('\u0000')}`;
      const group = groups.get(key) ?? { access, actions: new Set<string>(), resources: new Set(resources), roles: new Set<string>() };
      group.actions.add(action);
      if (g.role && g.actions.length > 0) group.roles.add(g.role);
      groups.set(key, group);
    }
  }
  const placed = new Set<string>();
  const mapGrants = [...groups.values()].map((g): MapGrant => {
    const actions = [...g.actions].sort();
    const concern = findings.filter((f) => actions.some((a) => mentions(f, a)));
    for (const f of concern) placed.add(findingId(f));
    return {
      access: g.access, actions, resources: [...g.resources].sort(),
      ...(g.roles.size > 0 ? { roles: [...g.roles].sort() } : {}),
      findings: [...new Set(concern.map(findingId))].sort(),
    };
  }).sort((a, b) => ORDER.indexOf(a.access) - ORDER.indexOf(b.access) || a.actions[0].localeCompare(b.actions[0]));
  const window = i.declaration?.window;
  return {
    name: i.labels.tool ?? i.declaration?.tool ?? identityName(i),
    cloud: i.cloud,
    identity: identityName(i),
    accessLevel: i.declaration?.accessLevel,
    requiresApproval: i.declaration?.requiresApproval ?? false,
    ...(window ? { window: windowText(window) } : i.declaration?.hasWindow ? { window: 'declared' } : {}),
    grants: mapGrants,
    findings: [...new Set(findings.map(findingId).filter((id) => !placed.has(id)))].sort(),
  };
}

/** Whether a finding is about this action: its detail or message names it. */
function mentions(f: Finding, action: string): boolean {
  return (f.detail ?? '').includes(action) || f.message.includes(action);
}

function identityName(i: Identity): string {
  return i.name && !i.name.includes('${') ? i.name : i.source.resource;
}

function windowText(w: NonNullable<NonNullable<Identity['declaration']>['window']>): string {
  const slots = w.slots.map((s) => `${days(s.days)} ${s.start}-${s.end}`).join(', ');
  return `${slots} ${w.timeZone}${w.expiresAt ? ` until ${w.expiresAt}` : ''}`;
}

function days(ds: readonly number[]): string {
  const sorted = [...ds].sort((a, b) => a - b);
  const consecutive = sorted.every((d, k) => k === 0 || d === sorted[k - 1] + 1);
  return consecutive && sorted.length > 2 ? `${DAYS[sorted[0]]}-${DAYS[sorted[sorted.length - 1]]}` : sorted.map((d) => DAYS[d] ?? String(d)).join(',');
}

/** An agent's title in a drawn map: `agent deploy-operator · operator · prod · aws`. */
export function mapAgentTitle(agent: MapAgent): string {
  return [`agent ${agent.name}`, ...(agent.tier ? [agent.tier] : []), ...(agent.environments.length > 0 ? [agent.environments.join(', ')] : []), agent.cloud].join(' · ');
}

/** The first `max` items and `+N more` for the rest: what a drawn label shows of a long list. */
export function listed(items: readonly string[], max: number): string[] {
  return items.length > max ? [...items.slice(0, max), `+${items.length - max} more`] : [...items];
}
