import { Duration, Stack, Token } from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AwsToolContext, AwsToolViolation, awsAgentViolations, awsPermissionViolations, awsToolViolations } from '../../lib/aws/validate-aws-tool';
import { Baseline } from '../../lib/baseline/baseline';
import { GuardrailError, fail } from '../../lib/errors';
import { Environment } from '../../lib/model/environment';
import { AgentTier } from '../../lib/model/tier';
import { Tool } from '../../lib/model/tool';
import { KillSwitch } from './kill-switch';
import { actionsDeniedByBoundary } from './private/guardrail-denies';
import { AgentPermissionsBoundary } from './permissions-boundary';
import { ToolRole } from './tool-role';
import { checkPrincipalAccounts, recordCrossAccount } from './private/principal-accounts';
import { recordSourceLine } from './private/source-line-metadata';

const AGENT_IDENTITY_SYMBOL = Symbol.for('agent-guardrails.AgentIdentity');
const AGENT_NAME = /^[a-z][a-z0-9-]{0,38}[a-z0-9]$/;
/** IAM's lower bound for a role's MaxSessionDuration. */
const IAM_MIN_SESSION_SECONDS = 3600;

export interface AgentIdentityProps {
  /** The agent's name (2–40 chars of `[a-z0-9-]`): tagged on every role, and the required `sts:SourceIdentity`. */
  readonly agentName: string;
  /** What the agent is trusted to do; the baseline's tier ceiling applies. */
  readonly tier: AgentTier;
  /** The one environment of this identity (needs an `aws` placement). */
  readonly environment: Environment;
  /** The agent's tools; each gets its own role. */
  readonly tools: Tool[];
  /** The only principal allowed to assume the tool roles: the credential broker's role (of the environment's account). */
  readonly broker: iam.IRole;
  /**
   * Who may pull the kill switch (assume the revocation role), e.g. an incident-response role, of the
   * environment's account (another account only when the environment's `crossAccount` lists it).
   */
  readonly revocationPrincipals: iam.IPrincipal[];
  /**
   * The guardrail baseline the agent is checked against.
   * @default - the app's baseline (`Baseline.setForApp`, or the context key `agent-guardrails:baseline`), else the package default
   */
  readonly baseline?: Baseline;
  /**
   * Longest session a tool role allows: between IAM's minimum (1 h) and the baseline's maximum.
   * The broker mints much shorter sessions (baseline `session.brokerSessionSeconds`, 15 min).
   * @default - the baseline's maxSessionSeconds (1 h in the default baseline)
   */
  readonly maxSessionDuration?: Duration;
}

/**
 * The AWS identity of one agent in one environment: one role per tool, a permissions boundary
 * shared by those roles, and a kill switch.
 *
 * Refuses at construction (GuardrailError with a stable code) what can be judged then: wildcard or
 * unknown actions, `Resource: *` for actions that support resource-level permissions, read tools
 * holding writes, tools beyond the tier's ceiling, advisor writes beyond proposal actions, duplicate
 * tools, tools without actions or resources, ARNs of another account or region, sessions longer than
 * the baseline, destructive tools without approval when the baseline requires it. Values that are
 * still tokens are checked at synth instead.
 */
export class AgentIdentity extends Construct {
  /** Whether `x` is an AgentIdentity (works across copies of this library). */
  public static isAgentIdentity(x: unknown): x is AgentIdentity {
    return typeof x === 'object' && x !== null && AGENT_IDENTITY_SYMBOL in x;
  }

  public readonly agentName: string;
  public readonly tier: AgentTier;
  public readonly environment: Environment;
  public readonly tools: Tool[];
  /** The tool roles, keyed by tool name. */
  public readonly toolRoles: Record<string, iam.Role>;
  /** The agent's permissions boundary (attached to every tool role). */
  public readonly boundary: AgentPermissionsBoundary;
  /** The agent's kill switch. */
  public readonly killSwitch: KillSwitch;

  constructor(scope: Construct, id: string, props: AgentIdentityProps) {
    super(scope, id);
    Object.defineProperty(this, AGENT_IDENTITY_SYMBOL, { value: true });
    recordSourceLine(this);
    const baseline = Baseline.resolve(this, props.baseline, `AgentIdentity(${props.agentName}).baseline`);
    if (!AGENT_NAME.test(props.agentName)) {
      fail('AG_AGENT_NAME', 'AgentIdentity.agentName', 'must be 2–40 chars of [a-z0-9-], starting with a letter', props.agentName, 'Use a short kebab-case name such as "deploy-operator".');
    }
    const awsEnv = props.environment.requireAws(`AgentIdentity(${props.agentName})`);
    const maxSession = this.maxSession(props.maxSessionDuration, baseline, props.agentName);

    const ctx: AwsToolContext = { agentName: props.agentName, environmentName: props.environment.name, environment: awsEnv, baseline, otherAccounts: props.environment.crossAccount?.accounts };
    const brokerAccount = checkPrincipalAccounts(this, `AgentIdentity(${props.agentName}).broker`, [props.broker], props.environment);
    throwAll([
      ...brokerAccount.violations,
      ...awsAgentViolations(props.agentName, props.tier, props.tools, baseline),
      ...props.tools.flatMap((t) => awsToolViolations(t, ctx)),
      ...props.tools.flatMap((t) => boundaryDenied(props.agentName, t)),
    ]);

    this.agentName = props.agentName;
    this.tier = props.tier;
    this.environment = props.environment;
    this.tools = [...props.tools];

    this.killSwitch = new KillSwitch(this, 'KillSwitch', {
      agentName: props.agentName,
      environment: props.environment,
      revocationPrincipals: props.revocationPrincipals,
    });
    this.boundary = new AgentPermissionsBoundary(this, 'Boundary', {
      agentName: props.agentName,
      environment: props.environment,
      tools: this.tools,
      killSwitchPolicy: this.killSwitch.denyAllPolicy,
      baseline,
    });
    this.toolRoles = {};
    for (const tool of this.tools) {
      const role = new ToolRole(this, `Tool-${tool.name}`, {
        agentName: props.agentName,
        tier: props.tier,
        environment: props.environment,
        tool,
        broker: props.broker,
        permissionsBoundary: this.boundary.policy,
        maxSessionDuration: maxSession,
      });
      this.toolRoles[tool.name] = role;
      recordCrossAccount(role.node.defaultChild as iam.CfnRole, brokerAccount.optedIn, props.environment.crossAccount?.reason ?? '');
      this.killSwitch.coverRole(role);
    }

    // Values that were tokens at construction are checked once they resolve.
    this.node.addValidation({ validate: () => this.synthViolations(ctx) });
  }

  /** The role of a tool; throws for a tool the agent does not have. */
  public roleFor(toolName: string): iam.Role {
    const role = Object.prototype.hasOwnProperty.call(this.toolRoles, toolName) ? this.toolRoles[toolName] : undefined;
    if (!role) {
      fail('AG_AGENT_NO_SUCH_TOOL', `AgentIdentity(${this.agentName}).roleFor`, `must name one of the agent's tools (${Object.keys(this.toolRoles).join(', ')})`, toolName, 'Check the tool name.');
    }
    return role;
  }

  private maxSession(requested: Duration | undefined, baseline: Baseline, agentName: string): Duration {
    const field = `AgentIdentity(${agentName}).maxSessionDuration`;
    if (baseline.maxSessionSeconds < IAM_MIN_SESSION_SECONDS) {
      // IAM cannot set a role below 1 h, so every tool role would break the baseline (AWS-011).
      fail('AG_SESSION_BASELINE_BELOW_IAM', `baseline ${baseline.id} session.maxSessionSeconds`, `must be at least ${IAM_MIN_SESSION_SECONDS} s for AWS roles (IAM's minimum MaxSessionDuration)`,
        baseline.maxSessionSeconds, 'Keep session.maxSessionSeconds at 3600 or more and shorten session.brokerSessionSeconds instead: the broker mints the short sessions.');
    }
    if (requested === undefined) return Duration.seconds(baseline.maxSessionSeconds);
    if (Token.isUnresolved(requested.toSeconds())) {
      fail('AG_SESSION_TOKEN', field, 'must be a literal duration', 'a token', 'Pass Duration.hours(1) or shorter.');
    }
    const seconds = requested.toSeconds();
    if (seconds > baseline.maxSessionSeconds) {
      fail('AG_SESSION_TOO_LONG', field, `must not exceed the baseline's ${baseline.maxSessionSeconds} s (baseline ${baseline.id})`, `${seconds} s`, 'Use a shorter session; the broker mints shorter sessions still.');
    }
    if (seconds < IAM_MIN_SESSION_SECONDS) {
      fail('AG_SESSION_TOO_SHORT', field, 'must be at least 1 hour (the IAM minimum for a role)', `${seconds} s`, 'Keep 1 h on the role; the broker mints shorter sessions (baseline session.brokerSessionSeconds).');
    }
    return requested;
  }

  /** Re-run the checks on token values now that they resolve; also check the stack's own placement. */
  private synthViolations(ctx: AwsToolContext): string[] {
    const stack = Stack.of(this);
    const errors: string[] = [];
    const literal = (v: unknown): string | undefined => {
      const r = stack.resolve(v);
      return typeof r === 'string' ? r : undefined;
    };
    const env = { account: literal(ctx.environment.account) ?? ctx.environment.account, regions: ctx.environment.regions.map((r) => literal(r) ?? r) };
    const synthCtx: AwsToolContext = { ...ctx, environment: env };
    for (const tool of this.tools) {
      const aws = tool.aws;
      if (!aws || ![...aws.actions, ...aws.resources].some((v) => Token.isUnresolved(v))) continue;
      const actions: string[] = [];
      for (const a of aws.actions) {
        const value = Token.isUnresolved(a) ? literal(a) : a;
        if (value === undefined) {
          errors.push(GuardrailError.format(`Agent(${this.agentName}).tools[${tool.name}].aws.actions`, 'must resolve to a literal action at synth', a, 'Write the action as a string; an unresolvable action cannot be checked (fail closed).'));
        } else {
          actions.push(value);
        }
      }
      // A resource that stays an intrinsic (e.g. bucket.bucketArn) is a resource of this stack: the stack placement check covers it.
      const resources = aws.resources.map((r) => (Token.isUnresolved(r) ? literal(r) ?? r : r));
      errors.push(...awsPermissionViolations(tool.name, tool.accessLevel, { ...aws, actions, resources }, synthCtx).map((v) => v.message));
    }
    if (!Token.isUnresolved(stack.account) && !Token.isUnresolved(env.account) && stack.account !== env.account) {
      errors.push(GuardrailError.format(`AgentIdentity(${this.agentName}) stack ${stack.stackName}`, `must deploy to environment ${this.environment.name}'s account ${env.account}`, stack.account, 'Set the stack env to the environment\'s account, or use another Environment.'));
    }
    if (!Token.isUnresolved(stack.region) && !env.regions.some((r) => Token.isUnresolved(r)) && !env.regions.includes(stack.region)) {
      errors.push(GuardrailError.format(`AgentIdentity(${this.agentName}) stack ${stack.stackName}`, `must deploy to one of environment ${this.environment.name}'s regions (${env.regions.join(', ')})`, stack.region, 'Set the stack env region accordingly.'));
    }
    return errors;
  }
}

/** A tool declaring what the boundary always denies (escalation, audit tampering) could never work. */
function boundaryDenied(agentName: string, tool: Tool): AwsToolViolation[] {
  const denied = actionsDeniedByBoundary((tool.aws?.actions ?? []).filter((a) => !Token.isUnresolved(a)));
  return denied.length === 0 ? [] : [{
    code: 'AG_TOOL_DENIED_BY_BOUNDARY',
    message: GuardrailError.format(`Agent(${agentName}).tools[${tool.name}].aws.actions`, 'must not hold actions the permissions boundary always denies (privilege escalation, audit tampering)', denied,
      'Remove them: an agent never changes identities, policies or the audit trail; a human does that through the platform\'s own pipeline.'),
  }];
}

/** Throw every violation at once, under the first one's code. */
function throwAll(violations: AwsToolViolation[]): void {
  if (violations.length === 0) return;
  const rest = violations.slice(1).map((v) => `\n  [${v.code}] ${v.message}`).join('');
  throw new GuardrailError(violations[0].code, `${violations[0].message}${rest}`);
}
