import type { DecisionRecord } from '../broker/ports';
import { ActivityEvent } from './activity-event';
import { ActivityEvaluator } from './activity-evaluator';
import { ActivityVerdict, VerdictCode } from './activity-verdict';
import { deniedBurstSession, IDeniedBurstCounter } from './denied-burst';
import { normalizeLogRecord, unreadableReason } from './normalize';

/** What pulling an agent's kill switch did (each step, in order), for the alert and the decision record. */
export interface KillSwitchPullResult {
  /** e.g. `attached <policy> to <role>`, `set <parameter> to engaged`. */
  readonly steps: readonly string[];
}

/** Pulls the kill switch of the monitored agent: the same incident-response path a human takes. */
export interface IKillSwitchPuller {
  pull(reason: string): Promise<KillSwitchPullResult>;
}

/** Where alerts go (AWS: the monitor's SNS topic). */
export interface IMonitorAlerts {
  /** @param dedupeKey stable per event and kind, for subscribers that drop duplicates */
  publish(alert: MonitorAlert, dedupeKey: string): Promise<void>;
}

/**
 * What the monitor remembers across invocations (AWS: its DynamoDB table): which events it has
 * finished (replays are skipped) and which broker decisions carried an approval.
 */
export interface IMonitorMemory {
  /**
   * Claim an event for processing: `claimed` (go on), `finished` (a replay: skip it), or `busy`
   * (another invocation holds a fresh claim). A released claim, or one older than `staleAfterMs`
   * (an invocation that died), may be taken over.
   */
  claim(eventId: string, nowMs: number, staleAfterMs: number): Promise<'claimed' | 'finished' | 'busy'>;
  /** Mark a claimed event finished (replays of it are skipped from now on). */
  finish(eventId: string, nowMs: number): Promise<void>;
  /** Give a claim up after a failure, so that the retry takes it at once. */
  release(eventId: string, nowMs: number): Promise<void>;
  /** Remember an approved broker decision (a `granted` record with an approval id). */
  rememberApproval(record: DecisionRecord): Promise<void>;
  /**
   * Approved decisions of that agent, tool and lineage (as the lineage survives in the log), if any.
   * Without a lineage (GCP and Azure logs carry none), the agent and tool's recent approved decisions.
   */
  recallApprovals(agent: string, tool: string, lineage: string | undefined): Promise<DecisionRecord[]>;
}

/** One JSON record per judged event: what the monitor saw, decided and did. */
export interface MonitorDecisionRecord {
  readonly type: 'agent-guardrails.monitor-decision';
  readonly time: string;
  readonly eventId?: string;
  /** `judged`, `replay` (already finished), `skipped` (no agent session's call), `unreadable` (could not be judged: the invocation fails), `approval-recorded`. */
  readonly outcome: 'judged' | 'replay' | 'skipped' | 'unreadable' | 'approval-recorded';
  readonly verdict?: VerdictCode;
  readonly severity?: string;
  readonly reason?: string;
  readonly agent?: string;
  readonly tool?: string;
  readonly environment?: string;
  readonly lineage?: string;
  readonly action?: string;
  readonly alerted?: boolean;
  /** Set when the verdict tripped the kill switch. */
  readonly killSwitch?: { readonly pulled: boolean; readonly steps?: readonly string[]; readonly error?: string };
}

/** What subscribers of the alert topic receive (JSON). */
export interface MonitorAlert {
  readonly type: 'agent-guardrails.activity-alert';
  readonly agent: string;
  readonly environment: string;
  readonly verdict: VerdictCode;
  readonly severity: string;
  readonly reason: string;
  readonly tool?: string;
  readonly lineage?: string;
  /** The normalized event (who, what, where, when). */
  readonly event: ActivityEvent;
  /** The log record as received (e.g. the CloudTrail record), for the investigation. */
  readonly record: unknown;
  readonly killSwitch?: MonitorDecisionRecord['killSwitch'];
}

export interface ActivityMonitorPorts {
  readonly alerts: IMonitorAlerts;
  readonly killSwitch: IKillSwitchPuller;
  readonly memory: IMonitorMemory;
  readonly log: (record: MonitorDecisionRecord) => void;
  readonly clock?: () => number;
  /**
   * Where denials are counted for `denied-burst`, shared by every instance of the monitor.
   * @default - each instance counts its own (a probe spread over instances may go unseen)
   */
  readonly deniedBursts?: IDeniedBurstCounter;
}

export interface ActivityMonitorOptions {
  /** The monitored agent and its environment (what alerts name). */
  readonly agent: string;
  readonly environment: string;
  /**
   * How long a claim protects an event from a concurrent duplicate; longer than one invocation
   * can run (a claim left by an invocation that died is taken over after it).
   * @default 2 minutes
   */
  readonly claimStaleAfterMs?: number;
}

/** Thrown after the alert when the kill switch could not be pulled: the invocation fails, so it is retried and, at last, sent to the failure destination (which alerts). */
export class KillSwitchPullError extends Error {}

/**
 * Thrown for a delivered record the monitor cannot judge (no supported shape, an identity that is not
 * JSON): its feed delivers only the agent's records, so it may be an agent's call. The invocation fails,
 * and the retries and the failure destination (dead letters) alert: the monitor's own failures alert.
 */
export class UnreadableRecordError extends Error {}

/** Thrown when another invocation is processing the same event: this one fails and is retried later, when the other has finished (or died). */
export class EventBusyError extends Error {}

/**
 * The runtime half of the binding: each log record an agent session produced is normalized,
 * judged by the activity evaluator, alerted on and, when the baseline says `trip`, answered by
 * pulling the agent's kill switch. Cloud-neutral: each cloud supplies the ports.
 *
 * Idempotent on replays: an event id is claimed before and finished after its effects, so a
 * delivery that arrives twice alerts once. A failed invocation releases its claim and fails, so
 * the retry redoes the work; one that died leaves a claim its retry takes over once stale; a
 * duplicate that meets a fresh claim fails too (and is retried), never counted as done. The
 * kill-switch steps are idempotent themselves (attaching an attached policy and engaging an
 * engaged flag change nothing).
 *
 * Approval-gated tools are judged against the broker's approved decisions the monitor was fed
 * (`recordDecision`), remembered durably, so any invocation can find them.
 */
export class ActivityMonitorCore {
  private readonly clock: () => number;

  constructor(private readonly evaluator: ActivityEvaluator, private readonly ports: ActivityMonitorPorts, private readonly options: ActivityMonitorOptions) {
    this.clock = ports.clock ?? Date.now;
  }

  /** Remember a broker decision record when it carries an approval (the evidence for approval-gated tools). */
  public async recordDecision(record: DecisionRecord): Promise<void> {
    if (record.decision !== 'granted' || !record.approvalId || !record.tool || !record.lineageId || record.agent !== this.options.agent) return;
    await this.ports.memory.rememberApproval(record);
    this.evaluator.recordDecision(record);
    this.ports.log({
      type: 'agent-guardrails.monitor-decision', time: new Date(this.clock()).toISOString(), outcome: 'approval-recorded',
      agent: record.agent, tool: record.tool, lineage: record.lineageId,
    });
  }

  /**
   * Judge one delivered log record (a CloudTrail record, an EventBridge event, an audit log entry)
   * and act on the verdicts. Rejects when an effect failed, after alerting what it could.
   * @param fallbackId the delivery's own id, used when the record carries none
   */
  public async handle(record: unknown, fallbackId?: string): Promise<MonitorDecisionRecord[]> {
    const events = normalizeLogRecord(record);
    const now = this.clock();
    if (events.length === 0) {
      const unreadable = unreadableReason(record);
      const skipped: MonitorDecisionRecord = {
        type: 'agent-guardrails.monitor-decision', time: new Date(now).toISOString(), outcome: unreadable ? 'unreadable' : 'skipped', eventId: fallbackId,
        ...(unreadable ? { reason: unreadable } : {}),
      };
      this.ports.log(skipped);
      if (unreadable) throw new UnreadableRecordError(`activity monitor of agent ${this.options.agent} cannot judge record ${fallbackId ?? '(no id)'}: ${unreadable}`);
      return [skipped];
    }
    const out: MonitorDecisionRecord[] = [];
    let failure: Error | undefined;
    for (const [i, event] of events.entries()) {
      // One record may give several events (a GCP entry checks several permissions): each gets an id of its own.
      const own = event.eventId ?? fallbackId;
      const id = own === undefined ? undefined : events.length > 1 ? `${own}#${i}` : own;
      try {
        out.push(await this.judge(event, record, id));
      } catch (e) {
        failure ??= e as Error;
      }
    }
    if (failure) throw failure;
    return out;
  }

  private async judge(event: ActivityEvent, record: unknown, id: string | undefined): Promise<MonitorDecisionRecord> {
    const started = this.clock();
    const base = { type: 'agent-guardrails.monitor-decision' as const, time: new Date(started).toISOString(), eventId: id };
    if (id !== undefined) {
      const claim = await this.ports.memory.claim(id, started, this.options.claimStaleAfterMs ?? 120_000);
      if (claim === 'busy') throw new EventBusyError(`event ${id} is being processed by another invocation; retry later`);
      if (claim === 'finished') {
        const replay: MonitorDecisionRecord = { ...base, outcome: 'replay', action: event.action };
        this.ports.log(replay);
        return replay;
      }
    }
    try {
      const decision = await this.act(event, record, id, base);
      if (id !== undefined) await this.ports.memory.finish(id, this.clock());
      return decision;
    } catch (e) {
      if (id !== undefined) await this.ports.memory.release(id, this.clock()).catch(() => undefined);
      throw e;
    }
  }

  private async act(event: ActivityEvent, record: unknown, id: string | undefined, base: { type: 'agent-guardrails.monitor-decision'; time: string; eventId?: string }): Promise<MonitorDecisionRecord> {
    await this.loadApprovals(event);
    const verdict = await this.verdictOf(event, id);
    let killSwitch: MonitorDecisionRecord['killSwitch'];
    if (verdict.severity === 'trip') {
      try {
        const pulled = await this.ports.killSwitch.pull(`${verdict.code}: ${verdict.reason}`);
        killSwitch = { pulled: true, steps: pulled.steps };
      } catch (e) {
        killSwitch = { pulled: false, error: (e as Error).message.slice(0, 500) };
      }
    }
    const alerted = verdict.severity === 'trip' || verdict.severity === 'alert';
    const decision: MonitorDecisionRecord = {
      ...base, outcome: 'judged', verdict: verdict.code, severity: verdict.severity, reason: verdict.reason,
      agent: verdict.agent, tool: verdict.tool, environment: verdict.environment, lineage: verdict.lineage, action: event.action,
      alerted, ...(killSwitch ? { killSwitch } : {}),
    };
    // The decision is recorded before the alert: if publishing fails, the log still says what happened.
    this.ports.log(decision);
    if (alerted) await this.ports.alerts.publish(this.alertOf(verdict, record, killSwitch), `${id ?? 'no-id'}:${verdict.code}`);
    if (killSwitch && !killSwitch.pulled) {
      throw new KillSwitchPullError(`kill switch of agent ${this.options.agent} not pulled for event ${id ?? '(no id)'}: ${killSwitch.error}`);
    }
    return decision;
  }

  /** The evaluator's verdict, with denials counted in the shared store when there is one. */
  private async verdictOf(event: ActivityEvent, id: string | undefined): Promise<ActivityVerdict> {
    const counter = this.ports.deniedBursts;
    if (!counter || event.outcome !== 'denied') return this.evaluator.evaluate(event);
    const base = this.evaluator.judgeEvent(event);
    const denied = await counter.deny(deniedBurstSession(event), id ?? `${event.time}:${event.action}:${event.resources.join(',')}`, event.time);
    return this.evaluator.withDeniedBurst(base, denied);
  }

  /**
   * Feed the evaluator the remembered approvals of the event's tool and lineage (approval-gated tools
   * only need them). Logs that name no agent or tool (GCP, Azure: a service account or managed
   * identity) are resolved to the tool through the declarations first.
   */
  private async loadApprovals(event: ActivityEvent): Promise<void> {
    const known = event.tool === undefined ? this.evaluator.toolOfIdentity(event) : undefined;
    const agent = event.agent ?? known?.agent;
    const tool = event.tool ?? known?.tool;
    if (agent !== this.options.agent || tool === undefined) return;
    for (const r of await this.ports.memory.recallApprovals(agent, tool, event.lineage)) this.evaluator.recordDecision(r);
  }

  private alertOf(verdict: ActivityVerdict, record: unknown, killSwitch: MonitorDecisionRecord['killSwitch']): MonitorAlert {
    return {
      type: 'agent-guardrails.activity-alert',
      agent: verdict.agent ?? this.options.agent,
      environment: verdict.environment ?? this.options.environment,
      verdict: verdict.code,
      severity: verdict.severity,
      reason: verdict.reason,
      tool: verdict.tool,
      lineage: verdict.lineage,
      event: verdict.event,
      record,
      ...(killSwitch ? { killSwitch } : {}),
    };
  }
}
