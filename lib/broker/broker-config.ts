import Ajv from 'ajv';
import { GuardrailError } from '../errors';
import { TOOL_NAME_PATTERN } from './broker-request';

/** A recurring window slot as JSON (same shape as `WindowSlot`). */
export interface BrokerWindowSlot {
  /** Weekdays, 0 = Sunday. */
  readonly days: number[];
  /** `HH:MM` local opening time. */
  readonly start: string;
  /** `HH:MM` local closing time (`24:00` allowed). */
  readonly end: string;
}

/** A tool's change window as JSON (same shape as `ChangeWindowProps`). */
export interface BrokerWindow {
  /** IANA time zone. */
  readonly timeZone: string;
  /** Recurring slots. */
  readonly slots: BrokerWindowSlot[];
  /**
   * Absolute expiry, ISO 8601 with offset.
   * @default - no expiry
   */
  readonly expiresAt?: string;
}

/** What the broker knows about one tool: JSON, so it can travel in a Lambda environment variable. */
export interface BrokerToolConfig {
  /** Tool name. */
  readonly name: string;
  /** The tool's cloud identity (AWS: the tool role ARN). */
  readonly identity: string;
  /** `read`, `write` or `destructive`. */
  readonly accessLevel: string;
  /** Whether each use needs a human approval. */
  readonly requiresApproval: boolean;
  /** Declared resources (patterns with `*`/`?`); a request's `resource` must match one. */
  readonly resources: string[];
  /** Declared actions; a narrowed credential allows these on the requested resource only. */
  readonly actions: string[];
  /**
   * OAuth scopes the token is minted with (GCP `generateAccessToken` scopes; Azure: the one
   * `<resource>/.default` scope). Only these are ever asked for.
   * @default - none (AWS credentials have no scopes)
   */
  readonly scopes?: string[];
  /**
   * When the tool may be used.
   * @default - always
   */
  readonly window?: BrokerWindow;
}

/** The broker's configuration for one agent. */
export interface BrokerConfig {
  /** Agent name (stamped on every credential). */
  readonly agent: string;
  /** Environment name (stamped on every credential). */
  readonly environment: string;
  /** Length of minted credentials (baseline `session.brokerSessionSeconds`, 900). */
  readonly sessionSeconds: number;
  /** How long an approval stays usable (baseline `approval.maxAgeSeconds`, 900). */
  readonly approvalMaxAgeSeconds: number;
  /** Identities that may never approve this agent's requests (the agent runtime, its tool identities). */
  readonly requesterIdentities: string[];
  /** Whether a request that lacks an approval opens a pending approval request. */
  readonly openPendingApprovals: boolean;
  /** The agent's tools. */
  readonly tools: BrokerToolConfig[];
  /**
   * Bound on each port call (kill-switch read, approval read, consume and open, mint, decision log),
   * in milliseconds; a call that takes longer is a refusal with a `*_TIMEOUT` reason code.
   * @default 2000
   */
  readonly portTimeoutMs?: number;
}

/** JSON schema of `BrokerWindow` (also what the activity playbook carries). */
export const WINDOW_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['timeZone', 'slots'],
  properties: {
    timeZone: { type: 'string', minLength: 1, maxLength: 64 },
    expiresAt: { type: 'string', maxLength: 40 },
    slots: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['days', 'start', 'end'],
        properties: {
          days: { type: 'array', minItems: 1, items: { type: 'integer', minimum: 0, maximum: 6 } },
          start: { type: 'string', pattern: '^\\d{2}:\\d{2}$' },
          end: { type: 'string', pattern: '^\\d{2}:\\d{2}$' },
        },
      },
    },
  },
} as const;

/** JSON schema of `BrokerConfig`; the Lambda refuses every request when its config fails it. */
export const BROKER_CONFIG_SCHEMA = {
  $id: 'agent-guardrails/broker-config',
  type: 'object',
  additionalProperties: false,
  required: ['agent', 'environment', 'sessionSeconds', 'approvalMaxAgeSeconds', 'requesterIdentities', 'openPendingApprovals', 'tools'],
  properties: {
    agent: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,62}$' },
    environment: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,31}$' },
    sessionSeconds: { type: 'integer', minimum: 900, maximum: 43200 },
    approvalMaxAgeSeconds: { type: 'integer', minimum: 60, maximum: 3600 },
    requesterIdentities: { type: 'array', items: { type: 'string', minLength: 1 } },
    openPendingApprovals: { type: 'boolean' },
    portTimeoutMs: { type: 'integer', minimum: 1, maximum: 30000 },
    tools: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name', 'identity', 'accessLevel', 'requiresApproval', 'resources', 'actions'],
        properties: {
          name: { type: 'string', pattern: TOOL_NAME_PATTERN },
          identity: { type: 'string', minLength: 1, maxLength: 2048 },
          accessLevel: { enum: ['read', 'write', 'destructive'] },
          requiresApproval: { type: 'boolean' },
          resources: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
          actions: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
          scopes: { type: 'array', minItems: 1, maxItems: 8, items: { type: 'string', pattern: '^https://[\\x21-\\x7E]{1,200}$' } },
          window: WINDOW_SCHEMA,
        },
      },
    },
  },
} as const;

let compiled: ReturnType<Ajv['compile']> | undefined;

/** Parse and check a broker config (an object or its JSON text); throws `AG_BROKER_CONFIG` when invalid. */
export function parseBrokerConfig(input: unknown): BrokerConfig {
  let doc = input;
  if (typeof input === 'string') {
    try {
      doc = JSON.parse(input);
    } catch (e) {
      throw new GuardrailError('AG_BROKER_CONFIG', `broker config is not JSON; got ${(e as Error).message}. Redeploy the broker construct; do not edit its configuration by hand.`);
    }
  }
  compiled ??= new Ajv({ allErrors: true, strict: true }).compile(BROKER_CONFIG_SCHEMA);
  if (!compiled(doc)) {
    const errors = (compiled.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new GuardrailError('AG_BROKER_CONFIG', `broker config does not match its schema; got ${errors.join('; ')}. Redeploy the broker construct; do not edit its configuration by hand.`);
  }
  const config = doc as BrokerConfig;
  const names = config.tools.map((t) => t.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) {
    throw new GuardrailError('AG_BROKER_CONFIG', `broker config tools has a duplicate tool; got "${duplicate}". One tool = one identity.`);
  }
  return config;
}
