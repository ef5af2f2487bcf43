/**
 * The broker core's ports: everything it needs from the outside world. Each cloud supplies
 * adapters (AWS: SSM, DynamoDB, STS, CloudWatch Logs); tests supply fakes. Any port that throws,
 * answers nonsense or does not answer in time makes the broker refuse (fail closed).
 *
 * Every asynchronous method receives an `AbortSignal` that is aborted when the broker stops waiting
 * (the port timeout): adapters pass it to their SDK call so that the request is cancelled, too.
 */

/** Reads an agent's kill switch. */
export interface IKillSwitchState {
  /** Whether the kill switch is engaged; throw when the state cannot be read. */
  isEngaged(agent: string, signal?: AbortSignal): Promise<boolean>;
}

/** Where an approval is in its life. */
export enum ApprovalStatus {
  /** Opened by the broker, waiting for a human. */
  PENDING = 'pending',
  /** Approved by a human; usable once, for a limited time. */
  APPROVED = 'approved',
  /** Consumed by one credential. */
  USED = 'used',
}

/** One approval: for one agent, tool and lineage id, approved by one person, used once. */
export interface ApprovalRecord {
  readonly approvalId: string;
  readonly agent: string;
  readonly tool: string;
  readonly lineageId: string;
  readonly environment: string;
  readonly status: ApprovalStatus;
  /** Who asked (the agent's runtime identity as the broker knows it). */
  readonly requestedBy: string;
  /** ISO time the request was opened. */
  readonly requestedAt: string;
  /** The request's stated reason (shown to the approver; never logged by the broker). */
  readonly reason?: string;
  /** The approver's identity (AWS: the caller's IAM ARN at the approve endpoint). */
  readonly approvedBy?: string;
  /** ISO time of the approval. */
  readonly approvedAt?: string;
  /** ISO time the approval was consumed. */
  readonly usedAt?: string;
  /** Decision id of the request that consumed it. */
  readonly usedBy?: string;
}

/** What must still hold, atomically, when an approval is consumed. */
export interface ApprovalConsumeCondition {
  readonly approvalId: string;
  readonly agent: string;
  readonly tool: string;
  readonly lineageId: string;
  /** The approver read before; the record must still name this approver. */
  readonly approvedBy: string;
  /** The approval must have been approved at or after this ISO time. */
  readonly approvedNotBefore: string;
  /** ISO time to record as the moment of use. */
  readonly usedAt: string;
  /** Decision id to record. */
  readonly decisionId: string;
}

/** The approvals store. */
export interface IApprovalStore {
  /** The record, or undefined when there is none (strongly consistent read). */
  get(approvalId: string, signal?: AbortSignal): Promise<ApprovalRecord | undefined>;
  /**
   * Atomically flip an approved record to used, only if every condition still holds.
   * @returns true for exactly one caller per approval; false when the condition failed
   */
  consume(condition: ApprovalConsumeCondition, signal?: AbortSignal): Promise<boolean>;
  /** Store a new pending request (and announce it to the approvers). */
  openPending(record: ApprovalRecord, signal?: AbortSignal): Promise<void>;
}

/** What the minter is asked for. */
export interface MintRequest {
  readonly agent: string;
  readonly tool: string;
  readonly environment: string;
  readonly lineageId: string;
  /** The tool's identity (AWS: role ARN). Never any other. */
  readonly identity: string;
  /** The tool's declared actions (used to narrow to `resource`). */
  readonly actions: string[];
  /** Narrow the credential to this one resource. */
  readonly resource?: string;
  /** Credential lifetime. */
  readonly durationSeconds: number;
  /** The tool's declared OAuth scopes (GCP, Azure); only these may be asked for. */
  readonly scopes?: string[];
  /** Decision id, for correlation. */
  readonly decisionId: string;
}

/** A minted credential: opaque key/values for the runtime, plus when it expires. */
export interface MintedCredential {
  /** ISO expiry time. */
  readonly expiresAt: string;
  /** The secret material (AWS: accessKeyId, secretAccessKey, sessionToken). Never logged. */
  readonly credentials: { readonly [key: string]: string };
}

/** Mints short-lived credentials for a tool identity. */
export interface ICredentialMinter {
  /**
   * Mint a credential for `request.identity`, valid for at most `request.durationSeconds`. The broker
   * refuses an answer whose expiry is not a valid future time within that session.
   */
  mint(request: MintRequest, signal?: AbortSignal): Promise<MintedCredential>;
}

/** The time. A port so that tests can stand at a DST change. */
export interface IClock {
  now(): Date;
}

/** One decision, as logged (JSON). Never holds credentials or the request's free text. */
export interface DecisionRecord {
  readonly decisionId: string;
  readonly time: string;
  readonly agent: string;
  /** The tool, when the request named a valid tool name; else null (never echo bad input). */
  readonly tool: string | null;
  readonly environment: string;
  /** The lineage id, when valid; else null. */
  readonly lineageId: string | null;
  readonly decision: string;
  readonly reasonCode: string;
  readonly approvalId: string | null;
  readonly approver: string | null;
  /** The narrowed resource, when one was requested and valid. */
  readonly resource: string | null;
  /** The minted credential's expiry, for grants. */
  readonly expiresAt: string | null;
  /** Names of invalid fields (JSON pointers), for INVALID_REQUEST. */
  readonly invalidFields: string[] | null;
}

/** Where decisions go (AWS: one JSON line on stdout → CloudWatch Logs). */
export interface IDecisionLog {
  record(record: DecisionRecord, signal?: AbortSignal): Promise<void> | void;
}

/** The set of ports a broker needs. */
export interface BrokerPorts {
  readonly killSwitch: IKillSwitchState;
  readonly approvals: IApprovalStore;
  readonly minter: ICredentialMinter;
  readonly clock: IClock;
  readonly log: IDecisionLog;
}
