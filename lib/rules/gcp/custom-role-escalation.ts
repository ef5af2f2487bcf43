import { loadCatalog } from '../../catalogs/catalog';
import { forbiddenEntryFor } from '../../baseline/forbidden';
import { Grant, Inventory, SourceLocation } from '../../inventory/inventory';
import { RawFinding, Rule, RuleContext } from '../rule';
import { GCP_BASIC_ROLES, gcpPredefinedRole } from '../../adapters/terraform/gcp-roles';
import { isGcpAdminOrServiceAgentRole } from './admin-roles';
import { allowGrants, findingAt, globMatches, identitiesById, principalOf } from './private/gcp-rule-helpers';
import { gcpIamResourceKind, permissionsEffectiveOnResource } from './private/gcp-narrower-roles';
import { GCP_CREDENTIAL_ACCESS_CATALOG } from './broad-credential-access';
import { BROAD_GCP_LEVELS, GCP_IMPERSONATION_PERMISSIONS, gcpCustomRoleNames, isKnownGcpRole, unprovableForbiddenGcpPermissions } from './private/gcp-role-knowledge';
import { addTo, appendTo } from '../../private/append-to';
import { BoundedCache } from '../../private/bounded-cache';

/** The catalog of escalation permissions and paths (`policies/catalogs/gcp-escalation-permissions.json`). */
export const GCP_ESCALATION_CATALOG = 'gcp-escalation-permissions';

/**
 * GCP-006: custom roles hold no escalation permission and no complete escalation path; no agent
 * identity holds an escalation permission through a predefined role at project level or above; no
 * identity holds a path across its grants; and no grant holds a permission the baseline forbids.
 */
export const GCP_CUSTOM_ROLE_ESCALATION_RULE: Rule = {
  id: 'GCP-006',
  cloud: 'gcp',
  severity: 'error',
  reason: 'A custom role holds a privilege-escalation permission (setIamPolicy, actAs, getAccessToken, serviceAccountKeys.create, roles.update, …).',
  explanation: 'Some permissions let the holder grant itself more: change an IAM policy, act as or mint tokens for another service account, '
    + 'create its keys, widen a custom role, or deploy code (functions, VMs, builds) that runs as another service account. '
    + 'Permissions and combinations come from Rhino Security Labs\' GCP research and live in policies/catalogs/gcp-escalation-permissions.json; '
    + 'predefined roles granted to agent identities at project, folder or organization level are judged by their permissions in the role data '
    + '(Project IAM Admin holds resourcemanager.projects.setIamPolicy, Deployment Manager Editor deploymentmanager.deployments.create); '
    + 'a path may be split over several grants of one identity, and impersonation held on named service accounts serves it only when one '
    + 'of them holds more than a workload account (a basic, admin or escalation role, secret access at project level or above) or is not '
    + 'defined in the configuration: deploying code as a runtime account that reads one secret is the deployment, not a way up; '
    + 'the baseline\'s forbidden GCP permissions are checked on every grant too.',
  fix: 'Remove the permission from the custom role; if a tool really needs to act as another service account, grant '
    + 'roles/iam.serviceAccountUser on that one account and keep the tool\'s own role free of it.',
  controls: ['Rhino Security Labs GCP privilege escalation', 'CKV_GCP_41', 'CKV_GCP_49'],
  evaluate(inventory: Inventory, context: RuleContext): RawFinding[] {
    const catalog = loadCatalog(GCP_ESCALATION_CATALOG);
    const single = catalog.gcp ?? [];
    const paths = (catalog.paths ?? []).filter((p) => p.cloud === 'gcp');
    const findings: RawFinding[] = [];
    const reportedOnRole = new Set<string>();
    const matcher = new EscalationMatcher(single, paths);
    for (const role of inventory.policies.filter((p) => p.cloud === 'gcp' && p.kind === 'gcp-custom-role')) {
      const perms = role.permissions ?? [];
      for (const perm of perms) {
        const hit = matcher.singleHit(perm);
        if (hit) {
          findings.push(findingAt('gcp', role.source, {
            detail: perm,
            message: `Custom role ${role.name ?? role.source.resource} holds ${perm} (escalation: ${hit}).`,
            fix: GCP_CUSTOM_ROLE_ESCALATION_RULE.fix,
          }));
        }
      }
      const held = matcher.pathActionsHeld(perms);
      for (const path of paths) {
        if (path.actions.every((a) => held.has(a))) {
          role.attachedTo.forEach((id) => reportedOnRole.add(`${id} ${path.id}`));
          findings.push(findingAt('gcp', role.source, {
            detail: path.id,
            message: `Custom role ${role.name ?? role.source.resource} holds the escalation path ${path.actions.join(' + ')}: ${path.description}`,
            fix: GCP_CUSTOM_ROLE_ESCALATION_RULE.fix,
          }));
        }
      }
    }
    findings.push(...predefinedRoleEscalations(inventory, single));
    // A path split over several grants of one identity (a custom role plus roles/iam.serviceAccountUser) is still a path.
    // Impersonation granted on named service accounts is kept apart: it reaches those accounts only (see below).
    const byIdentity = new Map<string, { permissions: Set<string>; actAsOn: Map<string, Set<string>>; source: SourceLocation }>();
    for (const g of allowGrants(inventory, 'gcp')) {
      if (!g.identityId) continue;
      const entry = byIdentity.get(g.identityId) ?? { permissions: new Set<string>(), actAsOn: new Map<string, Set<string>>(), source: g.source };
      // Scope counts: a role bound on one resource confers there only its service's permissions.
      const effective = g.scopeLevel === 'resource' ? permissionsEffectiveOnResource(g.source.resource, g.actions) : g.actions;
      const onAccount = g.scopeLevel === 'resource' && gcpIamResourceKind(g.source.resource) === 'service_account' ? g.resources[0] : undefined;
      for (const a of effective) {
        if (onAccount !== undefined && GCP_IMPERSONATION_PERMISSIONS.includes(a)) addTo(entry.actAsOn, a, onAccount);
        else entry.permissions.add(a);
      }
      byIdentity.set(g.identityId, entry);
    }
    const denies = new DenyVerdicts();
    const targets = new ServiceAccountStrength(inventory, single);
    const identities = new Map(inventory.identities.map((i) => [i.id, i]));
    // Permissions a deny policy takes away from the identity cannot serve a path. A rule's exception
    // permissions stay allowed even where its denied permissions (a group such as `serviceAccounts.*`) match them.
    const denied = new Map<string, DenyRule[]>();
    let ruleCount = 0;
    for (const p of inventory.policies.filter((x) => x.cloud === 'gcp' && x.kind === 'gcp-deny-policy')) {
      const rules = p.statements.filter((st) => st.effect === 'Deny').map((st) => ({ key: ruleCount++, denied: st.actions ?? [], except: st.notActions ?? [] }));
      // Appended, not copied per policy (quadratic when one identity has many deny policies).
      for (const id of p.attachedTo) for (const r of rules) appendTo(denied, id, r);
    }
    for (const [identityId, { permissions, actAsOn, source }] of byIdentity) {
      const deny = denied.get(identityId) ?? [];
      const allowed = (list: Iterable<string>) => (deny.length === 0 ? [...list] : [...list].filter((p) => !deny.some((r) => denies.takesAway(r, p))));
      const perms = allowed(permissions);
      const held = matcher.pathActionsHeld(perms);
      const scoped = allowed(actAsOn.keys());
      const heldWithScoped = scoped.length === 0 ? held : matcher.pathActionsHeld([...perms, ...scoped]);
      for (const path of paths) {
        if (reportedOnRole.has(`${identityId} ${path.id}`)) continue;
        const identity = identities.get(identityId);
        let through = '';
        if (!path.actions.every((a) => held.has(a))) {
          if (!path.actions.every((a) => heldWithScoped.has(a))) continue;
          // The path needs impersonation held only on named accounts: it reaches what those accounts hold. Escalation
          // only when one of them is stronger than a workload account (or not known): acting as an account that holds
          // one secret or one bucket, to deploy the code that uses them, is the deployment, not a way up.
          const accounts = [...new Set(scoped.filter((p) => path.actions.some((a) => globMatches(a, p))).flatMap((p) => [...actAsOn.get(p) ?? []]))];
          const strong = accounts.map((a) => ({ account: a, why: targets.strongerThanWorkload(a) })).filter((x) => x.why !== undefined);
          if (strong.length === 0) continue;
          through = ` (through ${strong.slice(0, 3).map((x) => `${x.account}, which ${x.why}`).join('; ')})`;
        }
        findings.push(findingAt('gcp', identity?.source ?? source, {
          detail: `${path.id}:identity`,
          identity: identityId,
          message: `${identity?.source.resource ?? identityId} holds the escalation path ${path.actions.join(' + ')} across its grants${through}: ${path.description}`,
          fix: GCP_CUSTOM_ROLE_ESCALATION_RULE.fix,
        }));
      }
    }
    const forbidden = context.baseline.forbiddenGcpPermissions;
    if (forbidden.length > 0) {
      const customRoles = gcpCustomRoleNames(inventory);
      for (const g of allowGrants(inventory, 'gcp')) {
        // Fail closed: a role the data does not list in full may hold what the baseline forbids (an unknown
        // role at project level or above is GCP-013's finding already).
        const known = g.role !== undefined && gcpPredefinedRole(g.role) !== undefined;
        const unprovable = g.role === undefined || customRoles.has(g.role) || (!known && g.scopeLevel !== 'resource') ? [] : unprovableForbiddenGcpPermissions(g.role, forbidden);
        if (unprovable.length > 0) {
          findings.push(findingAt('gcp', g.source, {
            detail: `${g.role}:forbidden-unknown`,
            identity: g.identityId,
            message: `${g.source.resource} grants ${g.role}, whose permissions the role data does not list in full, so it may hold ${unprovable.slice(0, 3).join(', ')}${unprovable.length > 3 ? ', …' : ''}, which baseline ${context.baseline.id} forbids.`,
            fix: `Run \`agent-guardrails data pull gcp\` and pass the data with --role-data (or the baseline's roleData), or grant a custom role with exactly the permissions needed.`,
          }));
        }
        // Wildcards count both ways: a forbidden storage.buckets.* catches a granted storage.buckets.delete,
        // and a granted compute.instances.* (a custom role's) catches a forbidden compute.instances.delete.
        for (const perm of g.actions) {
          const entry = forbiddenEntryFor(forbidden, perm);
          if (entry === undefined) continue;
          findings.push(findingAt('gcp', g.source, {
            detail: perm,
            identity: g.identityId,
            message: `${g.source.resource} grants ${perm} (through ${g.role}), which baseline ${context.baseline.id} forbids (forbidden.gcp.permissions: ${entry}).`,
            fix: 'Grant a role without this permission.',
          }));
        }
      }
    }
    return findings;
  },
};

/**
 * Predefined roles granted to agents at project level or above, judged by their permissions. Causes
 * other rules report are left to them: basic roles (GCP-001), impersonation (GCP-002), admin roles (GCP-003).
 */
function predefinedRoleEscalations(inventory: Inventory, single: readonly string[]): RawFinding[] {
  const identities = identitiesById(inventory, 'gcp');
  return allowGrants(inventory, 'gcp').flatMap((g) => {
    const identity = g.identityId ? identities.get(g.identityId) : undefined;
    if (!identity?.isAgent || g.role === undefined || !BROAD_GCP_LEVELS.has(g.scopeLevel ?? '') || isGcpAdminOrServiceAgentRole(g.role)) return [];
    const known = gcpPredefinedRole(g.role);
    if (!known || known.flags.includes('basic') || known.permissions.some((p) => GCP_IMPERSONATION_PERMISSIONS.includes(p))) return [];
    const hits = known.permissions.filter((p) => single.some((pattern) => globMatches(pattern, p)));
    // The escalation flag speaks only for an entry that lists none of its permissions: one that lists its
    // security-relevant ones (the schema's rule for partial entries) has shown them all, and a path step it
    // lists (cloudbuild.builds.create) is reported once, as the identity's escalation path.
    const judgedByFlag = known.flags.includes('escalation') && !known.permissionsComplete && known.permissions.length === 0;
    if (hits.length === 0 && !judgedByFlag) return [];
    return [findingAt('gcp', g.source, {
      detail: g.role,
      identity: identity.id,
      message: `${g.source.resource} grants ${g.role} at ${g.scopeLevel} level (${g.resources.join(', ')}) to the agent service account ${principalOf(g, identity)}; `
        + `it holds ${hits.length > 0 ? hits.slice(0, 4).join(', ') + (hits.length > 4 ? ', …' : '') : 'escalation permissions (per the role data)'}, which can grant more access.`,
      fix: GCP_CUSTOM_ROLE_ESCALATION_RULE.fix,
    })];
  });
}

/**
 * The catalog's verdicts on one permission, remembered per distinct permission within an evaluation
 * (custom roles and identities list the same permissions over and over): the first single escalation
 * pattern it matches, and which path steps it matches. Bounded tables: more distinct permissions than
 * they keep cost recomputation, never memory.
 */
class EscalationMatcher {
  private readonly hits = new BoundedCache<string, string | undefined>(50_000);
  private readonly steps = new BoundedCache<string, readonly string[]>(50_000);
  private readonly pathActions: readonly string[];

  constructor(private readonly single: readonly string[], paths: readonly { readonly actions: readonly string[] }[]) {
    this.pathActions = [...new Set(paths.flatMap((p) => p.actions))];
  }

  /** The first single escalation pattern `perm` matches. */
  public singleHit(perm: string): string | undefined {
    if (this.hits.has(perm)) return this.hits.get(perm);
    return this.hits.set(perm, this.single.find((pattern) => globMatches(pattern, perm)));
  }

  /** The path steps (catalog patterns) some permission of `perms` matches. */
  public pathActionsHeld(perms: Iterable<string>): Set<string> {
    const held = new Set<string>();
    for (const p of perms) for (const a of this.stepsOf(p)) held.add(a);
    return held;
  }

  private stepsOf(perm: string): readonly string[] {
    const known = this.steps.get(perm);
    if (known !== undefined) return known;
    return this.steps.set(perm, this.pathActions.filter((a) => globMatches(a, perm)));
  }
}

/**
 * Whether a service account (by its resource name, `projects/p/serviceAccounts/<email>`) holds more than a workload
 * account: what acting as it would reach. Judged from its grants in the configuration; an account the configuration
 * does not define is not known, so it counts as stronger (fail closed).
 */
class ServiceAccountStrength {
  private readonly byName = new Map<string, string[]>();
  private readonly grantsOf = new Map<string, Grant[]>();
  private readonly credential: readonly string[];
  private readonly customRoles: ReadonlySet<string>;

  constructor(inventory: Inventory, private readonly escalation: readonly string[]) {
    this.customRoles = gcpCustomRoleNames(inventory);
    for (const i of inventory.identities) if (i.cloud === 'gcp' && i.name !== undefined) appendTo(this.byName, i.name, i.id);
    for (const g of allowGrants(inventory, 'gcp')) if (g.identityId) appendTo(this.grantsOf, g.identityId, g);
    this.credential = loadCatalog(GCP_CREDENTIAL_ACCESS_CATALOG).gcp ?? [];
  }

  /** Why the account is stronger than a workload account, or undefined when it is not. */
  public strongerThanWorkload(resource: string): string | undefined {
    const accountId = /serviceAccounts\/([^@/]+)@/.exec(resource)?.[1];
    const ids = accountId !== undefined ? this.byName.get(accountId) ?? [] : [];
    if (ids.length === 0) return 'is not defined in this configuration, so what it holds is not known';
    for (const id of ids) {
      for (const g of this.grantsOf.get(id) ?? []) {
        const role = g.role ?? '';
        const broad = BROAD_GCP_LEVELS.has(g.scopeLevel ?? '');
        if (GCP_BASIC_ROLES.includes(role) || isGcpAdminOrServiceAgentRole(role)) return `holds ${role}`;
        if (broad && !isKnownGcpRole(role, this.customRoles)) return `holds ${role || 'a role'} at ${g.scopeLevel} level, which the role data does not know`;
        const effective = g.scopeLevel === 'resource' ? permissionsEffectiveOnResource(g.source.resource, g.actions) : g.actions;
        const hit = effective.find((p) => this.escalation.some((e) => globMatches(e, p)) || (broad && this.credential.some((c) => globMatches(c, p))));
        if (hit !== undefined) return `holds ${hit} (through ${role})`;
      }
    }
    return undefined;
  }
}

/** One deny rule as the escalation check reads it: the permissions it denies and those it excepts. */
interface DenyRule {
  /** Its number within one evaluation. */
  readonly key: number;
  readonly denied: readonly string[];
  readonly except: readonly string[];
}

/**
 * `deniesPermission` once per rule and permission: one boundary deny policy is attached to every tool identity of
 * an agent, so its rules (dozens of patterns) meet the same few permissions once per tool. Bounded: keys come from the input.
 */
class DenyVerdicts {
  private readonly verdicts = new BoundedCache<string, boolean>(50_000);

  public takesAway(rule: DenyRule, permission: string): boolean {
    const key = `${rule.key} ${permission}`;
    const known = this.verdicts.get(key);
    return known ?? this.verdicts.set(key, deniesPermission(rule, permission));
  }
}

/** Whether a deny rule takes `permission` away: one of its denied permissions matches it and none of its exceptions does. */
function deniesPermission(rule: DenyRule, permission: string): boolean {
  return rule.denied.some((d) => globMatches(d, permission)) && !rule.except.some((e) => globMatches(e, permission));
}
