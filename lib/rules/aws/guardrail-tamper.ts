import { AwsActionInfo } from '../../aws/action-catalog';
import { loadCatalog } from '../../catalogs/catalog';
import { Inventory } from '../../inventory/inventory';
import { Component } from '../../model/tags';
import { RawFinding, Rule, RuleContext } from '../rule';
import { ActionHit, actionsOf, byWrittenEntry, listActions } from './private/by-written-entry';
import { EffectivePermissions, expandPattern, isAgentIdentity, isWildcardResource, serviceOf } from './private/effective-permissions';
import { judgedSubjects } from './private/admin';
import { holdsAwsStatement } from './private/grant-findings';

/** The catalog of tamper actions (`policies/catalogs/aws-guardrail-tamper.json`). */
export const GUARDRAIL_TAMPER_CATALOG = 'aws-guardrail-tamper';

/** SSM parameters of the guardrails (kill-switch flags, broker settings) live under this path. */
export const GUARDRAIL_PARAMETER_PATTERN = 'arn:*:ssm:*:*:parameter/agent-guardrails/*';

/** Components whose IAM roles and policies no agent may change. */
const PROTECTED_COMPONENTS = new Set<string>([Component.KILL_SWITCH, Component.REVOCATION, Component.BROKER, Component.BOUNDARY, Component.APPROVAL_GATE, Component.AUDIT, Component.MONITOR]);

/** A guardrail resource an agent could change, as ARN patterns. */
interface Protected {
  readonly what: string;
  readonly patterns: string[];
  /** Actions that change it (IAM for roles and policies, SSM for parameters). */
  readonly service: 'iam' | 'ssm';
}

/**
 * AWS-012: no agent identity may change its guardrails: permissions boundaries, the kill switch
 * (its role, policies and `/agent-guardrails/` parameters), the broker, CloudTrail and log
 * settings, Config recorders, GuardDuty and Security Hub, organization policies, or an AgentCore
 * gateway or policy engine (UpdateGateway can move enforcement to log-only). One finding per
 * identity and policy entry as written.
 */
export const GUARDRAIL_TAMPER: Rule = {
  id: 'AWS-012',
  cloud: 'aws',
  severity: 'error',
  reason: 'An agent identity can switch off or rewrite its own guardrails (boundary, kill switch, audit trail, AgentCore policy).',
  explanation: 'Guardrails hold only if the agent cannot change them. This rule reports every action of '
    + 'policies/catalogs/aws-guardrail-tamper.json (permissions boundaries, CloudTrail, CloudWatch Logs retention and deletion, '
    + 'Config, GuardDuty, Security Hub, organization policies, AgentCore gateways and policy engines) held by an agent identity, '
    + 'on any resource, and every write to the guardrails\' own resources: the roles and policies tagged as kill switch, revocation, '
    + 'broker, boundary, approval gate or audit, every policy used as a permissions boundary, SSM parameters under '
    + '/agent-guardrails/, and the agent roles themselves (the kill switch cuts them by attaching a deny policy, which an IAM '
    + 'write on them could detach). Wildcards and NotAction are expanded; a Deny or the boundary that removes the action clears it.',
  fix: 'Remove the action from the agent\'s tool (or the wildcard that brings it in). Keep the boundary\'s tamper denies in place; '
    + 'changes to the guardrails go through the security team\'s pipeline, never through an agent.',
  controls: ['MITRE ATT&CK T1562.001', 'MITRE ATT&CK T1562.008', 'CKV_AWS_286'],
  evaluate(inventory: Inventory, context: RuleContext): RawFinding[] {
    if (!holdsAwsStatement(inventory)) return [];
    const tamper = (loadCatalog(GUARDRAIL_TAMPER_CATALOG).aws ?? []).flatMap(expandPattern);
    // The guardrails' resources, found when a subject first holds a guardrail write (most hold none).
    let protectedResources: Protected[] | undefined;
    let agentRoles: AgentRoleTargets | undefined;
    const guardrailWrites = [
      ...expandPattern('iam:*').filter(isChange),
      ...expandPattern('ssm:*').filter((a) => isChange(a) && a.resourceTypes.includes('parameter')),
    ];
    const findings: RawFinding[] = [];
    for (const perms of judgedSubjects(inventory, context)) {
      if (!perms.subject.isAgent) continue;
      const reported = new Set<string>();
      const tamperHits: ActionHit<undefined>[] = [];
      const writeHits: ActionHit<string>[] = [];
      for (const info of perms.reachable(tamper, serviceOf)) {
        const uses = perms.usesOf(info.action);
        if (uses.length === 0) continue;
        reported.add(info.action);
        tamperHits.push({ info, uses, data: undefined });
      }
      for (const info of perms.reachable(guardrailWrites, serviceOf)) {
        if (reported.has(info.action)) continue;
        protectedResources ??= guardrailResources(inventory);
        const target = protectedResources.find((p) => p.service === info.service && p.patterns.some((pattern) => perms.reaches(info.action, pattern)))
          ?? (info.service === 'iam' ? agentRoleReached(perms, info.action, agentRoles ??= agentRoleTargets(inventory)) : undefined);
        if (!target) continue;
        reported.add(info.action);
        writeHits.push({ info, uses: perms.usesOf(info.action), data: target.what });
      }
      if (tamperHits.length === 0 && writeHits.length === 0) continue;
      // One finding per policy entry as written: `iam:*` reaching forty guardrail writes is one finding.
      const byEntry = new Map<string, { tamper: ActionHit<undefined>[]; writes: ActionHit<string>[] }>();
      for (const [written, hits] of byWrittenEntry(tamperHits)) byEntry.set(written, { tamper: hits, writes: [] });
      for (const [written, hits] of byWrittenEntry(writeHits)) {
        const entry = byEntry.get(written) ?? { tamper: [], writes: [] };
        entry.writes = hits;
        byEntry.set(written, entry);
      }
      for (const [written, { tamper: t, writes: w }] of byEntry) {
        const parts: string[] = [];
        if (t.length > 0) parts.push(`holds ${listActions(t)}, which can switch off or rewrite a guardrail`);
        if (w.length > 0) parts.push(`can ${listActions(w)} on ${[...new Set(w.map((h) => h.data))].join(', ')}, ${w.length === 1 && new Set(w.map((h) => h.data)).size === 1 ? 'a guardrail resource' : 'guardrail resources'}`);
        const single = t.length + w.length === 1 ? (t[0] ?? w[0]).info.action : undefined;
        findings.push(perms.finding(written,
          `agent identity ${perms.subject.resource} ${parts.join('; and ')}.`,
          t.length > 0
            ? `Remove ${single ?? written} from ${perms.subject.resource}; no agent may hold guardrail-changing actions.`
            : `Limit ${single ?? written} on ${perms.subject.resource} to resources that are not guardrails, or remove it.`,
          undefined, actionsOf([...t, ...w])));
      }
    }
    return findings;
  },
};

/** Writes: anything that is not a read or list. */
function isChange(info: AwsActionInfo): boolean {
  const level: string = info.accessLevel;
  return level !== 'Read' && level !== 'List';
}

/** The guardrails' own roles, policies and parameters in the inventory, plus the fixed parameter path. */
function guardrailResources(inventory: Inventory): Protected[] {
  const out: Protected[] = [{ what: 'the /agent-guardrails/ parameters', patterns: [GUARDRAIL_PARAMETER_PATTERN], service: 'ssm' }];
  for (const identity of inventory.identities) {
    if (identity.cloud !== 'aws' || !identity.labels.component || !PROTECTED_COMPONENTS.has(identity.labels.component)) continue;
    const type = identity.kind === 'aws-iam-user' ? 'user' : identity.kind === 'aws-iam-group' ? 'group' : 'role';
    out.push({ what: `the ${identity.labels.component} ${type} ${identity.source.resource}`, patterns: iamPatterns(type, identity.name, identity.source.resource), service: 'iam' });
  }
  const boundaryIds = new Set(inventory.identities.map((i) => i.boundary));
  for (const policy of inventory.policies) {
    if (policy.cloud !== 'aws') continue;
    const component = policy.labels?.component;
    const isBoundary = policy.boundaryOf.length > 0 || boundaryIds.has(policy.id);
    if (!isBoundary && !(component && PROTECTED_COMPONENTS.has(component))) continue;
    const what = `the ${isBoundary ? 'permissions boundary' : component} policy ${policy.name ?? policy.source.resource}`;
    const patterns = policy.kind === 'aws-managed-policy' && policy.name ? [`arn:*:iam::aws:policy/${policy.name}`] : iamPatterns('policy', policy.name, policy.source.resource);
    out.push({ what, patterns, service: 'iam' });
  }
  // Boundaries written as ARNs the adapter could not read are protected by that ARN.
  for (const identity of inventory.identities) {
    if (identity.boundary?.startsWith('arn:')) out.push({ what: `the permissions boundary ${identity.boundary}`, patterns: [identity.boundary], service: 'iam' });
  }
  for (const other of inventory.others) {
    if (other.type !== 'AWS::SSM::Parameter') continue;
    const name = typeof other.properties.Name === 'string' ? other.properties.Name : undefined;
    const component = other.labels?.component;
    const guarded = (component !== undefined && PROTECTED_COMPONENTS.has(component)) || name?.startsWith('/agent-guardrails/');
    if (!guarded) continue;
    // Grants written with `Ref` read `...:parameter${LogicalId}` in the inventory: protect that form too.
    const logicalId = other.source.resource;
    const patterns = [`arn:*:ssm:*:*:parameter*\${${logicalId}}*`];
    if (name) patterns.push(`arn:*:ssm:*:*:parameter/${name.replace(/^\//, '')}`);
    out.push({ what: `the ${component ?? 'guardrail'} parameter ${name ?? logicalId}`, patterns, service: 'ssm' });
  }
  return out;
}

/** Agent roles are what the kill switch cuts: IAM writes on them can detach its deny policy. */
interface AgentRoleTargets {
  /** By role name (or logical id, as the adapter writes ARNs of unnamed roles). */
  readonly byName: Map<string, Protected>;
  readonly all: Protected[];
}

function agentRoleTargets(inventory: Inventory): AgentRoleTargets {
  const byName = new Map<string, Protected>();
  const all: Protected[] = [];
  for (const identity of inventory.identities) {
    if (identity.cloud !== 'aws' || identity.kind !== 'aws-iam-role' || !isAgentIdentity(identity)) continue;
    const target: Protected = {
      what: `the agent role ${identity.source.resource} (the kill switch cuts it by attaching a deny policy)`,
      patterns: iamPatterns('role', identity.name, identity.source.resource),
      service: 'iam',
    };
    byName.set(identity.name ?? identity.source.resource, target);
    all.push(target);
  }
  return { byName, all };
}

/** The agent role an IAM write reaches, if any: by name for a literal ARN, by pattern otherwise. */
function agentRoleReached(perms: EffectivePermissions, action: string, targets: AgentRoleTargets): Protected | undefined {
  if (targets.all.length === 0) return undefined;
  for (const use of perms.usesOf(action)) {
    for (const r of use.resources) {
      const candidates = isWildcardResource(r) ? targets.all : [targets.byName.get(r.slice(r.lastIndexOf('/') + 1))].filter((t): t is Protected => t !== undefined);
      const hit = candidates.find((t) => t.patterns.some((p) => perms.reaches(action, p)));
      if (hit) return hit;
    }
  }
  return undefined;
}

/**
 * ARN patterns of a guardrail role or policy. Without a literal name: the adapter's placeholder
 * (`...:role/<LogicalId>`) and CloudFormation's generated names, which embed the logical id.
 */
function iamPatterns(type: string, name: string | undefined, logicalId: string): string[] {
  if (name) return [`arn:*:iam::*:${type}/${name}`, `arn:*:iam::*:${type}/*/${name}`];
  return [`arn:*:iam::*:${type}/*${logicalId}*`];
}
