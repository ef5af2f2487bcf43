import type { DecisionRecord, IDecisionLog } from './ports';

/**
 * One JSON line per decision on stdout, the way every cloud's serverless runtime ships logs:
 * Lambda to CloudWatch Logs, Cloud Run to Cloud Logging (which reads `severity` and `message`),
 * Azure Functions to Application Insights / Log Analytics. The record never holds credentials.
 */
export class StdoutDecisionLog implements IDecisionLog {
  /**
   * @param write where the line goes (tests pass a collector)
   * @param extra fields a cloud's log pipeline reads (e.g. Cloud Logging's `severity`); never overrides the record
   */
  constructor(
    private readonly write: (line: string) => void = (line) => process.stdout.write(line),
    private readonly extra: (record: DecisionRecord) => Record<string, string> = () => ({}),
  ) {}

  public record(record: DecisionRecord): void {
    this.write(`${JSON.stringify({ ...this.extra(record), type: 'agent-guardrails.broker-decision', ...record })}\n`);
  }
}
