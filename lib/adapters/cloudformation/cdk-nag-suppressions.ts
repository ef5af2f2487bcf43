import { Acknowledgement } from '../../inventory/inventory';
import { ACKNOWLEDGEMENT_NAMESPACE, parseAcknowledgementId } from '../../rules/agent/acknowledgements';

/** Our rule ids; cdk_nag entries of other packs (`AwsSolutions-IAM5`) are theirs to read. */
const OUR_RULE = /^(AWS|GCP|AZ|AGENT)-\d+/;
/** Bounds for hostile templates: entries read per resource, and `applies_to` items per entry. */
const MAX_ENTRIES = 1000;

/** Where the resource carrying the metadata is. */
export interface SuppressionSite {
  readonly stack?: string;
  readonly resource: string;
  readonly file?: string;
  /** Its construct path, when the template records one (`aws:cdk:path`). */
  readonly path?: string;
}

/**
 * Acknowledgements written the cdk-nag way in a resource's template `Metadata`:
 * `{"cdk_nag": {"rules_to_suppress": [{"id": "AWS-002[s3:GetObject]", "reason": "…"}]}}`, so plain
 * CloudFormation templates can acknowledge and existing cdk-nag suppressions carry over. An id
 * is read with or without our namespace (`AgentGuardrailsChecks::AWS-002[…]`); `applies_to`
 * strings (cdk-nag's granular form) give one acknowledgement per detail. Ids of other packs are
 * left alone. Each is an acknowledgement on that one resource, checked like any other (AGENT-007:
 * reason, owner, expiry, hard rules).
 */
export function cdkNagAcknowledgements(metadata: unknown, site: SuppressionSite): Acknowledgement[] {
  const entries = rulesToSuppress(metadata);
  const out: Acknowledgement[] = [];
  for (const entry of entries.slice(0, MAX_ENTRIES)) {
    if (typeof entry !== 'object' || entry === null) continue;
    const { id, reason, applies_to: appliesTo } = entry as Record<string, unknown>;
    if (typeof id !== 'string') continue;
    const qualified = qualify(id.replace(/^Annotation::/i, ''));
    if (!qualified) continue;
    const details = Array.isArray(appliesTo) && !qualified.includes('[') ? appliesTo.filter((d): d is string => typeof d === 'string').slice(0, MAX_ENTRIES) : [];
    const ids = details.length > 0 ? details.map((d) => `${qualified}[${d}]`) : [qualified];
    for (const ackId of ids) {
      out.push({
        id: ackId, reason: typeof reason === 'string' ? reason : '',
        // Without a construct path the resource is named by its logical id (matched by stack and resource).
        path: site.path ?? site.resource, scope: 'construct', stack: site.stack, resource: site.resource,
        ...(site.file ? { file: site.file } : {}), origin: 'template-metadata',
      });
    }
  }
  return out;
}

/**
 * Template acknowledgements that only repeat one CDK records on the same construct or an
 * ancestor (cdk-nag's `writeSuppressionsToCloudFormation` copies every inherited acknowledgement
 * onto each resource): reading both would report one exception many times.
 */
export function withoutCopiesOf(templateAcks: readonly Acknowledgement[], recorded: readonly Acknowledgement[]): Acknowledgement[] {
  if (recorded.length === 0) return [...templateAcks];
  const byId = new Map<string, string[]>();
  for (const a of recorded) byId.set(a.id, [...(byId.get(a.id) ?? []), a.path]);
  return templateAcks.filter((t) => !(byId.get(t.id) ?? []).some((p) => p === '' || t.path === p || t.path.startsWith(`${p}/`)));
}

/** Whether a resource's metadata holds cdk-nag suppressions at all: most resources hold none, and need no site built. */
export function holdsCdkNagSuppressions(metadata: unknown): boolean {
  return rulesToSuppress(metadata).length > 0;
}

function rulesToSuppress(metadata: unknown): unknown[] {
  if (typeof metadata !== 'object' || metadata === null) return [];
  const nag = (metadata as Record<string, unknown>).cdk_nag;
  if (typeof nag !== 'object' || nag === null) return [];
  const rules = (nag as Record<string, unknown>).rules_to_suppress;
  return Array.isArray(rules) ? rules : [];
}

/** `AWS-002[x]` → `AgentGuardrailsChecks::AWS-002[x]`; ours already qualified stay; others' → undefined. */
function qualify(id: string): string | undefined {
  const parsed = parseAcknowledgementId(id);
  if (id.includes('::')) return parsed.namespace === ACKNOWLEDGEMENT_NAMESPACE ? `${ACKNOWLEDGEMENT_NAMESPACE}::${parsed.findingId}` : undefined;
  return OUR_RULE.test(parsed.ruleId) ? `${ACKNOWLEDGEMENT_NAMESPACE}::${parsed.findingId}` : undefined;
}
