/**
 * Why the broker granted or refused a request. Stable strings: they appear in decision logs,
 * in the response to the agent runtime, and in alarms/queries over the logs.
 */
export enum ReasonCode {
  /** All checks passed; a credential was minted. */
  GRANTED = 'GRANTED',
  /** The request is not a JSON object of the request schema (wrong type, unknown field, bad characters, too long). */
  INVALID_REQUEST = 'INVALID_REQUEST',
  /** The serialized request is larger than the broker accepts. */
  REQUEST_TOO_LARGE = 'REQUEST_TOO_LARGE',
  /** The tool is not one of this agent's tools. */
  UNKNOWN_TOOL = 'UNKNOWN_TOOL',
  /** `resource` is not within the tool's declared resources. */
  RESOURCE_NOT_DECLARED = 'RESOURCE_NOT_DECLARED',
  /** The agent's kill switch is engaged. */
  KILL_SWITCH_ENGAGED = 'KILL_SWITCH_ENGAGED',
  /** The kill switch state could not be read, or the answer was not a yes/no (fail closed). */
  KILL_SWITCH_UNREADABLE = 'KILL_SWITCH_UNREADABLE',
  /** The kill switch read did not answer within the port timeout (fail closed). */
  KILL_SWITCH_TIMEOUT = 'KILL_SWITCH_TIMEOUT',
  /** Outside the tool's recurring change window. */
  WINDOW_CLOSED = 'WINDOW_CLOSED',
  /** The tool's change window has passed its absolute expiry. */
  WINDOW_EXPIRED = 'WINDOW_EXPIRED',
  /** The tool needs an approval and the request named none; a pending request may have been opened. */
  APPROVAL_REQUIRED = 'APPROVAL_REQUIRED',
  /** No approval record with that id. */
  APPROVAL_NOT_FOUND = 'APPROVAL_NOT_FOUND',
  /** The approval is for another agent, tool or lineage id. */
  APPROVAL_MISMATCH = 'APPROVAL_MISMATCH',
  /** The approval has not been approved by a human yet. */
  APPROVAL_PENDING = 'APPROVAL_PENDING',
  /** The approver is the requester (or one of the agent's own identities). */
  APPROVAL_SELF_APPROVED = 'APPROVAL_SELF_APPROVED',
  /** The approval is older than the baseline's `approval.maxAgeSeconds`. */
  APPROVAL_EXPIRED = 'APPROVAL_EXPIRED',
  /** The approval was used already (also: lost a race for it). */
  APPROVAL_ALREADY_USED = 'APPROVAL_ALREADY_USED',
  /** The approvals store failed or answered something that is not an approval (fail closed). */
  APPROVAL_STORE_UNAVAILABLE = 'APPROVAL_STORE_UNAVAILABLE',
  /** Reading an approval, or opening a pending one, did not answer within the port timeout (fail closed). */
  APPROVAL_STORE_TIMEOUT = 'APPROVAL_STORE_TIMEOUT',
  /**
   * Consuming the approval did not answer within the port timeout. The approval may have been used
   * up by the late write, so it is treated as spent (never reused); no credential is minted.
   */
  APPROVAL_CONSUME_TIMEOUT = 'APPROVAL_CONSUME_TIMEOUT',
  /** The clock failed (fail closed). */
  CLOCK_UNAVAILABLE = 'CLOCK_UNAVAILABLE',
  /** The credential minter failed (fail closed). */
  MINT_FAILED = 'MINT_FAILED',
  /** The minter did not answer within the port timeout; a late credential is discarded (fail closed). */
  MINT_TIMEOUT = 'MINT_TIMEOUT',
  /**
   * The minter's answer is not a usable credential: no credential values, an expiry that is not a
   * valid time, already past, or later than the requested session allows (fail closed).
   */
  MINT_ANSWER_INVALID = 'MINT_ANSWER_INVALID',
  /** The decision could not be logged; no credential is returned without an audit record. */
  DECISION_LOG_FAILED = 'DECISION_LOG_FAILED',
  /** The decision log did not answer within the port timeout; no credential is returned (fail closed). */
  DECISION_LOG_TIMEOUT = 'DECISION_LOG_TIMEOUT',
  /** The broker's own configuration is invalid; every request is refused until it is fixed. */
  CONFIG_INVALID = 'CONFIG_INVALID',
  /** Any other error inside the broker (fail closed). */
  INTERNAL_ERROR = 'INTERNAL_ERROR',
}

/** The two outcomes. */
export enum BrokerDecision {
  GRANTED = 'granted',
  REFUSED = 'refused',
}
