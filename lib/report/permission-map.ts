import { Grant, Identity, Inventory } from '../inventory/inventory';
import { Component } from '../model/tags';
import { classifyAction, isReadClass } from '../rules/private/access-classifier';
import { Finding } from '../rules/rule';
import { findingId } from '../rules/run-rules';

/** How a held action is drawn: what it can do to the resource. */
export type MapAccess = 'read' | 'write' | 'destructive';

/** Actions of one access group on the resources they reach, with the findings that concern them. */
export interface MapGrant {
  readonly access: MapAccess;
  readonly actions: string[];
  readonly resources: string[];
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
  readonly tier?: string;
  readonly environments: string[];
  /** Identities of the broker that is the way to the tools. */
  readonly brokers: string[];
  /** Identities that can cut the agent's tools (the kill switch's revocation path). */
  readonly killSwitch: string[];
  /** Whether an approval gate of the agent's is in the inventory. */
  readonly approvalGate: boolean;
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
  const byAgent = new Map<string, Identity[]>();
  for (const i of inventory.identities) {
    const agent = i.labels.agent ?? i.declaration?.agent;
    if (agent) byAgent.set(agent, [...(byAgent.get(agent) ?? []), i]);
  }
  const grantsOf = new Map<string, Grant[]>();
  for (const g of inventory.grants) if (g.identityId && g.effect === 'Allow') grantsOf.set(g.identityId, [...(grantsOf.get(g.identityId) ?? []), g]);
  const findingsOf = new Map<string, Finding[]>();
  for (const f of findings) if (f.identity) findingsOf.set(f.identity, [...(findingsOf.get(f.identity) ?? []), f]);
  const gates = new Set(inventory.others.filter((o) => o.labels?.component === Component.APPROVAL_GATE).map((o) => o.labels?.agent ?? ''));
  const agents = [...byAgent.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, identities]): MapAgent => {
    const tools = identities.filter((i) => i.isAgent && (i.labels.tool ?? i.declaration?.tool))
      .map((i) => tool(i, grantsOf.get(i.id) ?? [], findingsOf.get(i.id) ?? []))
      .sort((a, b) => a.name.localeCompare(b.name) || a.identity.localeCompare(b.identity));
    const named = (c: Component) => identities.filter((i) => i.labels.component === c).map(identityName).sort();
    return {
      name,
      tier: identities.map((i) => i.labels.tier ?? i.declaration?.tier).find((t) => t !== undefined),
      environments: [...new Set(identities.map((i) => i.labels.environment ?? i.declaration?.environment).filter((e): e is string => !!e))].sort(),
      brokers: named(Component.BROKER),
      killSwitch: [...named(Component.REVOCATION), ...named(Component.KILL_SWITCH)],
      approvalGate: gates.has(name) || (gates.has('') && tools.some((t) => t.requiresApproval)),
      tools,
    };
  });
  return { agents };
}

function tool(i: Identity, grants: readonly Grant[], findings: readonly Finding[]): MapTool {
  const declared = new Set(i.declaration?.actions ?? []);
  const destructiveTool = i.declaration?.accessLevel === 'destructive';
  const groups = new Map<string, { access: MapAccess; actions: Set<string>; resources: Set<string> }>();
  for (const g of grants) {
    const actions = g.notActions?.length ? [`NotAction ${g.notActions.join(',')}`] : g.role ? [...g.actions, g.role] : g.actions;
    const resources = g.notResources?.length ? [`NotResource ${g.notResources.join(',')}`] : g.resources;
    for (const action of actions) {
      const access: MapAccess = destructiveTool && declared.has(action) ? 'destructive' : isReadClass(classifyAction(g.cloud, action)) ? 'read' : 'write';
      const key = `${access}\u0000${[...resources].sort().join('\u0000')}`;
      const group = groups.get(key) ?? { access, actions: new Set<string>(), resources: new Set(resources) };
      group.actions.add(action);
      groups.set(key, group);
    }
  }
  const placed = new Set<string>();
  const mapGrants = [...groups.values()].map((g): MapGrant => {
    const actions = [...g.actions].sort();
    const concern = findings.filter((f) => actions.some((a) => mentions(f, a)));
    for (const f of concern) placed.add(findingId(f));
    return { access: g.access, actions, resources: [...g.resources].sort(), findings: [...new Set(concern.map(findingId))].sort() };
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
