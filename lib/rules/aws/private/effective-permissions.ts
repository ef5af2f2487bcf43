import { AwsActionInfo, awsActions, wildcardGlob } from '../../../aws/action-catalog';
import { arnParts } from '../../../aws/arn-parts';
import { narrowsResources } from '../../../aws/condition-narrowing';
import { Glob, GLOB_MAX_LENGTH, GlobOptions, globMatch } from '../../../private/glob-match';
import { Grant, Identity, Inventory, PolicyDocumentEntry, PolicyStatement, SourceLocation } from '../../../inventory/inventory';
import { Component } from '../../../model/tags';
import { RawFinding, Severity } from '../../rule';
import { pushAll } from '../../../private/push-all';
import { BoundedCache } from '../../../private/bounded-cache';
import { appendTo } from '../../../private/append-to';
import { memoized } from '../../../private/memoized';

/**
 * What an AWS identity can effectively do, across ALL its grants (inline policies, attached
 * managed policies, separate `AWS::IAM::Policy` resources), after unconditional Deny statements
 * and its permissions boundary. Shared by the catalog-driven rules (AWS-004/006/007/008/012).
 *
 * Fail closed: an Allow with a condition still counts (the condition may hold); a Deny with a
 * condition does not remove anything (it may not apply); a boundary we cannot read does not cap.
 */

/** One statement, normalized, with where it came from. */
export interface SourcedStatement extends PolicyStatement {
  /** The grant it came from, when the adapter made one. */
  readonly grant?: Grant;
  /** Policy id in `inventory.policies`, when known. */
  readonly policyId?: string;
  readonly source: SourceLocation;
}

/** An Allow statement through which one concrete action is still allowed, and on what. */
export interface EffectiveUse {
  readonly statement: SourcedStatement;
  /** The action entry that matched, as written (`iam:*PolicyVersion`), or `NotAction`. */
  readonly written: string;
  /** Resources left after denies and boundary (`*` stands for a NotResource allow). */
  readonly resources: string[];
  /** True when the statement's condition narrows it in IAM semantics (resource tags, `kms:ViaService`, …). */
  readonly narrowed: boolean;
}

/** The subject of the evaluation: an inventory identity, or a principal outside it that grants name. */
export interface Subject {
  /** Inventory id, or `principal:<name>` for grants whose principal is not in the inventory. */
  readonly id: string;
  /** Logical id to report findings on (the identity's, or the policy's). */
  readonly resource: string;
  readonly source: SourceLocation;
  readonly identity?: Identity;
  readonly isAgent: boolean;
}

export class EffectivePermissions {
  /** Every AWS subject of the inventory with its effective permissions (cached per inventory). */
  public static all(inventory: Inventory): EffectivePermissions[] {
    const hit = CACHE.get(inventory);
    if (hit) return hit;
    const out: EffectivePermissions[] = [];
    const index = new InventoryIndex(inventory);
    for (const identity of inventory.identities) {
      if (identity.cloud !== 'aws') continue;
      out.push(new EffectivePermissions(inventory, {
        id: identity.id, resource: identity.source.resource, source: identity.source, identity, isAgent: isAgentIdentity(identity),
      }, index.statementsOf(identity.id), index.boundaryOf(identity)));
    }
    // Grants naming a principal the inventory does not hold (an imported role, say): evaluate
    // them per principal too, so a path split over two such policies is still seen.
    const orphans = new Map<string, Grant[]>();
    for (const g of inventory.grants) {
      if (g.cloud !== 'aws' || g.identityId !== undefined || !g.principal) continue;
      appendTo(orphans, g.principal, g);
    }
    for (const [principal, grants] of orphans) {
      out.push(new EffectivePermissions(inventory, {
        id: `principal:${principal}`, resource: grants[0].source.resource, source: grants[0].source, isAgent: false,
      }, grants.map(fromGrant), undefined));
    }
    CACHE.set(inventory, out);
    return out;
  }

  private readonly allows: SourcedStatement[];
  private readonly denies: SourcedStatement[];
  private useCache?: Map<string, EffectiveUse[]>;
  private grantedCache?: ReadonlyMap<string, readonly AwsActionInfo[]>;
  /** Services the Allow statements can reach (`any` for NotAction or a wildcard service). */
  private readonly services: Set<string> | 'any';
  /**
   * Every action the Allow statements name, lower case, when they name only literal actions (no
   * wildcard, no NotAction): an action not in it matches no statement. Undefined otherwise.
   */
  private readonly literalActions?: Set<string>;
  private servicesKey?: string;

  private constructor(
    public readonly inventory: Inventory,
    public readonly subject: Subject,
    statements: SourcedStatement[],
    /** Boundary statements, or undefined when there is no (readable) boundary. */
    private readonly boundary: SourcedStatement[] | undefined,
  ) {
    const allows: SourcedStatement[] = [];
    const denies: SourcedStatement[] = [];
    for (const s of statements) {
      if (s.effect === 'Allow') allows.push(s);
      else if (s.effect === 'Deny') denies.push(s);
    }
    this.allows = allows;
    this.denies = denies;
    this.services = servicesOf(allows);
    this.literalActions = literalActionsOf(allows);
  }

  /** The Allow statements through which `action` (a real action, any case) is still allowed. */
  public usesOf(action: string): EffectiveUse[] {
    // Most catalog actions belong to services the identity never mentions: skip them cheaply.
    if (this.services !== 'any' && !this.services.has(action.slice(0, action.indexOf(':')).toLowerCase())) return NONE;
    const key = action.toLowerCase();
    // An action no statement names literally matches none of them (what `matchingEntry` would find, without a
    // memo entry per action asked: AWS-012 alone asks a dozen per identity); within the matcher's length limit.
    if (this.literalActions && !this.literalActions.has(key) && action.length <= GLOB_MAX_LENGTH && key.length <= GLOB_MAX_LENGTH) return NONE;
    this.useCache ??= new Map();
    const hit = this.useCache.get(key);
    if (hit) return hit;
    let uses: EffectiveUse[] = NONE;
    for (const statement of this.allows) {
      const written = sharedMatchingEntry(statement, key);
      if (written === undefined) continue;
      const resources = this.remaining(statement, key);
      if (resources.length === 0) continue;
      const info = statement.condition ? awsActions().action(action) : undefined;
      // Most actions are allowed by no statement: they share the one empty list.
      if (uses === NONE) uses = [];
      uses.push({ statement, written, resources, narrowed: info !== undefined && narrowsResources(statement.condition, info) });
    }
    this.useCache.set(key, uses);
    return uses;
  }

  /** Whether the Allow statements can reach a service (lower case) at all: a cheap test before `usesOf`. */
  public mayReach(service: string): boolean {
    return this.services === 'any' || this.services.has(service);
  }

  /**
   * The entries of `list` (catalog actions, escalation paths) all of whose services the Allow
   * statements can reach, in list order: `list.filter((e) => servicesOf(e).every(mayReach))`,
   * memoized per list and set of services, since thousands of roles share a few such sets.
   */
  public reachable<T>(list: readonly T[], servicesOf: (entry: T) => readonly string[]): readonly T[] {
    if (this.services === 'any') return list;
    let perSet = REACHABLE_CACHE.get(list) as BoundedCache<string, readonly T[]> | undefined;
    if (!perSet) {
      // Sets of services come from the input: bounded like the tables below.
      perSet = new BoundedCache<string, readonly T[]>(1_000, 2_000_000, (_k, v) => v.length);
      REACHABLE_CACHE.set(list, perSet as BoundedCache<string, readonly unknown[]>);
    }
    this.servicesKey ??= [...this.services].sort().join(',');
    let hit = perSet.get(this.servicesKey);
    if (!hit) {
      const services = this.services;
      hit = list.filter((e) => servicesOf(e).every((s) => services.has(s)));
      perSet.set(this.servicesKey, hit);
    }
    return hit;
  }

  /**
   * Whether `action` is allowed on something `target` (an ARN pattern) names, after denies: a
   * grant of `parameter/*` with a Deny on `parameter/agent-guardrails/*` does not reach the latter.
   */
  public reaches(action: string, target: string): boolean {
    const ceilings = this.boundary ? ceilingsOf(this.boundary, action.toLowerCase()) : undefined;
    return this.usesOf(action).some((u) => u.resources.some((r) => {
      if (!globsOverlap(r, target)) return false;
      const common = globIntersection(r, target);
      return !this.denies.some((d) => deniesOn(d, action.toLowerCase(), common)) && !(ceilings?.denies.some((d) => deniesResource(d, common)));
    }));
  }

  /** Whether `action` is allowed on some resource. */
  public isAllowed(action: string): boolean {
    return this.usesOf(action).length > 0;
  }

  /** A finding on this subject (resource = its logical id; detail = a stable token, no ARNs). */
  public finding(detail: string, message: string, fix: string, severity?: Severity, actions?: string[]): RawFinding {
    const { source } = this.subject;
    const finding: Record<string, unknown> = {
      detail, cloud: 'aws', resource: this.subject.resource, stack: source.stack, file: source.file, path: source.path,
      identity: this.subject.identity?.id, message, fix, severity, actions,
    };
    // Leave unknown fields out rather than present as undefined (JSON, SARIF and snapshots stay clean).
    for (const k of Object.keys(finding)) if (finding[k] === undefined) delete finding[k];
    return finding as unknown as RawFinding;
  }

  /**
   * Every concrete action granted (expanded from wildcards and NotAction) that is still allowed,
   * grouped by the entry it was written as, in statement order.
   */
  public granted(): ReadonlyMap<string, readonly AwsActionInfo[]> {
    // Several rules ask (AWS-004, AWS-006): computed once per subject.
    if (this.grantedCache) return this.grantedCache;
    const out = new Map<string, AwsActionInfo[]>();
    const seen = new Set<string>();
    const add = (written: string, infos: AwsActionInfo[]) => {
      for (const info of infos) {
        if (seen.has(info.action) || this.usesOf(info.action).length === 0) continue;
        seen.add(info.action);
        const list = out.get(written);
        if (list) list.push(info);
        else out.set(written, [info]);
      }
    };
    // `expandStatement`'s entries, in its order, without building its map per identity.
    for (const statement of this.allows) {
      if (statement.notActions) add('NotAction', expandNotAction(statement.notActions));
      else for (const p of statement.actions ?? []) add(p, expandPattern(p));
    }
    this.grantedCache = out;
    return out;
  }

  /**
   * Whether an Allow statement names (as written, expanded from wildcards and NotAction) an action `test`
   * accepts, before denies and the boundary: when none does, `granted()` holds none either, so a rule
   * looking for such actions can skip the subject. Memoized per entry and test (roles repeat entries).
   */
  public namesAny(test: (info: AwsActionInfo) => boolean): boolean {
    let perEntry = NAMES_ANY_CACHE.get(test);
    if (!perEntry) {
      perEntry = new BoundedCache<string, boolean>(10_000, 1_000_000, (k) => k.length);
      NAMES_ANY_CACHE.set(test, perEntry);
    }
    for (const statement of this.allows) {
      if (statement.notActions) {
        if (expandNotAction(statement.notActions).some(test)) return true;
        continue;
      }
      for (const p of statement.actions ?? []) {
        let hit = perEntry.get(p);
        if (hit === undefined) hit = perEntry.set(p, expandPattern(p).some(test));
        if (hit) return true;
      }
    }
    return false;
  }

  /** Resources of an Allow left for `action` after unconditional denies and the boundary. */
  private remaining(statement: SourcedStatement, action: string): string[] {
    const out: string[] = [];
    const ceilings = this.boundary ? ceilingsOf(this.boundary, action) : undefined;
    for (const r of statement.notResources ? STAR : statement.resources ?? []) {
      if (this.denies.length > 0 && this.denies.some((d) => deniesOn(d, action, r))) continue;
      if (!ceilings) {
        out.push(r);
        continue;
      }
      // A boundary that allows this very resource (or everything) leaves it whole.
      if (ceilings.whole.has(r) || ceilings.whole.has('*')) {
        if (!out.includes(r) && !ceilings.denies.some((d) => deniesResource(d, r))) out.push(r);
        continue;
      }
      // Intersect with what the boundary allows: where the boundary is the narrower pattern, it is
      // what remains (`parameter/*` under a boundary of `parameter/app/*` is `parameter/app/*`).
      for (const c of ceilings.allows) {
        if (!globsOverlap(c, r)) continue;
        const kept = globIntersection(r, c);
        if (!out.includes(kept) && !ceilings.denies.some((d) => deniesResource(d, kept))) out.push(kept);
      }
    }
    return out;
  }
}

const STAR = ['*'];

/** What a boundary allows `action` on, and the denies that may apply to it; memoized per boundary. */
function ceilingsOf(boundary: SourcedStatement[], action: string): Ceilings {
  return memoized(CEILINGS, boundary, action, () => {
    const allows: string[] = [];
    const whole = new Set<string>();
    const denies: SourcedStatement[] = [];
    for (const i of applyingIndices(boundary, action)) {
      const b = boundary[i];
      if (b.effect === 'Allow') {
        for (const r of b.notResources ? STAR : b.resources ?? []) {
          if (whole.has(r)) continue;
          whole.add(r);
          allows.push(r);
        }
      } else if (b.effect === 'Deny' && isUnconditional(b)) {
        // Only unconditional denies remove anything (a condition may not hold): keep just those, already matched to the action.
        denies.push(b);
      }
    }
    return { allows, whole, denies };
  });
}

interface Ceilings {
  /** Resources the boundary allows the action on. */
  readonly allows: string[];
  /** The same, for exact lookups. */
  readonly whole: Set<string>;
  /** Unconditional boundary Deny statements that apply to the action. */
  readonly denies: SourcedStatement[];
}

const CEILINGS = new WeakMap<SourcedStatement[], Map<string, Ceilings>>();

/**
 * Indices of the statements of `boundary` whose actions cover `action`. Which statements apply
 * depends on their Action/NotAction lists only, and a CDK app gives every agent a boundary with the
 * same lists (other resources): matched once per distinct set of lists, not once per boundary.
 */
function applyingIndices(boundary: SourcedStatement[], action: string): number[] {
  let perAction = APPLYING_BY_BOUNDARY.get(boundary);
  if (!perAction) {
    perAction = sharedApplyingTable(boundary);
    APPLYING_BY_BOUNDARY.set(boundary, perAction);
  }
  let hit = perAction.get(action);
  if (!hit) {
    hit = [];
    for (let i = 0; i < boundary.length; i++) if (matchingEntry(boundary[i], action) !== undefined) hit.push(i);
    perAction.set(action, hit);
  }
  return hit;
}

/**
 * The table of a boundary with the same Action/NotAction lists as one seen before, or a new one.
 * Found by a hash of the lists and confirmed list by list (no key text: a JSON key of every
 * boundary's lists cost more than the matching it saved).
 */
function sharedApplyingTable(boundary: SourcedStatement[]): Map<string, number[]> {
  const lists = boundary.map(actionListOf);
  const key = actionListsHash(lists);
  const bucket = APPLYING.get(key) ?? [];
  const same = bucket.find((e) => sameActionLists(e.lists, lists));
  if (same) return same.perAction;
  const perAction = new Map<string, number[]>();
  // Hash collisions (hostile input) keep a few boundaries per key; past that a boundary keeps its own table.
  if (bucket.length < 8) APPLYING.set(key, [...bucket, { lists, perAction }]);
  return perAction;
}

/** What decides which statements of a boundary apply to an action: its Action or NotAction list. */
interface ActionList {
  readonly not: boolean;
  readonly entries: readonly string[];
}

function actionListOf(b: SourcedStatement): ActionList {
  return b.notActions ? { not: true, entries: b.notActions } : { not: false, entries: b.actions ?? [] };
}

/** FNV-1a over the lists (kind, then each entry and a separator). */
function actionListsHash(lists: readonly ActionList[]): number {
  let h = 0x811c9dc5;
  for (const list of lists) {
    h = Math.imul(h ^ (list.not ? 0x100 : 0x200), 0x01000193);
    for (const entry of list.entries) {
      if (typeof entry === 'string') for (let i = 0; i < entry.length; i++) h = Math.imul(h ^ entry.charCodeAt(i), 0x01000193);
      h = Math.imul(h ^ 0x10000, 0x01000193);
    }
  }
  return h >>> 0;
}

/** Whether two boundaries have the same Action/NotAction lists, in order. */
function sameActionLists(a: readonly ActionList[], b: readonly ActionList[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i].entries;
    const y = b[i].entries;
    if (a[i].not !== b[i].not || x.length !== y.length) return false;
    for (let j = 0; j < x.length; j++) if (x[j] !== y[j]) return false;
  }
  return true;
}

/** Each boundary's table, resolved once (a table dropped from `APPLYING` stays correct for the boundaries holding it). */
const APPLYING_BY_BOUNDARY = new WeakMap<SourcedStatement[], Map<string, number[]>>();
/**
 * Tables shared by boundaries with the same lists, by hash. Bounded on hostile input (many distinct
 * boundaries, long lists): by entries and by the total length of the lists they hold.
 */
const APPLYING = new BoundedCache<number, readonly { readonly lists: readonly ActionList[]; readonly perAction: Map<string, number[]> }[]>(
  1_000, 16_000_000, (_k, bucket) => bucket.reduce((n, e) => n + e.lists.reduce((m, l) => m + l.entries.reduce((c, x) => c + (typeof x === 'string' ? x.length : 1), 1), 1), 0));

const NONE: EffectiveUse[] = [];

/** Lower-case service prefixes an Allow list can reach, or `any`. */
function servicesOf(allows: SourcedStatement[]): Set<string> | 'any' {
  const out = new Set<string>();
  for (const s of allows) {
    if (s.notActions) return 'any';
    const actions = s.actions ?? [];
    if (actions.length >= SHARED_MATCH_MIN_ENTRIES) {
      // A long list (an AWS-managed policy's, shared by every role it is attached to): its services are read once.
      let services = SERVICES_BY_LIST.get(actions);
      if (!services) SERVICES_BY_LIST.set(actions, services = servicesOfList(actions, new Set()));
      if (services === 'any') return 'any';
      for (const service of services) out.add(service);
    } else if (servicesOfList(actions, out) === 'any') return 'any';
  }
  return out;
}

/** Adds the lower-case services of an Action list to `out` (returned), or `any` for a wildcard service. */
function servicesOfList(actions: readonly string[], out: Set<string>): Set<string> | 'any' {
  for (const entry of actions) {
    const service = entry.includes(':') ? entry.slice(0, entry.indexOf(':')) : entry;
    if (service.includes('*') || service.includes('?')) return 'any';
    out.add(service.toLowerCase());
  }
  return out;
}

/** `servicesOf` per long Action list (weak: held as long as the inventory holding the list). */
const SERVICES_BY_LIST = new WeakMap<readonly string[], ReadonlySet<string> | 'any'>();

/**
 * The actions of Allow statements that name only literal actions, lower case (as the matcher compares
 * them); undefined when one holds NotAction, a wildcard, or an entry past the matcher's length limit
 * (the matcher reports that entry when asked).
 */
function literalActionsOf(allows: SourcedStatement[]): Set<string> | undefined {
  const out = new Set<string>();
  for (const s of allows) {
    if (s.notActions) return undefined;
    for (const entry of s.actions ?? []) {
      if (typeof entry !== 'string' || entry.length > GLOB_MAX_LENGTH || entry.includes('*') || entry.includes('?')) return undefined;
      out.add(entry.toLowerCase());
    }
  }
  return out;
}

/** The service of a catalog action, as `EffectivePermissions.reachable` takes it. */
export function serviceOf(info: AwsActionInfo): readonly string[] {
  return [info.service];
}

/** True when the identity is an agent tool identity (our tags say so). */
export function isAgentIdentity(identity: Identity): boolean {
  return identity.isAgent || identity.labels.component === Component.TOOL_IDENTITY;
}

/** The entry of a statement that makes it apply to `action` (as written), or undefined. */
export function matchingEntry(statement: PolicyStatement, action: string): string | undefined {
  // Called per statement and catalog action (hundreds of thousands of times per check): loops, no closure per call.
  const { notActions, actions } = statement;
  if (notActions) {
    for (let i = 0; i < notActions.length; i++) if (actionMatches(notActions[i], action)) return undefined;
    return 'NotAction';
  }
  if (!actions) return undefined;
  for (let i = 0; i < actions.length; i++) if (actionMatches(actions[i], action)) return actions[i];
  return undefined;
}

/**
 * `matchingEntry` for `usesOf`, memoized per Action/NotAction list when the list is long: an AWS-managed
 * policy's statements (ReadOnlyAccess: hundreds of patterns) hold the same list for every role it is
 * attached to (thousands of SAM functions), and every role asks the same catalog actions, so each list
 * is matched once per action, not once per role and action. Short lists (a role's own statements) match
 * faster than a table would pay for itself.
 */
function sharedMatchingEntry(statement: PolicyStatement, action: string): string | undefined {
  const list = statement.notActions ?? statement.actions;
  if (!list || list.length < SHARED_MATCH_MIN_ENTRIES) return matchingEntry(statement, action);
  const tables = statement.notActions ? MATCH_BY_NOT_ACTIONS : MATCH_BY_ACTIONS;
  let perAction = tables.get(list);
  if (!perAction) {
    // The actions asked come from the catalog and the rules, but bounded all the same (by entries and key length).
    perAction = new BoundedCache<string, string | null>(50_000, 4_000_000, (k) => k.length);
    tables.set(list, perAction);
  }
  const hit = perAction.get(action);
  if (hit !== undefined) return hit ?? undefined;
  const written = matchingEntry(statement, action);
  perAction.set(action, written ?? null);
  return written;
}

/** Lists at least this long get a memo table in `sharedMatchingEntry`. */
const SHARED_MATCH_MIN_ENTRIES = 8;
/** `sharedMatchingEntry`'s tables, per list (held as long as the inventory holding the list); null: no entry matches. */
const MATCH_BY_ACTIONS = new WeakMap<readonly string[], BoundedCache<string, string | null>>();
const MATCH_BY_NOT_ACTIONS = new WeakMap<readonly string[], BoundedCache<string, string | null>>();

/** Case-insensitive IAM action match (`*`, `?`). */
export function actionMatches(pattern: string, action: string): boolean {
  let re = PATTERN_CACHE.get(pattern);
  if (!re) {
    re = wildcardGlob(pattern);
    PATTERN_CACHE.set(pattern, re);
  }
  return re.test(action);
}

/** Real actions a statement's entries stand for, per entry as written (`NotAction` for the complement). */
export function expandStatement(statement: PolicyStatement): Map<string, AwsActionInfo[]> {
  const out = new Map<string, AwsActionInfo[]>();
  if (statement.notActions) {
    out.set('NotAction', expandNotAction(statement.notActions));
    return out;
  }
  for (const p of statement.actions ?? []) out.set(p, expandPattern(p));
  return out;
}

/** Every real action a NotAction list leaves, memoized by the list. */
function expandNotAction(excluded: string[]): AwsActionInfo[] {
  const key = excluded.map((p) => p.toLowerCase()).sort().join(',');
  let hit = NOT_ACTION_CACHE.get(key);
  if (!hit) {
    hit = expandPattern('*').filter((a) => !excluded.some((p) => actionMatches(p, a.action)));
    NOT_ACTION_CACHE.set(key, hit);
  }
  return hit;
}

/** `awsActions().expand`, memoized (patterns repeat across thousands of roles). */
export function expandPattern(pattern: string): AwsActionInfo[] {
  const key = pattern.toLowerCase();
  let hit = EXPAND_CACHE.get(key);
  if (!hit) {
    hit = awsActions().expand(pattern);
    EXPAND_CACHE.set(key, hit);
  }
  return hit;
}

/**
 * Whether two IAM resource patterns (`*`, `?`, case-sensitive) can match a common ARN. Used to
 * intersect grants with boundaries and protected resources; over-approximates, never under.
 */
export function globsOverlap(a: string, b: string): boolean {
  if (a === '*' || b === '*' || a === b) return true;
  const fa = arnFields(a);
  const fb = arnFields(b);
  // IAM matches ARNs field by field: a wildcard does not reach across the colons of the first five.
  if (fa && fb) return fa.every((f, i) => textGlobsOverlap(f, fb[i]));
  return textGlobsOverlap(a, b);
}

function textGlobsOverlap(a: string, b: string): boolean {
  if (a === '*' || b === '*' || a === b) return true;
  const wa = isWildcardResource(a);
  const wb = isWildcardResource(b);
  // Most fields are literal on at least one side: a match, not a search.
  if (!wa && !wb) return false;
  if (!wb) return textGlobCovers(a, b);
  if (!wa) return textGlobCovers(b, a);
  return wildcardsIntersect(a, b);
}

/** Past this many (a × b) character pairs two patterns are assumed to overlap (the safe side). */
const OVERLAP_BUDGET = 4_000_000;

/**
 * Whether two patterns (both with `*`/`?`) name a common string: a dynamic program over suffixes,
 * one row at a time (no recursion, memory linear in `b`), bounded by `OVERLAP_BUDGET`. Leading and
 * trailing characters that are not `*` are matched one to one first (ARN fields share long literal
 * prefixes); what is left needs the program only when one side has no `*`. The two rows are reused
 * between calls: thousands of roles' resources are compared.
 */
function wildcardsIntersect(a: string, b: string): boolean {
  if ((a.length + 1) * (b.length + 1) > OVERLAP_BUDGET) return true;
  let start = 0;
  let endA = a.length;
  let endB = b.length;
  for (; start < endA && start < endB && a[start] !== '*' && b[start] !== '*'; start++) {
    if (!charsMeet(a[start], b[start])) return false;
  }
  for (; endA > start && endB > start && a[endA - 1] !== '*' && b[endB - 1] !== '*'; endA--, endB--) {
    if (!charsMeet(a[endA - 1], b[endB - 1])) return false;
  }
  // Both still hold a `*`: one of them starts with it and one ends with it, so some string fits both
  // (`*A` and `B*` share B+A; `*A*` and anything with a `*` share the latter with A in its `*`).
  if (hasStar(a, start, endA) && hasStar(b, start, endB)) return true;
  const n = endB;
  if (ROWS[0].length < n + 1) ROWS = [new Uint8Array(2 * (n + 1)), new Uint8Array(2 * (n + 1))];
  // next[j]: the suffixes a[i+1..endA) and b[j..endB) overlap; row[j]: a[i..endA) and b[j..endB) overlap.
  let next = ROWS[0];
  let row = ROWS[1];
  for (let i = endA; i >= start; i--) {
    for (let j = n; j >= start; j--) {
      let r: boolean;
      if (i === endA && j === n) r = true;
      else if (i < endA && a[i] === '*') r = next[j] === 1 || (j < n && row[j + 1] === 1);
      else if (j < n && b[j] === '*') r = row[j + 1] === 1 || (i < endA && next[j] === 1);
      else if (i === endA || j === n) r = false;
      else r = charsMeet(a[i], b[j]) && next[j + 1] === 1;
      row[j] = r ? 1 : 0;
    }
    const done = row;
    row = next;
    next = done;
  }
  return next[start] === 1;
}

function hasStar(s: string, from: number, to: number): boolean {
  const at = s.indexOf('*', from);
  return at !== -1 && at < to;
}

/** Whether two pattern characters other than `*` can stand for the same character. */
function charsMeet(x: string, y: string): boolean {
  return x === '?' || y === '?' || x === y;
}

/** The two rows of `wildcardsIntersect`, grown as needed. */
let ROWS: [Uint8Array, Uint8Array] = [new Uint8Array(128), new Uint8Array(128)];

/** Whether resource pattern `pattern` covers every ARN that `resource` (itself maybe a pattern) can name. */
export function globCovers(pattern: string, resource: string): boolean {
  if (pattern === '*' || pattern === resource) return true;
  if (resource === '*') return false;
  const fp = arnFields(pattern);
  const fr = arnFields(resource);
  if (fp && fr) return fp.every((f, i) => textGlobCovers(f, fr[i]));
  return textGlobCovers(pattern, resource);
}

/**
 * A pattern for what two overlapping patterns both name, field by field for ARNs: the narrower
 * field where one covers the other, else the first one's (a superset of the true intersection,
 * so a Deny that covers it really covers the overlap).
 */
export function globIntersection(a: string, b: string): string {
  const narrower = (x: string, y: string) => (globCovers(x, y) ? y : x);
  const fa = arnFields(a);
  const fb = arnFields(b);
  if (fa && fb) return fa.map((f, i) => narrower(f, fb[i])).join(':');
  return narrower(a, b);
}

/** The six fields of an ARN (the last one keeps its own colons), or undefined when it is not one. */
export function arnFields(s: string): string[] | undefined {
  if (!s.startsWith('arn:')) return undefined;
  const hit = FIELDS_CACHE.get(s);
  if (hit !== undefined || FIELDS_CACHE.has(s)) return hit;
  // Colons inside the adapter's placeholders (`${AWS::AccountId}`, `{{unresolved:...}}`) do not split fields.
  const fields = fieldsOf(arnParts(s));
  FIELDS_CACHE.set(s, fields);
  return fields;
}


function fieldsOf(parts: string[]): string[] | undefined {
  if (parts.length < 6 || parts[0] !== 'arn') return undefined;
  return parts.length === 6 ? parts : [...parts.slice(0, 5), parts.slice(5).join(':')];
}

function textGlobCovers(pattern: string, resource: string): boolean {
  if (pattern === '*') return true;
  // A pattern without wildcards covers only its own text (the matcher's answer, without finding its compiled
  // form in the memo table), within the matcher's length limit (past it the matcher reports the input).
  if (pattern.length <= GLOB_MAX_LENGTH && resource.length <= GLOB_MAX_LENGTH && !isWildcardResource(pattern)) return pattern === resource;
  // Match the pattern against the resource text: a `*` in the resource is only covered by a `*`.
  return globMatch(pattern, resource, RESOURCE_COVER);
}

/** Resource patterns are case-sensitive, and a `?` does not cover a `*` of the resource. */
const RESOURCE_COVER: GlobOptions = { caseInsensitive: false, questionExcludes: '*' };

/** Up to `n` action names, for messages. */
export function sample(actions: AwsActionInfo[], n = 5): string {
  const names = actions.map((a) => a.action);
  return names.length <= n ? names.join(', ') : `${names.slice(0, n).join(', ')} and ${names.length - n} more`;
}

/** True when a resource is `*` or an ARN pattern with `*`/`?` in it. */
export function isWildcardResource(resource: string): boolean {
  return resource.includes('*') || resource.includes('?');
}

/** An unconditional Deny that removes `action` on all of `resource`. */
function deniesOn(d: SourcedStatement, action: string, resource: string): boolean {
  if (d.effect !== 'Deny' || !isUnconditional(d)) return false;
  if (matchingEntry(d, action) === undefined) return false;
  return deniesResource(d, resource);
}

/** Whether a Deny already known to be unconditional and to apply to the action covers all of `resource`. */
function deniesResource(d: SourcedStatement, resource: string): boolean {
  if (d.notResources) return !isWildcardResource(resource) && !d.notResources.some((nr) => globCovers(nr, resource));
  return (d.resources ?? []).some((dr) => globCovers(dr, resource));
}

function isUnconditional(s: PolicyStatement): boolean {
  return !s.condition || Object.keys(s.condition).length === 0;
}

/** Grants and policies by identity, built once per inventory (thousands of roles: no scans per role). */
class InventoryIndex {
  private readonly grants = new Map<string, Grant[]>();
  private readonly attached = new Map<string, PolicyDocumentEntry[]>();
  private readonly policies = new Map<string, PolicyDocumentEntry>();
  private readonly boundaries = new Map<string, PolicyDocumentEntry>();
  private readonly sourcedCache = new Map<string, SourcedStatement[]>();

  constructor(inventory: Inventory) {
    for (const g of inventory.grants) {
      if (g.cloud !== 'aws' || g.identityId === undefined) continue;
      appendTo(this.grants, g.identityId, g);
    }
    for (const p of inventory.policies) {
      if (p.cloud !== 'aws') continue;
      this.policies.set(p.id, p);
      for (const id of p.attachedTo) appendTo(this.attached, id, p);
      for (const id of p.boundaryOf) if (!this.boundaries.has(id)) this.boundaries.set(id, p);
    }
  }

  public statementsOf(identityId: string): SourcedStatement[] {
    const out: SourcedStatement[] = [];
    const grants = this.grants.get(identityId);
    if (grants) for (const g of grants) out.push(fromGrant(g));
    // Attached policies the adapter did not turn into grants for this identity.
    const attached = this.attached.get(identityId);
    if (attached) {
      const viaGrants = new Set<string>();
      if (grants) for (const g of grants) if (g.policyId) viaGrants.add(g.policyId);
      for (const p of attached) if (!viaGrants.has(p.id)) pushAll(out, this.sourced(p));
    }
    return out;
  }

  public boundaryOf(identity: Identity): SourcedStatement[] | undefined {
    const policy = (identity.boundary !== undefined ? this.policies.get(identity.boundary) : undefined) ?? this.boundaries.get(identity.id);
    // A boundary we cannot read (AWS-managed and unknown, unresolved) does not cap anything: fail closed.
    if (!policy) return undefined;
    return this.sourced(policy);
  }

  /** A policy's statements with their source, shared by every identity it applies to. */
  private sourced(policy: PolicyDocumentEntry): SourcedStatement[] {
    let hit = this.sourcedCache.get(policy.id);
    if (!hit) {
      hit = policy.statements.map((s) => sourcedStatement(s, undefined, policy.id, policy.source));
      this.sourcedCache.set(policy.id, hit);
    }
    return hit;
  }
}

function fromGrant(g: Grant): SourcedStatement {
  // The fields and their order of `sourcedStatement`, built directly (one object per grant, not two).
  return {
    sid: undefined, effect: g.effect, actions: g.notActions ? undefined : g.actions, notActions: g.notActions, resources: g.resources,
    notResources: g.notResources, condition: typeof g.condition === 'string' ? undefined : g.condition, grant: g, policyId: g.policyId, source: g.source,
  };
}

/**
 * Every sourced statement built with the same fields in the same order: one object shape for the
 * property reads of every rule (a spread of the adapter's statements, which set only the fields
 * present, gave each combination its own shape and made those reads megamorphic).
 */
function sourcedStatement(s: PolicyStatement, grant: Grant | undefined, policyId: string | undefined, source: SourceLocation): SourcedStatement {
  return {
    sid: s.sid, effect: s.effect, actions: s.actions, notActions: s.notActions, resources: s.resources, notResources: s.notResources,
    condition: s.condition, grant, policyId, source,
  };
}

const CACHE = new WeakMap<Inventory, EffectivePermissions[]>();
// Memo tables shared by every check in the process: bounded (hostile input holds millions of distinct
// strings), by entries and, where an entry holds a list of catalog actions, by the total length of those lists.
const PATTERN_CACHE = new BoundedCache<string, Glob>(10_000);
const NOT_ACTION_CACHE = new BoundedCache<string, AwsActionInfo[]>(1_000, 2_000_000, (_k, v) => v.length);
/** Weighed by the ARN's length: the fields are slices of it. */
const FIELDS_CACHE = new BoundedCache<string, string[] | undefined>(100_000, 16_000_000, (k) => k.length);
const EXPAND_CACHE = new BoundedCache<string, AwsActionInfo[]>(10_000, 2_000_000, (_k, v) => v.length);
const REACHABLE_CACHE = new WeakMap<readonly unknown[], BoundedCache<string, readonly unknown[]>>();
/** `namesAny`'s answers per test and entry as written. */
const NAMES_ANY_CACHE = new WeakMap<(info: AwsActionInfo) => boolean, BoundedCache<string, boolean>>();
