import { Annotations, Duration, Stack, Tags } from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GuardrailError, fail } from '../../lib/errors';
import { Environment } from '../../lib/model/environment';
import { Component, TAG_KEYS } from '../../lib/model/tags';
import { GUARDRAIL_POLICY_PATH } from './permissions-boundary';
import { checkPrincipalAccounts, recordCrossAccount, throwPrincipalViolations } from './private/principal-accounts';
import { recordSourceLine } from './private/source-line-metadata';

const KILL_SWITCH_SYMBOL = Symbol.for('agent-guardrails.KillSwitch');

export interface KillSwitchProps {
  /** The agent whose tool roles the kill switch cuts. */
  readonly agentName: string;
  /** The agent's environment. */
  readonly environment: Environment;
  /**
   * Who may pull the switch (e.g. an incident-response role). They assume the revocation role;
   * nobody else can. Never `*`, and principals of the environment's account only, unless the
   * environment's `crossAccount` opt-in lists their account.
   */
  readonly revocationPrincipals: iam.IPrincipal[];
}

/**
 * The kill switch of one agent: a prepared deny-all managed policy (`Deny * on *`), attached to
 * nothing, plus a revocation role that may do exactly one thing: attach that policy to this agent's
 * tool roles (`iam:AttachRolePolicy` on the tool role ARNs with `iam:PolicyARN` equal to it).
 *
 * Pulling the switch cuts sessions already issued too: IAM evaluates the role's attached policies on
 * every request, so a session minted before the attachment is denied from then on.
 *
 * A `CredentialBroker` serving the agent adds exactly one more grant to the revocation role:
 * `ssm:PutParameter` on the agent's broker kill-switch flag, so the broker refuses new sessions too.
 *
 * Restoring access is deliberately not possible through this construct: the revocation role cannot
 * detach anything, and the agent's boundary denies every IAM write. A human restores access through
 * the account's separate break-glass path (e.g. an administrator running
 * `aws iam detach-role-policy --role-name <tool role> --policy-arn <denyAllPolicy ARN>` for each tool
 * role, after the incident review).
 */
export class KillSwitch extends Construct {
  /** Whether `x` is a KillSwitch (works across copies of this library). */
  public static isKillSwitch(x: unknown): x is KillSwitch {
    return typeof x === 'object' && x !== null && KILL_SWITCH_SYMBOL in x;
  }

  /** The deny-all policy (not attached until someone pulls the switch). */
  public readonly denyAllPolicy: iam.ManagedPolicy;
  /** The role that may attach `denyAllPolicy` to this agent's tool roles, and nothing else. */
  public readonly revocationRole: iam.Role;
  private readonly revokeStatement: iam.PolicyStatement;
  private readonly covered: string[] = [];
  private responders = 0;

  constructor(scope: Construct, id: string, props: KillSwitchProps) {
    super(scope, id);
    Object.defineProperty(this, KILL_SWITCH_SYMBOL, { value: true });
    recordSourceLine(this);
    const field = `KillSwitch(${props.agentName}).revocationPrincipals`;
    if (props.revocationPrincipals.length === 0) {
      fail('AG_KILL_SWITCH_NO_PRINCIPALS', field, 'must name at least one principal', [], 'Pass the incident-response role, e.g. [iam.Role.fromRoleArn(this, "Ir", "arn:aws:iam::…:role/incident-response")].');
    }
    for (const p of props.revocationPrincipals) {
      const json = Stack.of(this).resolve(p.policyFragment.principalJson) as Record<string, unknown>;
      if (Object.values(json).some((v) => v === '*' || (Array.isArray(v) && v.includes('*')))) {
        fail('AG_KILL_SWITCH_ANY_PRINCIPAL', field, 'must not allow any principal', json, 'Name the incident-response role(s) that may pull the switch.');
      }
      if (JSON.stringify(json).includes(':root')) {
        Annotations.of(this).addWarningV2('agent-guardrails:revocation-account-root',
          `The kill switch of agent ${props.agentName} trusts a whole account: any of its identities allowed sts:AssumeRole can pull (or probe) the switch. Name the incident-response role instead.`);
      }
    }
    const accounts = checkPrincipalAccounts(this, field, props.revocationPrincipals, props.environment);
    throwPrincipalViolations(accounts.violations);

    this.denyAllPolicy = new iam.ManagedPolicy(this, 'DenyAll', {
      managedPolicyName: `agent-guardrails-${props.agentName}-${props.environment.name}-kill-switch`,
      path: GUARDRAIL_POLICY_PATH,
      description: `Kill switch of agent ${props.agentName} (${props.environment.name}): attached to a tool role, denies everything, including sessions already issued.`,
      statements: [new iam.PolicyStatement({ sid: 'KillSwitchDenyAll', effect: iam.Effect.DENY, actions: ['*'], resources: ['*'] })],
    });
    const policyCfn = this.denyAllPolicy.node.defaultChild as iam.CfnManagedPolicy;
    policyCfn.addMetadata(TAG_KEYS.component, Component.KILL_SWITCH);
    policyCfn.addMetadata(TAG_KEYS.agent, props.agentName);
    policyCfn.addMetadata(TAG_KEYS.environment, props.environment.name);

    this.revokeStatement = new iam.PolicyStatement({
      sid: 'AttachKillSwitchToToolRoles',
      actions: ['iam:AttachRolePolicy'],
      conditions: { ArnEquals: { 'iam:PolicyARN': this.denyAllPolicy.managedPolicyArn } },
    });
    this.revocationRole = new iam.Role(this, 'RevocationRole', {
      assumedBy: new iam.CompositePrincipal(...props.revocationPrincipals),
      description: `Pulls the kill switch of agent ${props.agentName} (${props.environment.name}): may only attach the deny-all policy to its tool roles.`,
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: { KillSwitch: new iam.PolicyDocument({ statements: [this.revokeStatement] }) },
    });
    const roleCfn = this.revocationRole.node.defaultChild as iam.CfnRole;
    roleCfn.addMetadata(TAG_KEYS.component, Component.REVOCATION);
    roleCfn.addMetadata(TAG_KEYS.agent, props.agentName);
    recordCrossAccount(roleCfn, accounts.optedIn, props.environment.crossAccount?.reason ?? '');
    Tags.of(this.revocationRole).add(TAG_KEYS.component, Component.REVOCATION, { priority: 300 });
    Tags.of(this.revocationRole).add(TAG_KEYS.agent, props.agentName, { priority: 300 });
    Tags.of(this.revocationRole).add(TAG_KEYS.environment, props.environment.name, { priority: 300 });

    this.node.addValidation({
      validate: () => this.covered.length > 0 ? [] : [GuardrailError.format(`KillSwitch(${props.agentName})`, 'must cover at least one tool role', [],
        'Call killSwitch.coverRole(role) for each tool role (AgentIdentity does this for you).')],
    });
  }

  /** The ARN of the deny-all policy, for runbooks and the broker. */
  public get denyAllPolicyArn(): string {
    return this.denyAllPolicy.managedPolicyArn;
  }

  /**
   * Let an automated responder (the agent's `AgentActivityMonitor`) assume the revocation role, next
   * to the incident-response principals. Only a guardrail role may be admitted: it must hold nothing
   * but that assumption, its alerts and its logs (AGENT-005 checks it), and agents cannot change it
   * (the boundary denies every IAM write).
   */
  public admitResponder(role: iam.IRole): void {
    this.revocationRole.assumeRolePolicy?.addStatements(new iam.PolicyStatement({
      sid: `AutomatedResponder${this.responders++}`,
      actions: ['sts:AssumeRole'],
      principals: [new iam.ArnPrincipal(role.roleArn)],
    }));
  }

  /**
   * Let the revocation role attach the deny-all policy to `role` (one of this agent's tool roles).
   * AgentIdentity calls this for each tool role it creates.
   */
  public coverRole(role: iam.IRole): void {
    this.covered.push(role.roleArn);
    this.revokeStatement.addResources(role.roleArn);
  }
}

