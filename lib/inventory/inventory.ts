import type { EmbeddedBaselineSighting } from '../baseline/embedded-baseline';
import { pushAll } from '../private/push-all';

/**
 * The cloud-neutral inventory: the only thing rules look at. Adapters (CloudFormation,
 * Terraform) build it from construct trees or synthesized files.
 */

export type Cloud = 'aws' | 'gcp' | 'azure';

/** Where something came from, so a finding can name it. */
export interface SourceLocation {
  /** Synthesized file (template, cdk.tf.json), when read from disk. */
  readonly file?: string;
  /** CloudFormation stack name or CDKTF stack name. */
  readonly stack?: string;
  /** CloudFormation logical id, or Terraform address `type.name`. */
  readonly resource: string;
  /** Construct path, or a JSON path inside the resource (e.g. `Properties.Policies[0]`). */
  readonly path?: string;
}

/** What our tags say about an identity (absent when it is not one of ours). */
export interface AgentLabels {
  readonly agent?: string;
  readonly tool?: string;
  readonly tier?: string;
  readonly environment?: string;
  /** `agent-guardrails:component` (tool-identity, broker, revocation, …). */
  readonly component?: string;
}

/** A tool's change window as declared (the broker's JSON shape: IANA zone, weekly slots, optional expiry). */
export interface DeclaredWindow {
  readonly timeZone: string;
  readonly slots: { readonly days: number[]; readonly start: string; readonly end: string }[];
  readonly expiresAt?: string;
}

/** Where a tool's environment lives, as declared (only literal values; tokens are left out). */
export interface DeclaredPlacement {
  readonly aws?: { readonly account: string };
  readonly gcp?: { readonly project: string };
  readonly azure?: { readonly subscriptionId: string; readonly resourceGroup?: string };
}

/** What a tool declared (from the `agent-guardrails:declaration` metadata), for AIBOM drift. */
export interface Declaration {
  readonly agent: string;
  readonly tool: string;
  readonly tier: string;
  readonly environment: string;
  readonly accessLevel: string;
  /** AWS actions / GCP permissions or roles / Azure actions or roles the tool declared. */
  readonly actions: string[];
  /** Resource ARNs / GCP resource names / Azure scopes the tool declared. */
  readonly resources: string[];
  readonly dataSources: string[];
  readonly requiresApproval: boolean;
  readonly hasWindow: boolean;
  /** The window itself, when the construct wrote it (for the activity evaluator's `outside-window`). */
  readonly window?: DeclaredWindow;
  /** The environment's placement, when the construct wrote it (for `other-environment`). */
  readonly placement?: DeclaredPlacement;
}

/** A deliberate cross-account opt-in recorded on a resource (`agent-guardrails:cross-account` metadata). */
export interface CrossAccountOptIn {
  /** The other AWS accounts (or GCP projects) the resource deliberately admits. */
  readonly accounts: string[];
  /** Why, as the platform team stated it. */
  readonly reason: string;
}

export type IdentityKind =
  | 'aws-iam-role'
  | 'aws-iam-user'
  | 'aws-iam-group'
  | 'gcp-service-account'
  | 'azure-user-assigned-identity';

/** A statement of an AWS trust policy, or a GCP/Azure federation (who may become the identity). */
export interface TrustEntry {
  readonly effect: 'Allow' | 'Deny';
  /** `sts:AssumeRole`, `sts:AssumeRoleWithWebIdentity`, `sts:TagSession`, … */
  readonly actions: string[];
  /** Principals: `*`, ARNs, account ids, services, federated providers, or a GCP/Azure principal string. */
  readonly principals: string[];
  /** Principal kind per entry, aligned with `principals` (`AWS`, `Service`, `Federated`, `*`, `gcp-member`, `azure-federated`). */
  readonly principalKinds: string[];
  readonly notPrincipal?: boolean;
  /** The raw IAM condition block (operators → keys → values). */
  readonly condition?: Record<string, Record<string, unknown>>;
  readonly source: SourceLocation;
}

/** A federated credential (Azure) or workload identity provider binding (GCP). */
export interface Federation {
  readonly issuer?: string;
  readonly subject?: string;
  readonly audiences?: string[];
  /** GCP workload identity pool provider attribute condition. */
  readonly attributeCondition?: string;
  /** Our labels on the credential itself (e.g. `component: broker` for the broker's way in), when any. */
  readonly labels?: AgentLabels;
  readonly source: SourceLocation;
}

export interface Identity {
  /** Unique in the inventory: `<cloud>:<stack>/<resource>`. */
  readonly id: string;
  readonly cloud: Cloud;
  readonly kind: IdentityKind;
  /** The identity's name when known (role name, account id, identity name). */
  readonly name?: string;
  readonly labels: AgentLabels;
  /** True when our tags mark it as an agent tool identity. */
  readonly isAgent: boolean;
  /** The tool's declaration, when present. */
  readonly declaration?: Declaration;
  /** AWS permissions boundary: a policy id in `inventory.policies`, an AWS-managed ARN, or undefined. */
  readonly boundary?: string;
  /** AWS MaxSessionDuration in seconds (AWS default 3600 when absent in the template). */
  readonly maxSessionSeconds?: number;
  /** AWS trust policy size in characters, whitespace excluded (AWS-013 quota), when known. */
  readonly trustPolicyChars?: number;
  readonly trust: TrustEntry[];
  readonly federations: Federation[];
  /** Long-lived keys (access keys, service account keys, client secrets) issued for it. */
  readonly longLivedKeys: SourceLocation[];
  /** The cross-account opt-in recorded on it, when any: the other accounts its trust may name. */
  readonly crossAccount?: CrossAccountOptIn;
  readonly source: SourceLocation;
}

/** One IAM statement's worth of allow/deny on AWS, or one role binding on GCP/Azure. */
export interface Grant {
  readonly id: string;
  readonly cloud: Cloud;
  /** The identity it applies to; undefined when the principal is not in the inventory (see `principal`). */
  readonly identityId?: string;
  /** The principal as written (GCP member string, Azure principal id, AWS ARN) when no identity matched. */
  readonly principal?: string;
  readonly effect: 'Allow' | 'Deny';
  /** AWS actions or GCP/Azure permissions (after expanding a custom role when known). */
  readonly actions: string[];
  /** AWS `NotAction` / Azure `not_actions`. */
  readonly notActions?: string[];
  /** Resource ARNs, or GCP resource names, or Azure scopes. */
  readonly resources: string[];
  readonly notResources?: string[];
  /** GCP/Azure role name or id (before expansion). */
  readonly role?: string;
  /** GCP/Azure level of the grant. */
  readonly scopeLevel?: 'resource' | 'resource-group' | 'project' | 'folder' | 'organization' | 'subscription' | 'management-group' | 'root';
  /** IAM condition block (AWS) or condition expression (GCP CEL / Azure ABAC). */
  readonly condition?: Record<string, Record<string, unknown>> | string;
  /** How it is attached. */
  readonly via: 'inline-policy' | 'managed-policy' | 'aws-managed-policy' | 'iam-member' | 'iam-binding' | 'iam-policy' | 'role-assignment';
  /** The policy (for AWS) it belongs to, as an id in `inventory.policies`. */
  readonly policyId?: string;
  /** Our labels on the grant's own resource (Terraform: a labelled `*_iam_member` / role assignment), when any. */
  readonly labels?: AgentLabels;
  /** The cross-account opt-in recorded on the grant's resource (a GCP binding admitting another project's principal), when any. */
  readonly crossAccount?: CrossAccountOptIn;
  readonly source: SourceLocation;
}

/** An AWS managed policy (customer or AWS-managed), a GCP custom role or an Azure role definition. */
export interface PolicyDocumentEntry {
  readonly id: string;
  readonly cloud: Cloud;
  readonly kind: 'aws-managed-policy' | 'aws-customer-managed-policy' | 'aws-inline-policy' | 'gcp-custom-role' | 'azure-role-definition' | 'gcp-deny-policy';
  readonly name?: string;
  /** Statements as parsed (AWS), or a single pseudo-statement for roles. */
  readonly statements: PolicyStatement[];
  /** Raw document size in characters, whitespace excluded (AWS quotas). */
  readonly sizeChars?: number;
  /** Identities it is attached to (as a policy, not a boundary). */
  readonly attachedTo: string[];
  /** Identities it is the permissions boundary of. */
  readonly boundaryOf: string[];
  /** GCP custom role permissions / Azure role definition actions. */
  readonly permissions?: string[];
  /** Azure assignable scopes. */
  readonly assignableScopes?: string[];
  readonly labels?: AgentLabels;
  readonly source: SourceLocation;
}

export interface PolicyStatement {
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
  readonly actions?: string[];
  readonly notActions?: string[];
  readonly resources?: string[];
  readonly notResources?: string[];
  readonly condition?: Record<string, Record<string, unknown>>;
}

/** Anything else the rules need to see (kill switches, audit configs, WIF providers, keys, …). */
export interface OtherResource {
  readonly cloud: Cloud;
  /** CloudFormation type or Terraform resource type. */
  readonly type: string;
  readonly properties: Record<string, unknown>;
  readonly labels?: AgentLabels;
  /** The cross-account opt-in recorded on it, when any (e.g. a broker's invoke permission for a runtime of another account). */
  readonly crossAccount?: CrossAccountOptIn;
  readonly source: SourceLocation;
}

/** A value an adapter could not resolve: rules turn these into findings (fail closed). */
export interface Unresolved {
  readonly cloud: Cloud;
  readonly what: string;
  /**
   * `warning` where the gap can only hide grants we cannot judge but that are not ours to see
   * (a customer-managed policy defined elsewhere); the baseline may raise it.
   * @default - an error (fail closed)
   */
  readonly severity?: 'warning';
  readonly source: SourceLocation;
}

/**
 * An acknowledgement of a finding as CDK records it (`Validations.of(x).acknowledge({ id, reason })`).
 * The front doors collect them (construct tree or cloud assembly) so AGENT-007 can check them.
 */
export interface Acknowledgement {
  /** The id as written, e.g. `AgentGuardrailsChecks::AWS-002[s3:GetObject]` (CDK adds `Annotation::` to plain ids). */
  readonly id: string;
  readonly reason: string;
  /** Construct path it was made on, without a leading `/` (`''` for the app). */
  readonly path: string;
  /** What that construct is: the app, a stage, a stack, or anything below a stack. */
  readonly scope: 'app' | 'stage' | 'stack' | 'construct';
  /** Stack it was made in, when any. */
  readonly stack?: string;
  /** CloudFormation logical id of the resource it was made on, when it is one (or wraps one). */
  readonly resource?: string;
  readonly file?: string;
  /**
   * Where it was written: with CDK's `Validations.acknowledge` (construct metadata), or in the
   * resource's template `Metadata.cdk_nag.rules_to_suppress`, which covers that resource only.
   * @default 'construct-metadata'
   */
  readonly origin?: 'construct-metadata' | 'template-metadata';
}

export interface Inventory {
  readonly identities: Identity[];
  readonly grants: Grant[];
  readonly policies: PolicyDocumentEntry[];
  readonly others: OtherResource[];
  readonly unresolved: Unresolved[];
  /** Resource counts per stack (AWS-013 quota). */
  readonly stackResourceCounts: Record<string, number>;
  /** Acknowledgements found with the input (AGENT-007); absent when the input records none. */
  readonly acknowledgements?: Acknowledgement[];
  /** Baselines the synthesized input says its checks ran with (unvalidated; the CLI decides which applies); absent when none. */
  readonly baselines?: EmbeddedBaselineSighting[];
  /** Credential brokers known by their construct's record (GCP, Azure); absent when the input has none. */
  readonly brokers?: BrokerEntry[];
}

/**
 * A credential broker as its construct recorded it (`agent-guardrails:broker` metadata on the
 * broker's function): which agent and environment it serves and how it reaches the tool identities.
 */
export interface BrokerEntry {
  readonly cloud: Cloud;
  readonly agent: string;
  readonly environment: string;
  /** The broker's own identity as recorded (GCP service account email, Azure identity name), references resolved. */
  readonly identity: string;
  /** Azure: the issuer of its client assertions, references resolved. */
  readonly issuer?: string;
  /** Who may approve the agent's pending requests through this broker (GCP members, Azure object ids); absent when none. */
  readonly approvers?: string[];
  readonly source: SourceLocation;
}

/** An empty inventory, to build up in adapters and tests. */
export function emptyInventory(): Inventory {
  return { identities: [], grants: [], policies: [], others: [], unresolved: [], stackResourceCounts: {} };
}

/** Concatenate inventories (e.g. several files or stacks). */
export function mergeInventories(parts: Inventory[]): Inventory {
  const out = emptyInventory();
  for (const p of parts) {
    pushAll(out.identities, p.identities);
    pushAll(out.grants, p.grants);
    pushAll(out.policies, p.policies);
    pushAll(out.others, p.others);
    pushAll(out.unresolved, p.unresolved);
    Object.assign(out.stackResourceCounts, p.stackResourceCounts);
  }
  const acknowledgements = parts.flatMap((p) => p.acknowledgements ?? []);
  const baselines = parts.flatMap((p) => p.baselines ?? []);
  const brokers = parts.flatMap((p) => p.brokers ?? []);
  return {
    ...out,
    ...(acknowledgements.length > 0 ? { acknowledgements } : {}),
    ...(baselines.length > 0 ? { baselines } : {}),
    ...(brokers.length > 0 ? { brokers } : {}),
  };
}
