import Ajv from 'ajv';

/** What an agent runtime sends to the broker. */
export interface BrokerRequest {
  /** The tool to get a credential for (one of the agent's tools). */
  readonly tool: string;
  /** Run / prompt id that ties the credential to one agent run; a safe token (stamped on the session). */
  readonly lineageId: string;
  /**
   * Why the agent needs the tool, shown to the human approver.
   * @default - none
   */
  readonly reason?: string;
  /**
   * The approval to use, for tools that need one.
   * @default - none; a tool that needs an approval is refused and a pending request may be opened
   */
  readonly approvalId?: string;
  /**
   * One resource (no wildcards) within the tool's declared resources; the credential is narrowed to it.
   * @default - the tool's declared resources
   */
  readonly resource?: string;
}

/** Longest serialized request the broker reads; anything larger is refused before it is parsed further. */
export const MAX_REQUEST_BYTES = 8192;

/** Tool names as `Tool` accepts them. */
export const TOOL_NAME_PATTERN = '^[a-z][a-z0-9-]{0,38}[a-z0-9]$';
/**
 * A lineage id is stamped into session tags and the session name, so it must be a safe token:
 * ASCII letters, digits and `._:-`, starting with a letter or digit, at most 128 chars.
 */
export const LINEAGE_ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$';
/** Approval ids are issued by the approvals store (UUIDs). */
export const APPROVAL_ID_PATTERN = '^[A-Za-z0-9-]{16,64}$';
/** Printable ASCII without spaces and without the wildcards `*` and `?`: one concrete resource. */
const RESOURCE_PATTERN = '^[\\x21-\\x29\\x2B-\\x3E\\x40-\\x7E]+$';
/** Free text without control characters (C0, DEL, C1) or line/paragraph separators. */
const NO_CONTROL_CHARS = '^[^\\u0000-\\u001F\\u007F-\\u009F\\u2028\\u2029]*$';

/** The JSON schema of a broker request (draft-07, as ajv reads it). */
export const BROKER_REQUEST_SCHEMA = {
  $id: 'agent-guardrails/broker-request',
  type: 'object',
  additionalProperties: false,
  required: ['tool', 'lineageId'],
  properties: {
    tool: { type: 'string', pattern: TOOL_NAME_PATTERN },
    lineageId: { type: 'string', pattern: LINEAGE_ID_PATTERN },
    reason: { type: 'string', maxLength: 1024, pattern: NO_CONTROL_CHARS },
    approvalId: { type: 'string', pattern: APPROVAL_ID_PATTERN },
    resource: { type: 'string', minLength: 1, maxLength: 2048, pattern: RESOURCE_PATTERN },
  },
} as const;

/** Outcome of validating a request: the request, or the invalid fields (names only, never values). */
export interface RequestValidation {
  readonly request?: BrokerRequest;
  readonly tooLarge: boolean;
  /** JSON pointers of the fields that failed (e.g. `/lineageId`), never their values. */
  readonly invalidFields: string[];
}

let compiled: ReturnType<Ajv['compile']> | undefined;

/**
 * Validate an untrusted request. Size is checked before the schema, so a huge payload costs one
 * `JSON.stringify`; field values never appear in the result.
 */
export function validateBrokerRequest(raw: unknown): RequestValidation {
  let text: string | undefined;
  try {
    text = JSON.stringify(raw);
  } catch {
    return { tooLarge: false, invalidFields: ['/'] }; // cycles, BigInt: not JSON
  }
  if (text === undefined) return { tooLarge: false, invalidFields: ['/'] };
  if (Buffer.byteLength(text, 'utf8') > MAX_REQUEST_BYTES) return { tooLarge: true, invalidFields: ['/'] };
  // Validate a plain copy: no getters, prototypes or non-JSON values can change between checks and use.
  const copy: unknown = JSON.parse(text);
  compiled ??= new Ajv({ allErrors: true, strict: true }).compile(BROKER_REQUEST_SCHEMA);
  if (!compiled(copy)) {
    const fields = (compiled.errors ?? []).map((e) => (e.params && 'additionalProperty' in e.params ? '/(unknown field)' : e.instancePath || '/'));
    return { tooLarge: false, invalidFields: [...new Set(fields.length > 0 ? fields : ['/'])] };
  }
  return { request: copy as BrokerRequest, tooLarge: false, invalidFields: [] };
}
