import { Duration, Stack, Tags } from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GuardrailError } from '../../lib/errors';
import { Declaration } from '../../lib/inventory/inventory';
import { declarationRuntimeFacts } from '../../lib/inventory/declaration';
import { Environment } from '../../lib/model/environment';
import { Component, DECLARATION_METADATA_KEY, TAG_KEYS } from '../../lib/model/tags';
import { AgentTier } from '../../lib/model/tier';
import { Tool } from '../../lib/model/tool';
import { recordSourceLine } from './private/source-line-metadata';

const TOOL_ROLE_SYMBOL = Symbol.for('agent-guardrails.ToolRole');

/** Session tag keys the broker may set when it assumes a tool role; no others. */
export const SESSION_TAG_KEYS = [TAG_KEYS.agent, TAG_KEYS.tool, TAG_KEYS.environment, 'agent-guardrails:lineage'];

export interface ToolRoleProps {
  /** The agent the tool belongs to; also the required `sts:SourceIdentity`. */
  readonly agentName: string;
  /** The agent's tier (tagged). */
  readonly tier: AgentTier;
  /** The agent's environment (tagged, and required as session tag). */
  readonly environment: Environment;
  /** The tool; its `aws` permissions become the role's only policy. */
  readonly tool: Tool;
  /** The only principal that may assume the role (the credential broker's role). */
  readonly broker: iam.IRole;
  /** The agent's permissions boundary. */
  readonly permissionsBoundary: iam.IManagedPolicy;
  /**
   * Longest session the role allows.
   * @default Duration.hours(1)
   */
  readonly maxSessionDuration?: Duration;
}

/**
 * The IAM role of one tool of one agent. Its policy holds exactly the tool's declared actions on the
 * declared resources; only the broker may assume it, and only when it sets `sts:SourceIdentity` to
 * the agent's name. Session tags are limited to the agent-guardrails keys, with agent, tool and
 * environment equal to this role's.
 *
 * Grants added to the role later (`bucket.grantRead(role)`, `addToPolicy`, `addManagedPolicy`) fail
 * the synth: the role holds the declaration and nothing else.
 *
 * Tagged `agent-guardrails:agent|tool|tier|environment` and `agent-guardrails:component=tool-identity`,
 * and carries the tool's declaration as `agent-guardrails:declaration` metadata, so the checks can
 * compare grants with declarations from the synthesized template alone.
 */
export class ToolRole extends iam.Role {
  /** Whether `x` is a ToolRole (works across copies of this library). */
  public static isToolRole(x: unknown): x is ToolRole {
    return typeof x === 'object' && x !== null && TOOL_ROLE_SYMBOL in x;
  }

  /** The tool this role is for. */
  public readonly tool: Tool;
  /** What the tool declared, as written into the role's metadata. */
  public readonly declaration: Declaration;
  /** Grants added after construction (e.g. `bucket.grantRead(role)`), reported at synth. */
  private undeclaredGrants?: string[];

  constructor(scope: Construct, id: string, props: ToolRoleProps) {
    const { tool, agentName } = props;
    const aws = tool.aws!;
    const broker = new iam.ArnPrincipal(props.broker.roleArn);
    super(scope, id, {
      description: `Tool ${tool.name} of agent ${agentName} (${props.tier}, ${props.environment.name}): ${tool.accessLevel}.`,
      // SourceIdentity is required, persists through role chaining and lands in CloudTrail.
      assumedBy: broker.withConditions({ StringEquals: { 'sts:SourceIdentity': agentName } }),
      maxSessionDuration: props.maxSessionDuration ?? Duration.hours(1),
      permissionsBoundary: props.permissionsBoundary,
      inlinePolicies: {
        Tool: new iam.PolicyDocument({
          statements: [new iam.PolicyStatement({ sid: 'DeclaredPermissions', actions: [...aws.actions], resources: [...aws.resources], conditions: aws.conditions })],
        }),
      },
    });
    Object.defineProperty(this, TOOL_ROLE_SYMBOL, { value: true });
    recordSourceLine(this);
    this.tool = tool;

    this.assumeRolePolicy!.addStatements(
      new iam.PolicyStatement({
        sid: 'BrokerSetsSourceIdentity',
        actions: ['sts:SetSourceIdentity'],
        principals: [broker],
        conditions: { StringEquals: { 'sts:SourceIdentity': agentName } },
      }),
      new iam.PolicyStatement({
        sid: 'BrokerTagsSession',
        actions: ['sts:TagSession'],
        principals: [broker],
        conditions: {
          'ForAllValues:StringEquals': { 'aws:TagKeys': SESSION_TAG_KEYS },
          'StringEquals': {
            [`aws:RequestTag/${TAG_KEYS.agent}`]: agentName,
            [`aws:RequestTag/${TAG_KEYS.tool}`]: tool.name,
            [`aws:RequestTag/${TAG_KEYS.environment}`]: props.environment.name,
          },
        },
      }),
    );

    const tags: Record<string, string> = {
      [TAG_KEYS.agent]: agentName,
      [TAG_KEYS.tool]: tool.name,
      [TAG_KEYS.tier]: props.tier,
      [TAG_KEYS.environment]: props.environment.name,
      [TAG_KEYS.component]: Component.TOOL_IDENTITY,
    };
    // Priority above Tags.of(...).remove's default, so a stack-wide removal cannot strip what the checks rely on.
    for (const [k, v] of Object.entries(tags)) Tags.of(this).add(k, v, { priority: 300 });
    // Tags are aspects, applied only at synth; the same labels as metadata are there from the start, so the
    // checks know the role as this agent's tool however early they run (e.g. `validateScope` before synth).
    const roleCfn = this.node.defaultChild as iam.CfnRole;
    for (const [k, v] of Object.entries(tags)) roleCfn.addMetadata(k, v);

    this.declaration = {
      agent: agentName,
      tool: tool.name,
      tier: props.tier,
      environment: props.environment.name,
      accessLevel: tool.accessLevel,
      actions: [...aws.actions],
      resources: [...aws.resources],
      dataSources: [...tool.dataSources],
      requiresApproval: tool.requiresApproval,
      hasWindow: tool.window !== undefined,
      ...declarationRuntimeFacts(tool.window, props.environment),
    };
    roleCfn.addMetadata(DECLARATION_METADATA_KEY, this.declaration);

    this.node.addValidation({
      validate: () => (this.undeclaredGrants ?? []).map((what) => GuardrailError.format(
        `ToolRole(${agentName}/${tool.name})`, 'must hold exactly the tool\'s declared permissions', what,
        'Declare the actions and resources on the Tool (aws: { actions, resources }) instead of granting to its role; the boundary, the checks and the AIBOM all read the declaration.')),
    });
  }

  /** Refused at synth: a grant beyond the declaration would silently widen the tool. */
  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    this.recordUndeclared(`a statement added to the role (actions ${statement.actions.join(', ') || statement.notActions.join(', ')})`);
    return super.addToPrincipalPolicy(statement);
  }

  /** Refused at synth: a managed policy beyond the declaration would silently widen the tool. */
  public addManagedPolicy(policy: iam.IManagedPolicy): void {
    this.recordUndeclared(`an attached managed policy (${JSON.stringify(Stack.of(this).resolve(policy.managedPolicyArn))})`);
    super.addManagedPolicy(policy);
  }

  /** Refused at synth: an inline policy beyond the declaration would silently widen the tool. */
  public attachInlinePolicy(policy: iam.Policy): void {
    this.recordUndeclared(`an attached policy (${policy.node.path})`);
    super.attachInlinePolicy(policy);
  }

  private recordUndeclared(what: string): void {
    (this.undeclaredGrants ??= []).push(what);
  }
}
