import { randomUUID } from 'crypto';
import { ChangeWindow } from '../model/change-window';
import { Tool } from '../model/tool';
import { BrokerConfig, BrokerToolConfig, parseBrokerConfig } from './broker-config';
import { BrokerRequest, LINEAGE_ID_PATTERN, TOOL_NAME_PATTERN, validateBrokerRequest } from './broker-request';
import { ApprovalRecord, ApprovalStatus, BrokerPorts, DecisionRecord, MintedCredential } from './ports';
import { BrokerDecision, ReasonCode } from './reason-code';
import { resourceWithin, sameIdentity } from './resource-match';
import { toolBrokerConfig } from './tool-broker-config';

/** What the agent runtime gets back. */
export interface BrokerResponse {
  /** `granted` or `refused`. */
  readonly decision: BrokerDecision;
  /** Id of the decision record (find it in the decision log). */
  readonly decisionId: string;
  readonly reasonCode: ReasonCode;
  /** A human-readable explanation; never echoes request values. */
  readonly message: string;
  /** For APPROVAL_REQUIRED: the pending request to have approved; for grants: the approval used. */
  readonly approvalId?: string;
  /** For grants: the credential (secret). */
  readonly credentials?: { readonly [key: string]: string };
  /** For grants: ISO expiry. */
  readonly expiresAt?: string;
}

interface Outcome {
  readonly reasonCode: ReasonCode;
  readonly message: string;
  readonly approval?: ApprovalRecord;
  readonly pendingApprovalId?: string;
  readonly minted?: MintedCredential;
}

interface ToolEntry {
  readonly config: BrokerToolConfig;
  readonly window?: ChangeWindow;
}

const SAFE_TOOL = new RegExp(TOOL_NAME_PATTERN);
const SAFE_LINEAGE = new RegExp(LINEAGE_ID_PATTERN);
/** Approvals stamped later than now by more than this are refused (clock skew between approve endpoint and broker). */
const APPROVAL_CLOCK_SKEW_MS = 60_000;

/**
 * The cloud-neutral credential broker: one decision per request, in a fixed order —
 * validate, kill switch, change window, approval, mint — and one decision record per request.
 * Every port failure refuses (fail closed); only a credential that was logged is returned.
 */
export class CredentialBrokerCore {
  /** Whether `x` is a CredentialBrokerCore (works across copies of this package). */
  public static isCredentialBrokerCore(x: unknown): x is CredentialBrokerCore {
    return typeof x === 'object' && x !== null && CORE_SYMBOL in x;
  }

  public readonly config: BrokerConfig;
  private readonly ports: BrokerPorts;
  private readonly tools: Map<string, ToolEntry>;

  /** @param config the broker config (object or JSON); throws `AG_BROKER_CONFIG` when invalid */
  constructor(config: unknown, ports: BrokerPorts) {
    this.config = parseBrokerConfig(config);
    this.ports = ports;
    // A Map, not an object: a tool named "constructor" or "__proto__" must not find anything.
    this.tools = new Map(this.config.tools.map((t) => [t.name, { config: t, window: t.window ? ChangeWindow.of(t.window) : undefined }]));
    Object.defineProperty(this, CORE_SYMBOL, { value: true });
  }

  /** Parse and check a broker config (object or JSON text); throws `AG_BROKER_CONFIG` when invalid. */
  public static parseConfig(input: unknown): BrokerConfig {
    return parseBrokerConfig(input);
  }

  /** The broker's view of a tool on AWS, given the tool's role ARN. */
  public static awsToolConfig(tool: Tool, roleArn: string): BrokerToolConfig {
    return toolBrokerConfig(tool, roleArn, 'aws');
  }

  /** Decide one untrusted request. Never throws. */
  public async decide(raw: unknown): Promise<BrokerResponse> {
    const decisionId = randomUUID();
    let now: Date | undefined;
    let request: BrokerRequest | undefined;
    let invalidFields: string[] | null = null;
    let outcome: Outcome;
    try {
      now = this.ports.clock.now();
      if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new Error('clock returned no valid time');
    } catch {
      now = undefined;
    }
    try {
      const validation = validateBrokerRequest(raw);
      if (!validation.request) {
        invalidFields = validation.invalidFields;
        outcome = validation.tooLarge
          ? { reasonCode: ReasonCode.REQUEST_TOO_LARGE, message: 'The request is larger than the broker accepts.' }
          : { reasonCode: ReasonCode.INVALID_REQUEST, message: `The request does not match the broker request schema (fields: ${validation.invalidFields.join(', ')}).` };
      } else if (!now) {
        request = validation.request;
        outcome = { reasonCode: ReasonCode.CLOCK_UNAVAILABLE, message: 'The broker cannot tell the time; refusing (fail closed).' };
      } else {
        request = validation.request;
        outcome = await this.evaluate(request, now, decisionId);
      }
    } catch {
      outcome = { reasonCode: ReasonCode.INTERNAL_ERROR, message: 'The broker failed; refusing (fail closed).' };
    }
    const granted = outcome.reasonCode === ReasonCode.GRANTED && outcome.minted !== undefined;
    const record: DecisionRecord = {
      decisionId,
      time: now ? now.toISOString() : 'unknown',
      agent: this.config.agent,
      tool: request?.tool ?? safeEcho(raw, 'tool', SAFE_TOOL),
      environment: this.config.environment,
      lineageId: request?.lineageId ?? safeEcho(raw, 'lineageId', SAFE_LINEAGE),
      decision: granted ? BrokerDecision.GRANTED : BrokerDecision.REFUSED,
      reasonCode: outcome.reasonCode,
      approvalId: outcome.approval?.approvalId ?? outcome.pendingApprovalId ?? request?.approvalId ?? null,
      approver: outcome.approval?.approvedBy ?? null,
      resource: request?.resource ?? null,
      expiresAt: granted ? outcome.minted!.expiresAt : null,
      invalidFields,
    };
    try {
      await this.ports.log.record(record);
    } catch {
      // No audit record, no credential: the minted session simply expires unused.
      return this.refusal(decisionId, ReasonCode.DECISION_LOG_FAILED, 'The decision could not be logged; refusing (fail closed).');
    }
    if (granted) {
      return {
        decision: BrokerDecision.GRANTED,
        decisionId,
        reasonCode: ReasonCode.GRANTED,
        message: outcome.message,
        approvalId: outcome.approval?.approvalId,
        credentials: outcome.minted!.credentials,
        expiresAt: outcome.minted!.expiresAt,
      };
    }
    return { ...this.refusal(decisionId, outcome.reasonCode, outcome.message), approvalId: outcome.pendingApprovalId ?? undefined };
  }

  private async evaluate(request: BrokerRequest, now: Date, decisionId: string): Promise<Outcome> {
    const entry = this.tools.get(request.tool);
    if (!entry) {
      return { reasonCode: ReasonCode.UNKNOWN_TOOL, message: 'The tool is not one of this agent\'s tools.' };
    }
    const tool = entry.config;
    // Checked before the approval so that a bad resource never burns an approval.
    if (request.resource !== undefined && !resourceWithin(request.resource, tool.resources)) {
      return { reasonCode: ReasonCode.RESOURCE_NOT_DECLARED, message: 'The resource is not within the tool\'s declared resources.' };
    }

    let engaged: boolean;
    try {
      engaged = await this.ports.killSwitch.isEngaged(this.config.agent);
    } catch {
      return { reasonCode: ReasonCode.KILL_SWITCH_UNREADABLE, message: 'The kill switch state cannot be read; refusing (fail closed).' };
    }
    if (engaged !== false) {
      return { reasonCode: ReasonCode.KILL_SWITCH_ENGAGED, message: 'The agent\'s kill switch is engaged.' };
    }

    if (entry.window) {
      if (entry.window.isExpired(now)) {
        return { reasonCode: ReasonCode.WINDOW_EXPIRED, message: `The tool's change window expired at ${entry.window.expiresAt}.` };
      }
      if (!entry.window.isOpen(now)) {
        return { reasonCode: ReasonCode.WINDOW_CLOSED, message: `The tool's change window (${entry.window.timeZone}) is closed now.` };
      }
    }

    let approval: ApprovalRecord | undefined;
    if (tool.requiresApproval) {
      const checked = await this.checkApproval(request, now, decisionId);
      if ('reasonCode' in checked) return checked;
      approval = checked.approval;
    }

    let minted: MintedCredential;
    try {
      minted = await this.ports.minter.mint({
        agent: this.config.agent,
        tool: tool.name,
        environment: this.config.environment,
        lineageId: request.lineageId,
        identity: tool.identity,
        actions: [...tool.actions],
        resource: request.resource,
        durationSeconds: this.config.sessionSeconds,
        decisionId,
      });
      if (!minted || typeof minted.expiresAt !== 'string' || typeof minted.credentials !== 'object' || minted.credentials === null) {
        throw new Error('minter returned no credential');
      }
    } catch {
      return { reasonCode: ReasonCode.MINT_FAILED, message: 'The credential could not be minted; refusing (fail closed).', approval };
    }
    return { reasonCode: ReasonCode.GRANTED, message: 'Granted.', approval, minted };
  }

  private async checkApproval(request: BrokerRequest, now: Date, decisionId: string): Promise<Outcome | { approval: ApprovalRecord }> {
    const { agent, environment, approvalMaxAgeSeconds } = this.config;
    if (request.approvalId === undefined) {
      if (!this.config.openPendingApprovals) {
        return { reasonCode: ReasonCode.APPROVAL_REQUIRED, message: 'The tool needs a human approval; pass approvalId.' };
      }
      const pending: ApprovalRecord = {
        approvalId: randomUUID(),
        agent,
        tool: request.tool,
        lineageId: request.lineageId,
        environment,
        status: ApprovalStatus.PENDING,
        requestedBy: this.requester(),
        requestedAt: now.toISOString(),
        reason: request.reason,
      };
      try {
        await this.ports.approvals.openPending(pending);
      } catch {
        return { reasonCode: ReasonCode.APPROVAL_STORE_UNAVAILABLE, message: 'The tool needs a human approval and the approvals store failed; refusing (fail closed).' };
      }
      return {
        reasonCode: ReasonCode.APPROVAL_REQUIRED,
        message: 'The tool needs a human approval; a pending request was opened. Retry with its approvalId once a person has approved it.',
        pendingApprovalId: pending.approvalId,
      };
    }

    let record: ApprovalRecord | undefined;
    try {
      record = await this.ports.approvals.get(request.approvalId);
    } catch {
      return { reasonCode: ReasonCode.APPROVAL_STORE_UNAVAILABLE, message: 'The approvals store failed; refusing (fail closed).' };
    }
    if (!record || record.approvalId !== request.approvalId) {
      return { reasonCode: ReasonCode.APPROVAL_NOT_FOUND, message: 'No approval has that id.' };
    }
    if (record.agent !== agent || record.tool !== request.tool || record.lineageId !== request.lineageId || record.environment !== environment) {
      return { reasonCode: ReasonCode.APPROVAL_MISMATCH, message: 'The approval is for another agent, tool, environment or lineage id.' };
    }
    if (record.status === ApprovalStatus.USED) {
      return { reasonCode: ReasonCode.APPROVAL_ALREADY_USED, message: 'The approval was used already; one approval = one credential.' };
    }
    if (record.status !== ApprovalStatus.APPROVED || !record.approvedBy || !record.approvedAt) {
      return { reasonCode: ReasonCode.APPROVAL_PENDING, message: 'The approval is still waiting for a person.' };
    }
    const approver = record.approvedBy;
    const forbidden = [record.requestedBy, ...this.config.requesterIdentities];
    if (forbidden.some((id) => sameIdentity(id, approver))) {
      return { reasonCode: ReasonCode.APPROVAL_SELF_APPROVED, message: 'The approver is the requester or one of the agent\'s own identities.' };
    }
    const approvedAt = Date.parse(record.approvedAt);
    const age = now.getTime() - approvedAt;
    if (Number.isNaN(approvedAt) || age > approvalMaxAgeSeconds * 1000 || age < -APPROVAL_CLOCK_SKEW_MS) {
      return { reasonCode: ReasonCode.APPROVAL_EXPIRED, message: `The approval is older than ${approvalMaxAgeSeconds} s (or stamped in the future).` };
    }

    let consumed: boolean;
    try {
      consumed = await this.ports.approvals.consume({
        approvalId: record.approvalId,
        agent,
        tool: request.tool,
        lineageId: request.lineageId,
        approvedBy: approver,
        approvedNotBefore: new Date(now.getTime() - approvalMaxAgeSeconds * 1000).toISOString(),
        usedAt: now.toISOString(),
        decisionId,
      });
    } catch {
      return { reasonCode: ReasonCode.APPROVAL_STORE_UNAVAILABLE, message: 'The approval could not be consumed; refusing (fail closed).' };
    }
    if (consumed !== true) {
      return { reasonCode: ReasonCode.APPROVAL_ALREADY_USED, message: 'The approval was used already; one approval = one credential.' };
    }
    return { approval: record };
  }

  /** How the broker names the requester on pending approvals: the agent runtime identity, else the agent. */
  private requester(): string {
    return this.config.requesterIdentities[0] ?? `agent:${this.config.agent}`;
  }

  private refusal(decisionId: string, reasonCode: ReasonCode, message: string): BrokerResponse {
    return { decision: BrokerDecision.REFUSED, decisionId, reasonCode, message };
  }
}

const CORE_SYMBOL = Symbol.for('agent-guardrails.CredentialBrokerCore');

/** Echo a field of a refused request into the log only if it is a safe token. */
function safeEcho(raw: unknown, key: string, pattern: RegExp): string | null {
  try {
    if (typeof raw !== 'object' || raw === null || !Object.prototype.hasOwnProperty.call(raw, key)) return null;
    const value = (raw as Record<string, unknown>)[key];
    return typeof value === 'string' && pattern.test(value) ? value : null;
  } catch {
    return null;
  }
}
