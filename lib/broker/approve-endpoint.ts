import Ajv from 'ajv';
import { GuardrailError } from '../errors';
import { APPROVAL_ID_PATTERN } from './broker-request';
import { callPort, DEFAULT_PORT_TIMEOUT_MS } from './port-call';
import { sameIdentity } from './resource-match';

/** Outcome of one approve call (the same on every cloud). */
export type ApproveOutcome = 'approved' | 'not-found' | 'not-pending' | 'self-approval' | 'too-old';

/** Which agent and environment an approve endpoint serves: a record of any other is "not found". */
export interface ApprovalScope {
  readonly agent: string;
  readonly environment: string;
}

/**
 * The approvals store as the approve path uses it: approve one pending request as `approver`, at
 * most once (a transaction or a conditional write), refusing the requester, `deniedApprovers` and
 * records outside `scope`.
 */
export interface IApprovalApprover {
  approve(approvalId: string, approver: string, now: Date, deniedApprovers: readonly string[], scope: ApprovalScope): Promise<ApproveOutcome>;
}

/** What an approve endpoint knows: JSON, so it travels in an environment variable. */
export interface ApproveEndpointConfig extends ApprovalScope {
  /** Who may approve, as the cloud's authentication names the caller (GCP: `user:`/`serviceAccount:` members; Azure: object ids). */
  readonly approvers: string[];
  /** Identities that may never approve (the agent runtime, the broker, the tool identities). */
  readonly deniedApprovers: string[];
}

/** The endpoint's answer: an HTTP status and a JSON body that never echoes the request. */
export interface ApproveReply {
  readonly statusCode: number;
  readonly body: { readonly outcome?: ApproveOutcome | 'not-an-approver'; readonly approvalId?: string; readonly approver?: string; readonly error?: string };
}

const APPROVE_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['agent', 'environment', 'approvers', 'deniedApprovers'],
  properties: {
    agent: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,62}$' },
    environment: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,31}$' },
    approvers: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1, maxLength: 320 } },
    deniedApprovers: { type: 'array', items: { type: 'string', minLength: 1, maxLength: 2048 } },
  },
} as const;
let compiled: ReturnType<Ajv['compile']> | undefined;

/** Parse and check an approve endpoint's config (object or JSON); throws `AG_APPROVE_CONFIG` when invalid. */
export function parseApproveEndpointConfig(input: unknown): ApproveEndpointConfig {
  let doc = input;
  try {
    if (typeof input === 'string') doc = JSON.parse(input);
  } catch {
    doc = undefined;
  }
  compiled ??= new Ajv({ allErrors: true, strict: true }).compile(APPROVE_CONFIG_SCHEMA);
  if (!compiled(doc)) {
    throw new GuardrailError('AG_APPROVE_CONFIG', 'approve endpoint config does not match its schema. Redeploy the broker construct; do not edit its configuration by hand.');
  }
  return doc as ApproveEndpointConfig;
}

const STATUS: Record<ApproveOutcome, number> = { 'approved': 200, 'not-found': 404, 'not-pending': 409, 'self-approval': 403, 'too-old': 410 };
const SAFE_ID = new RegExp(APPROVAL_ID_PATTERN);
const MAX_BODY_CHARS = 1024;

function approvalIdOf(body: unknown): string | undefined {
  let doc = body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    const text = String(body);
    if (text.length > MAX_BODY_CHARS) return undefined;
    try {
      doc = JSON.parse(text);
    } catch {
      return undefined;
    }
  }
  if (typeof doc !== 'object' || doc === null || !Object.prototype.hasOwnProperty.call(doc, 'approvalId')) return undefined;
  const id = (doc as { approvalId?: unknown }).approvalId;
  return typeof id === 'string' && SAFE_ID.test(id) ? id : undefined;
}

/**
 * The approve path of every cloud, on one store port: the caller's identity comes from the cloud's
 * authentication in front of the endpoint (GCP: the ID token Cloud Run verified; Azure: the
 * principal Entra authentication validated), never from the body. One call = one approval.
 *
 * The endpoint admits only `config.approvers` (a second check behind the cloud's own admission,
 * which on Azure also lets the agent runtime reach the function), refuses `deniedApprovers`, and
 * writes one JSON line per call (`agent-guardrails.approval`: who approved what, when, with what outcome).
 */
export function createApproveEndpoint(
  config: ApproveEndpointConfig,
  store: IApprovalApprover,
  options: { readonly now?: () => Date; readonly write?: (line: string) => void; readonly timeoutMs?: number } = {},
): (caller: string | undefined, body: unknown) => Promise<ApproveReply> {
  const now = options.now ?? (() => new Date());
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const timeoutMs = options.timeoutMs ?? DEFAULT_PORT_TIMEOUT_MS;
  const log = (fields: Record<string, unknown>) => write(`${JSON.stringify({ type: 'agent-guardrails.approval', agent: config.agent, environment: config.environment, ...fields })}\n`);
  return async (caller, body) => {
    const at = now();
    if (caller === undefined) {
      return { statusCode: 401, body: { error: 'The approve endpoint needs a caller identity verified by the cloud\'s authentication.' } };
    }
    if (!config.approvers.some((a) => sameIdentity(a, caller))) {
      log({ approver: caller, outcome: 'not-an-approver', time: at.toISOString() });
      return { statusCode: 403, body: { outcome: 'not-an-approver', error: 'The caller is not one of this agent\'s approvers.' } };
    }
    const approvalId = approvalIdOf(body);
    if (approvalId === undefined) {
      return { statusCode: 400, body: { error: 'The body must be JSON { "approvalId": "<id from the approval request>" }.' } };
    }
    if (config.deniedApprovers.some((d) => sameIdentity(d, caller))) {
      log({ approvalId, approver: caller, outcome: 'self-approval', time: at.toISOString() });
      return { statusCode: 403, body: { approvalId, outcome: 'self-approval', approver: caller } };
    }
    const scope = { agent: config.agent, environment: config.environment };
    const result = await callPort(() => store.approve(approvalId, caller, at, config.deniedApprovers, scope), timeoutMs);
    if (result.kind !== 'answered' || !(result.value in STATUS)) {
      log({ approvalId, approver: caller, outcome: 'error', time: at.toISOString() });
      return { statusCode: 503, body: { error: 'The approvals store failed or did not answer in time; check the approval before retrying.' } };
    }
    const outcome = result.value;
    log({ approvalId, approver: caller, outcome, time: at.toISOString() });
    return { statusCode: STATUS[outcome], body: { approvalId, outcome, approver: caller } };
  };
}
