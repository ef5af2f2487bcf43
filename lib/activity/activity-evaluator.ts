import { Baseline } from '../baseline/baseline';
import { Cloud } from '../inventory/inventory';
import { ChangeWindow } from '../model/change-window';
import { ActivityEvent, ActivityLocation } from './activity-event';
import { ActivityPlaybook, PlaybookAgent, PlaybookPlacement, PlaybookTool } from './activity-playbook';
import { ActivityVerdict, VerdictCode, VerdictSeverity } from './activity-verdict';
import { ActivityPolicy, activityPolicyOf, policySeverity } from './activity-policy';
import { ApprovalLedger, IApprovalEvidence } from './approval-ledger';
import { DeniedBurstTracker, deniedBurstSession } from './denied-burst';
import { hasGlobWildcard } from '../private/glob-match';
import { actionPattern, DeclaredPattern, resourcePatterns } from './private/pattern-match';
import { identityKey } from './private/identity-key';
import { WindowClock } from './private/window-clock';
import { appendTo } from '../private/append-to';
import { withoutTrailingSlashes } from '../private/linear-scans';

export interface ActivityEvaluatorOptions {
  /**
   * The baseline: severity per verdict (`activity.verdicts`) and the denied-burst window.
   * @default Baseline.default()
   */
  readonly baseline?: Baseline;
  /**
   * The baseline's activity section, already resolved (what a monitor function carries); wins over `baseline`.
   * @default - activityPolicyOf(baseline)
   */
  readonly policy?: ActivityPolicy;
  /**
   * Where approvals are looked up for approval-gated tools.
   * @default - an `ApprovalLedger` fed through `recordDecision`
   */
  readonly approvals?: IApprovalEvidence;
}

/** Identities remembered per cloud (a deployment has a few dozen; other principals' calls add some). */
const IDENTITY_CACHE_MAX = 4096;

/** One tool of one agent in one environment, prepared for fast lookups. */
interface CompiledTool {
  readonly agent: string;
  readonly environment: string;
  readonly placement?: PlaybookPlacement;
  readonly tool: string;
  readonly cloud: Cloud;
  readonly knowsIdentities: boolean;
  readonly requiresApproval: boolean;
  readonly exactActions: ReadonlySet<string>;
  readonly actionPatterns: readonly DeclaredPattern[];
  readonly exactResources: ReadonlySet<string>;
  readonly resources: DeclaredPattern;
  readonly window?: WindowClock;
  /** The reason of an `expected` verdict (built once: most events get it). */
  readonly expectedReason: string;
}

/**
 * Compares normalized activity events with what the agents declared, one event at a time, and
 * gives each a verdict with a reason code and a severity from the baseline. Pure apart from two
 * bounded memories: the denied-burst window and the approvals it has been told about.
 *
 * The checks run in this order, and the first that fails is the verdict: unknown-identity,
 * other-environment, outside-window, undeclared-action, undeclared-resource,
 * destructive-without-approval; a denied event that completes a burst becomes `denied-burst`
 * unless its own verdict already trips the kill switch.
 */
export class ActivityEvaluator {
  /** The approvals learnt from `recordDecision` (when no other evidence was given). */
  public readonly ledger: ApprovalLedger;
  private readonly approvals: IApprovalEvidence;
  private readonly policy: ActivityPolicy;
  private readonly severities = new Map<VerdictCode, VerdictSeverity>();
  private readonly byIdentity = new Map<string, CompiledTool>();
  /**
   * Identities as logs write them (role ARNs, emails, object ids) → their declared tool, or null:
   * `identityKey` costs a regular expression and two new strings per event, the same few
   * identities recur in every record, and a string read from a log hashes once. Bounded.
   */
  private readonly identityCache = new Map<Cloud, Map<string, CompiledTool | null>>();
  private readonly byTool = new Map<string, CompiledTool[]>();
  private readonly agents = new Set<string>();
  private readonly bursts: DeniedBurstTracker;

  constructor(playbook: ActivityPlaybook, options: ActivityEvaluatorOptions = {}) {
    this.policy = options.policy ?? activityPolicyOf(options.baseline ?? Baseline.default());
    this.ledger = new ApprovalLedger();
    this.approvals = options.approvals ?? this.ledger;
    for (const code of Object.values(VerdictCode)) this.severities.set(code, policySeverity(this.policy, code));
    const burst = this.policy.deniedBurst;
    this.bursts = new DeniedBurstTracker(burst.threshold, burst.windowSeconds * 1000);
    for (const agent of playbook.agents) this.addAgent(agent);
  }

  /** Severity of a verdict code under this evaluator's baseline. */
  public severityOf(code: VerdictCode): VerdictSeverity {
    return this.severities.get(code) ?? 'alert';
  }

  /** Learn from a broker decision record (approved grants are the evidence for approval-gated tools). */
  public recordDecision(record: Parameters<ApprovalLedger['record']>[0]): void {
    this.ledger.record(record);
  }

  /**
   * Whether an event is an agent's at all: it claims an agent (AWS: a source identity), or its
   * identity is a declared tool identity. Other principals' calls are no agent activity; a feed
   * that cannot filter them at the source (an exported log) skips them with this.
   */
  public isAgentActivity(event: ActivityEvent): boolean {
    return event.agent !== undefined || (event.identity !== undefined && this.toolByIdentity(event.cloud, event.identity) !== undefined)
      || this.impersonatingTool(event) !== undefined;
  }

  /** The declared tool that impersonated its way to the event's identity (GCP delegation chain), if any. */
  private impersonatingTool(event: ActivityEvent): CompiledTool | undefined {
    if (event.delegatedBy === undefined) return undefined;
    for (const id of event.delegatedBy) {
      const t = this.toolByIdentity(event.cloud, id);
      if (t) return t;
    }
    return undefined;
  }

  /** The declared agent and tool whose identity acted in an event, if its identity is one. */
  public toolOfIdentity(event: ActivityEvent): { readonly agent: string; readonly tool: string } | undefined {
    const t = event.identity === undefined ? undefined : this.toolByIdentity(event.cloud, event.identity);
    return t === undefined ? undefined : { agent: t.agent, tool: t.tool };
  }

  /** The verdict on one event (denials counted in this evaluator's own window: one process). */
  public evaluate(event: ActivityEvent): ActivityVerdict {
    const base = this.judge(event);
    if (event.outcome !== 'denied') return base;
    const burst = this.bursts.deny(deniedBurstSession(event), event.time);
    return this.withDeniedBurst(base, burst ? this.policy.deniedBurst.threshold : 0);
  }

  /**
   * The verdict on one event before any denied-burst counting: for a monitor whose denials are
   * counted in a store its instances share (`IDeniedBurstCounter`), which then calls `withDeniedBurst`.
   */
  public judgeEvent(event: ActivityEvent): ActivityVerdict {
    return this.judge(event);
  }

  /** What makes a burst under this evaluator's baseline. */
  public get deniedBurst(): ActivityPolicy['deniedBurst'] {
    return this.policy.deniedBurst;
  }

  /**
   * `verdict` of a denied event, given how many denials its session has counted: a burst
   * (`denied` at or over the threshold) becomes `denied-burst`, unless the verdict already trips.
   */
  public withDeniedBurst(verdict: ActivityVerdict, denied: number): ActivityVerdict {
    const burst = this.policy.deniedBurst;
    if (verdict.event.outcome !== 'denied' || denied < burst.threshold || verdict.severity === 'trip') return verdict;
    return { ...verdict, code: VerdictCode.DENIED_BURST, severity: this.severityOf(VerdictCode.DENIED_BURST), reason: `${burst.threshold} or more access-denied answers within ${burst.windowSeconds} s to one session (probing); this one: ${clip(verdict.event.action)}` };
  }

  private judge(event: ActivityEvent): ActivityVerdict {
    const byIdentity = event.identity ? this.toolByIdentity(event.cloud, event.identity) : undefined;
    let candidates: readonly CompiledTool[];
    if (byIdentity) {
      if ((event.agent !== undefined && event.agent !== byIdentity.agent) || (event.tool !== undefined && event.tool !== byIdentity.tool)) {
        return this.verdict(VerdictCode.UNKNOWN_IDENTITY, event, byIdentity, `identity ${clip(event.identity)} is tool ${byIdentity.tool} of agent ${byIdentity.agent}, but the session claims agent ${clip(event.agent ?? '(none)')} tool ${clip(event.tool ?? '(none)')}`);
      }
      candidates = [byIdentity]; // an identity belongs to one environment
    } else {
      const impersonator = this.impersonatingTool(event);
      if (impersonator) {
        return this.verdict(VerdictCode.UNKNOWN_IDENTITY, event, impersonator, `tool ${impersonator.tool} of agent ${impersonator.agent} acted as ${clip(event.identity ?? '(none)')} by impersonation, an identity it does not declare`);
      }
      if (event.agent === undefined || !this.agents.has(event.agent)) {
        return this.verdict(VerdictCode.UNKNOWN_IDENTITY, event, undefined, event.agent === undefined
          ? `identity ${clip(event.identity ?? '(none)')} is no declared tool identity and claims no agent`
          : `agent ${clip(event.agent)} is not declared`);
      }
      const tools = event.tool === undefined ? undefined : this.byTool.get(toolKey(event.agent, event.tool, event.cloud));
      if (!tools) {
        return this.verdict(VerdictCode.UNKNOWN_IDENTITY, event, undefined, `agent ${event.agent} declares no ${event.cloud} tool ${clip(event.tool ?? '(none)')}`);
      }
      if (event.identity !== undefined && tools.some((t) => t.knowsIdentities)) {
        return this.verdict(VerdictCode.UNKNOWN_IDENTITY, event, tools[0], `identity ${clip(event.identity)} is not the identity of tool ${tools[0].tool} of agent ${tools[0].agent}`);
      }
      candidates = tools;
    }

    const tool = this.pickEnvironment(candidates, event);
    if (!tool) {
      const declared = candidates.map((c) => c.environment).join(', ');
      return this.verdict(VerdictCode.OTHER_ENVIRONMENT, event, candidates[0],
        `tool ${candidates[0].tool} of agent ${candidates[0].agent} is declared for ${declared}; it acted in ${clip(describeLocation(event))}`);
    }
    if (tool.window && !tool.window.isOpen(event.time)) {
      return this.verdict(VerdictCode.OUTSIDE_WINDOW, event, tool, `tool ${tool.tool} acted at ${isoTime(event.time)}, outside its change window (${tool.window.timeZone})`);
    }
    if (!actionDeclared(tool, event.action)) {
      return this.verdict(VerdictCode.UNDECLARED_ACTION, event, tool, `tool ${tool.tool} declares no ${clip(event.action)}`);
    }
    for (const r of event.resources) {
      if (!resourceIn(tool, r)) {
        return this.verdict(VerdictCode.UNDECLARED_RESOURCE, event, tool, `tool ${tool.tool} declares ${clip(event.action)} but not on ${clip(r)}`);
      }
    }
    if (tool.requiresApproval && event.outcome === 'allowed'
      && !this.approvals.hasApproval(tool.agent, tool.tool, event.lineage, event.lineageTruncated === true, event.time)) {
      return this.verdict(VerdictCode.DESTRUCTIVE_WITHOUT_APPROVAL, event, tool,
        `tool ${tool.tool} needs an approval per use; no approved broker decision covers ${event.lineage === undefined ? 'this time' : `lineage ${clip(event.lineage)}`}`);
    }
    return this.verdict(VerdictCode.EXPECTED, event, tool, tool.expectedReason);
  }

  /** The declared tool whose identity `identity` is (compared as `identityKey` says). */
  private toolByIdentity(cloud: Cloud, identity: string): CompiledTool | undefined {
    let cache = this.identityCache.get(cloud);
    if (!cache) {
      cache = new Map();
      this.identityCache.set(cloud, cache);
    }
    let tool = cache.get(identity);
    if (tool === undefined) {
      tool = this.byIdentity.get(identityKey(cloud, identity)) ?? null;
      if (cache.size >= IDENTITY_CACHE_MAX) cache.clear(); // hostile logs with endless identities only lose the shortcut
      cache.set(identity, tool);
    }
    return tool ?? undefined;
  }

  /** The candidate of the environment the event happened in, or undefined when it is none of them. */
  private pickEnvironment(candidates: readonly CompiledTool[], event: ActivityEvent): CompiledTool | undefined {
    const claimed = event.environment;
    for (const t of candidates) if ((claimed === undefined || t.environment === claimed) && placementContains(t.placement, event.cloud, event.location)) return t;
    return undefined;
  }

  private verdict(code: VerdictCode, event: ActivityEvent, tool: CompiledTool | undefined, reason: string): ActivityVerdict {
    return {
      code,
      severity: this.severityOf(code),
      reason,
      agent: tool?.agent ?? event.agent,
      tool: tool?.tool ?? event.tool,
      environment: tool?.environment,
      lineage: event.lineage,
      event,
    };
  }

  private addAgent(agent: PlaybookAgent): void {
    this.agents.add(agent.agent);
    for (const t of agent.tools) {
      const compiled = compileTool(agent, t);
      const key = toolKey(agent.agent, t.name, t.cloud);
      appendTo(this.byTool, key, compiled);
      for (const id of t.identities) this.byIdentity.set(identityKey(t.cloud, id), compiled);
    }
  }
}

function compileTool(agent: PlaybookAgent, t: PlaybookTool): CompiledTool {
  const actions = t.actions.map((a) => a.toLowerCase());
  const resources = [...t.resources, ...t.dataSources];
  const exactResources = resources.filter((r) => !hasGlobWildcard(r)).map((r) => normalizeResource(t.cloud, r));
  return {
    agent: agent.agent,
    environment: agent.environment,
    placement: agent.placement,
    tool: t.name,
    cloud: t.cloud,
    knowsIdentities: t.identities.length > 0,
    requiresApproval: t.requiresApproval,
    exactActions: new Set(actions.filter((a) => !hasGlobWildcard(a))),
    actionPatterns: actions.filter(hasGlobWildcard).map((a) => actionPattern(t.cloud, a)),
    exactResources: new Set(exactResources),
    resources: resourcePatterns(t.cloud, resources),
    window: t.window ? new WindowClock(ChangeWindow.of(t.window)) : undefined,
    expectedReason: `within tool ${t.name}'s declarations`,
  };
}

function actionDeclared(tool: CompiledTool, action: string): boolean {
  const a = action.toLowerCase();
  if (tool.exactActions.has(a)) return true;
  for (const p of tool.actionPatterns) if (p.test(a)) return true;
  return false;
}

function resourceIn(tool: CompiledTool, resource: string): boolean {
  if (tool.exactResources.has(normalizeResource(tool.cloud, resource))) return true;
  return tool.resources.test(resource);
}

/** Azure resource ids are case-insensitive and may end in `/`; AWS ARNs and GCP names are compared as written. */
function normalizeResource(cloud: Cloud, r: string): string {
  return cloud === 'azure' ? withoutTrailingSlashes(r).toLowerCase() : r;
}

/** Whether a location lies in a placement; a part either side does not know is not compared. */
function placementContains(placement: PlaybookPlacement | undefined, cloud: Cloud, loc: ActivityLocation | undefined): boolean {
  if (!placement || !loc) return true;
  if (cloud === 'aws') return !placement.aws || !loc.account || placement.aws.account === loc.account;
  if (cloud === 'gcp') return !placement.gcp || !loc.project || placement.gcp.project === loc.project;
  const az = placement.azure;
  if (!az) return true;
  if (loc.subscription && az.subscriptionId.toLowerCase() !== loc.subscription.toLowerCase()) return false;
  return !az.resourceGroup || !loc.resourceGroup || az.resourceGroup.toLowerCase() === loc.resourceGroup.toLowerCase();
}

function toolKey(agent: string, tool: string, cloud: Cloud): string {
  return `${agent}\u0000${tool}\u0000${cloud}`;
}

function describeLocation(event: ActivityEvent): string {
  const l = event.location ?? {};
  const parts = [
    event.environment !== undefined ? `environment ${event.environment}` : '',
    l.account ? `account ${l.account}` : '', l.project ? `project ${l.project}` : '',
    l.subscription ? `subscription ${l.subscription}` : '', l.resourceGroup ? `resource group ${l.resourceGroup}` : '',
  ].filter((p) => p !== '');
  return parts.join(', ') || 'an unknown place';
}

function isoTime(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}

/** Values from logs are not ours: keep them short in reasons. */
function clip(s: string | undefined): string {
  const v = s ?? '';
  return v.length > 200 ? `${v.slice(0, 197)}...` : v;
}
