import { Component } from '../model/tags';
import { AgentLabels, Declaration } from './inventory';

/**
 * Read a tool's declaration as the constructs write it (an object, or the same as JSON text), from
 * CloudFormation metadata or Terraform `//` metadata alike. `undefined` when there is none;
 * `'malformed'` when there is one but it cannot be read, so the adapter can report it (fail closed).
 */
export function parseDeclaration(raw: unknown): Declaration | undefined | 'malformed' {
  if (raw === undefined) return undefined;
  let doc = raw;
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc);
    } catch {
      return 'malformed';
    }
  }
  if (!isRecord(doc)) return 'malformed';
  const fields = doc;
  const str = (k: string) => (typeof fields[k] === 'string' ? (fields[k] as string) : undefined);
  const list = (k: string) => (Array.isArray(fields[k]) ? (fields[k] as unknown[]).filter((x): x is string => typeof x === 'string') : []);
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
    requiresApproval: fields.requiresApproval === true,
    hasWindow: fields.hasWindow === true,
  };
}

/** An agent tool identity: labelled as one, or labelled with agent and tool and no other component. */
export function isAgentIdentity(labels: AgentLabels): boolean {
  if (labels.component !== undefined) return labels.component === Component.TOOL_IDENTITY;
  return labels.agent !== undefined && labels.tool !== undefined;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
