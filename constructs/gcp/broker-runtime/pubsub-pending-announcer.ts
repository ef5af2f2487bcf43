import type { ApprovalRecord } from '../../../lib/broker/ports';
import type { IPendingAnnouncer } from './firestore-approval-store';
import type { IGoogleApi } from './google-api';

/** Publishes each new pending approval on one Pub/Sub topic (`projects/<p>/topics/<t>`), for the approvers. */
export class PubSubPendingAnnouncer implements IPendingAnnouncer {
  constructor(private readonly api: IGoogleApi, private readonly topic: string) {}

  public async announce(record: ApprovalRecord, signal?: AbortSignal): Promise<void> {
    const message = {
      type: 'agent-guardrails.approval-request',
      approvalId: record.approvalId, agent: record.agent, tool: record.tool, environment: record.environment,
      lineageId: record.lineageId, reason: record.reason ?? null, requestedBy: record.requestedBy, requestedAt: record.requestedAt,
      approveWith: { approvalId: record.approvalId },
    };
    await this.api.request({
      url: `https://pubsub.googleapis.com/v1/${this.topic}:publish`,
      method: 'POST',
      data: { messages: [{ data: Buffer.from(JSON.stringify(message)).toString('base64'), attributes: { agent: record.agent, tool: record.tool, environment: record.environment } }] },
      signal,
    });
  }
}
