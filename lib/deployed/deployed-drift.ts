import { Cloud, Grant, Identity, Inventory } from '../inventory/inventory';
import { TAG_KEYS } from '../model/tags';
import { Glob } from '../private/glob-match';
import { DeployedAwsRole, DeployedExport, DeployedStatement, flattenCondition } from './deployed-iam';
import { appendTo } from '../private/append-to';
import { withoutTrailingSlashes } from '../private/linear-scans';

/**
 * Out-of-band change: the synthesized declarations (the inventory the checks read) against the
 * deployed IAM of the same identities. Widening changes (an identity, permission, binding or
 * assignment added, a deny or boundary removed, a trust principal added, a condition changed)
 * `trip`; narrowing ones `alert`.
 */
export type DeployedDriftSeverity = 'trip' | 'alert';

export interface DeployedDriftItem {
  readonly change: 'added' | 'removed' | 'changed';
  readonly what: 'identity' | 'permission' | 'managed-policy' | 'boundary' | 'trust' | 'binding' | 'assignment';
  readonly severity: DeployedDriftSeverity;
  /** The tool, or the guardrail component (broker, revocation, …), the identity is. */
  readonly identity: string;
  /** The deployed name (role, service account email, managed identity), when there is one. */
  readonly deployedName?: string;
  readonly detail: string;
}

export interface DeployedDriftAgent {
  readonly agent: string;
  readonly cloud: Cloud;
  readonly environment: string;
  /** Whether the synthesized output declares this agent (an agent only deployed is drift itself). */
  readonly declared: boolean;
  readonly items: DeployedDriftItem[];
}

export interface DeployedDriftReport {
  readonly sources: { readonly file: string; readonly kind: DeployedExport['kind']; readonly scope?: string }[];
  /** Declared identities compared, per cloud. */
  readonly compared: Record<string, number>;
  readonly agents: DeployedDriftAgent[];
  readonly summary: { readonly trip: number; readonly alert: number; readonly failOn: DeployedDriftSeverity; readonly result: 'pass' | 'fail' };
}

/** Who an identity is for: agent, environment and tool (or component). */
interface Who {
  readonly agent: string;
  readonly environment: string;
  readonly identity: string;
}

class Collector {
  private readonly agents = new Map<string, { agent: string; cloud: Cloud; environment: string; declared: boolean; items: DeployedDriftItem[] }>();

  constructor(private readonly declaredAgents: Set<string>) {}

  add(cloud: Cloud, who: Who, item: Omit<DeployedDriftItem, 'identity'>): void {
    const key = `${cloud}\u0000${who.agent}\u0000${who.environment}`;
    const declared = this.declaredAgents.has(`${cloud}\u0000${who.agent}`);
    const entry = this.agents.get(key) ?? { agent: who.agent, cloud, environment: who.environment, declared, items: [] };
    // An identity of an agent the output does not declare may be another app's: it alerts, never trips.
    entry.items.push({ ...item, severity: declared ? item.severity : 'alert', identity: who.identity });
    this.agents.set(key, entry);
  }

  touch(cloud: Cloud, who: Who): void {
    const key = `${cloud}\u0000${who.agent}\u0000${who.environment}`;
    if (!this.agents.has(key)) this.agents.set(key, { agent: who.agent, cloud, environment: who.environment, declared: true, items: [] });
  }

  result(): DeployedDriftAgent[] {
    return [...this.agents.values()]
      .map((a) => ({ ...a, items: a.items.sort((x, y) => x.identity.localeCompare(y.identity) || x.what.localeCompare(y.what) || x.detail.localeCompare(y.detail)) }))
      .sort((a, b) => a.agent.localeCompare(b.agent) || a.cloud.localeCompare(b.cloud) || a.environment.localeCompare(b.environment));
  }
}

/** Compare `inventory` with the deployed exports; `failOn` sets which severity fails. */
export function compareDeployed(inventory: Inventory, exports: readonly DeployedExport[], failOn: DeployedDriftSeverity): DeployedDriftReport {
  const ours = inventory.identities.filter((i) => whoOf(i) !== undefined);
  const declaredAgents = new Set(ours.map((i) => `${i.cloud}\u0000${whoOf(i)!.agent}`));
  const out = new Collector(declaredAgents);
  const compared: Record<string, number> = {};
  const sources: DeployedDriftReport['sources'][number][] = [];
  const grantsOf = new Map<string, Grant[]>();
  for (const g of inventory.grants) if (g.identityId) appendTo(grantsOf, g.identityId, g);

  for (const x of exports.filter((e) => e.kind === 'aws-authorization-details')) {
    const accounts = new Set(x.roles.map((r) => /^arn:[^:]+:iam::(\d{12}):/.exec(r.arn)?.[1]).filter((a): a is string => !!a));
    sources.push({ file: x.file, kind: x.kind, scope: [...accounts].sort().join(',') });
    const declared = ours.filter((i) => i.cloud === 'aws' && i.kind === 'aws-iam-role' && (!i.declaration?.placement?.aws || accounts.size === 0 || accounts.has(i.declaration.placement.aws.account)));
    compared.aws = (compared.aws ?? 0) + declared.length;
    compareAws(declared, x.roles, grantsOf, inventory, out);
  }

  const gcpFiles = exports.filter((e): e is Extract<DeployedExport, { kind: 'gcp-project-iam-policy' }> => e.kind === 'gcp-project-iam-policy');
  for (const x of gcpFiles) {
    const project = x.project ?? inferProject(x.bindings.flatMap((b) => b.members), ours, grantsOf);
    sources.push({ file: x.file, kind: x.kind, scope: project });
    compared.gcp = (compared.gcp ?? 0) + compareGcp(project, x.bindings, ours.filter((i) => i.cloud === 'gcp'), grantsOf, out);
  }

  const assignments = exports.flatMap((e) => (e.kind === 'azure-role-assignments' ? e.assignments : []));
  const identities = exports.flatMap((e) => (e.kind === 'azure-identities' ? e.identities : []));
  for (const x of exports) if (x.kind === 'azure-role-assignments' || x.kind === 'azure-identities') sources.push({ file: x.file, kind: x.kind });
  if (assignments.length > 0 || identities.length > 0) {
    compared.azure = compareAzure(assignments, identities, ours.filter((i) => i.cloud === 'azure'), grantsOf, out);
  }

  const agents = out.result();
  const all = agents.flatMap((a) => a.items);
  const trip = all.filter((i) => i.severity === 'trip').length;
  const alert = all.length - trip;
  return { sources, compared, agents, summary: { trip, alert, failOn, result: (failOn === 'trip' ? trip : trip + alert) > 0 ? 'fail' : 'pass' } };
}

// ------------------------------------------------------------------------------------------------
// AWS

function compareAws(declared: Identity[], roles: readonly DeployedAwsRole[], grantsOf: Map<string, Grant[]>, inventory: Inventory, out: Collector): void {
  const deployed = new Map<string, DeployedAwsRole>();
  for (const r of roles) {
    const who = whoOfTags(r.tags);
    if (who) deployed.set(key(who), r);
  }
  const seen = new Set<string>();
  for (const i of declared) {
    const who = whoOf(i)!;
    out.touch('aws', who);
    const role = deployed.get(key(who));
    seen.add(key(who));
    if (!role) {
      out.add('aws', who, { change: 'removed', what: 'identity', severity: 'alert', detail: `role of ${i.source.resource} is not deployed (deleted out of band, or not deployed yet)` });
      continue;
    }
    const d = { deployedName: role.name };
    // Permissions: one entry per effect and action, with the resources it reaches.
    const synth = entries(grantsOf.get(i.id)?.filter((g) => g.via !== 'aws-managed-policy').map(grantStatement) ?? []);
    const live = entries(role.statements);
    for (const [k, entry] of live) {
      const [effect, action] = k.split('\u0000');
      const declaredEntry = synth.get(k);
      if (!declaredEntry) {
        out.add('aws', who, { ...d, change: 'added', what: 'permission', severity: effect === 'Allow' ? 'trip' : 'alert', detail: `${effect} ${action} on ${entry.resources.join(', ')}` });
        continue;
      }
      const patterns = declaredEntry.resources.map(pattern);
      const beyond = entry.resources.filter((r) => !patterns.some((p) => p.test(r)));
      if (beyond.length > 0) out.add('aws', who, { ...d, change: 'changed', what: 'permission', severity: effect === 'Allow' ? 'trip' : 'alert', detail: `${effect} ${action} now also on ${beyond.join(', ')}` });
      const loosened = effect === 'Allow' ? loosenedConditions(declaredEntry, entry) : undefined;
      if (loosened) out.add('aws', who, { ...d, change: 'changed', what: 'permission', severity: 'trip', detail: `Allow ${action}: ${loosened}` });
    }
    for (const [k, entry] of synth) {
      if (live.has(k)) continue;
      const [effect, action] = k.split('\u0000');
      out.add('aws', who, { ...d, change: 'removed', what: 'permission', severity: effect === 'Deny' ? 'trip' : 'alert', detail: `${effect} ${action} on ${entry.resources.join(', ')}` });
    }
    // AWS-managed policies, by name.
    const declaredManaged = new Set(inventory.policies.filter((p) => p.kind === 'aws-managed-policy' && p.attachedTo.includes(i.id)).map((p) => managedName(p.name ?? p.id)));
    const liveManaged = new Set(role.awsManagedPolicies.map(managedName));
    for (const m of liveManaged) if (!declaredManaged.has(m)) out.add('aws', who, { ...d, change: 'added', what: 'managed-policy', severity: 'trip', detail: `AWS-managed policy ${m} attached` });
    for (const m of declaredManaged) if (!liveManaged.has(m)) out.add('aws', who, { ...d, change: 'removed', what: 'managed-policy', severity: 'alert', detail: `AWS-managed policy ${m} detached` });
    // The boundary: its removal widens whatever the role holds.
    if (i.boundary && !role.boundary) out.add('aws', who, { ...d, change: 'removed', what: 'boundary', severity: 'trip', detail: 'permissions boundary removed' });
    if (!i.boundary && role.boundary) out.add('aws', who, { ...d, change: 'added', what: 'boundary', severity: 'alert', detail: `permissions boundary ${role.boundary} set` });
    // Trust: a principal that may now assume the role.
    const trusted = i.trust.filter((t) => t.effect === 'Allow').flatMap((t) => t.principals).map((p) => pattern(awsPrincipal(p)));
    const liveTrust = [...new Set(role.trust.filter((s) => s.effect === 'Allow').flatMap((s) => s.principals).map(awsPrincipal))].sort();
    for (const p of liveTrust) if (!trusted.some((t) => t.test(p))) out.add('aws', who, { ...d, change: 'added', what: 'trust', severity: 'trip', detail: `trust policy lets ${p} assume the role` });
  }
  for (const r of roles) {
    const who = whoOfTags(r.tags);
    if (who && !seen.has(key(who))) {
      out.add('aws', who, { change: 'added', what: 'identity', severity: 'trip', deployedName: r.name, detail: `role ${r.arn} tagged as this agent's is not in the synthesized output` });
    }
  }
}

function grantStatement(g: Grant): DeployedStatement {
  return {
    effect: g.effect, actions: g.actions, notActions: g.notActions ?? [], resources: g.resources, notResources: g.notResources ?? [], principals: [],
    conditions: typeof g.condition === 'object' ? flattenCondition(g.condition) : [],
  };
}

/** What one effect and action is granted: its resources, and the conditions of every statement granting it. */
interface Entry {
  readonly resources: string[];
  /** One list per statement (empty: that statement has no condition). */
  readonly conditions: string[][];
}

/** `effect\0action` (lower case; NotAction/NotResource spelt out) → resources (sorted) and conditions. */
function entries(statements: readonly DeployedStatement[]): Map<string, Entry> {
  const out = new Map<string, { resources: Set<string>; conditions: string[][] }>();
  for (const s of statements) {
    const actions = s.notActions.length > 0 ? [`NotAction ${[...s.notActions].map((a) => a.toLowerCase()).sort().join(',')}`] : s.actions.map((a) => a.toLowerCase());
    const resources = s.notResources.length > 0 ? [`NotResource ${[...s.notResources].sort().join(',')}`] : s.resources;
    for (const a of actions) {
      const k = `${s.effect}\u0000${a}`;
      const entry = out.get(k) ?? { resources: new Set<string>(), conditions: [] };
      for (const r of resources) entry.resources.add(r);
      entry.conditions.push(s.conditions);
      out.set(k, entry);
    }
  }
  return new Map([...out].map(([k, v]) => [k, { resources: [...v.resources].sort(), conditions: v.conditions }]));
}

/**
 * How the deployed conditions of an Allow loosen the declared ones: a statement without the
 * condition every declared statement has, or a condition entry the declaration does not allow
 * (its values are patterns: placeholders match the deployed value).
 */
function loosenedConditions(declared: Entry, live: Entry): string | undefined {
  if (declared.conditions.length === 0 || declared.conditions.some((c) => c.length === 0)) return undefined;
  if (live.conditions.some((c) => c.length === 0)) return 'condition removed';
  const allowed = declared.conditions.flat().map((c) => {
    const [op, k] = c.split('|', 2);
    return { at: `${op}|${k}|`, value: pattern(c.slice(op.length + k.length + 2)) };
  });
  const required = new Set(allowed.map((a) => a.at));
  for (const c of live.conditions) {
    const have = new Set(c.map((e) => e.slice(0, e.indexOf('|', e.indexOf('|') + 1) + 1)));
    const missing = [...required].filter((r) => !have.has(r));
    if (missing.length > 0) return `condition ${missing.map((m) => m.split('|').slice(0, 2).join(' ')).join(', ')} removed`;
    const loose = c.find((e) => !allowed.some((a) => e.startsWith(a.at) && a.value.test(e.slice(a.at.length))));
    if (loose) return `condition now allows ${loose.split('|').join(' ')}`;
  }
  return undefined;
}

/** A declared value as a pattern: what synthesis left open (`${…}`, `{{unresolved:…}}`) matches anything there. */
function pattern(declared: string): Glob {
  // No `{` inside a placeholder (tokens hold none): each attempt stops at the next one, not at the end of the text (linear).
  const escaped = declared.replace(/\$\{[^{}]*\}|\{\{unresolved:[^{}]*\}\}/g, '\u0000');
  return Glob.compile(escaped.replace(/\u0000/g, '*'), { caseInsensitive: false, questionWildcard: false });
}

/** An account id as the ARN AWS stores it as. */
function awsPrincipal(p: string): string {
  return /^\d{12}$/.test(p) ? `arn:aws:iam::${p}:root` : p;
}

function managedName(arnOrKey: string): string {
  const at = arnOrKey.indexOf(':policy/');
  return at >= 0 ? arnOrKey.slice(at + ':policy/'.length) : arnOrKey;
}

// ------------------------------------------------------------------------------------------------
// GCP

/** The project a policy file is of: the one whose agent service accounts it names. */
function inferProject(members: readonly string[], ours: readonly Identity[], grantsOf: Map<string, Grant[]>): string | undefined {
  const declared = new Map<string, string>();
  for (const i of ours.filter((x) => x.cloud === 'gcp')) {
    const email = gcpEmail(i, grantsOf);
    const project = i.declaration?.placement?.gcp?.project;
    if (email && project) declared.set(`serviceaccount:${email.toLowerCase()}`, project);
  }
  const projects = new Set(members.map((m) => declared.get(m.toLowerCase())).filter((p): p is string => !!p));
  if (projects.size === 1) return [...projects][0];
  const all = new Set(declared.values());
  return projects.size === 0 && all.size === 1 ? [...all][0] : undefined;
}

function gcpEmail(i: Identity, grantsOf: Map<string, Grant[]>): string | undefined {
  const member = grantsOf.get(i.id)?.map((g) => g.principal).find((p) => p?.startsWith('serviceAccount:'));
  if (member) return member.slice('serviceAccount:'.length);
  const project = i.declaration?.placement?.gcp?.project;
  return i.name && project && !i.name.includes('${') ? `${i.name}@${project}.iam.gserviceaccount.com` : undefined;
}

function compareGcp(project: string | undefined, bindings: readonly { role: string; members: string[]; condition?: string }[], declared: Identity[], grantsOf: Map<string, Grant[]>, out: Collector): number {
  if (!project) {
    // Without its project nothing can be compared; say so rather than report everything removed.
    const who = { agent: '(unknown)', environment: '-', identity: '-' };
    out.add('gcp', who, { change: 'changed', what: 'binding', severity: 'alert', detail: 'a project policy names no declared agent service account: pass it as PROJECT=FILE' });
    return 0;
  }
  const inProject = declared.filter((i) => !i.declaration?.placement?.gcp?.project || i.declaration.placement.gcp.project === project);
  let compared = 0;
  for (const i of inProject) {
    const email = gcpEmail(i, grantsOf);
    if (!email) continue;
    compared++;
    const who = whoOf(i)!;
    out.touch('gcp', who);
    const member = `serviceaccount:${email.toLowerCase()}`;
    const synth = new Map<string, string>();
    for (const g of grantsOf.get(i.id) ?? []) {
      if (g.scopeLevel === 'project' && g.resources.includes(`projects/${project}`) && g.role) synth.set(g.role, cel(g.condition));
    }
    const live = new Map<string, string>();
    for (const b of bindings) if (b.members.some((m) => m.toLowerCase() === member)) live.set(b.role, cel(b.condition));
    const d = { deployedName: email };
    for (const [role, condition] of live) {
      if (!synth.has(role)) out.add('gcp', who, { ...d, change: 'added', what: 'binding', severity: 'trip', detail: `${role} on project ${project}${condition ? ` if ${condition}` : ''}` });
      else if (synth.get(role) !== condition) out.add('gcp', who, { ...d, change: 'changed', what: 'binding', severity: 'trip', detail: `${role} on project ${project}: condition ${condition ? `now ${condition}` : 'removed'}` });
    }
    for (const [role] of synth) if (!live.has(role)) out.add('gcp', who, { ...d, change: 'removed', what: 'binding', severity: 'alert', detail: `${role} on project ${project}` });
  }
  return compared;
}

function cel(condition: unknown): string {
  return typeof condition === 'string' ? condition.replace(/\s+/g, ' ').trim() : '';
}

// ------------------------------------------------------------------------------------------------
// Azure

function compareAzure(
  assignments: readonly { principalId: string; roleDefinitionName: string; scope: string; condition?: string }[],
  identities: readonly { name: string; principalId: string; id: string; tags: Record<string, string> }[],
  declared: Identity[], grantsOf: Map<string, Grant[]>, out: Collector,
): number {
  const subscriptions = new Set([...assignments.map((a) => a.scope), ...identities.map((i) => i.id)].map(subscriptionOf).filter((s): s is string => !!s));
  const byKey = new Map<string, (typeof identities)[number]>();
  const byName = new Map<string, (typeof identities)[number]>();
  for (const x of identities) {
    const who = whoOfTags(x.tags);
    if (who) byKey.set(key(who), x);
    byName.set(x.name.toLowerCase(), x);
  }
  const matched = new Set<string>();
  let compared = 0;
  for (const i of declared) {
    const subscription = i.declaration?.placement?.azure?.subscriptionId;
    if (subscription && !subscriptions.has(subscription.toLowerCase())) continue;
    const who = whoOf(i)!;
    out.touch('azure', who);
    compared++;
    const live = byKey.get(key(who)) ?? (i.name ? byName.get(i.name.toLowerCase()) : undefined);
    if (!live) {
      out.add('azure', who, { change: 'removed', what: 'identity', severity: 'alert', detail: `managed identity ${i.name ?? i.source.resource} is not in the az identity list export (deleted out of band, not deployed yet, or the export misses it)` });
      continue;
    }
    matched.add(live.principalId);
    const synth = new Map<string, string>();
    for (const g of grantsOf.get(i.id) ?? []) if (g.role && g.via === 'role-assignment') for (const s of g.resources) synth.set(assignmentKey(g.role, s), cel(g.condition));
    const mine = new Map<string, string>();
    for (const a of assignments) if (a.principalId === live.principalId) mine.set(assignmentKey(a.roleDefinitionName, a.scope), cel(a.condition));
    const d = { deployedName: live.name };
    for (const [k, condition] of mine) {
      const [role, scope] = k.split('\u0000');
      if (!synth.has(k)) out.add('azure', who, { ...d, change: 'added', what: 'assignment', severity: 'trip', detail: `${role} at ${scope}${condition ? ` if ${condition}` : ''}` });
      else if (synth.get(k) !== condition) out.add('azure', who, { ...d, change: 'changed', what: 'assignment', severity: 'trip', detail: `${role} at ${scope}: condition ${condition ? `now ${condition}` : 'removed'}` });
    }
    for (const [k] of synth) {
      if (mine.has(k)) continue;
      const [role, scope] = k.split('\u0000');
      out.add('azure', who, { ...d, change: 'removed', what: 'assignment', severity: 'alert', detail: `${role} at ${scope}` });
    }
  }
  for (const x of identities) {
    const who = whoOfTags(x.tags);
    if (who && !matched.has(x.principalId)) {
      out.add('azure', who, { change: 'added', what: 'identity', severity: 'trip', deployedName: x.name, detail: `managed identity ${x.id} tagged as this agent's is not in the synthesized output` });
    }
  }
  return compared;
}

/** Role name (or definition id) and scope, compared case-insensitively as Azure does. */
function assignmentKey(role: string, scope: string): string {
  return `${role.toLowerCase()}\u0000${withoutTrailingSlashes(scope).toLowerCase()}`;
}

function subscriptionOf(resourceId: string): string | undefined {
  return /^\/subscriptions\/([^/]+)/i.exec(resourceId)?.[1]?.toLowerCase();
}

// ------------------------------------------------------------------------------------------------

function whoOf(i: Identity): Who | undefined {
  const agent = i.labels.agent ?? i.declaration?.agent;
  const identity = i.labels.tool ?? i.declaration?.tool ?? i.labels.component;
  if (!agent || !identity) return undefined;
  return { agent, environment: i.labels.environment ?? i.declaration?.environment ?? '-', identity };
}

function whoOfTags(tags: Record<string, string>): Who | undefined {
  const agent = tags[TAG_KEYS.agent];
  const identity = tags[TAG_KEYS.tool] ?? tags[TAG_KEYS.component];
  if (!agent || !identity) return undefined;
  return { agent, environment: tags[TAG_KEYS.environment] ?? '-', identity };
}

function key(w: Who): string {
  return `${w.agent}\u0000${w.environment}\u0000${w.identity}`;
}
