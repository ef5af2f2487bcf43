import { AgentLabels, Declaration } from '../../../inventory/inventory';
import { Component, DECLARATION_METADATA_KEY, TAG_KEYS } from '../../../model/tags';
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
    for (const key of Object.values(TAG_KEYS)) {
      if (typeof metadata[key] === 'string') values[key] = metadata[key] as string;
    }
  }
  const labels: Record<string, string> = {};
  for (const [name, key] of Object.entries(TAG_KEYS)) if (values[key] !== undefined) labels[name] = values[key];
  return labels as AgentLabels;
}

/** An agent tool identity: tagged as one, or tagged with agent and tool and no other component. */
export function isAgentIdentity(labels: AgentLabels): boolean {
  if (labels.component !== undefined) return labels.component === Component.TOOL_IDENTITY;
  return labels.agent !== undefined && labels.tool !== undefined;
}

/**
 * The tool's declaration from `Metadata['agent-guardrails:declaration']` (an object, or a JSON
 * string). Returns `'malformed'` when present but unreadable, so the caller can report it.
 */
export function declarationOf(metadata: unknown): Declaration | undefined | 'malformed' {
  if (!isObject(metadata) || metadata[DECLARATION_METADATA_KEY] === undefined) return undefined;
  let raw = metadata[DECLARATION_METADATA_KEY];
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      return 'malformed';
    }
  }
  if (!isObject(raw)) return 'malformed';
  const str = (k: string) => (typeof raw[k] === 'string' ? (raw[k] as string) : undefined);
  const list = (k: string) => (Array.isArray(raw[k]) ? (raw[k] as unknown[]).filter((x): x is string => typeof x === 'string') : []);
  const agent = str('agent');
  const tool = str('tool');
  if (agent === undefined || tool === undefined) return 'malformed';
  return {
    agent,
    tool,
    tier: str('tier') ?? '',
    environment: str('environment') ?? '',
    accessLevel: str('accessLevel') ?? '',
    actions: list('actions'),
    resources: list('resources'),
    dataSources: list('dataSources'),
    requiresApproval: raw.requiresApproval === true,
    hasWindow: raw.hasWindow === true,
  };
}
