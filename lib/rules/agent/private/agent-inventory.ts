import { Federation, Grant, Identity, Inventory } from '../../../inventory/inventory';
import { Component } from '../../../model/tags';
import { RawFinding, Severity } from '../../rule';
import { ActionClass, classifyAction, classifyKnownRole, compareClass, maxClass } from '../../private/access-classifier';
import { appendTo } from '../../../private/append-to';
import { memoized } from '../../../private/memoized';
import { onRoleDataChange } from '../../../role-data/role-data';
import { replaceClosedPlaceholders } from '../../../private/linear-scans';

/** Components that are the guardrails' own identities, not tool identities. */
const GUARDRAIL_COMPONENTS: readonly string[] = [Component.BROKER, Component.REVOCATION, Component.KILL_SWITCH, Component.APPROVAL_GATE, Component.AUDIT, Component.BOUNDARY, Component.MONITOR];

/** Tool identities of agents: marked by our tags, and not one of the guardrails' own (found once per inventory). */
export function toolIdentities(inventory: Inventory): readonly Identity[] {
  const hit = TOOL_IDENTITIES.get(inventory);
  if (hit && hit.identities === inventory.identities && hit.count === inventory.identities.length) return hit.tools;
  const tools = inventory.identities.filter((i) => i.isAgent && !GUARDRAIL_COMPONENTS.includes(i.labels.component ?? ''));
  TOOL_IDENTITIES.set(inventory, { identities: inventory.identities, count: inventory.identities.length, tools });
  return tools;
}

const TOOL_IDENTITIES = new WeakMap<Inventory, { readonly identities: readonly Identity[]; readonly count: number; readonly tools: readonly Identity[] }>();

export function agentOf(i: Identity): string | undefined {
  return i.labels.agent ?? i.declaration?.agent;
}

export function toolOf(i: Identity): string | undefined {
  return i.labels.tool ?? i.declaration?.tool;
}

export function environmentOf(i: Identity): string | undefined {
  return i.labels.environment ?? i.declaration?.environment;
}

export function tierOf(i: Identity): string | undefined {
  return i.labels.tier ?? i.declaration?.tier;
}

/**
 * Grants by identity id, built once per inventory and shared by the rules (read-only: the rules
 * never change the inventory they are given).
 */
export function grantsByIdentity(inventory: Inventory): ReadonlyMap<string, readonly Grant[]> {
  const hit = GRANTS_BY_IDENTITY.get(inventory);
  if (hit && hit.grants === inventory.grants && hit.count === inventory.grants.length) return hit.byIdentity;
  const out = new Map<string, Grant[]>();
  for (const g of inventory.grants) {
    if (!g.identityId) continue;
    const list = out.get(g.identityId);
    if (list) list.push(g);
    else out.set(g.identityId, [g]);
  }
  GRANTS_BY_IDENTITY.set(inventory, { grants: inventory.grants, count: inventory.grants.length, byIdentity: out });
  return out;
}

const GRANTS_BY_IDENTITY = new WeakMap<Inventory, { readonly grants: readonly Grant[]; readonly count: number; readonly byIdentity: ReadonlyMap<string, readonly Grant[]> }>();

/** The Allow grants of an identity, memoized per index (several rules ask for the same). */
export function allowGrants(byIdentity: ReadonlyMap<string, readonly Grant[]>, identity: Identity): readonly Grant[] {
  return memoized(ALLOW_GRANTS, byIdentity, identity.id, () => (byIdentity.get(identity.id) ?? []).filter((g) => g.effect === 'Allow'));
}

const ALLOW_GRANTS = new WeakMap<ReadonlyMap<string, readonly Grant[]>, Map<string, readonly Grant[]>>();

/**
 * What a grant lets its holder do, one entry per action (or the role, when the adapter could
 * not expand it). `NotAction` on an Allow is classified as permissions: it allows almost everything.
 */
export function grantedActions(grant: Grant): readonly { readonly action: string; readonly cls: ActionClass }[] {
  // Several rules ask for every tool grant (AGENT-002/003/005): classified once per grant.
  let hit = GRANTED_ACTIONS.get(grant);
  if (!hit) {
    hit = classifiedActions(grant);
    GRANTED_ACTIONS.set(grant, hit);
  }
  return hit;
}

let GRANTED_ACTIONS = new WeakMap<Grant, readonly { readonly action: string; readonly cls: ActionClass }[]>();
// A role's class comes from the role data in force: a process that switches it (useRoleData) starts over.
onRoleDataChange(() => { GRANTED_ACTIONS = new WeakMap(); });

function classifiedActions(grant: Grant): { readonly action: string; readonly cls: ActionClass }[] {
  if (grant.notActions && grant.notActions.length > 0) {
    return [{ action: `NotAction ${grant.notActions.join(',')}`, cls: 'permissions' }];
  }
  const out = grant.actions.map((a) => ({ action: a, cls: classifyAction(grant.cloud, a) }));
  if (grant.role) {
    // A predefined role may hold more than the permissions listed for it: its own class counts when higher.
    const roleClass = out.length === 0 ? classifyAction(grant.cloud, grant.role) : classifyKnownRole(grant.cloud, grant.role);
    if (roleClass !== undefined && (out.length === 0 || compareClass(roleClass, maxClass(out.map((a) => a.cls))) > 0)) {
      out.push({ action: grant.role, cls: roleClass });
    }
  }
  return out;
}

/** A finding about an identity, located where the identity is defined. */
export function identityFinding(identity: Identity, detail: string, message: string, fix: string, severity?: Severity): RawFinding {
  return {
    detail: sanitizeDetail(detail), cloud: identity.cloud, resource: identity.source.resource, stack: identity.source.stack,
    file: identity.source.file, path: identity.source.path, identity: identity.id, message, fix, ...(severity ? { severity } : {}),
  };
}

/** A finding about a grant of an identity, located where the grant is written. */
export function grantFinding(identity: Identity, grant: Grant, detail: string, message: string, fix: string, severity?: Severity): RawFinding {
  return {
    detail: sanitizeDetail(detail), cloud: grant.cloud, resource: grant.source.resource, stack: grant.source.stack,
    file: grant.source.file, path: grant.source.path, identity: identity.id, message, fix, ...(severity ? { severity } : {}),
  };
}

/** Finding ids are `RuleId[detail]`: keep details short and free of `::`, ARNs and logical ids. */
function sanitizeDetail(detail: string): string {
  return detail.replace(/::+/g, ':').replace(/[[\]]/g, '').slice(0, 120);
}

/** How to refer to an identity in a message. */
export function describeIdentity(i: Identity): string {
  const agent = agentOf(i);
  const tool = toolOf(i);
  const env = environmentOf(i);
  const who = agent && tool ? `${agent}/${tool}${env ? ` (${env})` : ''}` : i.name ?? i.source.resource;
  return `${who} [${i.source.resource}]`;
}

/**
 * Looks up which identity of the inventory a principal string names: an inventory id, a name,
 * an AWS role/user ARN ending in that name (or in the logical id, which the CloudFormation adapter
 * writes for a role without a RoleName), a GCP `serviceAccount:` member or email, or an Azure
 * user-assigned identity id. Built once per rule run: lookups are map hits, not scans.
 */
export class PrincipalIndex {
  /** The index of an inventory, built once and shared by the rules (which never change the inventory). */
  public static of(inventory: Inventory): PrincipalIndex {
    const hit = PRINCIPAL_INDEXES.get(inventory);
    if (hit && hit.identities === inventory.identities && hit.grants === inventory.grants
      && hit.counts === `${inventory.identities.length}/${inventory.grants.length}`) return hit.index;
    const index = new PrincipalIndex(inventory);
    PRINCIPAL_INDEXES.set(inventory, { identities: inventory.identities, grants: inventory.grants, counts: `${inventory.identities.length}/${inventory.grants.length}`, index });
    return index;
  }

  private readonly byId = new Map<string, Identity>();
  /** Principals already resolved: thousands of trust policies name the same broker. */
  private readonly resolved = new Map<string, Identity | undefined>();
  private readonly byCloudName = new Map<string, Identity>();
  /** GCP impersonation grants by the service account name they name. */
  private readonly impersonation = new Map<string, Grant[]>();

  constructor(inventory: Inventory) {
    for (const i of inventory.identities) {
      this.byId.set(i.id, i);
      const names = i.cloud === 'aws' ? [i.name, i.source.resource] : [i.name];
      for (const n of names) {
        const key = `${i.cloud}|${i.cloud === 'azure' ? n?.toLowerCase() : n}`;
        if (n !== undefined && !this.byCloudName.has(key)) this.byCloudName.set(key, i);
      }
    }
    for (const g of inventory.grants) {
      if (g.effect !== 'Allow' || g.cloud !== 'gcp' || ![g.role ?? '', ...g.actions].some((a) => GCP_IMPERSONATION.includes(a))) continue;
      for (const r of g.resources) {
        const name = gcpServiceAccountName(r);
        if (name) appendTo(this.impersonation, name, g);
      }
    }
  }

  /** The identity with this inventory id. */
  public get(id: string): Identity | undefined {
    return this.byId.get(id);
  }

  /** The identity a principal names, when it is in the inventory. */
  public resolve(principal: string): Identity | undefined {
    if (this.resolved.has(principal)) return this.resolved.get(principal);
    const identity = this.lookUp(principal);
    this.resolved.set(principal, identity);
    return identity;
  }

  private lookUp(principal: string): Identity | undefined {
    const byId = this.byId.get(principal);
    if (byId) return byId;
    const p = withoutPlaceholderColons(principal);
    const arn = /^arn:[^:]+:(?:iam|sts)::[^:]*:(role|assumed-role|user)\/(.+)$/.exec(p);
    if (arn) {
      const parts = arn[2].split('/');
      // assumed-role/<role>/<session>; role/<path>/<name>
      const name = arn[1] === 'assumed-role' ? parts[0] : parts[parts.length - 1];
      return this.byCloudName.get(`aws|${name}`);
    }
    const sa = gcpServiceAccountName(p);
    if (sa) return this.byCloudName.get(`gcp|${sa}`);
    const mi = /\/userassignedidentities\/([^/]+)$/i.exec(p);
    if (mi) return this.byCloudName.get(`azure|${mi[1].toLowerCase()}`);
    return this.byCloudName.get(`aws|${p}`) ?? this.byCloudName.get(`gcp|${p}`) ?? this.byCloudName.get(`azure|${p.toLowerCase()}`);
  }

  /** Grants that let someone become `target` (GCP token creator and friends on the service account). */
  public impersonationGrants(target: Identity): Grant[] {
    return target.cloud === 'gcp' && target.name ? this.impersonation.get(target.name) ?? [] : [];
  }
}

const PRINCIPAL_INDEXES = new WeakMap<Inventory, { readonly identities: readonly Identity[]; readonly grants: readonly Grant[]; readonly counts: string; readonly index: PrincipalIndex }>();

/** The account id of a GCP service account named by member, email or resource name. */
function gcpServiceAccountName(s: string): string | undefined {
  const m = /^(?:serviceAccount:)?([a-z][a-z0-9-]*)@[^/]+$/.exec(s) ?? /\/serviceAccounts\/([a-z][a-z0-9-]*)(?:@[^/]*)?$/.exec(s);
  return m ? m[1] : undefined;
}

/** GCP roles and permissions that let a principal act as, or mint tokens for, a service account. */
const GCP_IMPERSONATION: readonly string[] = [
  'roles/iam.serviceAccountTokenCreator', 'roles/iam.serviceAccountUser', 'roles/iam.workloadIdentityUser', 'roles/iam.serviceAccountOpenIdTokenCreator',
  'iam.serviceAccounts.getAccessToken', 'iam.serviceAccounts.actAs', 'iam.serviceAccounts.signBlob', 'iam.serviceAccounts.signJwt',
  'iam.serviceAccounts.implicitDelegation', 'iam.serviceAccounts.getOpenIdToken',
];

/** Who may become an identity: trust principals (all clouds) and impersonation grantees (GCP). */
export interface Assumer {
  /** The principal as written. */
  readonly principal: string;
  /** The identity it resolves to, when in the inventory. */
  readonly identity?: Identity;
  /** How: `trust`, `impersonation` or `federation`. */
  readonly via: 'trust' | 'impersonation' | 'federation';
  /**
   * The way in itself is labelled as the broker's (a token-creator member or federated credential
   * with component `broker`, written by the constructs when the broker lives in another stack).
   */
  readonly labelledBroker: boolean;
  /**
   * The environment the way in is labelled with (a labelled token-creator member or federated credential).
   * @default - not labelled
   */
  readonly environment?: string;
}

/** Everyone who may become `target`, as far as the inventory shows (AGENT-002/004/006 each ask: found once per index). */
export function assumersOf(index: PrincipalIndex, target: Identity): readonly Assumer[] {
  return memoized(ASSUMERS, index, target, () => findAssumers(index, target));
}

const ASSUMERS = new WeakMap<PrincipalIndex, Map<Identity, readonly Assumer[]>>();

function findAssumers(index: PrincipalIndex, target: Identity): Assumer[] {
  const out: Assumer[] = [];
  // Adapters may also write a federated credential as a trust entry: it is counted once, as a federation.
  const federated = new Set(target.federations.map(federationKey));
  for (const t of target.trust) {
    if (t.effect !== 'Allow' || !t.actions.some(isAssumeAction)) continue;
    for (const p of t.principals) {
      if (!federated.has(p)) out.push({ principal: p, identity: index.resolve(p), via: 'trust', labelledBroker: false });
    }
  }
  for (const g of index.impersonationGrants(target)) {
    const identity = g.identityId ? index.get(g.identityId) : g.principal ? index.resolve(g.principal) : undefined;
    out.push({
      principal: g.principal ?? g.identityId ?? '(unknown)', identity, via: 'impersonation',
      labelledBroker: g.labels?.component === Component.BROKER, environment: g.labels?.environment,
    });
  }
  for (const f of target.federations) {
    out.push({
      principal: federationKey(f), via: 'federation',
      labelledBroker: f.labels?.component === Component.BROKER, environment: f.labels?.environment,
    });
  }
  return out;
}

/** `issuer#subject`: how a federated credential is named in findings and compared with the broker's. */
export function federationKey(f: Federation): string {
  return `${f.issuer ?? ''}#${f.subject ?? ''}`;
}

/** Trust actions that hand out the identity (not `sts:TagSession` / `SetSourceIdentity` alone). */
function isAssumeAction(action: string): boolean {
  const a = action.toLowerCase();
  return a === '*' || a === 'sts:*' || a.startsWith('sts:assumerole') || !a.startsWith('sts:');
}

/**
 * Placeholders such as `${AWS::AccountId}` (left by the CloudFormation adapter) hold colons;
 * replace them inside the placeholder so an ARN still splits into its six fields.
 */
export function withoutPlaceholderColons(s: string): string {
  // Most ARNs hold no placeholder: no scan.
  return s.includes('${') ? replaceClosedPlaceholders(s, (m) => m.replace(/:/g, '_')) : s;
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Group items by a key, skipping items without one. */
export function groupBy<T>(items: readonly T[], key: (t: T) => string | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const list = out.get(k) ?? [];
    list.push(item);
    out.set(k, list);
  }
  return out;
}

