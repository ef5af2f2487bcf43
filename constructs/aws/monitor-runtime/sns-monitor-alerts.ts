import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { IMonitorAlerts, MonitorAlert } from '../../../lib/activity/activity-monitor';

/** SNS takes messages up to 256 KiB; keep room for attributes. */
const MAX_MESSAGE_BYTES = 240 * 1024;

/**
 * Publishes activity alerts as JSON to the monitor's SNS topic, with the verdict, severity and
 * agent as message attributes (for subscription filter policies) and the dedupe key as `eventKey`
 * (subscribers that may see a replay drop repeats by it). A record too large for SNS is left out;
 * the normalized event and the event id stay.
 */
export class SnsMonitorAlerts implements IMonitorAlerts {
  constructor(private readonly client: SNSClient, private readonly topicArn: string) {}

  public async publish(alert: MonitorAlert, dedupeKey: string): Promise<void> {
    let message = JSON.stringify(alert);
    if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) message = JSON.stringify({ ...alert, record: '(left out: larger than an SNS message)' });
    await this.client.send(new PublishCommand({
      TopicArn: this.topicArn,
      Subject: `agent-guardrails: ${alert.agent} ${alert.verdict} (${alert.severity})`.slice(0, 100),
      Message: message,
      MessageAttributes: {
        verdict: { DataType: 'String', StringValue: alert.verdict },
        severity: { DataType: 'String', StringValue: alert.severity },
        agent: { DataType: 'String', StringValue: alert.agent },
        eventKey: { DataType: 'String', StringValue: dedupeKey.slice(0, 256) },
      },
    }));
  }
}
