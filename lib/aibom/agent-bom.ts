import * as fs from 'fs';
import * as path from 'path';
import { Enums, Models, Serialize, Spec } from '@cyclonedx/cyclonedx-library';
import { Baseline } from '../baseline/baseline';
import { Cloud, Grant, Identity, Inventory } from '../inventory/inventory';
import { AIBOM_DRIFT } from '../rules/agent/aibom-drift';
import { agentOf, environmentOf, tierOf, toolIdentities, toolOf } from '../rules/agent/private/agent-inventory';
import { RuleContext } from '../rules/rule';
import { appendTo } from '../private/append-to';

/** Namespace of every CycloneDX property this library writes. */
export const AIBOM_PROPERTY_NAMESPACE = 'agent-guardrails';

/** What one grant actually gives a tool identity. */
export interface AgentBomGrant {
  /** AWS actions, GCP permissions or Azure actions (expanded from a role when the adapter could). */
  readonly actions: string[];
  /** Resource ARNs, GCP resource names or Azure scopes. */
  readonly resources: string[];
  /**
   * GCP/Azure role name or id.
   * @default - none (an AWS policy statement)
   */
  readonly role?: string;
  /** Where the grant is written (CloudFormation logical id or Terraform address). */
  readonly source: string;
}

/** One tool of an agent: what it declared next to what its identity holds. */
export interface AgentBomTool {
  readonly name: string;
  readonly cloud: Cloud;
  /** `read`, `write` or `destructive`, as declared; `undeclared` when the identity has no declaration. */
  readonly accessLevel: string;
  /** The tool identity (inventory id). */
  readonly identity: string;
  /** Where the identity is defined (CloudFormation logical id or Terraform address). */
  readonly resource: string;
  readonly requiresApproval: boolean;
  readonly hasWindow: boolean;
  readonly declaredActions: string[];
  readonly declaredResources: string[];
  readonly dataSources: string[];
  /** The Allow grants the identity actually holds. */
  readonly granted: AgentBomGrant[];
  /** AGENT-001 drift: grants beyond the declaration (finding details), empty when none. */
  readonly drift: string[];
}

/** One agent in one environment. */
export interface AgentBomAgent {
  readonly name: string;
  readonly environment: string;
  /** The tier(s) its tools carry; more than one means the tools disagree (reported by AGENT-003 reviewers). */
  readonly tiers: string[];
  /**
   * The model the agent runs on, when a declaration names one. Declarations do not carry a
   * model yet: this slot is filled from an optional `model` string in the declaration metadata.
   * @default - not declared
   */
  readonly model?: string;
  readonly tools: AgentBomTool[];
}

/** Options for the CycloneDX document. */
export interface AgentBomCycloneDxOptions {
  /**
   * `urn:uuid:` serial number of the BOM.
   * @default - none (keeps the output reproducible)
   */
  readonly serialNumber?: string;
  /**
   * Creation time written in `metadata.timestamp`.
   * @default - none (keeps the output reproducible)
   */
  readonly timestamp?: Date;
}

/**
 * The agent bill of materials (AIBOM): per agent and environment its tier, model, tools with
 * access level, what each tool declared (actions, resources, data sources) and what its
 * identity is actually granted. Serialises as CycloneDX 1.6 JSON: agents are `application`
 * components, tools their sub-components, data sources `data` and the model a
 * `machine-learning-model` component; scopes are properties in the `agent-guardrails:` namespace.
 */
export class AgentBom {
  /**
   * Build the AIBOM of every agent tool identity in an inventory.
   * @param context the baseline to evaluate drift with; defaults to the package's default baseline
   */
  public static fromInventory(inventory: Inventory, context?: RuleContext): AgentBom {
    const grantsOf = new Map<string, Grant[]>();
    for (const g of inventory.grants) {
      if (!g.identityId || g.effect !== 'Allow') continue;
      appendTo(grantsOf, g.identityId, g);
    }
    const drift = new Map<string, string[]>();
    for (const f of AIBOM_DRIFT.evaluate(inventory, context ?? { baseline: Baseline.default() })) {
      if (f.identity) appendTo(drift, f.identity, f.detail ?? f.message);
    }
    const agents = new Map<string, { name: string; environment: string; tiers: Set<string>; model?: string; tools: AgentBomTool[] }>();
    for (const identity of toolIdentities(inventory)) {
      const name = agentOf(identity) ?? '(unlabelled)';
      const environment = environmentOf(identity) ?? '(none)';
      const key = `${name}\u0000${environment}`;
      const agent = agents.get(key) ?? { name, environment, tiers: new Set<string>(), tools: [] };
      const tier = tierOf(identity);
      if (tier) agent.tiers.add(tier);
      agent.model ??= modelOf(identity);
      agent.tools.push(toolEntry(identity, grantsOf.get(identity.id) ?? [], drift.get(identity.id) ?? []));
      agents.set(key, agent);
    }
    return new AgentBom([...agents.values()]
      .map((a) => ({ name: a.name, environment: a.environment, tiers: [...a.tiers].sort(), model: a.model, tools: a.tools.sort((x, y) => cmp(`${x.name}|${x.cloud}`, `${y.name}|${y.cloud}`)) }))
      .sort((x, y) => cmp(`${x.name}|${x.environment}`, `${y.name}|${y.environment}`)));
  }

  /** The agents, sorted by name and environment. */
  public readonly agents: AgentBomAgent[];

  private constructor(agents: AgentBomAgent[]) {
    this.agents = agents;
  }

  /** The AIBOM as a CycloneDX model (to add to or serialise yourself). */
  public toCycloneDx(options: AgentBomCycloneDxOptions = {}): Models.Bom {
    const bom = new Models.Bom();
    if (options.serialNumber) bom.serialNumber = options.serialNumber;
    if (options.timestamp) bom.metadata.timestamp = options.timestamp;
    bom.metadata.component = new Models.Component(Enums.ComponentType.Application, 'agent-guardrails AIBOM', { bomRef: 'aibom' });
    for (const agent of this.agents) {
      const agentRef = `agent/${agent.name}/${agent.environment}`;
      const component = new Models.Component(Enums.ComponentType.Application, agent.name, {
        bomRef: agentRef,
        description: `Agent ${agent.name} in environment ${agent.environment} (${agent.tiers.join(', ') || 'no tier'}).`,
      });
      addProperties(component, [['environment', agent.environment], ...agent.tiers.map((t): [string, string] => ['tier', t])]);
      if (agent.model) {
        addProperties(component, [['model', agent.model]]);
        component.components.add(new Models.Component(Enums.ComponentType.MachineLearningModel, agent.model, { bomRef: `${agentRef}/model` }));
      }
      for (const tool of agent.tools) component.components.add(toolComponent(agentRef, tool));
      bom.components.add(component);
    }
    return bom;
  }

  /** Write the CycloneDX 1.6 JSON to a file (e.g. `cdk.out/aibom.cdx.json` next to the templates). */
  public writeJson(file: string, options: AgentBomCycloneDxOptions = {}): void {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${this.toJson(options)}\n`);
  }

  /** The AIBOM as CycloneDX 1.6 JSON (sorted, so the same inventory gives the same text). */
  public toJson(options: AgentBomCycloneDxOptions = {}): string {
    const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6));
    return serializer.serialize(this.toCycloneDx(options), { sortLists: true, space: 2 });
  }
}

function toolEntry(identity: Identity, grants: readonly Grant[], drift: string[]): AgentBomTool {
  const d = identity.declaration;
  return {
    name: toolOf(identity) ?? identity.name ?? identity.source.resource,
    cloud: identity.cloud,
    accessLevel: d?.accessLevel ?? 'undeclared',
    identity: identity.id,
    resource: identity.source.resource,
    requiresApproval: d?.requiresApproval ?? false,
    hasWindow: d?.hasWindow ?? false,
    declaredActions: [...(d?.actions ?? [])],
    declaredResources: [...(d?.resources ?? [])],
    dataSources: [...(d?.dataSources ?? [])],
    granted: grants.map((g) => ({ actions: [...g.actions], resources: [...g.resources], ...(g.role ? { role: g.role } : {}), source: g.source.resource })),
    drift,
  };
}

function toolComponent(agentRef: string, tool: AgentBomTool): Models.Component {
  const ref = `${agentRef}/tool/${tool.cloud}/${tool.name}`;
  const c = new Models.Component(Enums.ComponentType.Application, tool.name, { bomRef: ref, description: `Tool ${tool.name} (${tool.accessLevel}) on ${tool.cloud}.` });
  const unique = (xs: string[]) => [...new Set(xs)];
  addProperties(c, [
    ['cloud', tool.cloud],
    ['accessLevel', tool.accessLevel],
    ['identity', tool.identity],
    ['resource', tool.resource],
    ['requiresApproval', String(tool.requiresApproval)],
    ['hasWindow', String(tool.hasWindow)],
    ...tool.declaredActions.map((a): [string, string] => ['declared:action', a]),
    ...tool.declaredResources.map((r): [string, string] => ['declared:resource', r]),
    ...tool.dataSources.map((r): [string, string] => ['declared:dataSource', r]),
    ...unique(tool.granted.flatMap((g) => g.actions)).map((a): [string, string] => ['granted:action', a]),
    ...unique(tool.granted.flatMap((g) => (g.role ? [g.role] : []))).map((r): [string, string] => ['granted:role', r]),
    ...unique(tool.granted.flatMap((g) => g.resources)).map((r): [string, string] => ['granted:resource', r]),
    ...tool.drift.map((d): [string, string] => ['drift', d]),
  ]);
  for (const source of tool.dataSources) {
    c.components.add(new Models.Component(Enums.ComponentType.Data, source, { bomRef: `${ref}/data/${source}` }));
  }
  return c;
}

function addProperties(c: Models.Component, entries: [string, string][]): void {
  for (const [name, value] of entries) c.properties.add(new Models.Property(`${AIBOM_PROPERTY_NAMESPACE}:${name}`, value));
}

/** The optional model slot: a `model` string in the declaration metadata, when present. */
function modelOf(identity: Identity): string | undefined {
  const model = (identity.declaration as { model?: unknown } | undefined)?.model;
  return typeof model === 'string' && model.length > 0 ? model : undefined;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
