import type { IMonitorAlerts, MonitorAlert } from '../../../lib/activity/activity-monitor';
import type { IGoogleApi } from '../broker-runtime/google-api';

/** Pub/Sub takes messages up to 10 MB; alerts stay far below, a huge log entry is left out. */
const MAX_MESSAGE_BYTES = 1024 * 1024;

/**
 * Publishes activity alerts as JSON to the monitor's alert topic, with the verdict, severity, agent
 * and the dedupe key (`eventKey`: subscribers that may see a replay drop repeats by it) as
 * attributes, so that subscriptions can filter on them.
 */
export class PubSubMonitorAlerts implements IMonitorAlerts {
  constructor(private readonly api: IGoogleApi, private readonly topic: string) {}

  public async publish(alert: MonitorAlert, dedupeKey: string): Promise<void> {
    let message = JSON.stringify(alert);
    if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES) message = JSON.stringify({ ...alert, record: '(left out: larger than 1 MB)' });
    await this.api.request({
      url: `https://pubsub.googleapis.com/v1/${this.topic}:publish`,
      method: 'POST',
      data: {
        messages: [{
          data: Buffer.from(message).toString('base64'),
          attributes: { type: alert.type, verdict: alert.verdict, severity: alert.severity, agent: alert.agent, eventKey: dedupeKey.slice(0, 1024) },
        }],
      },
    });
  }
}
