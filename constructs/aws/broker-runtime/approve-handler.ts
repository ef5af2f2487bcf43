/**
 * Lambda entry point of the approve endpoint (a function URL with `AWS_IAM` auth), bundled to
 * dist-handler/approve/index.js. The approver is the caller's IAM identity as Lambda verified it
 * (`requestContext.authorizer.iam.userArn`), never a field of the body: one call = one approval,
 * tied to a person's identity.
 *
 * Environment (written by the `ApprovalGate` construct):
 * - `APPROVALS_TABLE`: the approvals table
 * - `DENIED_APPROVERS`: JSON array of identities that may never approve (agent runtimes, tool roles, brokers)
 *
 * Body: `{ "approvalId": "<id from the pending-request announcement>" }`.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { APPROVAL_ID_PATTERN } from '../../../lib/broker/broker-request';
import { ApproveOutcome, DynamoDbApprovalStore } from './dynamodb-approval-store';

/** The parts of a function-URL event the handler reads. */
export interface ApproveEvent {
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: { readonly http?: { readonly method?: string }; readonly authorizer?: { readonly iam?: { readonly userArn?: string } } };
}

export interface ApproveResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const STATUS: Record<ApproveOutcome, number> = { 'approved': 200, 'not-found': 404, 'not-pending': 409, 'self-approval': 403, 'too-old': 410 };
const SAFE_ID = new RegExp(APPROVAL_ID_PATTERN);
const ARN = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:[\w+=,.@/-]{1,512}$/;

function reply(statusCode: number, body: object): ApproveResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** Build a handler over a store (tests pass one bound to dynalite). */
export function createApproveHandler(store: () => DynamoDbApprovalStore, deniedApprovers: () => string[], now: () => Date = () => new Date()) {
  return async (event: ApproveEvent): Promise<ApproveResult> => {
    const approver = event.requestContext?.authorizer?.iam?.userArn;
    if (typeof approver !== 'string' || !ARN.test(approver)) {
      return reply(401, { error: 'The approve endpoint needs an IAM-signed call (function URL auth type AWS_IAM).' });
    }
    if (event.requestContext?.http?.method !== undefined && event.requestContext.http.method !== 'POST') {
      return reply(405, { error: 'Use POST with a JSON body { "approvalId": "..." }.' });
    }
    let approvalId: unknown;
    try {
      const text = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
      if (text.length > 1024) throw new Error('too large');
      approvalId = (JSON.parse(text) as { approvalId?: unknown }).approvalId;
    } catch {
      approvalId = undefined;
    }
    if (typeof approvalId !== 'string' || !SAFE_ID.test(approvalId)) {
      return reply(400, { error: 'The body must be JSON { "approvalId": "<id from the approval request>" }.' });
    }
    let outcome: ApproveOutcome;
    const at = now();
    try {
      outcome = await store().approve(approvalId, approver, at, deniedApprovers());
    } catch {
      outcome = 'not-found';
      process.stdout.write(`${JSON.stringify({ type: 'agent-guardrails.approval', approvalId, approver, outcome: 'error', time: at.toISOString() })}\n`);
      return reply(503, { error: 'The approvals store failed; nothing was approved. Retry.' });
    }
    process.stdout.write(`${JSON.stringify({ type: 'agent-guardrails.approval', approvalId, approver, outcome, time: at.toISOString() })}\n`);
    return reply(STATUS[outcome], { approvalId, outcome, approver });
  };
}

let store: DynamoDbApprovalStore | undefined;
export const handler = createApproveHandler(
  () => (store ??= new DynamoDbApprovalStore(new DynamoDBClient({}), process.env.APPROVALS_TABLE ?? '')),
  () => JSON.parse(process.env.DENIED_APPROVERS ?? '[]') as string[],
);
