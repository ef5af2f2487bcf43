import { globMatch } from '../../private/glob-match';
import { appendTo } from '../../private/append-to';
import { AgentLabels, Cloud, Grant, Identity, Inventory, SourceLocation } from '../../inventory/inventory';
import { Component } from '../../model/tags';
import { KEY_VAULT_ACCESS_POLICY_ROLE } from '../azure/private/azure-role-knowledge';
import { classifyKnownRole, isReadClass } from '../private/access-classifier';
import { RawFinding, Rule, RuleContext } from '../rule';
import { AzureMonitorPart, azureMonitorParts, azureMonitorPartsReached, azureTamperActions } from './private/azure-monitor-reach';
import { effectiveResources } from './private/gcp-resource-condition';
import { agentOf, allowGrants, describeIdentity, grantedActions, grantsByIdentity, grantFinding, groupBy, toolIdentities, withoutPlaceholderColons } from './private/agent-inventory';

/** One kill-switch part (policy, revocation role, custom role, binding) as the inventory shows it. */
interface KillSwitchPart {
  readonly cloud: Cloud;
  readonly component: string;
  readonly name?: string;
  readonly source: SourceLocation;
}

/** What an agent's activity monitor may do besides assuming its revocation role: alert, log, its own table. */
const MONITOR_ACTIONS = new Set(['sns:publish', 'logs:createlogstream', 'logs:putlogevents', 'dynamodb:getitem', 'dynamodb:putitem', 'dynamodb:updateitem']);
/**
 * A GCP activity monitor's predefined roles and the one kind of resource each may be bound on:
 * Firestore (its memory, the broker's flag and approvals) only through a condition naming one
 * database; publish on a topic (alerts); invoke a Cloud Run service (the push identity).
 */
const GCP_MONITOR_ROLES: Readonly<Record<string, RegExp>> = {
  'roles/datastore.user': /^projects\/[^/*]+\/databases\/[^/*]+$/,
  'roles/datastore.viewer': /^projects\/[^/*]+\/databases\/[^/*]+$/,
  'roles/pubsub.publisher': /^projects\/[^/*]+\/topics\/[^/*]+$/,
  'roles/run.invoker': /^projects\/[^/*]+\/locations\/[^/*]+\/services\/[^/*]+$/,
};
/**
 * GCP permissions that change, delete or re-permission what an activity monitor is made of (its
 * topics and push subscription, its function and Cloud Run service, its Firestore database and
 * documents, its log sink, its alert policies and channels): with them a tool could blind the monitor
 * or forge its memory (replay claims, approvals), so they must not reach the monitor's resources.
 * Deny policies cannot name those resources (a deny rule's condition reads only resource tags), so the
 * allow side is where this is caught.
 */
const GCP_MONITOR_TAMPER = /^(pubsub\.(topics|subscriptions)|cloudfunctions\.functions|run\.services|datastore\.(databases|entities)|logging\.sinks|monitoring\.(alertpolicies|notificationchannels))\.(?!(get|list|getiampolicy)$)[a-z]+$/;
const AZ_TABLE_ENTITIES = 'microsoft.storage/storageaccounts/tableservices/tables/entities';
/**
 * What an Azure activity monitor (azure.AgentActivityMonitor) may do: the kill-switch path (read and
 * delete the tool identities' federated credentials and role assignments; set the broker flag),
 * its table and queue, reading approvals — on one table, queue or resource group each, never wider.
 */
const AZURE_MONITOR_ACTIONS = new Set([
  'microsoft.managedidentity/userassignedidentities/read',
  'microsoft.managedidentity/userassignedidentities/federatedidentitycredentials/read',
  'microsoft.managedidentity/userassignedidentities/federatedidentitycredentials/delete',
  'microsoft.authorization/roleassignments/read',
  'microsoft.authorization/roleassignments/delete',
  `${AZ_TABLE_ENTITIES}/read`, `${AZ_TABLE_ENTITIES}/write`, `${AZ_TABLE_ENTITIES}/add/action`, `${AZ_TABLE_ENTITIES}/update/action`,
  'microsoft.storage/storageaccounts/queueservices/queues/messages/add/action',
]);
/** Built-in roles a Functions host needs, allowed to a monitor on one resource of the named type only (its storage account, its Application Insights). */
const AZURE_MONITOR_HOST_ROLES: ReadonlyMap<string, string> = new Map([
  ['b7e6dc6d-f1e8-4753-8033-0f276bb0955b', '/providers/microsoft.storage/storageaccounts/'],
  ['storage blob data owner', '/providers/microsoft.storage/storageaccounts/'],
  ['3913510d-42f4-4e42-8a64-420c390055eb', '/providers/microsoft.insights/components/'],
  ['monitoring metrics publisher', '/providers/microsoft.insights/components/'],
]);

/**
 * AGENT-005: every agent has a kill switch, and no agent identity can modify it. On AWS that is
 * a managed policy (component kill-switch) and a revocation role (component revocation) for the
 * agent; on GCP and Azure any resource labelled kill-switch or revocation for the agent. Who may
 * pull it is checked too: no agent tool identity may be trusted by a revocation role, and an
 * activity monitor (component monitor), which may assume its agent's revocation role, may do
 * nothing else but alert, log and use its own table.
 */
export const KILL_SWITCH: Rule = {
  id: 'AGENT-005',
  cloud: 'all',
  severity: 'error',
  reason: 'Every agent has a pre-provisioned kill switch, and no agent identity can modify it.',
  explanation:
    'The kill switch cuts every tool identity of an agent at once, including sessions already issued. It has to exist before it is needed, '
    + 'and an agent that can edit the deny policy, the revocation role or their bindings (IAM writes on them or on `*`) can disarm it. '
    + 'On AWS both parts are required: the prepared deny-all managed policy and the revocation role that may only attach it. '
    + 'A revocation role that trusts an agent tool identity hands the switch to the agent; an activity monitor role (which assumes the '
    + 'revocation role when a verdict trips) that holds anything beyond sts:AssumeRole on its own agent\'s revocation role, sns:Publish, '
    + 'its log writes and its table\'s GetItem/PutItem/UpdateItem (replay guard, approvals, the shared denied-burst counter), each on named resources, is a second, wider way in; '
    + 'and the revocation role it assumes may only attach the agent\'s deny-all policy (an iam:PolicyARN condition naming it) to the agent\'s tool roles and set the broker\'s flag parameter. '
    + 'A GCP monitor\'s service accounts may hold only their agent\'s kill-switch role on its tool service accounts, Firestore roles on one database '
    + '(by a resource.name condition), Pub/Sub publish on a topic and Cloud Run invoke on a service, judged by role; their resources count as parts of the kill switch. '
    + 'No GCP tool may hold permissions that change, delete, publish to or write the monitor\'s resources (its topics and subscription, function and Cloud Run service, '
    + 'Firestore database, sink, alert policies) project-wide or by name: it could silence the monitor or forge its memory, and GCP deny policies cannot name those resources '
    + '(a deny rule\'s condition reads only resource tags), so the allow side is where it is caught. '
    + 'Likewise no Azure tool may hold, at the resource, its resource group, the subscription or a management group, actions that write, delete, stop, deploy to '
    + 'or read the keys and settings of the monitor\'s Function App and plan, write or list the keys of its storage account (its table, alert queue and blobs), '
    + 'change its Event Grid system topic or subscription, its alert rules, action group and what they watch (the function\'s Application Insights), or the monitored agent\'s activity-log export (built-in roles judged by '
    + 'their actions in the role data, custom roles by their actions and data actions; a role whose actions are unknown is reported); reads are not findings. '
    + 'The Azure monitor\'s identity counts as a part of the kill switch: a tool that could add a federated credential to it could act as the monitor. '
    + 'Azure deny assignments cannot be created directly (only Blueprints and deployment stacks make them), so here too the allow side is where it is caught.',
  fix: 'Create the agent through AgentIdentity (which provisions the kill switch), and remove IAM write actions on `*` or on the kill-switch resources from agent tools.',
  controls: [],
  evaluate(inventory: Inventory, _context: RuleContext): RawFinding[] {
    const findings: RawFinding[] = [];
    const tools = toolIdentities(inventory);
    const parts = killSwitchParts(inventory);
    const byIdentity = grantsByIdentity(inventory);

    // The parts of each agent, found once (not a scan of every part per agent).
    const partsByAgent = new Map<string, (typeof parts)[number][]>();
    for (const p of parts) if (p.agent !== undefined) appendTo(partsByAgent, `${p.cloud}|${p.agent}`, p);
    for (const [key, identities] of groupBy(tools, (i) => (agentOf(i) ? `${i.cloud}|${agentOf(i)}` : undefined))) {
      const [cloud, agent] = key.split('|') as [Cloud, string];
      const mine = partsByAgent.get(`${cloud}|${agent}`) ?? [];
      const has = (c: string) => mine.some((p) => p.component === c);
      const missing = cloud === 'aws'
        ? [Component.KILL_SWITCH, Component.REVOCATION].filter((c) => !has(c))
        : has(Component.KILL_SWITCH) || has(Component.REVOCATION) ? [] : [`${Component.KILL_SWITCH} or ${Component.REVOCATION}`];
      if (missing.length > 0) {
        const first = identities[0];
        findings.push({
          detail: `missing:${agent}`, cloud, resource: first.source.resource, stack: first.source.stack, file: first.source.file, identity: first.id,
          message: `agent ${agent} has no kill switch on ${cloud}: no resource labelled component ${missing.join(' and ')} for it`,
          fix: cloud === 'aws'
            ? 'Provision the agent\'s deny-all managed policy and revocation role (AgentIdentity does), tagged agent-guardrails:component kill-switch / revocation.'
            : 'Provision the agent\'s revocation custom role and bindings (AgentIdentity does), labelled agent-guardrails:component kill-switch / revocation.',
        });
      }
    }

    const gcpMonitorParts = parts.filter((p) => p.cloud === 'gcp' && p.component === Component.MONITOR);
    const azureParts = tools.some((t) => t.cloud === 'azure') ? azureMonitorParts(inventory) : [];
    for (const identity of tools) {
      for (const grant of allowGrants(byIdentity, identity)) {
        if (grant.cloud === 'azure' && azureParts.length > 0) {
          const finding = azureBlindingFinding(identity, grant, azureParts);
          if (finding) findings.push(finding);
        }
        if (grant.cloud === 'gcp' && gcpMonitorParts.length > 0) {
          const tamper = grantedActions(grant).map((a) => a.action).filter((a) => GCP_MONITOR_TAMPER.test(a.toLowerCase()));
          const reached = tamper.length > 0 ? monitorPartsReached(grant, gcpMonitorParts) : [];
          if (reached.length > 0) {
            findings.push(grantFinding(identity, grant, `can-blind-monitor:${tamper[0]}`,
              `${describeIdentity(identity)} holds ${tamper.join(', ')} on ${grant.resources.join(', ') || grant.scopeLevel || '(no resource)'}, which reaches the activity monitor's ${reached.join(', ')}: it could silence the monitor or forge its memory`,
              'Name the tool\'s own topics, services or databases (a resource-level grant, or a resource.name condition), never the project; the monitor\'s resources are named ag-<agent>-<environment>-monitor….'));
          }
        }
        const dangerous = grantedActions(grant).filter((a) => !isReadClass(a.cls) && isIdentityAdministration(grant.cloud, a.action));
        if (dangerous.length === 0) continue;
        const targets = reachableParts(grant, parts.filter((p) => p.cloud === grant.cloud));
        if (targets.length === 0) continue;
        findings.push(grantFinding(identity, grant, `can-modify:${dangerous[0].action}`,
          `${describeIdentity(identity)} holds ${dangerous.map((a) => a.action).join(', ')} on ${grant.resources.join(', ') || grant.scopeLevel || '(no resource)'}, which reaches ${targets.join(', ')}`,
          'Agent identities must not hold IAM/authorization writes on `*` or on the kill switch; name the exact resources the tool manages (never the kill switch).'));
      }
    }
    findings.push(...revocationTrustFindings(inventory, tools), ...revocationGrantFindings(inventory, byIdentity, parts), ...monitorFindings(inventory, byIdentity, parts));
    return findings;
  },
};

/** Revocation roles (AWS) that trust an agent tool identity: the agent could pull, or probe, its own switch. */
function revocationTrustFindings(inventory: Inventory, tools: readonly Identity[]): RawFinding[] {
  const toolNames = new Map<string, Identity>();
  for (const t of tools) if (t.cloud === 'aws') toolNames.set((t.name ?? t.source.resource).toLowerCase(), t);
  const out: RawFinding[] = [];
  for (const role of inventory.identities) {
    if (role.cloud !== 'aws' || role.labels.component !== Component.REVOCATION) continue;
    for (const entry of role.trust) {
      if (entry.effect !== 'Allow') continue;
      for (const principal of entry.principals) {
        const tool = toolNames.get(principal.slice(principal.lastIndexOf('/') + 1).toLowerCase());
        if (!tool || !/:role\//.test(principal)) continue;
        out.push({
          detail: `revocation-trusts:${tool.source.resource}`, cloud: 'aws', resource: role.source.resource, stack: role.source.stack, file: role.source.file, identity: role.id,
          message: `revocation role ${role.source.resource} of agent ${role.labels.agent ?? '?'} trusts ${describeIdentity(tool)}, an agent tool identity: the agent could pull or probe its own kill switch`,
          fix: 'Trust only the incident-response principals and the agent\'s AgentActivityMonitor role; never a tool role.',
        });
      }
    }
  }
  return out;
}

/**
 * What an AWS revocation role holds beyond the switch: whoever may assume it (incident response, the
 * agent's activity monitor) holds it too. It may attach exactly its agent's deny-all policy (an
 * `iam:PolicyARN` condition naming it) to its agent's own tool roles, and set the broker's flag
 * parameter; attaching any policy, or to any other role, is a way to grant instead of revoke.
 */
function revocationGrantFindings(inventory: Inventory, byIdentity: ReadonlyMap<string, readonly Grant[]>, parts: readonly (KillSwitchPart & { agent?: string })[]): RawFinding[] {
  const out: RawFinding[] = [];
  let byName: ReadonlyMap<string, Identity> | undefined;
  // Each agent's deny-all policies, found once (not a scan of every part per revocation role).
  const denyAllByAgent = new Map<string | undefined, (KillSwitchPart & { agent?: string })[]>();
  for (const p of parts) if (p.cloud === 'aws' && p.component === Component.KILL_SWITCH) appendTo(denyAllByAgent, p.agent, p);
  for (const role of inventory.identities) {
    if (role.cloud !== 'aws' || role.labels.component !== Component.REVOCATION) continue;
    const agent = role.labels.agent;
    // A role it may attach the deny-all policy to: a role of the inventory labelled as its agent's tool
    // (ToolRole writes the labels as metadata too, so they are there before tag aspects run) — never an
    // unlabelled role (an application role: the switch would cut it), another agent's, a guardrail role,
    // or a role outside the inventory (nothing says it is the agent's tool).
    const isToolRole = (r: string) => {
      const name = /^arn:[^:]*:iam::[^:]*:role\/(?:[^*?]*\/)?([^/*?]+)$/.exec(withoutPlaceholderColons(r))?.[1]?.toLowerCase();
      if (name === undefined) return false;
      byName ??= firstAwsIdentityByName(inventory.identities);
      const known = byName.get(name);
      if (!known) return false; // outside this inventory: not known as the agent's tool, so not assumed to be one
      return agentOf(known) === agent && known.labels.component === Component.TOOL_IDENTITY;
    };
    const denyAll = denyAllByAgent.get(agent) ?? [];
    // The policy's ARN, or a reference to it (`${LogicalId}`: a Ref the adapter could not resolve to an ARN).
    const namesDenyAll = (arn: unknown) => typeof arn === 'string' && !/[*?]/.test(arn)
      && denyAll.some((p) => couldReach('aws', arn, undefined, p) || arn === '${' + p.source.resource + '}');
    for (const grant of allowGrants(byIdentity, role)) {
      const exact = grant.resources.length > 0 && !grant.notResources?.length;
      const extra = (grant.notActions?.length ? ['NotAction'] : []).concat(grant.actions.filter((a) => {
        const action = a.toLowerCase();
        if (action === 'iam:attachrolepolicy') return !(exact && grant.resources.every(isToolRole) && policyArnCondition(grant).length > 0 && policyArnCondition(grant).every(namesDenyAll));
        if (action === 'ssm:putparameter') return !(exact && grant.resources.every((r) => /:parameter/.test(r) && !/[*?]/.test(r)));
        return true;
      }));
      if (extra.length === 0) continue;
      out.push(grantFinding(role, grant, `revocation-holds:${extra[0]}`,
        `revocation role ${describeIdentity(role)} of agent ${agent ?? '?'} holds ${extra.join(', ')} on ${grant.resources.join(', ') || '(no resource)'}; it may only attach the agent's deny-all policy (an iam:PolicyARN condition naming it) to the agent's tool roles and set the broker's flag — whoever assumes it (incident response, the activity monitor) could otherwise grant rather than revoke`,
        'Remove the grant: KillSwitch builds exactly that role (and CredentialBroker adds ssm:PutParameter on its flag).'));
    }
  }
  return out;
}

/**
 * The first AWS identity (in inventory order) whose name or logical id, lower-cased, is the key:
 * one index per run instead of a scan of every identity per role a revocation role names.
 */
function firstAwsIdentityByName(identities: readonly Identity[]): ReadonlyMap<string, Identity> {
  const out = new Map<string, Identity>();
  for (const i of identities) {
    if (i.cloud !== 'aws') continue;
    for (const key of [i.name?.toLowerCase(), i.source.resource.toLowerCase()]) if (key !== undefined && !out.has(key)) out.set(key, i);
  }
  return out;
}

/** The policy ARNs an `iam:PolicyARN` condition (ArnEquals/ArnLike/StringEquals/StringLike) allows; none when the grant has no such condition. */
function policyArnCondition(grant: Grant): unknown[] {
  if (typeof grant.condition !== 'object' || grant.condition === null) return [];
  const out: unknown[] = [];
  for (const [operator, entries] of Object.entries(grant.condition)) {
    if (!/^(arnequals|arnlike|stringequals|stringlike)$/i.test(operator)) continue;
    for (const [key, value] of Object.entries(entries)) if (key.toLowerCase() === 'iam:policyarn') out.push(...[value].flat());
  }
  return out;
}

/** Activity monitor roles (component monitor) that hold anything but their narrow set. */
function monitorFindings(inventory: Inventory, byIdentity: ReadonlyMap<string, readonly Grant[]>, parts: readonly (KillSwitchPart & { agent?: string })[]): RawFinding[] {
  const out: RawFinding[] = [];
  for (const monitor of inventory.identities) {
    if (monitor.labels.component !== Component.MONITOR) continue;
    if (monitor.cloud === 'gcp') {
      out.push(...gcpMonitorFindings(inventory, monitor, allowGrants(byIdentity, monitor), parts));
      continue;
    }
    const revocation = parts.filter((p) => p.cloud === monitor.cloud && p.component === Component.REVOCATION && p.agent === monitor.labels.agent);
    for (const grant of allowGrants(byIdentity, monitor)) {
      if (monitor.cloud === 'azure') {
        const extra = azureMonitorExtra(grant);
        if (extra.length > 0) {
          out.push(grantFinding(monitor, grant, `monitor-holds:${extra[0]}`,
            `activity monitor ${describeIdentity(monitor)} holds ${extra.join(', ')} on ${grant.resources.join(', ') || '(no resource)'}; a monitor may only pull its agent's kill switch, alert and use its own table and queue`,
            'Remove the grant: azure.AgentActivityMonitor assigns exactly the kill-switch path, its table, queue and host roles.'));
        }
        continue;
      }
      const extra = (grant.notActions?.length ? ['NotAction'] : []).concat(grant.actions.filter((a) => {
        const action = a.toLowerCase();
        if (action === 'sts:assumerole') {
          return grant.resources.length === 0 || grant.notResources?.length || grant.resources.some((r) => !revocation.some((p) => couldReach(grant.cloud, r, grant.scopeLevel, p) && !r.includes('*')));
        }
        // Its alert topic, log and table by name: never `*` or a wildcard (any topic, any table).
        return !MONITOR_ACTIONS.has(action) || grant.resources.length === 0 || !!grant.notResources?.length
          || grant.resources.some((r) => /[*?]/.test(action.startsWith('logs:') ? r.replace(/:\*$/, '') : r)); // a log group's ARN ends in `:*` (its streams)
      }));
      if (extra.length === 0) continue;
      out.push(grantFinding(monitor, grant, `monitor-holds:${extra[0]}`,
        `activity monitor ${describeIdentity(monitor)} holds ${extra.join(', ')} on ${grant.resources.join(', ') || '(no resource)'}; a monitor may only assume its agent's revocation role, alert, log and use its own table`,
        'Remove the grant: the monitor pulls the kill switch through the revocation role only (AgentActivityMonitor builds exactly that role).'));
    }
  }
  return out;
}

/**
 * A GCP monitor identity may hold its agent's kill-switch role on its agent's tool service accounts
 * (disable them, as incident response does) and the predefined roles of `GCP_MONITOR_ROLES` on the one
 * resource each names; a role is judged by name, so a role whose permissions the data does not list
 * is not let through.
 */
function gcpMonitorFindings(inventory: Inventory, monitor: Identity, grants: readonly Grant[], parts: readonly (KillSwitchPart & { agent?: string })[]): RawFinding[] {
  const agent = monitor.labels.agent;
  const killSwitchRoles = new Set(parts.filter((p) => p.cloud === 'gcp' && p.component === Component.KILL_SWITCH && p.agent === agent && p.name !== undefined).map((p) => p.name!));
  const toolAccounts = new Set(toolIdentities(inventory).filter((t) => t.cloud === 'gcp' && agentOf(t) === agent && t.name !== undefined).map((t) => t.name!.toLowerCase()));
  const isToolAccount = (r: string) => {
    const email = /^projects\/[^/]+\/serviceAccounts\/([^/@]+)@[^/]+$/.exec(r)?.[1];
    return email !== undefined && toolAccounts.has(email.toLowerCase());
  };
  const out: RawFinding[] = [];
  for (const grant of grants) {
    const role = grant.role ?? '';
    const resources = effectiveResources(grant);
    const ok = agent !== undefined && resources.length > 0 && (killSwitchRoles.has(role)
      ? grant.scopeLevel === 'resource' && resources.every(isToolAccount)
      : GCP_MONITOR_ROLES[role] !== undefined && resources.every((r) => GCP_MONITOR_ROLES[role].test(r)));
    if (ok) continue;
    out.push(grantFinding(monitor, grant, `monitor-holds:${role || grant.actions[0] || '?'}`,
      `activity monitor ${describeIdentity(monitor)} holds ${role || grant.actions.join(', ')} on ${resources.join(', ') || '(no resource)'}; a GCP monitor may only hold its agent's kill-switch role on its agent's tool service accounts, Firestore roles on one database, publish on a topic and invoke a Cloud Run service`,
      'Remove the grant: gcp.AgentActivityMonitor builds exactly the grants it needs.'));
  }
  return out;
}

/** What an Azure monitor grant holds beyond its narrow set (subscription- or management-group-wide grants are always too wide). */
function azureMonitorExtra(grant: Grant): string[] {
  const level = grant.scopeLevel;
  if (level !== 'resource' && level !== 'resource-group') return [`${grant.actions[0] ?? 'a role'} at ${level ?? 'an unknown'} scope`];
  const hostType = grant.role ? AZURE_MONITOR_HOST_ROLES.get(grant.role.slice(grant.role.lastIndexOf('/') + 1).toLowerCase()) : undefined;
  if (hostType !== undefined && level === 'resource' && grant.resources.length > 0 && grant.resources.every((r) => r.toLowerCase().includes(hostType))) return [];
  return (grant.notActions?.length ? ['NotActions'] : []).concat(grant.actions.filter((a) => !AZURE_MONITOR_ACTIONS.has(a.toLowerCase())));
}

/**
 * An Azure tool grant whose actions change one of the monitor's resources (its function app, storage
 * account, Event Grid topic and subscription, alerts, action group and the Application Insights they
 * watch, or the agent's activity-log export) at the resource, its resource group, the subscription or a management group. A role whose
 * actions are not known (not in the role data nor in the configuration) is reported, never passed.
 * Azure deny assignments cannot be created directly, so the allow side is where this is caught.
 */
function azureBlindingFinding(identity: Identity, grant: Grant, parts: readonly AzureMonitorPart[]): RawFinding | undefined {
  const reached = azureMonitorPartsReached(grant, parts);
  if (reached.length === 0) return undefined;
  // A Key Vault access policy's actions are its permissions (none means it grants nothing), never an unknown role.
  const unknownRole = grant.actions.length === 0 && !grant.notActions?.length && grant.role !== KEY_VAULT_ACCESS_POLICY_ROLE;
  const tamper = new Set<string>();
  const hit: string[] = [];
  for (const part of reached) {
    const actions = unknownRole ? [] : azureTamperActions(grant, part);
    if (!unknownRole && actions.length === 0) continue;
    actions.forEach((a) => tamper.add(a));
    hit.push(part.what);
  }
  if (hit.length === 0) return undefined;
  const where = grant.resources.join(', ') || grant.scopeLevel || '(no scope)';
  const named = hit.length > 4 ? `${hit.slice(0, 4).join(', ')} and ${hit.length - 4} more` : hit.join(', ');
  const fix = 'Scope the tool to its own resources with a role that cannot write the monitor\'s types; the monitor\'s resources are named after <agent>-<environment>-monitor (ag-monitor-…, agm… storage).';
  if (unknownRole) {
    return grantFinding(identity, grant, `can-blind-monitor:unknown-role:${grant.role ?? '?'}`,
      `${describeIdentity(identity)} holds ${grant.role ?? 'a role'} on ${where}, whose actions are not in the role data nor the configuration, and which reaches the activity monitor's ${named}: it could silence the monitor or forge its memory`,
      `${fix} Or give the role's definition (agent-guardrails data pull azure) so its actions can be judged.`);
  }
  const list = [...tamper];
  return grantFinding(identity, grant, `can-blind-monitor:${list[0]}`,
    `${describeIdentity(identity)} holds ${list.join(', ')}${grant.role ? ` (${grant.role})` : ''} on ${where}, which reaches the activity monitor's ${named}: it could silence the monitor or forge its memory`,
    fix);
}

/** A monitor resource collection and a wildcard last segment (`projects/p/topics/*`, `.../databases/ag-*`). */
const MONITOR_COLLECTION_LAST = /\/(?:topics|subscriptions|databases|services|functions|sinks|alertpolicies|notificationchannels)\/([^/]*)$/;

/**
 * The GCP monitor parts a grant reaches: all of them from a project or wider grant, unless a
 * `resource.name` condition pins names; else those named in a resource, or matched by a wildcard
 * last segment of one of the monitor's collections (a wildcard under another collection, such as a
 * tool's own documents, does not reach them).
 */
function monitorPartsReached(grant: Grant, parts: readonly KillSwitchPart[]): string[] {
  const resources = effectiveResources(grant);
  if (resources === grant.resources && grant.scopeLevel !== undefined && grant.scopeLevel !== 'resource') return parts.map(describePart);
  return parts.filter((p) => p.name !== undefined && resources.some((r) => {
    const lower = r.toLowerCase();
    const name = p.name!.toLowerCase();
    if (lower === '*' || lower.includes(name)) return true;
    const last = MONITOR_COLLECTION_LAST.exec(lower)?.[1];
    return last !== undefined && last.includes('*') && globMatch(last, name);
  })).map(describePart);
}

/** Kill-switch and revocation parts of every agent, from identities, policies and other resources. */
function killSwitchParts(inventory: Inventory): (KillSwitchPart & { agent?: string })[] {
  const wanted: string[] = [Component.KILL_SWITCH, Component.REVOCATION];
  const out: (KillSwitchPart & { agent?: string })[] = [];
  const add = (cloud: Cloud, labels: AgentLabels | undefined, name: string | undefined, source: SourceLocation, isIdentity = false) => {
    // GCP: the activity monitor's resources (its service accounts, topics, sink, function) are a way to pull the switch, and to blind it.
    // Azure: the monitor's identity (it holds the kill-switch role): a federated credential added to it lets a tool act as the monitor.
    // Its other resources are judged by action (azure-monitor-reach), not here.
    const monitor = labels?.component === Component.MONITOR && (cloud === 'gcp' || (cloud === 'azure' && isIdentity));
    const part = labels?.component !== undefined && (wanted.includes(labels.component) || monitor);
    if (part) out.push({ cloud, component: labels!.component!, agent: labels!.agent, name, source });
  };
  for (const i of inventory.identities) add(i.cloud, i.labels, i.name, i.source, true);
  for (const p of inventory.policies) add(p.cloud, p.labels, p.name, p.source);
  for (const o of inventory.others) add(o.cloud, o.labels, nameOf(o.properties), o.source);
  // GCP/Azure: the revocation bindings on the tool identities are labelled too.
  for (const g of inventory.grants) add(g.cloud, g.labels, undefined, g.source);
  return out;
}

function nameOf(properties: Record<string, unknown>): string | undefined {
  for (const key of ['name', 'role_id', 'ManagedPolicyName', 'RoleName', 'PolicyName']) {
    const v = properties[key];
    if (typeof v === 'string') return v;
  }
  return undefined;
}

/** Actions that administer identities and policies: the ones that could disarm a kill switch. */
function isIdentityAdministration(cloud: Cloud, action: string): boolean {
  const a = action.toLowerCase();
  if (a === '*' || a.startsWith('notaction')) return true;
  if (cloud === 'aws') return /^(iam|sts|organizations):/.test(a) || globMatch(a.split(':')[0] || a, 'iam');
  if (cloud === 'gcp') {
    return a.startsWith('iam.') || a.endsWith('.setiampolicy') || a.startsWith('roles/iam.')
      || a === 'roles/owner' || a === 'roles/editor' || /iamadmin|securityadmin/.test(a);
  }
  // Azure: authorization and managed-identity actions, or a built-in role that manages access.
  if (!a.includes('/')) return classifyKnownRole('azure', action) === 'permissions';
  const provider = a.split('/')[0];
  return globMatch(provider, 'microsoft.authorization') || globMatch(provider, 'microsoft.managedidentity');
}

/** The kill-switch parts a grant's resources could reach (by wildcard, by name, or by a containing scope). */
function reachableParts(grant: Grant, parts: readonly KillSwitchPart[]): string[] {
  const hits = new Set<string>();
  for (const r of grant.resources.length > 0 ? grant.resources : ['*']) {
    if (r === '*') {
      // An IAM write on every resource reaches the kill switch even before it is provisioned.
      hits.add(parts.length > 0 ? parts.map(describePart).join(', ') : 'every kill switch (resource *)');
      continue;
    }
    for (const p of parts) {
      if (couldReach(grant.cloud, r, grant.scopeLevel, p)) hits.add(describePart(p));
    }
  }
  return [...hits];
}

function couldReach(cloud: Cloud, resource: string, scopeLevel: Grant['scopeLevel'], part: KillSwitchPart): boolean {
  if (cloud === 'aws') {
    const m = /^arn:[^:]*:[^:]*:[^:]*:[^:]*:(.*)$/.exec(withoutPlaceholderColons(resource));
    if (!m) return false;
    const kind = part.component === Component.REVOCATION ? 'role' : 'policy';
    // Without a name the adapter writes the logical id into same-template ARNs.
    const name = part.name ?? part.source.resource;
    return globMatch(m[1], `${kind}/${name}`) || namesPart(m[1], kind, name);
  }
  // GCP / Azure: a project, subscription, resource-group or wider grant covers everything in it.
  if (scopeLevel && scopeLevel !== 'resource') return true;
  return part.name !== undefined && resource.toLowerCase().includes(part.name.toLowerCase());
}

function describePart(p: KillSwitchPart): string {
  return `${p.component} ${p.name ?? p.source.resource}`;
}

/** Whether `resource` is `kind/name` or `kind/<path>/name` (IAM paths), compared case-insensitively. */
function namesPart(resource: string, kind: string, name: string): boolean {
  const r = resource.toLowerCase();
  const prefix = `${kind}/`;
  const suffix = `/${name.toLowerCase()}`;
  return r === `${prefix}${name.toLowerCase()}` || (r.startsWith(prefix) && r.endsWith(suffix) && r.length >= prefix.length + suffix.length);
}
