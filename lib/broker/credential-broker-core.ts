import { randomUUID } from 'crypto';
import { ChangeWindow } from '../model/change-window';
import { Tool } from '../model/tool';
import { BrokerConfig, BrokerToolConfig, parseBrokerConfig } from './broker-config';
import { BrokerRequest, LINEAGE_ID_PATTERN, TOOL_NAME_PATTERN, validateBrokerRequest } from './broker-request';
import { checkMintedCredential } from './minted-credential-check';
import { callPort, DEFAULT_PORT_TIMEOUT_MS } from './port-call';
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
  /** Set once the approval's consume was attempted: whether it is certainly used up, or may be. */
  readonly approvalUse?: 'spent' | 'unknown';
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
  private readonly portTimeoutMs: number;

  /** @param config the broker config (object or JSON); throws `AG_BROKER_CONFIG` when invalid */
  constructor(config: unknown, ports: BrokerPorts) {
    this.config = parseBrokerConfig(config);
    this.ports = ports;
    this.portTimeoutMs = this.config.portTimeoutMs ?? DEFAULT_PORT_TIMEOUT_MS;
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

  /** Decide one untrusted request. Never throws; every port call is bounded by `portTimeoutMs`. */
  public async decide(raw: unknown): Promise<BrokerResponse> {
    const decisionId = randomUUID();
    const arrival = this.clockNow();
    let request: BrokerRequest | undefined;
    let invalidFields: string[] | null = null;
    let outcome: Outcome;
    try {
      const validation = validateBrokerRequest(raw);
      if (!validation.request) {
        invalidFields = validation.invalidFields;
        outcome = validation.tooLarge
          ? { reasonCode: ReasonCode.REQUEST_TOO_LARGE, message: 'The request is larger than the broker accepts.' }
          : { reasonCode: ReasonCode.INVALID_REQUEST, message: `The request does not match the broker request schema (fields: ${validation.invalidFields.join(', ')}).` };
      } else if (!arrival) {
        request = validation.request;
        outcome = CLOCK_REFUSAL;
      } else {
        request = validation.request;
        outcome = await this.evaluate(request, decisionId);
      }
    } catch {
      outcome = { reasonCode: ReasonCode.INTERNAL_ERROR, message: 'The broker failed; refusing (fail closed).' };
    }
    const granted = outcome.reasonCode === ReasonCode.GRANTED && outcome.minted !== undefined;
    const record: DecisionRecord = {
      decisionId,
      time: arrival ? arrival.toISOString() : 'unknown',
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
    const logged = await callPort((signal) => this.ports.log.record(record, signal), this.portTimeoutMs);
    if (logged.kind !== 'answered') {
      // No audit record, no credential: a minted credential simply expires unused.
      return logged.kind === 'timed-out'
        ? this.refusal(decisionId, ReasonCode.DECISION_LOG_TIMEOUT, 'The decision log did not answer in time; refusing (fail closed).')
        : this.refusal(decisionId, ReasonCode.DECISION_LOG_FAILED, 'The decision could not be logged; refusing (fail closed).');
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
    // A refusal after the approval's consume says so: never a silently burnt approval.
    const message = outcome.approvalUse ? `${outcome.message} ${APPROVAL_USE[outcome.approvalUse]}` : outcome.message;
    return { ...this.refusal(decisionId, outcome.reasonCode, message), approvalId: outcome.pendingApprovalId ?? (outcome.approvalUse ? outcome.approval?.approvalId : undefined) };
  }

  private async evaluate(request: BrokerRequest, decisionId: string): Promise<Outcome> {
    const entry = this.tools.get(request.tool);
    if (!entry) {
      return { reasonCode: ReasonCode.UNKNOWN_TOOL, message: 'The tool is not one of this agent\'s tools.' };
    }
    const tool = entry.config;
    // Checked before the approval so that a bad resource never burns an approval.
    if (request.resource !== undefined && !resourceWithin(request.resource, tool.resources)) {
      return { reasonCode: ReasonCode.RESOURCE_NOT_DECLARED, message: 'The resource is not within the tool\'s declared resources.' };
    }

    const killSwitch = await callPort((signal) => this.ports.killSwitch.isEngaged(this.config.agent, signal), this.portTimeoutMs);
    if (killSwitch.kind === 'timed-out') {
      return { reasonCode: ReasonCode.KILL_SWITCH_TIMEOUT, message: 'The kill switch state did not answer in time; refusing (fail closed).' };
    }
    if (killSwitch.kind === 'failed' || typeof killSwitch.value !== 'boolean') {
      return { reasonCode: ReasonCode.KILL_SWITCH_UNREADABLE, message: 'The kill switch state cannot be read; refusing (fail closed).' };
    }
    if (killSwitch.value) {
      return { reasonCode: ReasonCode.KILL_SWITCH_ENGAGED, message: 'The agent\'s kill switch is engaged.' };
    }

    // The time is read again after each port call: a slow port must not carry a request past its window.
    const afterKillSwitch = this.clockNow();
    if (!afterKillSwitch) return CLOCK_REFUSAL;
    const closed = windowRefusal(entry, afterKillSwitch);
    if (closed) return closed;

    let approval: ApprovalRecord | undefined;
    if (tool.requiresApproval) {
      const checked = await this.checkApproval(request, decisionId);
      if ('reasonCode' in checked) return checked;
      approval = checked.approval;
    }

    // Last look before minting: the window and the approval's age at this very moment.
    const mintStartedAt = this.clockNow();
    const spent = approval ? { approval, approvalUse: 'spent' as const } : {};
    if (!mintStartedAt) return { ...CLOCK_REFUSAL, ...spent };
    const closedNow = windowRefusal(entry, mintStartedAt);
    if (closedNow) return { ...closedNow, ...spent };
    if (approval && !this.approvalFresh(approval, mintStartedAt)) return { ...this.approvalExpired(), ...spent };

    const durationSeconds = this.config.sessionSeconds;
    const mint = await callPort((signal) => this.ports.minter.mint({
      agent: this.config.agent,
      tool: tool.name,
      environment: this.config.environment,
      lineageId: request.lineageId,
      identity: tool.identity,
      actions: [...tool.actions],
      resource: request.resource,
      durationSeconds,
      ...(tool.scopes ? { scopes: [...tool.scopes] } : {}),
      decisionId,
    }, signal), this.portTimeoutMs);
    if (mint.kind === 'timed-out') {
      return { reasonCode: ReasonCode.MINT_TIMEOUT, message: 'The credential minter did not answer in time; refusing (fail closed).', ...spent };
    }
    if (mint.kind === 'failed') {
      return { reasonCode: ReasonCode.MINT_FAILED, message: 'The credential could not be minted; refusing (fail closed).', ...spent };
    }
    const afterMint = this.clockNow();
    const minted = afterMint ? checkMintedCredential(mint.value, mintStartedAt, durationSeconds, afterMint) : undefined;
    if (!minted) {
      return { reasonCode: ReasonCode.MINT_ANSWER_INVALID, message: `The minter's answer is not a credential that expires within the requested ${durationSeconds} s; refusing (fail closed).`, ...spent };
    }
    return { reasonCode: ReasonCode.GRANTED, message: 'Granted.', approval, minted };
  }

  private async checkApproval(request: BrokerRequest, decisionId: string): Promise<Outcome | { approval: ApprovalRecord }> {
    const { agent, environment, approvalMaxAgeSeconds } = this.config;
    if (request.approvalId === undefined) {
      if (!this.config.openPendingApprovals) {
        return { reasonCode: ReasonCode.APPROVAL_REQUIRED, message: 'The tool needs a human approval; pass approvalId.' };
      }
      const openedAt = this.clockNow();
      if (!openedAt) return CLOCK_REFUSAL;
      const pending: ApprovalRecord = {
        approvalId: randomUUID(),
        agent,
        tool: request.tool,
        lineageId: request.lineageId,
        environment,
        status: ApprovalStatus.PENDING,
        requestedBy: this.requester(),
        requestedAt: openedAt.toISOString(),
        reason: request.reason,
      };
      const opened = await callPort((signal) => this.ports.approvals.openPending(pending, signal), this.portTimeoutMs);
      if (opened.kind === 'timed-out') {
        return { reasonCode: ReasonCode.APPROVAL_STORE_TIMEOUT, message: 'The tool needs a human approval and the approvals store did not answer in time; refusing (fail closed).' };
      }
      if (opened.kind === 'failed') {
        return { reasonCode: ReasonCode.APPROVAL_STORE_UNAVAILABLE, message: 'The tool needs a human approval and the approvals store failed; refusing (fail closed).' };
      }
      return {
        reasonCode: ReasonCode.APPROVAL_REQUIRED,
        message: 'The tool needs a human approval; a pending request was opened. Retry with its approvalId once a person has approved it.',
        pendingApprovalId: pending.approvalId,
      };
    }

    const approvalId = request.approvalId;
    const read = await callPort((signal) => this.ports.approvals.get(approvalId, signal), this.portTimeoutMs);
    if (read.kind === 'timed-out') {
      return { reasonCode: ReasonCode.APPROVAL_STORE_TIMEOUT, message: 'The approvals store did not answer in time; refusing (fail closed).' };
    }
    if (read.kind === 'failed' || (read.value !== undefined && !isApprovalRecord(read.value))) {
      return { reasonCode: ReasonCode.APPROVAL_STORE_UNAVAILABLE, message: 'The approvals store failed; refusing (fail closed).' };
    }
    const record = read.value;
    if (!record || record.approvalId !== approvalId) {
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
    const now = this.clockNow();
    if (!now) return CLOCK_REFUSAL;
    if (!this.approvalFresh(record, now)) return this.approvalExpired();

    const consume = await callPort((signal) => this.ports.approvals.consume({
      approvalId: record.approvalId,
      agent,
      tool: request.tool,
      lineageId: request.lineageId,
      approvedBy: approver,
      approvedNotBefore: new Date(now.getTime() - approvalMaxAgeSeconds * 1000).toISOString(),
      usedAt: now.toISOString(),
      decisionId,
    }, signal), this.portTimeoutMs);
    // From here on the approval may be spent: every refusal carries it, so the record and the answer say so.
    if (consume.kind === 'timed-out') {
      return { reasonCode: ReasonCode.APPROVAL_CONSUME_TIMEOUT, message: 'The approvals store did not confirm the use of the approval in time; refusing (fail closed).', approval: record, approvalUse: 'unknown' };
    }
    if (consume.kind === 'failed' || typeof consume.value !== 'boolean') {
      return { reasonCode: ReasonCode.APPROVAL_STORE_UNAVAILABLE, message: 'The approval could not be consumed; refusing (fail closed).', approval: record, approvalUse: 'unknown' };
    }
    if (!consume.value) {
      return { reasonCode: ReasonCode.APPROVAL_ALREADY_USED, message: 'The approval was used already; one approval = one credential.' };
    }
    return { approval: record };
  }

  /** Approved no longer than `approvalMaxAgeSeconds` before `now`, and not stamped in the future. */
  private approvalFresh(record: ApprovalRecord, now: Date): boolean {
    const approvedAt = Date.parse(record.approvedAt ?? '');
    const age = now.getTime() - approvedAt;
    return !Number.isNaN(approvedAt) && age <= this.config.approvalMaxAgeSeconds * 1000 && age >= -APPROVAL_CLOCK_SKEW_MS;
  }

  private approvalExpired(): Outcome {
    return { reasonCode: ReasonCode.APPROVAL_EXPIRED, message: `The approval is older than ${this.config.approvalMaxAgeSeconds} s (or stamped in the future).` };
  }

  /** The clock port's time, or undefined when it fails or answers something that is not a time. */
  private clockNow(): Date | undefined {
    try {
      const now = this.ports.clock.now();
      return now instanceof Date && !Number.isNaN(now.getTime()) ? new Date(now.getTime()) : undefined;
    } catch {
      return undefined;
    }
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
const CLOCK_REFUSAL: Outcome = { reasonCode: ReasonCode.CLOCK_UNAVAILABLE, message: 'The broker cannot tell the time; refusing (fail closed).' };
const APPROVAL_USE = {
  spent: 'This request used up the approval (one approval = one attempt); ask a person for a new one.',
  unknown: 'The approval may have been used up by this request (its use could not be confirmed); a retry with it is refused with APPROVAL_ALREADY_USED if so, then ask a person for a new one.',
} as const;
const APPROVAL_STRING_FIELDS = ['approvalId', 'agent', 'tool', 'lineageId', 'environment', 'status', 'requestedBy', 'requestedAt'] as const;
const APPROVAL_OPTIONAL_FIELDS = ['reason', 'approvedBy', 'approvedAt', 'usedAt', 'usedBy'] as const;

/** Whether a store's answer has the shape of an approval record (a malformed answer is a store fault, not a refusal reason of its own). */
function isApprovalRecord(x: unknown): x is ApprovalRecord {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return APPROVAL_STRING_FIELDS.every((k) => typeof r[k] === 'string') && APPROVAL_OPTIONAL_FIELDS.every((k) => r[k] === undefined || typeof r[k] === 'string');
}

/** The refusal for a closed or expired window at `now`, if any. */
function windowRefusal(entry: ToolEntry, now: Date): Outcome | undefined {
  if (!entry.window) return undefined;
  if (entry.window.isExpired(now)) {
    return { reasonCode: ReasonCode.WINDOW_EXPIRED, message: `The tool's change window expired at ${entry.window.expiresAt}.` };
  }
  if (!entry.window.isOpen(now)) {
    return { reasonCode: ReasonCode.WINDOW_CLOSED, message: `The tool's change window (${entry.window.timeZone}) is closed now.` };
  }
  return undefined;
}

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
