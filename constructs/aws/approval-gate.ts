import { CfnResource, Duration, Lazy, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib/core';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { Environment } from '../../lib/model/environment';
import { Component, TAG_KEYS } from '../../lib/model/tags';
import { handlerBundleDir } from './broker-runtime/handler-bundle';
import { checkPrincipalAccounts, recordCrossAccount, throwPrincipalViolations } from './private/principal-accounts';
import { recordSourceLine } from './private/source-line-metadata';

const APPROVAL_GATE_SYMBOL = Symbol.for('agent-guardrails.ApprovalGate');
/** Every DynamoDB action that writes items (or replaces the table's contents). */
const APPROVAL_WRITE_ACTIONS = [
  'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLInsert', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete', 'dynamodb:RestoreTableToPointInTime', 'dynamodb:ImportTable',
];

export interface ApprovalGateProps {
  /**
   * People (roles, users, groups) who may approve requests through the approve endpoint.
   * More can be added with `grantApprove`. Of the account of the environments the gate serves
   * (checked when a `CredentialBroker` adds its agent), unless the environment's `crossAccount`
   * opt-in lists theirs; a gate that serves no agent compares with its stack's account at synth.
   * @default - nobody until `grantApprove` is called
   */
  readonly approvers?: iam.IGrantable[];
  /**
   * How long the approve endpoint's log (who approved what, when) is kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the approvals table and the logs when the stack is deleted.
   * @default RemovalPolicy.RETAIN (approvals are audit evidence)
   */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * Human approval for approval-gated tools: a DynamoDB table of approvals, an SNS topic that
 * announces pending requests, and an approve endpoint (a Lambda function URL with `AWS_IAM` auth,
 * so the approver is the caller's IAM identity as Lambda verified it — recorded with the approval).
 * One approve call = one approval; the broker consumes it once, atomically.
 *
 * Subscribe the on-call channel to `topic`; an approver calls the URL, SigV4-signed, with
 * `{"approvalId": "…"}` from the announcement (e.g. `awscurl --service lambda -X POST -d … <url>`).
 */
export class ApprovalGate extends Construct {
  /** Whether `x` is an ApprovalGate (works across copies of this library). */
  public static isApprovalGate(x: unknown): x is ApprovalGate {
    return typeof x === 'object' && x !== null && APPROVAL_GATE_SYMBOL in x;
  }

  /** Approvals (partition key `approvalId`; TTL attribute `expiresAt`). */
  public readonly table: dynamodb.Table;
  /** Announces pending approval requests. */
  public readonly topic: sns.Topic;
  /** The approve endpoint's function. */
  public readonly approveFunction: lambda.Function;
  /** The approve endpoint (auth type `AWS_IAM`). */
  public readonly approveUrl: lambda.FunctionUrl;
  /** The approve endpoint's log group (who approved what). */
  public readonly logGroup: logs.LogGroup;
  private readonly deniedApprovers: string[] = [];
  private readonly writers: string[] = [];
  private readonly approverPrincipals: { readonly principal: iam.IPrincipal; readonly permissions: CfnResource[] }[] = [];
  private readonly environments: Environment[] = [];
  private approvers = 0;

  constructor(scope: Construct, id: string, props: ApprovalGateProps = {}) {
    super(scope, id);
    Object.defineProperty(this, APPROVAL_GATE_SYMBOL, { value: true });
    recordSourceLine(this);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    // Only the broker(s) and the approve endpoint may write approvals: an agent runtime (or anyone
    // else) with broad DynamoDB rights could otherwise forge an "approved" record.
    const onlyWriters = new iam.PolicyStatement({
      sid: 'OnlyBrokerAndApproveEndpointWrite',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: APPROVAL_WRITE_ACTIONS,
      resources: ['*'],
      conditions: { ArnNotEquals: { 'aws:PrincipalArn': Lazy.list({ produce: () => this.writers }) } },
    });
    this.table = new dynamodb.Table(this, 'Approvals', {
      resourcePolicy: new iam.PolicyDocument({ statements: [onlyWriters] }),
      partitionKey: { name: 'approvalId', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      removalPolicy,
    });
    this.topic = new sns.Topic(this, 'PendingApprovals', { displayName: 'agent-guardrails: approvals needed', enforceSSL: true });

    this.logGroup = new logs.LogGroup(this, 'ApproveLog', { retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR, removalPolicy });
    const role = new iam.Role(this, 'ApproveRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'agent-guardrails approve endpoint: reads a pending approval and records who approved it.',
    });
    // Separate policy resources (not inline): the table's resource policy names this role, so the role must not name the table.
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadAndApprove', actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: [this.table.tableArn] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'WriteOwnLog', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] /* GetAtt Arn ends in :*, covering its streams */ }));
    this.writers.push(role.roleArn);
    this.approveFunction = new lambda.Function(this, 'ApproveFunction', {
      description: 'agent-guardrails approve endpoint (one call = one approval, by the signed caller).',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(handlerBundleDir('approve')),
      role,
      logGroup: this.logGroup,
      timeout: Duration.seconds(10),
      memorySize: 256,
      environment: {
        APPROVALS_TABLE: this.table.tableName,
        DENIED_APPROVERS: Lazy.string({ produce: () => Stack.of(this).toJsonString(this.deniedApprovers) }),
      },
    });
    this.approveUrl = this.approveFunction.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });

    for (const c of [this.table, this.topic, role, this.approveFunction] as Construct[]) {
      Tags.of(c).add(TAG_KEYS.component, Component.APPROVAL_GATE, { priority: 300 });
    }
    for (const approver of props.approvers ?? []) this.grantApprove(approver);
    // A gate no broker binds to an environment: its approvers are compared with the stack's account.
    this.node.addValidation({
      validate: () => this.environments.length > 0 || Token.isUnresolved(Stack.of(this).account) ? []
        : checkPrincipalAccounts(this, 'ApprovalGate.approvers', this.approverPrincipals.map((a) => a.principal), undefined, Stack.of(this).account).violations.map((v) => `[${v.code}] ${v.message}`),
    });
  }

  /**
   * Let `grantee` (a person's role or user) approve requests through the endpoint. Granted on the
   * function (resource policy), so imported roles work and are never modified.
   */
  public grantApprove(grantee: iam.IGrantable): void {
    const n = this.approvers++;
    const principal = grantee.grantPrincipal;
    // Checked against every environment the gate already serves (later ones check it when they bind).
    const optedIn = this.environments.flatMap((env) => this.checkApprovers([principal], env));
    this.approveFunction.addPermission(`Approver${n}Url`, { principal, action: 'lambda:InvokeFunctionUrl', functionUrlAuthType: lambda.FunctionUrlAuthType.AWS_IAM });
    // Function URLs also need lambda:InvokeFunction, limited to calls that come through the URL.
    this.approveFunction.addPermission(`Approver${n}Invoke`, { principal, action: 'lambda:InvokeFunction', invokedViaFunctionUrl: true });
    const permissions = [`Approver${n}Url`, `Approver${n}Invoke`].map((id) => this.approveFunction.node.findChild(id) as CfnResource);
    for (const permission of permissions) {
      permission.addMetadata(TAG_KEYS.component, Component.APPROVAL_GATE);
      recordCrossAccount(permission, optedIn, this.environments.find((e) => e.crossAccount)?.crossAccount?.reason ?? '');
    }
    this.approverPrincipals.push({ principal, permissions });
  }

  /**
   * @internal Serve an agent of `environment` (a `CredentialBroker` calls this from `addAgent`):
   * refuses approvers of another account unless the environment's `crossAccount` lists it.
   */
  public _bindEnvironment(environment: Environment): void {
    if (this.environments.includes(environment)) return;
    for (const approver of this.approverPrincipals) {
      const optedIn = this.checkApprovers([approver.principal], environment);
      for (const permission of approver.permissions) recordCrossAccount(permission, optedIn, environment.crossAccount?.reason ?? '');
    }
    this.environments.push(environment);
  }

  /** Throw for approvers outside `environment`'s account; return the opted-in accounts they use. */
  private checkApprovers(principals: iam.IPrincipal[], environment: Environment): string[] {
    const check = checkPrincipalAccounts(this, `ApprovalGate.approvers (environment ${environment.name})`, principals, environment);
    throwPrincipalViolations(check.violations);
    return check.optedIn;
  }

  /**
   * An identity that may never approve (an agent runtime, a tool role, a broker). Sessions of a
   * denied role are denied too. `CredentialBroker.addAgent` calls this for the agent's identities.
   */
  public denyApprover(identityArn: string): void {
    this.deniedApprovers.push(identityArn);
  }

  /** @internal Let a broker role read, open and consume approvals and announce pending ones. */
  public _grantBroker(role: iam.IRole): void {
    this.writers.push(role.roleArn);
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'UseApprovals', actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [this.table.tableArn],
    }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'AnnouncePendingApprovals', actions: ['sns:Publish'], resources: [this.topic.topicArn] }));
  }
}
