import { DecisionRecord } from '../broker/ports';

/** Answers whether a tool's action at a time was covered by a broker decision that carried a human approval. */
export interface IApprovalEvidence {
  /**
   * @param lineage the lineage the event carries; without one, any approved decision of that
   *   agent and tool whose credential was valid at `atMs` counts
   * @param lineageTruncated the event's lineage may be a cut-short prefix (AWS session names)
   */
  hasApproval(agent: string, tool: string, lineage: string | undefined, lineageTruncated: boolean, atMs: number): boolean;
}

interface Approved {
  readonly lineage: string;
  readonly fromMs: number;
  readonly untilMs: number;
}

/** How far a log's clock may stand from the broker's. */
const CLOCK_SKEW_MS = 60_000;
/** A credential without a recorded expiry is taken to last the broker's longest session. */
const DEFAULT_CREDENTIAL_MS = 12 * 3600_000;

/**
 * Approvals learnt from the broker's decision records (`granted` with an `approvalId`): the
 * evidence `destructive-without-approval` looks for. Memory is bounded: at most `maxPerTool`
 * decisions per agent and tool (the oldest go first) and `maxTools` agent/tool pairs.
 */
export class ApprovalLedger implements IApprovalEvidence {
  private readonly byTool = new Map<string, Approved[]>();

  constructor(private readonly maxPerTool = 1000, private readonly maxTools = 10_000) {}

  /** Learn from one decision record; anything but an approved grant is ignored. */
  public record(decision: DecisionRecord): void {
    if (decision.decision !== 'granted' || !decision.approvalId || !decision.tool || !decision.lineageId) return;
    const fromMs = Date.parse(decision.time);
    if (Number.isNaN(fromMs)) return;
    const expires = decision.expiresAt ? Date.parse(decision.expiresAt) : NaN;
    const key = `${decision.agent}\u0000${decision.tool}`;
    let list = this.byTool.get(key);
    if (!list) {
      if (this.byTool.size >= this.maxTools) this.byTool.delete(this.byTool.keys().next().value as string);
      list = [];
      this.byTool.set(key, list);
    }
    list.push({ lineage: sessionSafe(decision.lineageId), fromMs, untilMs: Number.isNaN(expires) ? fromMs + DEFAULT_CREDENTIAL_MS : expires });
    if (list.length > this.maxPerTool) list.shift();
  }

  public hasApproval(agent: string, tool: string, lineage: string | undefined, lineageTruncated: boolean, atMs: number): boolean {
    const list = this.byTool.get(`${agent}\u0000${tool}`);
    if (!list) return false;
    const want = lineage === undefined ? undefined : sessionSafe(lineage);
    return list.some((a) => atMs >= a.fromMs - CLOCK_SKEW_MS && atMs <= a.untilMs + CLOCK_SKEW_MS
      && (want === undefined || a.lineage === want || (lineageTruncated && want.length > 0 && a.lineage.startsWith(want))));
  }
}

/** Lineage ids as they survive in an AWS session name (characters STS refuses become `-`). */
function sessionSafe(lineage: string): string {
  return lineage.replace(/[^\w+=,.@-]/g, '-');
}
