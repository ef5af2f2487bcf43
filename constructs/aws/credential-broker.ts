import { Duration, Lazy, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { Baseline } from '../../lib/baseline/baseline';
import { BrokerConfig } from '../../lib/broker/broker-config';
import { toolBrokerConfig } from '../../lib/broker/tool-broker-config';
import { GuardrailError, fail } from '../../lib/errors';
import { Component, TAG_KEYS } from '../../lib/model/tags';
import { AgentIdentity } from './agent-identity';
import { ApprovalGate } from './approval-gate';
import { handlerBundleDir } from './broker-runtime/handler-bundle';
import { KILL_SWITCH_DISENGAGED, KILL_SWITCH_ENGAGED } from './broker-runtime/kill-switch-flag';
import { checkPrincipalAccounts, lambdaPermissions, recordCrossAccount, throwPrincipalViolations } from './private/principal-accounts';
import { recordSourceLine } from './private/source-line-metadata';

const CREDENTIAL_BROKER_SYMBOL = Symbol.for('agent-guardrails.CredentialBroker');
/** Lambda caps all environment variables of a function at 4 KB together. */
const LAMBDA_ENV_LIMIT = 4096;

export interface CredentialBrokerProps {
  /**
   * The agent runtime: the only principal that may invoke the broker. Of the agent environment's
   * account (checked by `addAgent`), unless the environment's `crossAccount` opt-in lists its account.
   */
  readonly runtime: iam.IGrantable;
  /**
   * The approval gate for approval-gated tools (destructive by default).
   * @default - no gate: every approval-gated tool is refused (fail closed)
   */
  readonly approvalGate?: ApprovalGate;
  /**
   * The guardrail baseline: session length (`session.brokerSessionSeconds`) and approval age (`approval.maxAgeSeconds`).
   * @default - the app's baseline (`Baseline.setForApp`, or the context key `agent-guardrails:baseline`), else the package default
   */
  readonly baseline?: Baseline;
  /**
   * Name of the broker role (for trust policies written before the broker exists).
   * @default - a name CloudFormation generates
   */
  readonly roleName?: string;
  /**
   * How long decision logs are kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * Whether a request without an approval opens a pending approval request (announced on the gate's topic).
   * @default true
   */
  readonly openPendingApprovals?: boolean;
}

/**
 * The only path from an agent runtime to a tool role: a Lambda function (handler prebuilt in the
 * package) that checks the kill switch, the tool's change window and approvals, then calls
 * `sts:AssumeRole` on the tool role for 15 minutes with `SourceIdentity` = agent and session tags
 * agent/tool/environment/lineage, and logs one JSON decision per request to CloudWatch Logs.
 *
 * Construction order: the broker creates its role first; pass `broker.role` to `AgentIdentity`,
 * then call `broker.addAgent(identity)` to wire the grants and the tool configuration:
 *
 * ```ts
 * const broker = new CredentialBroker(this, 'Broker', { runtime: runtimeRole, approvalGate: gate });
 * const agent = new AgentIdentity(this, 'Agent', { ..., broker: broker.role });
 * broker.addAgent(agent);
 * ```
 *
 * The kill-switch flag is an SSM parameter `/agent-guardrails/<agent>/kill-switch` (value
 * `disengaged`); the agent's revocation role may set it to `engaged`, next to attaching the deny-all
 * policy. The broker reads it on every request (no cache).
 */
export class CredentialBroker extends Construct {
  /** Whether `x` is a CredentialBroker (works across copies of this library). */
  public static isCredentialBroker(x: unknown): x is CredentialBroker {
    return typeof x === 'object' && x !== null && CREDENTIAL_BROKER_SYMBOL in x;
  }

  /** The broker's role: trusted by the tool roles; may only assume/tag/set source identity on them. */
  public readonly role: iam.Role;
  /** The broker function. */
  public readonly lambdaFunction: lambda.Function;
  /** Decision log (one JSON line per request). */
  public readonly logGroup: logs.LogGroup;
  private readonly props: CredentialBrokerProps;
  private readonly baseline: Baseline;
  private agent?: AgentIdentity;
  private parameter?: ssm.StringParameter;

  constructor(scope: Construct, id: string, props: CredentialBrokerProps) {
    super(scope, id);
    Object.defineProperty(this, CREDENTIAL_BROKER_SYMBOL, { value: true });
    recordSourceLine(this);
    this.props = props;
    this.baseline = Baseline.resolve(this, props.baseline, 'CredentialBroker.baseline');

    this.role = new iam.Role(this, 'Role', {
      roleName: props.roleName,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'agent-guardrails credential broker: mints 15-minute tool sessions after kill-switch, window and approval checks.',
      maxSessionDuration: Duration.hours(1),
    });
    this.logGroup = new logs.LogGroup(this, 'DecisionLog', { retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'WriteDecisionLog', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] /* GetAtt Arn ends in :*, covering its streams */,
    }));

    this.lambdaFunction = new lambda.Function(this, 'Function', {
      description: 'agent-guardrails credential broker (fail closed; one decision record per request).',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(handlerBundleDir('broker')),
      role: this.role,
      logGroup: this.logGroup,
      // Up to five port calls per request (kill switch, approval read, consume, mint, log), each
      // bounded by the core's port timeout (2 s by default), plus start-up.
      timeout: Duration.seconds(15),
      memorySize: 512,
      environment: {
        BROKER_CONFIG: Lazy.string({ produce: () => Stack.of(this).toJsonString(this.config()) }),
        KILL_SWITCH_PARAMETER: Lazy.string({ produce: () => this.parameter?.parameterName ?? '' }),
      },
    });
    const invoke = this.lambdaFunction.grantInvoke(props.runtime);
    if (!invoke.resourceStatement) {
      // Also on the function itself: an imported immutable runtime role silently drops identity-side grants.
      this.lambdaFunction.addPermission('InvokeByAgentRuntime', { principal: props.runtime.grantPrincipal, action: 'lambda:InvokeFunction' });
    }
    if (props.approvalGate) {
      props.approvalGate._grantBroker(this.role);
      this.lambdaFunction.addEnvironment('APPROVALS_TABLE', props.approvalGate.table.tableName);
      this.lambdaFunction.addEnvironment('APPROVALS_TOPIC_ARN', props.approvalGate.topic.topicArn);
    }

    for (const c of [this.role, this.lambdaFunction] as Construct[]) Tags.of(c).add(TAG_KEYS.component, Component.BROKER, { priority: 300 });
    (this.role.node.defaultChild as iam.CfnRole).addMetadata(TAG_KEYS.component, Component.BROKER);

    this.node.addValidation({ validate: () => this.validate() });
  }

  /** The kill-switch parameter (after `addAgent`). */
  public get killSwitchParameter(): ssm.StringParameter {
    if (!this.parameter) fail('AG_BROKER_NO_AGENT', 'CredentialBroker.killSwitchParameter', 'exists only after addAgent', undefined, 'Call broker.addAgent(identity) first.');
    return this.parameter;
  }

  /**
   * Serve `identity`'s tools: the broker may assume exactly its tool roles, reads its kill-switch
   * parameter, and the agent's revocation role may engage that parameter. One agent per broker.
   * Refuses a runtime (or approvers of the gate) of another account than the agent's environment,
   * unless the environment's `crossAccount` opt-in lists it.
   */
  public addAgent(identity: AgentIdentity): void {
    if (this.agent) {
      fail('AG_BROKER_ONE_AGENT', 'CredentialBroker.addAgent', 'serves one agent', identity.agentName, `This broker serves ${this.agent.agentName}; create one CredentialBroker per agent.`);
    }
    const runtime = checkPrincipalAccounts(this, `CredentialBroker(${identity.agentName}).runtime`, [this.props.runtime.grantPrincipal], identity.environment);
    throwPrincipalViolations(runtime.violations);
    this.props.approvalGate?._bindEnvironment(identity.environment);
    this.agent = identity;
    // Now the broker knows its agent: label it like the agent's other identities (the checks pair tool roles with their broker).
    for (const c of [this.role, this.lambdaFunction] as Construct[]) {
      Tags.of(c).add(TAG_KEYS.agent, identity.agentName, { priority: 300 });
      Tags.of(c).add(TAG_KEYS.environment, identity.environment.name, { priority: 300 });
    }
    (this.role.node.defaultChild as iam.CfnRole).addMetadata(TAG_KEYS.agent, identity.agentName);
    // Who may invoke the broker is its function's resource policy: label it so the checks know whose it is.
    const reason = identity.environment.crossAccount?.reason ?? '';
    recordCrossAccount(this.role.node.defaultChild as iam.CfnRole, runtime.optedIn, reason);
    for (const permission of lambdaPermissions(this.lambdaFunction)) {
      permission.addMetadata(TAG_KEYS.component, Component.BROKER);
      permission.addMetadata(TAG_KEYS.agent, identity.agentName);
      recordCrossAccount(permission, runtime.optedIn, reason);
    }
    const toolRoleArns = Object.values(identity.toolRoles).map((r) => r.roleArn);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'MintToolSessions', actions: ['sts:AssumeRole', 'sts:TagSession', 'sts:SetSourceIdentity'], resources: toolRoleArns,
    }));

    this.parameter = new ssm.StringParameter(this, 'KillSwitchFlag', {
      parameterName: `/agent-guardrails/${identity.agentName}/kill-switch`,
      stringValue: KILL_SWITCH_DISENGAGED,
      description: `Kill switch of agent ${identity.agentName}: "${KILL_SWITCH_DISENGAGED}" lets the broker mint; any other value (e.g. "${KILL_SWITCH_ENGAGED}") refuses every request.`,
      tier: ssm.ParameterTier.STANDARD,
    });
    this.parameter.grantRead(this.role);
    // Narrow on purpose: PutParameter on this one parameter, nothing else.
    identity.killSwitch.revocationRole.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'EngageBrokerKillSwitch', actions: ['ssm:PutParameter'], resources: [this.parameter.parameterArn],
    }));

    const gate = this.props.approvalGate;
    if (gate) {
      for (const arn of [this.role.roleArn, ...toolRoleArns, ...principalArns(this.props.runtime)]) gate.denyApprover(arn);
    }
  }

  /** The broker configuration written into the function's environment. */
  private config(): BrokerConfig | undefined {
    const agent = this.agent;
    if (!agent) return undefined;
    return {
      agent: agent.agentName,
      environment: agent.environment.name,
      sessionSeconds: this.baseline.brokerSessionSeconds,
      approvalMaxAgeSeconds: this.baseline.approvalMaxAgeSeconds,
      requesterIdentities: [...principalArns(this.props.runtime), ...Object.values(agent.toolRoles).map((r) => r.roleArn), this.role.roleArn],
      openPendingApprovals: this.props.openPendingApprovals ?? true,
      tools: agent.tools.map((t) => toolBrokerConfig(t, agent.roleFor(t.name).roleArn, 'aws')),
    };
  }

  private validate(): string[] {
    if (!this.agent) {
      return [GuardrailError.format('CredentialBroker', 'must serve an agent', 'none', 'Call broker.addAgent(identity) after creating the AgentIdentity with broker: broker.role.')];
    }
    const errors: string[] = [];
    const gated = this.agent.tools.filter((t) => t.requiresApproval).map((t) => t.name);
    if (gated.length > 0 && !this.props.approvalGate) {
      errors.push(GuardrailError.format(`CredentialBroker(${this.agent.agentName}).approvalGate`, 'is required for approval-gated tools', gated, 'Pass approvalGate: new ApprovalGate(...); without it these tools are always refused.'));
    }
    // Tokens resolve to CloudFormation intrinsics here; their deployed ARNs are about as long.
    const size = JSON.stringify(Stack.of(this).resolve(this.config())).length + 200;
    if (size > LAMBDA_ENV_LIMIT) {
      errors.push(GuardrailError.format(`CredentialBroker(${this.agent.agentName}) configuration`, `must fit Lambda's ${LAMBDA_ENV_LIMIT}-byte environment`, `about ${size} bytes`, 'Split the agent\'s tools over fewer declared resources, or shorten resource patterns.'));
    }
    return errors;
  }
}

/** The IAM ARNs a grantable stands for (a role's or user's ARN), for the never-approve list. */
function principalArns(grantable: iam.IGrantable): string[] {
  const json = grantable.grantPrincipal.policyFragment.principalJson.AWS ?? [];
  return (Array.isArray(json) ? json : [json]).filter((a): a is string => typeof a === 'string' && (Token.isUnresolved(a) || a.startsWith('arn:')));
}

