/**
 * Tag keys written on every agent identity (AWS tags, Azure tags, GCP labels/descriptions).
 * The checks, the CLI and reviewers rely on exactly these names on all three clouds.
 */
export const TAG_KEYS = {
  agent: 'agent-guardrails:agent',
  tool: 'agent-guardrails:tool',
  tier: 'agent-guardrails:tier',
  environment: 'agent-guardrails:environment',
  /** What part of the guardrails a resource is: see `Component`. */
  component: 'agent-guardrails:component',
} as const;

/**
 * Values of the `agent-guardrails:component` tag/metadata. Tells the checks which identities are
 * tool identities and which are the guardrails' own (broker, revocation), also from synthesized files.
 */
export enum Component {
  TOOL_IDENTITY = 'tool-identity',
  BROKER = 'broker',
  REVOCATION = 'revocation',
  BOUNDARY = 'boundary',
  KILL_SWITCH = 'kill-switch',
  APPROVAL_GATE = 'approval-gate',
  AUDIT = 'audit',
  /** The activity monitor's own role and resources (it may only pull the kill switch and alert). */
  MONITOR = 'monitor',
}

/** The four keys, in a stable order. */
export const AGENT_TAG_KEYS: readonly string[] = [TAG_KEYS.agent, TAG_KEYS.tool, TAG_KEYS.tier, TAG_KEYS.environment];

/**
 * Key of the CloudFormation/Terraform metadata entry holding what a tool declared
 * (access level, actions/roles, resources, data sources). Lets checks compare grants with
 * declarations (AGENT-001) from synthesized files alone.
 */
export const DECLARATION_METADATA_KEY = 'agent-guardrails:declaration';

/**
 * Key of the Terraform metadata entry (`"//"."agent-guardrails"`) a `CredentialBroker` construct
 * writes on its function: which agent and environment it serves, its own identity and (Azure) its
 * issuer. The checks recognise the broker by this record, not by a component label alone.
 */
export const BROKER_METADATA_KEY = 'agent-guardrails:broker';

/** The broker record (`BROKER_METADATA_KEY`). */
export interface BrokerRecord {
  readonly cloud: 'gcp' | 'azure';
  readonly agent: string;
  readonly environment: string;
  /** The broker's own identity: GCP service account email, Azure user-assigned identity name. */
  readonly identity: string;
  /** Azure: the issuer of the broker's client assertions (the tools' federated credentials trust exactly this). */
  readonly issuer?: string;
  /** Who may call the broker (GCP members; Azure client and object ids). */
  readonly invokers: string[];
  /** Who may approve the agent's pending requests (GCP members; Azure object ids); absent or empty: no approve path. */
  readonly approvers?: string[];
}

/**
 * Key of the CloudFormation/Terraform metadata entry recording a deliberate cross-account opt-in
 * (`{ accounts, reason }`) on the resource whose trust admits those accounts. The checks accept
 * exactly the listed accounts there, and the reports list every such opt-in with its reason.
 */
export const CROSS_ACCOUNT_METADATA_KEY = 'agent-guardrails:cross-account';
