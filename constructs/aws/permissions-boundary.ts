import { Annotations, ArnFormat, Stack } from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { Baseline } from '../../lib/baseline/baseline';
import { GuardrailError } from '../../lib/errors';
import { Environment } from '../../lib/model/environment';
import { Component, TAG_KEYS } from '../../lib/model/tags';
import { Tool } from '../../lib/model/tool';
import { guardrailDenyStatements, guardrailRuntimeArns } from './private/guardrail-denies';
import { policySizeChars } from './private/policy-size';
import { recordSourceLine } from './private/source-line-metadata';

const BOUNDARY_SYMBOL = Symbol.for('agent-guardrails.AgentPermissionsBoundary');

/** The IAM path of every managed policy the guardrails create (the boundary denies any change under it). */
export const GUARDRAIL_POLICY_PATH = '/agent-guardrails/';

export interface AgentPermissionsBoundaryProps {
  /** The agent the boundary belongs to. */
  readonly agentName: string;
  /** The agent's environment (its AWS account and regions). */
  readonly environment: Environment;
  /** The agent's tools: their declared actions and resources form the ceiling. */
  readonly tools: Tool[];
  /** The agent's kill-switch policy, which the boundary protects from change. */
  readonly killSwitchPolicy: iam.IManagedPolicy;
  /**
   * The baseline (forbidden actions, the managed-policy size quota).
   * @default - the app's baseline (`Baseline.setForApp`, or the context key `agent-guardrails:baseline`), else the package default
   */
  readonly baseline?: Baseline;
}

/**
 * The permissions boundary of one agent: a customer managed policy attached as the boundary of
 * every tool role of the agent.
 *
 * Its ceiling is the union of the agent's declared tool actions, on the declared resources (or on
 * `*` when that does not fit the managed-policy size quota: the role policies still name the
 * resources). Its explicit denies hold even for a role someone widened to `*` on `*`: privilege
 * escalation (IAM and Organizations writes, undeclared `iam:PassRole` and `sts:AssumeRole`),
 * guardrail tampering (this policy, the kill switch, every policy under `/agent-guardrails/`,
 * SSM parameters under `/agent-guardrails/`, the activity monitor's `agent-guardrails-*` rule,
 * function, topic, queue, table and alarms, CloudTrail and log deletion), other environments
 * (resources or requests tagged with another `agent-guardrails:environment`), other regions and
 * other accounts' resources (`aws:ResourceAccount`, with AWS's documented exceptions for
 * AWS-owned resources).
 *
 * The policy has a fixed name, `agent-guardrails-<agent>-<environment>-boundary`, so that it can deny
 * changes to itself (a policy cannot reference its own generated name).
 */
export class AgentPermissionsBoundary extends Construct {
  /** Whether `x` is an AgentPermissionsBoundary (works across copies of this library). */
  public static isAgentPermissionsBoundary(x: unknown): x is AgentPermissionsBoundary {
    return typeof x === 'object' && x !== null && BOUNDARY_SYMBOL in x;
  }

  /** The boundary policy. */
  public readonly policy: iam.ManagedPolicy;
  /** The boundary policy's name. */
  public readonly policyName: string;
  /** The boundary policy's ARN (built from its fixed name). */
  public readonly policyArn: string;
  /** True when the ceiling names the declared resources; false when it fell back to `*` for size. */
  public readonly ceilingOnDeclaredResources: boolean;

  constructor(scope: Construct, id: string, props: AgentPermissionsBoundaryProps) {
    super(scope, id);
    Object.defineProperty(this, BOUNDARY_SYMBOL, { value: true });
    recordSourceLine(this);
    const baseline = Baseline.resolve(this, props.baseline, 'AgentPermissionsBoundary.baseline');
    const env = props.environment.requireAws('AgentPermissionsBoundary');
    const stack = Stack.of(this);

    this.policyName = `agent-guardrails-${props.agentName}-${props.environment.name}-boundary`;
    this.policyArn = stack.formatArn({ service: 'iam', region: '', resource: 'policy', resourceName: `${GUARDRAIL_POLICY_PATH.slice(1)}${this.policyName}`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });

    const declared = (action: string) => props.tools
      .filter((t) => t.aws?.actions.some((a) => a.toLowerCase() === action))
      .flatMap((t) => t.aws!.resources.filter((r) => r !== '*'));
    const denies = guardrailDenyStatements({
      environmentName: props.environment.name,
      regions: env.regions,
      protectedPolicyArns: [this.policyArn, props.killSwitchPolicy.managedPolicyArn],
      guardrailPolicyPathArn: stack.formatArn({ service: 'iam', region: '', resource: 'policy', resourceName: `${GUARDRAIL_POLICY_PATH.slice(1)}*`, arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
      guardrailParameterArn: stack.formatArn({ service: 'ssm', region: '*', resource: 'parameter', resourceName: 'agent-guardrails/*', arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
      guardrailRuntimeArns: guardrailRuntimeArns(stack.partition, env.account),
      passableRoleArns: unique(declared('iam:passrole')),
      assumableRoleArns: unique(declared('sts:assumerole')),
      forbiddenActions: baseline.forbiddenAwsActions,
      partition: stack.partition,
      resourceAccounts: [env.account, ...optedInResourceAccounts(props)],
    });

    // Prefer the ceiling on the declared resources; fall back to `*` only if that would not fit.
    const quota = baseline.quota('aws.managedPolicyChars');
    const scoped = new iam.PolicyDocument({ statements: [...ceilingStatements(props.tools, true), ...denies] });
    this.ceilingOnDeclaredResources = policySizeChars(this, scoped) <= quota;
    const document = this.ceilingOnDeclaredResources
      ? scoped
      : new iam.PolicyDocument({ statements: [...ceilingStatements(props.tools, false), ...denies] });
    if (!this.ceilingOnDeclaredResources) {
      Annotations.of(this).addWarningV2('agent-guardrails:boundary-ceiling-any-resource',
        `The boundary of agent ${props.agentName} lists its declared actions on "*": the declared resources do not fit the ${quota}-character quota. `
        + 'The tool role policies still name the resources and every explicit deny holds; split the agent into smaller agents to get a resource-scoped ceiling back.');
    }

    this.policy = new iam.ManagedPolicy(this, 'Policy', {
      managedPolicyName: this.policyName,
      path: GUARDRAIL_POLICY_PATH,
      description: `Permissions boundary of agent ${props.agentName} (${props.environment.name}): declared actions only, no escalation, no guardrail tampering, no other environment.`,
      document,
    });
    const cfn = this.policy.node.defaultChild as iam.CfnManagedPolicy;
    cfn.addMetadata(TAG_KEYS.component, Component.BOUNDARY);
    cfn.addMetadata(TAG_KEYS.agent, props.agentName);
    cfn.addMetadata(TAG_KEYS.environment, props.environment.name);

    // A huge agent whose boundary exceeds the quota even with a `*` ceiling: fail the synth, never deploy an invalid policy.
    this.node.addValidation({
      validate: () => {
        const size = policySizeChars(this, this.policy.document);
        return size <= quota ? [] : [GuardrailError.format(`AgentPermissionsBoundary(${props.agentName}).policy`, `must fit the ${quota}-character managed policy quota`, `${size} characters`,
          'Split the agent into smaller agents, or drop actions from its tools; the boundary cannot be shortened without losing its denies.')];
      },
    });
  }
}

/** One Allow per tool: its actions, on its resources (`scoped`) or on `*`. */
function ceilingStatements(tools: Tool[], scoped: boolean): iam.PolicyStatement[] {
  return tools
    .filter((t) => t.aws && t.aws.actions.length > 0)
    .map((t) => new iam.PolicyStatement({
      sid: `Ceiling${t.name.split('-').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('')}`,
      actions: unique(t.aws!.actions),
      resources: scoped ? unique(t.aws!.resources) : ['*'],
    }));
}

/**
 * The opted-in accounts (the environment's `crossAccount`) that some tool declares a resource in:
 * the only accounts besides the environment's that the boundary lets the agent reach. An account
 * trusted only as a principal (e.g. a SOC account pulling the kill switch) stays denied as a resource owner.
 */
function optedInResourceAccounts(props: AgentPermissionsBoundaryProps): string[] {
  const optIn = props.environment.crossAccount;
  if (!optIn) return [];
  const declared = new Set(props.tools.flatMap((t) => t.aws?.resources ?? []).map((r) => r.split(':')[4]));
  return optIn.accounts.filter((a) => declared.has(a));
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
