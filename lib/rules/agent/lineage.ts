import { Cloud, Identity, Inventory, OtherResource, TrustEntry } from '../../inventory/inventory';
import { RawFinding, Rule, RuleContext } from '../rule';
import { AccessLevel } from '../../model/access-level';
import { assumersOf, describeIdentity, environmentOf, groupBy, identityFinding, PrincipalIndex, toolIdentities } from './private/agent-inventory';
import { BrokerIndex } from './private/brokers';
import { pushAll } from '../../private/push-all';

/** Namespace of the session tags the broker sets (agent, tool, tier, environment, run / prompt lineage). */
export const LINEAGE_TAG_PREFIX = 'agent-guardrails:';

/** Terraform types that count as an audit sink per cloud. */
const AUDIT_SINK_TYPES: Record<Exclude<Cloud, 'aws'>, string> = {
  gcp: 'google_project_iam_audit_config',
  azure: 'azurerm_monitor_diagnostic_setting',
};

/**
 * AGENT-006: every action of an agent can be traced back to its run. On AWS the tool roles'
 * trust requires `sts:SourceIdentity` and lets the broker set only the lineage session tags;
 * on GCP and Azure an audit sink exists for every environment the agents run in.
 */
export const LINEAGE: Rule = {
  id: 'AGENT-006',
  cloud: 'all',
  severity: 'error',
  reason: 'Agent actions carry their lineage: the broker sets source identity and session tags (AWS), audit sinks exist (GCP, Azure), and a brokered tool is reachable only through its broker.',
  explanation:
    'A reviewer must be able to go from a CloudTrail or audit-log entry back to the agent, tool and run that caused it. '
    + 'On AWS that needs the source identity (which persists across role chaining) and the agent-guardrails:* session tags, '
    + 'and it needs the trust policy to refuse sessions without a source identity and tags outside that namespace. '
    + 'On GCP and Azure the data-access audit config or diagnostic setting must exist for each environment. '
    + 'A tool identity served by a broker (recorded by the GCP or Azure CredentialBroker construct for its agent and environment, or trusted by a '
    + 'broker identity) must be reachable through that broker alone: another principal with Token Creator or actAs on the tool service account, '
    + 'another issuer or subject on its federated credential, or another role in its trust policy gets credentials with no kill-switch check, '
    + 'no window, no approval and no decision record. (Destructive tools are AGENT-004\'s.)',
  fix: 'Let only the broker reach a brokered tool identity (remove other Token Creator / actAs members, federated credentials and trusted roles). '
    + 'On AWS require sts:SourceIdentity on the tool roles\' AssumeRole statement and allow sts:TagSession only with ForAllValues:StringEquals on aws:TagKeys '
    + 'listing agent-guardrails:* keys; on GCP add google_project_iam_audit_config, on Azure an azurerm_monitor_diagnostic_setting, per environment.',
  controls: [],
  evaluate(inventory: Inventory, _context: RuleContext): RawFinding[] {
    const findings: RawFinding[] = [];
    const tools = toolIdentities(inventory);
    for (const identity of tools.filter((i) => i.cloud === 'aws' && i.kind === 'aws-iam-role')) {
      pushAll(findings, awsTrustLineage(identity));
    }
    pushAll(findings, brokerBypasses(inventory, tools));
    for (const cloud of ['gcp', 'azure'] as const) {
      const byEnv = groupBy(tools.filter((i) => i.cloud === cloud), (i) => environmentOf(i) ?? '(none)');
      const sinks = inventory.others.filter((o) => o.cloud === cloud && o.type === AUDIT_SINK_TYPES[cloud]);
      for (const [env, identities] of byEnv) {
        if (sinks.some((s) => sinkCovers(s, env, identities, byEnv.size))) continue;
        findings.push(identityFinding(identities[0], `no-audit-sink:${env}`,
          `environment ${env} has agent identities on ${cloud} (${identities.map((i) => i.source.resource).join(', ')}) but no ${AUDIT_SINK_TYPES[cloud]} for it`,
          `Add a ${AUDIT_SINK_TYPES[cloud]} for environment ${env} (AgentIdentity creates one), so agent actions are logged.`));
      }
    }
    return findings;
  },
};

/** Ways to a brokered read or write tool identity that do not go through its broker (all clouds). */
function brokerBypasses(inventory: Inventory, tools: readonly Identity[]): RawFinding[] {
  const out: RawFinding[] = [];
  const brokers = BrokerIndex.of(inventory);
  const index = PrincipalIndex.of(inventory);
  for (const tool of tools) {
    if (tool.declaration?.accessLevel === AccessLevel.DESTRUCTIVE) continue;
    const assumers = assumersOf(index, tool);
    if (!brokers.isBrokered(tool, assumers)) continue;
    for (const a of assumers) {
      if (brokers.isTheBroker(tool, a)) continue;
      const who = a.identity ? describeIdentity(a.identity) : a.principal;
      out.push(identityFinding(tool, `bypasses-broker:${a.via}`,
        `${describeIdentity(tool)} is served by its credential broker, but ${who} can also reach it (via ${a.via}) around the broker: `
        + 'no kill-switch check, window, approval or decision record for what it does',
        a.via === 'federation'
          ? 'Trust only the broker\'s issuer with the tool\'s subject (AgentIdentity with `broker`); delete the other federated credential.'
          : a.via === 'impersonation'
            ? 'Remove the other Token Creator / Service Account User / actAs binding on the tool service account; only the broker mints its tokens.'
            : 'Trust only the broker role in the tool role\'s trust policy.'));
    }
  }
  return out;
}

function awsTrustLineage(identity: Identity): RawFinding[] {
  const out: RawFinding[] = [];
  const allows = identity.trust.filter((t) => t.effect === 'Allow');
  for (const t of allows) {
    if (t.actions.some(isAssumeRole) && !requiresSourceIdentity(t)) {
      out.push(identityFinding(identity, 'no-source-identity',
        `${describeIdentity(identity)} can be assumed (${t.actions.join(', ')}) without a source identity: its trust does not require sts:SourceIdentity`,
        'Add a condition on sts:SourceIdentity (e.g. StringLike "sts:SourceIdentity": "*") to the AssumeRole statement, and allow sts:SetSourceIdentity for the broker.'));
    }
    if (t.actions.some(isTagSession)) {
      const bad = tagKeyRestriction(t);
      if (bad) {
        out.push(identityFinding(identity, 'session-tags',
          `${describeIdentity(identity)} lets ${t.principals.join(', ') || 'its principals'} set session tags ${bad}`,
          `Allow sts:TagSession only with ForAllValues:StringEquals on aws:TagKeys listing ${LINEAGE_TAG_PREFIX}* keys (agent, tool, environment, run).`));
      }
    }
  }
  if (allows.some((t) => t.actions.some(isAssumeRole)) && !allows.some((t) => t.actions.some(isSetSourceIdentity))) {
    out.push(identityFinding(identity, 'no-set-source-identity',
      `${describeIdentity(identity)} does not allow sts:SetSourceIdentity, so the broker cannot stamp its sessions with the run's source identity`,
      'Allow sts:SetSourceIdentity for the broker in the trust policy.', 'warning'));
  }
  return out;
}

const lower = (a: string) => a.toLowerCase();
function isAssumeRole(a: string): boolean {
  return ['*', 'sts:*', 'sts:assumerole', 'sts:assumerolewithwebidentity', 'sts:assumerolewithsaml'].includes(lower(a)) || lower(a).startsWith('sts:assumerole*');
}
function isTagSession(a: string): boolean {
  return ['*', 'sts:*', 'sts:tagsession', 'sts:tag*'].includes(lower(a));
}
function isSetSourceIdentity(a: string): boolean {
  return ['*', 'sts:*', 'sts:setsourceidentity', 'sts:set*'].includes(lower(a));
}

/** True when the statement cannot be used without a source identity. */
function requiresSourceIdentity(t: TrustEntry): boolean {
  for (const [op, block] of Object.entries(t.condition ?? {})) {
    for (const [key, value] of Object.entries(block)) {
      if (lower(key) !== 'sts:sourceidentity') continue;
      const o = lower(op);
      // `Null: false` and any positive string test need the key; `Null: true` and `...IfExists` do not.
      if (o === 'null') { if (String(value).toLowerCase() === 'false') return true; continue; }
      if (o.endsWith('ifexists') || o.includes('not')) continue;
      return true;
    }
  }
  return false;
}

/** Why the session-tag keys are not limited to the lineage namespace, or undefined when they are. */
function tagKeyRestriction(t: TrustEntry): string | undefined {
  for (const [op, block] of Object.entries(t.condition ?? {})) {
    const o = lower(op);
    if (o !== 'forallvalues:stringequals' && o !== 'forallvalues:stringequalsignorecase' && o !== 'forallvalues:stringlike') continue;
    for (const [key, value] of Object.entries(block)) {
      if (lower(key) !== 'aws:tagkeys') continue;
      const keys = (Array.isArray(value) ? value : [value]).map(String);
      const outside = keys.filter((k) => !k.startsWith(LINEAGE_TAG_PREFIX) || /[*?]/.test(k));
      return outside.length === 0 ? undefined : `outside the ${LINEAGE_TAG_PREFIX} namespace: ${outside.join(', ')}`;
    }
  }
  return 'with any key (no ForAllValues:StringEquals condition on aws:TagKeys)';
}

/** Whether an audit sink belongs to an environment: by label, by stack, or by project/subscription used there. */
function sinkCovers(sink: OtherResource, env: string, identities: readonly Identity[], environmentCount: number): boolean {
  if (sink.labels?.environment) return sink.labels.environment === env;
  if (sink.source.stack && identities.some((i) => i.source.stack === sink.source.stack)) return true;
  const scope = [sink.properties.project, sink.properties.target_resource_id].find((v): v is string => typeof v === 'string');
  if (scope && identities.some((i) => [...(i.declaration?.resources ?? []), i.name ?? ''].some((r) => r && (r.includes(`projects/${scope}`) || r.toLowerCase().startsWith(scope.toLowerCase()))))) return true;
  // A single environment with an unlabelled sink in the same inventory: nothing else it could be for.
  return environmentCount === 1;
}
