import { AgentLabels, Declaration } from '../../../inventory/inventory';
import { parseDeclaration } from '../../../inventory/declaration';
import { DECLARATION_METADATA_KEY, TAG_KEYS } from '../../../model/tags';
import { isObject } from './policy-document';

/**
 * Our labels of a resource: from its `Tags` (a list of Key/Value as IAM roles have, or a map)
 * and from `Metadata` entries with the same keys (for resources without tags, such as managed
 * policies). Metadata wins when both are set.
 */
export function labelsOf(tags: unknown, metadata: unknown): AgentLabels {
  const values: Record<string, string> = {};
  if (Array.isArray(tags)) {
    for (const t of tags) {
      if (isObject(t) && typeof t.Key === 'string' && typeof t.Value === 'string') values[t.Key] = t.Value;
    }
  } else if (isObject(tags)) {
    // Some resource types (SSM parameters, Lambda layers) take tags as a plain map.
    for (const [k, v] of Object.entries(tags)) if (typeof v === 'string') values[k] = v;
  }
  if (isObject(metadata)) {
    for (const [, key] of TAG_KEY_ENTRIES) {
      if (typeof metadata[key] === 'string') values[key] = metadata[key] as string;
    }
  }
  const labels: Record<string, string> = {};
  for (const [name, key] of TAG_KEY_ENTRIES) if (values[key] !== undefined) labels[name] = values[key];
  return labels as AgentLabels;
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
