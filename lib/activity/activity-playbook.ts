import Ajv from 'ajv';
import { AgentBom } from '../aibom/agent-bom';
import { BrokerWindow, WINDOW_SCHEMA } from '../broker/broker-config';
import { GuardrailError } from '../errors';
import { Cloud, DeclaredPlacement, Identity, Inventory } from '../inventory/inventory';
import { agentOf, environmentOf, toolIdentities, toolOf } from '../rules/agent/private/agent-inventory';
import { expandDeclaredActions } from './private/declared-actions';

/** Where an environment lives, per cloud (the same facts as `Environment`). */
export type PlaybookPlacement = DeclaredPlacement;

/** What one tool of an agent declared, on one cloud. */
export interface PlaybookTool {
  readonly name: string;
  readonly cloud: Cloud;
  /**
   * The tool's cloud identities as they appear in logs: AWS role names or ARNs, GCP service
   * account emails (or account ids), Azure principal ids or identity names. Empty when unknown
   * (e.g. read from a template whose role names CloudFormation generates).
   */
  readonly identities: string[];
  /** `read`, `write` or `destructive`. */
  readonly accessLevel: string;
  /** Whether each use needs a broker decision carrying a human approval. */
  readonly requiresApproval: boolean;
  /** Declared actions/permissions (roles are expanded to their permissions when the catalogs know them). */
  readonly actions: string[];
  /** Declared resources (patterns with `*`/`?`; GCP names and Azure scopes also cover their children). */
  readonly resources: string[];
  readonly dataSources: string[];
  /**
   * When the tool may act.
   * @default - always
   */
  readonly window?: BrokerWindow;
}

/** One agent in one environment. */
export interface PlaybookAgent {
  readonly agent: string;
  readonly environment: string;
  /**
   * Where the environment lives; without it, an event's location is not compared.
   * @default - unknown
   */
  readonly placement?: PlaybookPlacement;
  readonly tools: PlaybookTool[];
}

/** The declarations the activity evaluator compares events with (JSON, so it travels to a monitor function). */
export interface ActivityPlaybookDocument {
  readonly version: 1;
  readonly agents: PlaybookAgent[];
}

const STRINGS = { type: 'array', items: { type: 'string', minLength: 1, maxLength: 2048 } } as const;

/** JSON schema of `ActivityPlaybookDocument`. */
export const ACTIVITY_PLAYBOOK_SCHEMA = {
  $id: 'agent-guardrails/activity-playbook',
  type: 'object', additionalProperties: false, required: ['version', 'agents'],
  properties: {
    version: { const: 1 },
    agents: {
      type: 'array',
      items: {
        type: 'object', additionalProperties: false, required: ['agent', 'environment', 'tools'],
        properties: {
          agent: { type: 'string', minLength: 1, maxLength: 128 },
          environment: { type: 'string', minLength: 1, maxLength: 64 },
          placement: {
            type: 'object', additionalProperties: false,
            properties: {
              aws: { type: 'object', additionalProperties: false, required: ['account'], properties: { account: { type: 'string', pattern: '^\\d{12}$' } } },
              gcp: { type: 'object', additionalProperties: false, required: ['project'], properties: { project: { type: 'string', minLength: 1, maxLength: 64 } } },
              azure: {
                type: 'object', additionalProperties: false, required: ['subscriptionId'],
                properties: { subscriptionId: { type: 'string', minLength: 1, maxLength: 64 }, resourceGroup: { type: 'string', minLength: 1, maxLength: 128 } },
              },
            },
          },
          tools: {
            type: 'array',
            items: {
              type: 'object', additionalProperties: false,
              required: ['name', 'cloud', 'identities', 'accessLevel', 'requiresApproval', 'actions', 'resources', 'dataSources'],
              properties: {
                name: { type: 'string', minLength: 1, maxLength: 128 },
                cloud: { enum: ['aws', 'gcp', 'azure'] },
                identities: STRINGS,
                accessLevel: { type: 'string', maxLength: 32 },
                requiresApproval: { type: 'boolean' },
                actions: STRINGS,
                resources: STRINGS,
                dataSources: STRINGS,
                window: WINDOW_SCHEMA,
              },
            },
          },
        },
      },
    },
  },
} as const;

let compiled: ReturnType<Ajv['compile']> | undefined;

/**
 * What every agent declared, in the shape the activity evaluator reads: per agent and
 * environment, each tool's identities, actions, resources, data sources, window and approval.
 * Built from the same inventory the checks read (synthesized templates and `cdk.tf.json`), from
 * an AIBOM, or from its own JSON (what a monitor function carries).
 */
export class ActivityPlaybook {
  /**
   * The declarations of every agent tool identity in an inventory. GCP and Azure roles are
   * expanded to their permissions from the shipped catalogs (an unknown role stays as written,
   * so the actions it allows are reported as undeclared rather than silently accepted).
   */
  public static fromInventory(inventory: Inventory): ActivityPlaybook {
    const agents = new Map<string, { agent: string; environment: string; placement?: PlaybookPlacement; tools: PlaybookTool[] }>();
    for (const identity of toolIdentities(inventory)) {
      const d = identity.declaration;
      const agent = agentOf(identity);
      const tool = toolOf(identity);
      if (!d || !agent || !tool) continue;
      const environment = environmentOf(identity) ?? '';
      const key = `${agent}\u0000${environment}`;
      const entry = agents.get(key) ?? { agent, environment, tools: [] };
      entry.placement ??= d.placement;
      entry.tools.push({
        name: tool,
        cloud: identity.cloud,
        identities: identityNames(identity),
        accessLevel: d.accessLevel,
        requiresApproval: d.requiresApproval,
        actions: expandDeclaredActions(identity.cloud, d.actions),
        resources: [...d.resources],
        dataSources: [...d.dataSources],
        ...(d.window ? { window: d.window } : {}),
      });
      agents.set(key, entry);
    }
    return new ActivityPlaybook({ version: 1, agents: [...agents.values()] });
  }

  /**
   * The declarations an AIBOM records. An AIBOM carries no windows, placements or identity names:
   * prefer `fromInventory` where the synthesized output is at hand.
   */
  public static fromAgentBom(bom: AgentBom): ActivityPlaybook {
    return new ActivityPlaybook({
      version: 1,
      agents: bom.agents.map((a) => ({
        agent: a.name,
        environment: a.environment,
        tools: a.tools.map((t) => ({
          name: t.name, cloud: t.cloud, identities: [], accessLevel: t.accessLevel, requiresApproval: t.requiresApproval,
          actions: expandDeclaredActions(t.cloud, t.declaredActions), resources: [...t.declaredResources], dataSources: [...t.dataSources],
        })),
      })),
    });
  }

  /** Read and check a playbook document (an object or its JSON text); throws `AG_ACTIVITY_PLAYBOOK` when invalid. */
  public static fromJson(input: unknown): ActivityPlaybook {
    let doc = input;
    if (typeof input === 'string') {
      try {
        doc = JSON.parse(input);
      } catch (e) {
        throw new GuardrailError('AG_ACTIVITY_PLAYBOOK', `activity playbook is not JSON; got ${(e as Error).message}. Regenerate it from the synthesized output.`);
      }
    }
    compiled ??= new Ajv({ allErrors: true, strict: true }).compile(ACTIVITY_PLAYBOOK_SCHEMA);
    if (!compiled(doc)) {
      const errors = (compiled.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}`);
      throw new GuardrailError('AG_ACTIVITY_PLAYBOOK', `activity playbook does not match its schema; got ${errors.join('; ')}. Regenerate it from the synthesized output.`);
    }
    return new ActivityPlaybook(doc as ActivityPlaybookDocument);
  }

  public readonly document: ActivityPlaybookDocument;

  private constructor(document: ActivityPlaybookDocument) {
    this.document = document;
  }

  public get agents(): readonly PlaybookAgent[] {
    return this.document.agents;
  }

  /** The playbook as JSON text. */
  public toJson(): string {
    return JSON.stringify(this.document);
  }
}

/** How an identity shows up in logs, as far as the synthesized output knows its name. */
function identityNames(identity: Identity): string[] {
  const name = identity.name;
  if (!name || name.includes('${') || name.startsWith('{')) return [];
  return [name];
}
