import { AgentLabels, BrokerEntry, CrossAccountOptIn, Declaration } from '../../../inventory/inventory';
import { crossAccountOptInOf } from '../../../inventory/cross-account-opt-in';
import { parseDeclaration } from '../../../inventory/declaration';
import { BROKER_METADATA_KEY, DECLARATION_METADATA_KEY, TAG_KEYS } from '../../../model/tags';
import { isObject, TerraformBlock } from './terraform-blocks';

/** Our labels: short key and full key (`agent` and `agent-guardrails:agent`, …). */
const LABEL_KEYS = Object.entries(TAG_KEYS);

function isLabel(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0;
}

/**
 * Our labels of a Terraform block: from `"//"["agent-guardrails"]` (short keys `agent`, `tool`,
 * `tier`, `environment`, `component`, or the full `agent-guardrails:*` keys) and from Azure
 * `tags` with the full keys. The metadata wins when both are set.
 */
export function labelsOfBlock(block: TerraformBlock): AgentLabels {
  const labels: Record<string, string> = {};
  const tags = isObject(block.body.tags) ? block.body.tags : undefined;
  const meta = block.guardrails;
  // Read once per block of every configuration: plain lookups, no arrays or closures per label.
  for (const [short, key] of LABEL_KEYS) {
    const value = meta !== undefined && isLabel(meta[short]) ? meta[short]
      : meta !== undefined && isLabel(meta[key]) ? meta[key]
        : tags !== undefined && isLabel(tags[key]) ? tags[key] : undefined;
    if (value !== undefined) labels[short] = value as string;
  }
  return labels as AgentLabels;
}

/** `{ labels }` when the block carries any of our labels, else `{}` (to spread into grants and federations). */
export function labelsIfAny(block: TerraformBlock): { labels?: AgentLabels } {
  const labels = labelsOfBlock(block);
  return Object.keys(labels).length > 0 ? { labels } : {};
}

/** `{ crossAccount }` when the block's metadata records a cross-account opt-in, else `{}`. */
export function crossAccountIfAny(block: TerraformBlock): { crossAccount?: CrossAccountOptIn } {
  const crossAccount = crossAccountOptInOf(block.guardrails);
  return crossAccount ? { crossAccount } : {};
}

export { isAgentIdentity } from '../../../inventory/declaration';

/**
 * The tool's declaration: `"//"["agent-guardrails"].declaration` (or the full key), or an Azure
 * tag holding it as JSON. `'malformed'` when present but unreadable, so the caller reports it.
 */
export function declarationOfBlock(block: TerraformBlock): Declaration | undefined | 'malformed' {
  const meta = block.guardrails ?? {};
  const tags = isObject(block.body.tags) ? block.body.tags : {};
  return parseDeclaration(meta.declaration ?? meta[DECLARATION_METADATA_KEY] ?? tags[DECLARATION_METADATA_KEY]);
}

/**
 * The broker record a `CredentialBroker` construct writes on its function (`BROKER_METADATA_KEY`),
 * or `'malformed'` when present but unreadable. `resolve` turns the recorded references (the
 * broker's identity and issuer are Terraform references) into text.
 */
export function brokerRecordOfBlock(block: TerraformBlock, resolve: (v: unknown) => string | undefined): Omit<BrokerEntry, 'source'> | undefined | 'malformed' {
  const raw = (block.guardrails ?? {})[BROKER_METADATA_KEY];
  if (raw === undefined) return undefined;
  if (!isObject(raw) || (raw.cloud !== 'gcp' && raw.cloud !== 'azure')) return 'malformed';
  const text = (k: string) => (typeof raw[k] === 'string' && (raw[k] as string).length > 0 ? resolve(raw[k]) : undefined);
  const [agent, environment, identity] = [text('agent'), text('environment'), text('identity')];
  const issuer = raw.issuer === undefined ? undefined : text('issuer');
  if (!agent || !environment || !identity || (raw.issuer !== undefined && !issuer)) return 'malformed';
  // Approvers are literals (members, object ids); a record that lists them unreadably cannot vouch for an approve path.
  const approvers = raw.approvers === undefined ? [] : Array.isArray(raw.approvers) ? raw.approvers.map((a) => (typeof a === 'string' ? resolve(a) : undefined)) : [undefined];
  if (approvers.some((a) => !a)) return 'malformed';
  return { cloud: raw.cloud, agent, environment, identity, ...(issuer ? { issuer } : {}), ...(approvers.length > 0 ? { approvers: approvers as string[] } : {}) };
}
