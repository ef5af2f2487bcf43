import { brokerWindow } from '../broker/tool-broker-config';
import { ChangeWindow } from '../model/change-window';
import { Environment } from '../model/environment';
import { Component } from '../model/tags';
import { looksUnresolved } from '../private/tokens';
import { AgentLabels, Declaration, DeclaredPlacement, DeclaredWindow } from './inventory';

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
  const declaration: { -readonly [K in keyof Declaration]: Declaration[K] } = {
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
  // Set after the literal, in this order, only when present (a spread of optional parts costs more: one declaration per tool identity).
  const window = windowOf(fields.window);
  if (window !== undefined) declaration.window = window;
  const placement = placementOf(fields.placement);
  if (placement !== undefined) declaration.placement = placement;
  return declaration;
}

/** A declared window, when it has the broker's shape (anything else is left out, as if not written). */
function windowOf(raw: unknown): DeclaredWindow | undefined {
  if (!isRecord(raw) || typeof raw.timeZone !== 'string' || !Array.isArray(raw.slots)) return undefined;
  const slots = raw.slots.filter((s): s is { days: number[]; start: string; end: string } => isRecord(s)
    && Array.isArray(s.days) && s.days.every((d) => Number.isInteger(d)) && typeof s.start === 'string' && typeof s.end === 'string');
  if (slots.length !== raw.slots.length || slots.length === 0) return undefined;
  return {
    timeZone: raw.timeZone,
    slots: slots.map((s) => ({ days: [...s.days], start: s.start, end: s.end })),
    ...(typeof raw.expiresAt === 'string' ? { expiresAt: raw.expiresAt } : {}),
  };
}

function placementOf(raw: unknown): DeclaredPlacement | undefined {
  if (!isRecord(raw)) return undefined;
  const str = (o: unknown, k: string) => (isRecord(o) && typeof o[k] === 'string' ? (o[k] as string) : undefined);
  const account = str(raw.aws, 'account');
  const project = str(raw.gcp, 'project');
  const subscriptionId = str(raw.azure, 'subscriptionId');
  const resourceGroup = str(raw.azure, 'resourceGroup');
  if (!account && !project && !subscriptionId) return undefined;
  const out: { -readonly [K in keyof DeclaredPlacement]: DeclaredPlacement[K] } = {};
  if (account) out.aws = { account };
  if (project) out.gcp = { project };
  if (subscriptionId) out.azure = resourceGroup ? { subscriptionId, resourceGroup } : { subscriptionId };
  return out;
}

/** An agent tool identity: labelled as one, or labelled with agent and tool and no other component. */
export function isAgentIdentity(labels: AgentLabels): boolean {
  if (labels.component !== undefined) return labels.component === Component.TOOL_IDENTITY;
  return labels.agent !== undefined && labels.tool !== undefined;
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/**
 * The parts of a declaration the activity evaluator reads besides the grants: the tool's window
 * (in the broker's JSON shape) and its environment's placement (literal values only: a token is
 * unknown at synth and is left out rather than written unresolved).
 */
export function declarationRuntimeFacts(window: ChangeWindow | undefined, environment: Environment): Pick<Declaration, 'window' | 'placement'> {
  const literal = (v: string | undefined) => (v !== undefined && !looksUnresolved(v) ? v : undefined);
  const account = literal(environment.aws?.account);
  const project = literal(environment.gcp?.project);
  const subscriptionId = literal(environment.azure?.subscriptionId);
  const resourceGroup = literal(environment.azure?.resourceGroup);
  const placement: DeclaredPlacement = {
    ...(account ? { aws: { account } } : {}),
    ...(project ? { gcp: { project } } : {}),
    ...(subscriptionId ? { azure: { subscriptionId, ...(resourceGroup ? { resourceGroup } : {}) } } : {}),
  };
  return {
    ...(window ? { window: brokerWindow(window) } : {}),
    ...(Object.keys(placement).length > 0 ? { placement } : {}),
  };
}
