import type { DecisionRecord, IDecisionLog } from '../../../lib/broker/ports';

/**
 * One JSON line per decision on stdout: Lambda ships stdout to the function's CloudWatch log group
 * as is, where Logs Insights can query the fields. The record never holds credentials.
 */
export class StdoutDecisionLog implements IDecisionLog {
  constructor(private readonly write: (line: string) => void = (line) => process.stdout.write(line)) {}

  public record(record: DecisionRecord): void {
    this.write(`${JSON.stringify({ type: 'agent-guardrails.broker-decision', ...record })}\n`);
  }
}
