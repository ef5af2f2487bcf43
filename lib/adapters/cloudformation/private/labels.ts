import { AgentLabels, Declaration } from '../../../inventory/inventory';
import { parseDeclaration } from '../../../inventory/declaration';
import { DECLARATION_METADATA_KEY, TAG_KEYS } from '../../../model/tags';
import { own } from '../../../private/own';
import { isObject } from './policy-document';

/**
 * Our labels of a resource: from its `Tags` (a list of Key/Value as IAM roles have, or a map)
 * and from `Metadata` entries with the same keys (for resources without tags, such as managed
 * policies). Metadata wins when both are set.
 */
export function labelsOf(tags: unknown, metadata: unknown): AgentLabels {
  // Each of our keys looked up where it may be written: no table of every tag the resource carries.
  const meta = isObject(metadata) ? metadata : undefined;
  const labels: Record<string, string> = {};
  for (const [name, key] of TAG_KEY_ENTRIES) {
    const written = meta?.[key];
    const value = typeof written === 'string' ? written : tagValue(tags, key);
    if (value !== undefined) labels[name] = value;
  }
  return labels as AgentLabels;
}

/** The value of tag `key`: of the last Key/Value entry naming it in a list, or of the map's own member. */
function tagValue(tags: unknown, key: string): string | undefined {
  if (Array.isArray(tags)) {
    let value: string | undefined;
    for (const t of tags) if (isObject(t) && t.Key === key && typeof t.Value === 'string') value = t.Value;
    return value;
  }
  if (!isObject(tags)) return undefined;
  const value = own(tags, key);
  return typeof value === 'string' ? value : undefined;
}

/** `Object.entries(TAG_KEYS)`, once (every resource of every template is labelled). */
const TAG_KEY_ENTRIES: readonly (readonly [string, string])[] = Object.entries(TAG_KEYS);

export { isAgentIdentity } from '../../../inventory/declaration';

/**
 * The tool's declaration from `Metadata['agent-guardrails:declaration']` (an object, or a JSON
 * string). Returns `'malformed'` when present but unreadable, so the caller can report it.
 */
export function declarationOf(metadata: unknown): Declaration | undefined | 'malformed' {
  return parseDeclaration(isObject(metadata) ? metadata[DECLARATION_METADATA_KEY] : undefined);
}
