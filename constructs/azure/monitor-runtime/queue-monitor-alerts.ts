import type { IMonitorAlerts, MonitorAlert } from '../../../lib/activity/activity-monitor';

/** Storage queue messages stop at 64 KiB (base64 text); the log record is cut to fit. */
const MAX_TEXT_BYTES = 48 * 1024;

/**
 * Alerts as messages on the monitor's storage queue (Entra-authenticated Queue REST call
 * `Put Message`), where responders or an automation read them, and as a log line that Application
 * Insights keeps. A failed put rejects, so the invocation fails and Event Grid redelivers.
 */
export class QueueMonitorAlerts implements IMonitorAlerts {
  constructor(private readonly queueUrl: string, private readonly token: () => Promise<string>, private readonly fetchImpl: typeof fetch = fetch, private readonly log: (line: string) => void = (l) => process.stdout.write(`${l}\n`)) {}

  public async publish(alert: MonitorAlert, dedupeKey: string): Promise<void> {
    let text = JSON.stringify({ ...alert, dedupeKey });
    if (Buffer.byteLength(text) > MAX_TEXT_BYTES) text = JSON.stringify({ ...alert, record: '(cut: see the monitor log)', dedupeKey });
    this.log(text);
    const body = `<QueueMessage><MessageText>${Buffer.from(text).toString('base64')}</MessageText></QueueMessage>`;
    const res = await this.fetchImpl(`${this.queueUrl}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await this.token()}`, 'x-ms-version': '2021-12-02', 'content-type': 'application/xml' },
      body,
    });
    if (!res.ok) throw new Error(`alert queue answered ${res.status}`);
  }
}
