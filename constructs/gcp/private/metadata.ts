/**
 * Where the GCP and Azure constructs write what they are, so the Terraform adapter can read it from
 * `cdk.tf.json` alone (shared by `constructs/gcp` and `constructs/azure`).
 *
 * EVERY resource the constructs create carries a `"//"` entry (Terraform JSON's comment key, which
 * cdktf already uses for `"//": { "metadata": ... }`) with one object under `agent-guardrails`:
 *
 * ```json
 * "google_service_account": {
 *   "support-observer_read-logs_sa_1A2B3C4D": {
 *     "account_id": "support-observer-read-logs",
 *     "//": {
 *       "metadata": { "path": "...", "uniqueId": "..." },
 *       "agent-guardrails": {
 *         "agent-guardrails:agent": "support-observer",
 *         "agent-guardrails:tool": "read-logs",
 *         "agent-guardrails:tier": "observer",
 *         "agent-guardrails:environment": "staging",
 *         "agent-guardrails:component": "tool-identity",
 *         "agent-guardrails:declaration": { "agent": "...", "tool": "...", "accessLevel": "read", ... }
 *       }
 *     }
 *   }
 * }
 * ```
 *
 * - keys are exactly `TAG_KEYS` (lib/model/tags.ts); `agent-guardrails:tool` is absent on
 *   per-agent resources (deny policy, kill-switch role, audit configs, org policy, workspace);
 * - `agent-guardrails:component` is a `Component` value: `tool-identity` on service accounts /
 *   user-assigned identities and on the grants and custom roles of a tool;
 *   `broker` on the broker's way in (GCP token-creator bindings, Azure federated identity credentials);
 *   `boundary` on the deny policy and org policy;
 *   `kill-switch` on the kill-switch role and its bindings/assignments; `audit` on audit configs and
 *   diagnostic settings;
 * - `agent-guardrails:declaration` (`DECLARATION_METADATA_KEY`, the `Declaration` interface of
 *   lib/inventory/inventory.ts) is on each tool identity only (`google_service_account`,
 *   `azurerm_user_assigned_identity`).
 *
 * Azure user-assigned identities additionally carry the five tag keys as real Azure `tags` (Azure tag
 * names may contain `:`; they may not contain `<>%&\?/`). The declaration stays in `"//"` only, as it
 * can exceed Azure's 256-character tag value limit. GCP service accounts, custom roles and IAM members
 * have no labels, so on GCP the `"//"` entry is the only place.
 */
import { TerraformResource } from 'cdktf';
import { Declaration } from '../../../lib/inventory/inventory';
import { declarationRuntimeFacts } from '../../../lib/inventory/declaration';
import { Environment } from '../../../lib/model/environment';
import { BROKER_METADATA_KEY, BrokerRecord, Component, CROSS_ACCOUNT_METADATA_KEY, DECLARATION_METADATA_KEY, TAG_KEYS } from '../../../lib/model/tags';
import { Tool } from '../../../lib/model/tool';

/** The key under `"//"` that holds our metadata. */
export const GUARDRAILS_METADATA_KEY = 'agent-guardrails';

/** Who a resource belongs to. */
export interface OwnerLabels {
  readonly agent: string;
  readonly tier: string;
  readonly environment: string;
  /** Absent on per-agent resources. */
  readonly tool?: string;
}

/** The tag map (`TAG_KEYS` → value) for a resource of this owner and component. */
export function guardrailTags(owner: OwnerLabels, component: Component): Record<string, string> {
  const tags: Record<string, string> = {
    [TAG_KEYS.agent]: owner.agent,
    [TAG_KEYS.tier]: owner.tier,
    [TAG_KEYS.environment]: owner.environment,
    [TAG_KEYS.component]: component,
  };
  if (owner.tool !== undefined) tags[TAG_KEYS.tool] = owner.tool;
  return tags;
}

/** Write the `"//"."agent-guardrails"` entry on a resource (see the header of this file). */
export function attachGuardrailMetadata(resource: TerraformResource, owner: OwnerLabels, component: Component, declaration?: Declaration): void {
  const entry: Record<string, unknown> = guardrailTags(owner, component);
  if (declaration) entry[DECLARATION_METADATA_KEY] = declaration;
  resource.addOverride(`//.${GUARDRAILS_METADATA_KEY}`, entry);
}

/** The declaration of one tool, as the checks compare it with what is granted (AGENT-001). */
export function declarationOf(owner: OwnerLabels, tool: Tool, actions: string[], resources: string[], environment?: Environment): Declaration {
  return {
    agent: owner.agent,
    tool: tool.name,
    tier: owner.tier,
    environment: owner.environment,
    accessLevel: tool.accessLevel,
    actions: [...actions],
    resources: [...resources],
    dataSources: [...tool.dataSources],
    requiresApproval: tool.requiresApproval,
    hasWindow: tool.window !== undefined,
    ...(environment ? declarationRuntimeFacts(tool.window, environment) : {}),
  };
}

/** Write the broker record (`BROKER_METADATA_KEY`) next to the labels of a broker's function (call after `attachGuardrailMetadata`). */
export function attachBrokerRecord(resource: TerraformResource, record: BrokerRecord): void {
  resource.addOverride(`//.${GUARDRAILS_METADATA_KEY}.${BROKER_METADATA_KEY}`, record);
}

/**
 * Record a cross-account (cross-project) opt-in on a binding that admits another project's principal
 * (`CROSS_ACCOUNT_METADATA_KEY`: `{ accounts, reason }`; call after `attachGuardrailMetadata`).
 */
export function attachCrossAccount(resource: TerraformResource, projects: readonly string[], environment: Environment): void {
  if (projects.length === 0 || !environment.crossAccount) return;
  resource.addOverride(`//.${GUARDRAILS_METADATA_KEY}.${CROSS_ACCOUNT_METADATA_KEY}`, { accounts: [...projects], reason: environment.crossAccount.reason });
}
