import { Cloud } from '../inventory/inventory';
import { hasGlobWildcard } from '../private/glob-match';
import { ActivityEvent } from './activity-event';
import { ActivityEvaluator } from './activity-evaluator';
import { ActivityPlaybook } from './activity-playbook';
import { ActivityVerdict, DEVIATION_CODES, VerdictCode, VerdictSeverity } from './activity-verdict';
import { actionPattern } from './private/pattern-match';

/** Examples kept per deviation kind and tool: the report stays small however long the period. */
const EXAMPLES_PER_KIND = 5;

/** One kind of deviation of one agent's tool in the period. */
export interface DriftDeviation {
  readonly code: VerdictCode;
  readonly severity: VerdictSeverity;
  /** The tool judged (the claimed one for unknown identities). */
  readonly tool: string;
  readonly count: number;
  /** The first few events, with their reasons. */
  readonly examples: { readonly reason: string; readonly time: string; readonly action: string; readonly resources: readonly string[]; readonly eventId?: string; readonly lineage?: string }[];
}

/** A declared tool and what of its declaration went unused in the period. */
export interface DriftToolUsage {
  readonly tool: string;
  readonly cloud: Cloud;
  readonly events: number;
  /** Declared actions no event used: candidates to remove (least privilege from evidence). */
  readonly unusedActions: string[];
}

/** One agent in one environment over the period. */
export interface DriftAgent {
  readonly agent: string;
  readonly environment: string;
  readonly deviations: DriftDeviation[];
  readonly tools: DriftToolUsage[];
  /** Declared tools with no event at all in the period. */
  readonly unusedTools: string[];
}

/** What `agent-guardrails drift --activity` reports. */
export interface ActivityDriftReport {
  readonly period: { readonly from?: string; readonly to?: string };
  readonly events: number;
  /** Records that were no agent session's call (other principals, intermediate states). */
  readonly skippedRecords: number;
  /**
   * Records that could not be judged (no supported shape, an identity that is not JSON): they might be
   * an agent's calls, so any of them fails the report, whatever `--fail-on` says.
   */
  readonly unreadableRecords: number;
  /** Why, for the first few of them. */
  readonly unreadableExamples: string[];
  readonly agents: DriftAgent[];
  readonly summary: { readonly trip: number; readonly alert: number; readonly result: 'pass' | 'fail' };
}

interface ToolState { events: number; used: Set<string>; readonly cloud: Cloud; readonly declared: readonly string[] }
interface DeviationState { count: number; severity: VerdictSeverity; examples: DriftDeviation['examples'] }

/**
 * Compares a period's activity with the declarations, one event at a time, keeping only counts,
 * a few examples and the set of declared actions used (bounded by the declarations' size, not by
 * the number of events), so a year of logs streams through it.
 */
export class ActivityDrift {
  public readonly evaluator: ActivityEvaluator;
  private readonly tools = new Map<string, ToolState>();
  /** The same states by agent, environment, tool and cloud: looked up once per event without building a key string. */
  private readonly toolTree = new Map<string, Map<string, Map<string, Map<Cloud, ToolState>>>>();
  private readonly deviations = new Map<string, Map<string, DeviationState>>();
  private readonly agentKeys = new Map<string, { agent: string; environment: string }>();
  private events = 0;
  private skipped = 0;
  private unreadable = 0;
  private readonly unreadableExamples: string[] = [];
  private from = Infinity;
  private to = -Infinity;

  constructor(private readonly playbook: ActivityPlaybook, evaluator: ActivityEvaluator) {
    this.evaluator = evaluator;
    for (const a of playbook.agents) {
      this.agentKeys.set(agentKey(a.agent, a.environment), { agent: a.agent, environment: a.environment });
      for (const t of a.tools) {
        const state: ToolState = { events: 0, used: new Set(), cloud: t.cloud, declared: t.actions };
        this.tools.set(toolKey(a.agent, a.environment, t.name, t.cloud), state);
        const byEnvironment = getOrAdd(this.toolTree, a.agent);
        getOrAdd(getOrAdd(byEnvironment, a.environment), t.name).set(t.cloud, state);
      }
    }
  }

  /** Count a record that gave no agent event. */
  public skip(): void {
    this.skipped++;
  }

  /** Count a record that could not be judged (`unreadableReason` says why): it fails the report. */
  public unreadableRecord(reason: string): void {
    this.unreadable++;
    if (this.unreadableExamples.length < EXAMPLES_PER_KIND && !this.unreadableExamples.includes(reason)) this.unreadableExamples.push(clip(reason));
  }

  /** Judge one event and remember what the report needs; an event of no agent is counted as skipped. */
  public add(event: ActivityEvent): ActivityVerdict | undefined {
    if (!this.evaluator.isAgentActivity(event)) {
      this.skipped++;
      return undefined;
    }
    const v = this.evaluator.evaluate(event);
    this.events++;
    if (event.time < this.from) this.from = event.time;
    if (event.time > this.to) this.to = event.time;
    const environment = v.environment ?? '(unknown)';
    const agent = v.agent ?? '(none)';
    const tool = v.environment !== undefined && v.tool !== undefined ? this.toolTree.get(agent)?.get(environment)?.get(v.tool)?.get(event.cloud) : undefined;
    if (tool) {
      tool.events++;
      const action = event.action.toLowerCase();
      if (tool.used.size < 10_000 && v.code !== VerdictCode.UNDECLARED_ACTION && v.code !== VerdictCode.UNKNOWN_IDENTITY) tool.used.add(action);
    }
    if (v.code !== VerdictCode.EXPECTED) {
      const ak = agentKey(agent, environment);
      if (!this.agentKeys.has(ak) && this.agentKeys.size < 10_000) this.agentKeys.set(ak, { agent, environment });
      const byKind = this.deviations.get(ak) ?? new Map<string, DeviationState>();
      this.deviations.set(ak, byKind);
      const dk = `${v.code}\u0000${v.tool ?? '(none)'}`;
      let d = byKind.get(dk);
      if (!d) {
        d = { count: 0, severity: v.severity, examples: [] };
        if (byKind.size < 1000) byKind.set(dk, d);
      }
      d.count++;
      if (d.examples.length < EXAMPLES_PER_KIND) {
        d.examples.push({ reason: v.reason, time: new Date(event.time).toISOString(), action: clip(event.action), resources: event.resources.slice(0, 3).map(clip), ...(event.eventId ? { eventId: clip(event.eventId) } : {}), ...(event.lineage ? { lineage: clip(event.lineage) } : {}) });
      }
    }
    return v;
  }

  /** The report; `failOn` says which severities fail it (`trip`: only tripping deviations; `alert`: any alerting one). */
  public report(failOn: 'trip' | 'alert' = 'alert'): ActivityDriftReport {
    const agents: DriftAgent[] = [];
    let trip = 0;
    let alert = 0;
    for (const [ak, { agent, environment }] of [...this.agentKeys].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      const deviations: DriftDeviation[] = [];
      for (const [dk, d] of this.deviations.get(ak) ?? []) {
        const [code, tool] = dk.split('\u0000');
        if (d.severity === 'off') continue;
        if (d.severity === 'trip') trip += d.count;
        else alert += d.count;
        deviations.push({ code: code as VerdictCode, severity: d.severity, tool, count: d.count, examples: d.examples });
      }
      deviations.sort((a, b) => DEVIATION_CODES.indexOf(a.code) - DEVIATION_CODES.indexOf(b.code) || (a.tool < b.tool ? -1 : 1));
      const declared = this.playbook.agents.find((a) => a.agent === agent && a.environment === environment);
      const tools: DriftToolUsage[] = (declared?.tools ?? []).map((t) => {
        const state = this.tools.get(toolKey(agent, environment, t.name, t.cloud));
        return { tool: t.name, cloud: t.cloud, events: state?.events ?? 0, unusedActions: state ? unused(state) : [...t.actions] };
      });
      agents.push({ agent, environment, deviations, tools, unusedTools: tools.filter((t) => t.events === 0).map((t) => `${t.tool} (${t.cloud})`) });
    }
    const failing = failOn === 'trip' ? trip : trip + alert;
    return {
      period: Number.isFinite(this.from) ? { from: new Date(this.from).toISOString(), to: new Date(this.to).toISOString() } : {},
      events: this.events,
      skippedRecords: this.skipped,
      unreadableRecords: this.unreadable,
      unreadableExamples: [...this.unreadableExamples],
      agents,
      summary: { trip, alert, result: failing > 0 || this.unreadable > 0 ? 'fail' : 'pass' },
    };
  }
}

/** Declared actions no event used; a declared pattern counts as used when any used action matches it. */
function unused(state: ToolState): string[] {
  return state.declared.filter((d) => {
    if (!hasGlobWildcard(d)) return !state.used.has(d.toLowerCase());
    const p = actionPattern(state.cloud, d);
    for (const u of state.used) if (p.test(u)) return false;
    return true;
  });
}

function getOrAdd<K, V>(map: Map<K, Map<string, V>>, key: K): Map<string, V> {
  let inner = map.get(key);
  if (!inner) {
    inner = new Map();
    map.set(key, inner);
  }
  return inner;
}

function agentKey(agent: string, environment: string): string {
  return `${agent}\u0000${environment}`;
}

function toolKey(agent: string, environment: string, tool: string, cloud: Cloud): string {
  return `${agent}\u0000${environment}\u0000${tool}\u0000${cloud}`;
}

function clip(s: string): string {
  return s.length > 200 ? `${s.slice(0, 197)}...` : s;
}
