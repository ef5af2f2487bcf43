import { Annotations, Duration, Lazy, RemovalPolicy, Stack, Tags, Token } from 'aws-cdk-lib/core';
import * as cloudtrail from 'aws-cdk-lib/aws-cloudtrail';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as logDestinations from 'aws-cdk-lib/aws-logs-destinations';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ActivityPlaybook, ActivityPlaybookDocument } from '../../lib/activity/activity-playbook';
import { activityPolicyOf } from '../../lib/activity/activity-policy';
import { inventoryFromTemplate } from '../../lib/adapters/cloudformation/inventory-from-template';
import { Baseline } from '../../lib/baseline/baseline';
import { GuardrailError, fail } from '../../lib/errors';
import { Component, TAG_KEYS } from '../../lib/model/tags';
import { AgentIdentity } from './agent-identity';
import { handlerBundleDir } from './broker-runtime/handler-bundle';
import { CredentialBroker } from './credential-broker';
import type { MonitorSettings } from './monitor-runtime/monitor-config';
import { GUARDRAIL_RESOURCE_PREFIX } from './private/guardrail-denies';
import { recordSourceLine } from './private/source-line-metadata';

const MONITOR_SYMBOL = Symbol.for('agent-guardrails.AgentActivityMonitor');
/** Lambda caps all environment variables of a function at 4 KB together. */
const LAMBDA_ENV_LIMIT = 4096;
/** Lambda function, EventBridge rule and IAM role names stop at 64 characters. */
const NAME_MAX = 64;
/** CloudTrail's detail-type of API calls on EventBridge (management and data events alike). */
export const CLOUDTRAIL_API_CALL = 'AWS API Call via CloudTrail';

export interface AgentActivityMonitorProps {
  /** The agent whose sessions are watched (its tool roles, declarations and kill switch). */
  readonly agent: AgentIdentity;
  /**
   * The agent's broker: a trip also engages its kill-switch flag, and its approved decisions are
   * the evidence for approval-gated tools (a subscription on its decision log feeds them in).
   * @default - no broker: a trip only attaches the deny-all policy, and every use of an approval-gated tool lacks evidence
   */
  readonly broker?: CredentialBroker;
  /**
   * The baseline whose `activity` section says which verdicts alert and which trip.
   * @default - the app's baseline, else the package default
   */
  readonly baseline?: Baseline;
  /**
   * Also watch read-only management events (Get*, List*, Describe*): the rule's state
   * `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`. Without it EventBridge delivers no read-only
   * management calls, and a read tool's undeclared reads go unseen.
   * @default true
   */
  readonly readOnlyManagementEvents?: boolean;
  /**
   * Create a trail that logs data events on the agent's declared S3 objects and Lambda functions,
   * so they reach EventBridge too (data events are delivered to EventBridge only when a trail
   * logs them). Management events need a trail too: most accounts have one (an organization trail
   * counts); without any trail, EventBridge receives no CloudTrail API calls at all.
   * @default false
   */
  readonly dataEventTrail?: boolean;
  /**
   * How long the monitor's decision log is kept.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}

/**
 * Watches what an agent does with its credentials, as it happens: an EventBridge rule takes every
 * CloudTrail API call made by the agent's sessions (source identity = the agent, or a session of
 * one of its tool roles), and a Lambda function (handler prebuilt in the package) judges each with
 * the activity evaluator against the agent's declarations, read from the same inventory the checks
 * read. Deviations alert on an SNS topic (event, verdict, lineage); a verdict the baseline marks
 * `trip` pulls the agent's kill switch exactly as incident response does: assume the revocation
 * role, attach the deny-all policy to every tool role, engage the broker's flag.
 *
 * The monitor's role may do only that: assume the revocation role, publish to its topic, write its
 * log, and read and write its own table (replay guard and approval evidence). Its resources are
 * named `agent-guardrails-<agent>-<environment>-monitor…`, which every agent's boundary denies.
 * Its own failures alert the same topic: failed invocations (after retries) are sent to it, and
 * alarms watch function errors, the rule's failed deliveries and the dead-letter queue.
 */
export class AgentActivityMonitor extends Construct {
  /** Whether `x` is an AgentActivityMonitor (works across copies of this library). */
  public static isAgentActivityMonitor(x: unknown): x is AgentActivityMonitor {
    return typeof x === 'object' && x !== null && MONITOR_SYMBOL in x;
  }

  /** Alerts: deviations, trips and the monitor's own failures. */
  public readonly topic: sns.Topic;
  /** The rule matching the agent's CloudTrail events. */
  public readonly rule: events.Rule;
  /** The evaluator function. */
  public readonly lambdaFunction: lambda.Function;
  /** The function's role: assume the revocation role, publish, log, its table; nothing else. */
  public readonly role: iam.Role;
  /** Replay guard and approval evidence. */
  public readonly table: dynamodb.Table;
  /** Events EventBridge could not deliver to the function. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The monitor's decision log (one JSON record per judged event). */
  public readonly logGroup: logs.LogGroup;
  /** The data-event trail, when `dataEventTrail` is set. */
  public readonly trail?: cloudtrail.Trail;
  private readonly agent: AgentIdentity;
  private readonly baseline: Baseline;

  constructor(scope: Construct, id: string, props: AgentActivityMonitorProps) {
    super(scope, id);
    Object.defineProperty(this, MONITOR_SYMBOL, { value: true });
    recordSourceLine(this);
    const agent = props.agent;
    this.agent = agent;
    const baseline = Baseline.resolve(this, props.baseline, `AgentActivityMonitor(${agent.agentName}).baseline`);
    this.baseline = baseline;
    const name = `${GUARDRAIL_RESOURCE_PREFIX}${agent.agentName}-${agent.environment.name}-monitor`;
    // The longest derived name: the function's error alarm is free-form; role, rule and function stop at 64.
    if (name.length > NAME_MAX) {
      fail('AG_MONITOR_NAME_TOO_LONG', `AgentActivityMonitor(${agent.agentName})`, `needs resource names of at most ${NAME_MAX} characters`, name,
        'Shorten the agent or environment name: the monitor\'s resources are named agent-guardrails-<agent>-<environment>-monitor so that every boundary can protect them.');
    }
    const roleArns = Object.values(agent.toolRoles).map((r) => r.roleArn);

    this.topic = new sns.Topic(this, 'Alerts', { topicName: name, displayName: `agent-guardrails: activity of ${agent.agentName}`, enforceSSL: true });
    this.table = new dynamodb.Table(this, 'Memory', {
      tableName: name,
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      queueName: `${name}-dlq`, enforceSSL: true, encryption: sqs.QueueEncryption.SQS_MANAGED, retentionPeriod: Duration.days(14),
    });
    this.logGroup = new logs.LogGroup(this, 'DecisionLog', { retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR, removalPolicy: RemovalPolicy.RETAIN });

    this.role = new iam.Role(this, 'Role', {
      roleName: name,
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `agent-guardrails activity monitor of ${agent.agentName} (${agent.environment.name}): may only pull its kill switch (assume the revocation role), alert and log.`,
      maxSessionDuration: Duration.hours(1),
      inlinePolicies: {
        Monitor: new iam.PolicyDocument({
          statements: [
            new iam.PolicyStatement({ sid: 'Alert', actions: ['sns:Publish'], resources: [this.topic.topicArn] }),
            new iam.PolicyStatement({ sid: 'WriteDecisionLog', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }),
            new iam.PolicyStatement({ sid: 'ReplayGuardAndApprovals', actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], resources: [this.table.tableArn] }),
          ],
        }),
      },
    });
    // A policy of its own, not inline: the revocation role's trust names this role, so this role
    // cannot name the revocation role in its own resource without a dependency cycle.
    new iam.Policy(this, 'PullKillSwitch', {
      roles: [this.role],
      statements: [new iam.PolicyStatement({ sid: 'PullKillSwitch', actions: ['sts:AssumeRole'], resources: [agent.killSwitch.revocationRole.roleArn] })],
    });
    agent.killSwitch.admitResponder(this.role);

    this.lambdaFunction = new lambda.Function(this, 'Function', {
      functionName: name,
      description: `agent-guardrails activity monitor of ${agent.agentName}: judges its CloudTrail events, alerts, trips its kill switch.`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(handlerBundleDir('monitor')),
      role: this.role,
      logGroup: this.logGroup,
      // A trip makes up to (2 + tool roles) AWS calls; each SDK call retries on its own.
      timeout: Duration.seconds(60),
      memorySize: 512,
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      // After the retries, the failed invocation itself is the alert (the function role publishes to this topic anyway).
      onFailure: new destinations.SnsDestination(this.topic),
      environment: {
        ACTIVITY_PLAYBOOK: Lazy.string({ produce: () => Stack.of(this).toJsonString(this.playbook()) }),
        MONITOR_SETTINGS: Lazy.string({ produce: () => Stack.of(this).toJsonString(this.settings(baseline, props.broker)) }),
      },
    });

    this.rule = new events.Rule(this, 'Rule', {
      ruleName: name,
      description: `CloudTrail API calls of agent ${agent.agentName}'s sessions (source identity or tool role), to its activity monitor.`,
      eventPattern: agentEventPattern(agent.agentName, roleArns),
    });
    if (props.readOnlyManagementEvents ?? true) {
      (this.rule.node.defaultChild as events.CfnRule).state = 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';
    }
    this.rule.addTarget(new targets.LambdaFunction(this.lambdaFunction, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 185, maxEventAge: Duration.hours(24) }));

    if (props.broker) {
      // Approved decisions of the broker: the evidence for approval-gated tools.
      new logs.SubscriptionFilter(this, 'BrokerApprovals', {
        logGroup: props.broker.logGroup,
        destination: new logDestinations.LambdaDestination(this.lambdaFunction),
        filterPattern: logs.FilterPattern.all(
          logs.FilterPattern.stringValue('$.type', '=', 'agent-guardrails.broker-decision'),
          logs.FilterPattern.stringValue('$.decision', '=', 'granted'),
        ),
      });
    } else if (agent.tools.some((t) => t.requiresApproval)) {
      Annotations.of(this).addWarningV2('agent-guardrails:monitor-no-broker',
        `The activity monitor of ${agent.agentName} has no broker: every use of its approval-gated tools lacks evidence and is judged destructive-without-approval. Pass broker.`);
    }

    const alarm = (alarmId: string, suffix: string, metric: cloudwatch.IMetric, what: string) => new cloudwatch.Alarm(this, alarmId, {
      alarmName: `${name}-${suffix}`,
      alarmDescription: `agent-guardrails: the activity monitor of ${agent.agentName} ${what}.`,
      metric, threshold: 1, evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    }).addAlarmAction(new cwActions.SnsAction(this.topic));
    alarm('ErrorsAlarm', 'errors', this.lambdaFunction.metricErrors({ period: Duration.minutes(1), statistic: 'Sum' }), 'failed (a verdict may not have been acted on)');
    alarm('DeadLettersAlarm', 'dead-letters', this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }), 'could not receive events (dead-letter queue)');
    alarm('FailedDeliveriesAlarm', 'failed-deliveries', new cloudwatch.Metric({
      namespace: 'AWS/Events', metricName: 'FailedInvocations', dimensionsMap: { RuleName: name }, period: Duration.minutes(1), statistic: 'Sum',
    }), 'rule failed to deliver events');

    if (props.dataEventTrail) this.trail = this.dataTrail(name);

    for (const c of [this.role, this.lambdaFunction, this.rule, this.topic, this.table, this.deadLetterQueue] as Construct[]) {
      Tags.of(c).add(TAG_KEYS.component, Component.MONITOR, { priority: 300 });
      Tags.of(c).add(TAG_KEYS.agent, agent.agentName, { priority: 300 });
      Tags.of(c).add(TAG_KEYS.environment, agent.environment.name, { priority: 300 });
    }
    const roleCfn = this.role.node.defaultChild as iam.CfnRole;
    roleCfn.addMetadata(TAG_KEYS.component, Component.MONITOR);
    roleCfn.addMetadata(TAG_KEYS.agent, agent.agentName);

    this.node.addValidation({ validate: () => this.validateSize() });
  }

  /**
   * The agent's declarations as the evaluator reads them: the inventory of its tool roles, read by
   * the same adapter as the checks (tags and `agent-guardrails:declaration` metadata), with each
   * tool's identity set to its role's ARN (CloudFormation generates the names).
   */
  public playbook(): ActivityPlaybookDocument {
    const stack = Stack.of(this);
    const resources: Record<string, unknown> = {};
    const arnOf = new Map<string, string>();
    for (const [tool, role] of Object.entries(this.agent.toolRoles)) {
      const cfn = role.node.defaultChild as iam.CfnRole;
      const fragment = stack.resolve((cfn as unknown as { _toCloudFormation(): object })._toCloudFormation()) as { Resources: Record<string, unknown> };
      Object.assign(resources, fragment.Resources);
      arnOf.set(tool, role.roleArn);
    }
    const playbook = ActivityPlaybook.fromInventory(inventoryFromTemplate({ Resources: resources }, { stack: stack.stackName }));
    return {
      version: 1,
      agents: playbook.agents
        .filter((a) => a.agent === this.agent.agentName)
        .map((a) => ({ ...a, tools: a.tools.map((t) => ({ ...t, identities: t.identities.length > 0 ? t.identities : [arnOf.get(t.name)].filter((x): x is string => x !== undefined) })) })),
    };
  }

  private settings(baseline: Baseline, broker: CredentialBroker | undefined): MonitorSettings {
    const ks = this.agent.killSwitch;
    return {
      agent: this.agent.agentName,
      environment: this.agent.environment.name,
      policy: activityPolicyOf(baseline),
      alertTopicArn: this.topic.topicArn,
      memoryTable: this.table.tableName,
      killSwitch: {
        revocationRoleArn: ks.revocationRole.roleArn,
        denyAllPolicyArn: ks.denyAllPolicyArn,
        toolRoleNames: Object.values(this.agent.toolRoles).map((r) => r.roleName),
        ...(broker ? { flagParameterName: broker.killSwitchParameter.parameterName } : {}),
      },
    };
  }

  /** A trail logging data events on the declared S3 objects and Lambda functions (management events stay with the account's trail). */
  private dataTrail(name: string): cloudtrail.Trail {
    const declared = this.agent.tools.flatMap((t) => [...(t.aws?.resources ?? []), ...t.dataSources]).filter((r) => !Token.isUnresolved(r));
    const s3Objects: cloudtrail.S3EventSelector[] = [];
    const functions: string[] = [];
    const skipped: string[] = [];
    for (const r of new Set(declared)) {
      const object = /^arn:aws[\w-]*:s3:::([^/*?]+)(?:\/([^*?]*))?/.exec(r);
      if (object && !/[*?]/.test(object[1])) {
        s3Objects.push({ bucket: s3.Bucket.fromBucketName(this, `Bucket${s3Objects.length}`, object[1]), objectPrefix: object[2] || undefined });
      } else if (/^arn:aws[\w-]*:lambda:[^:]+:\d{12}:function:[\w-]+$/.test(r)) {
        functions.push(r);
      } else if (/^arn:aws[\w-]*:(s3|lambda):/.test(r)) {
        skipped.push(r);
      }
    }
    if (skipped.length > 0) {
      Annotations.of(this).addWarningV2('agent-guardrails:monitor-data-events-skipped',
        `CloudTrail data-event selectors take a bucket, an object prefix or a function ARN, not patterns: no data events are logged for ${skipped.join(', ')}.`);
    }
    const trail = new cloudtrail.Trail(this, 'DataEventTrail', {
      trailName: `${name}-data-events`,
      isMultiRegionTrail: false,
      includeGlobalServiceEvents: false,
      managementEvents: cloudtrail.ReadWriteType.NONE,
      enableFileValidation: true,
    });
    if (s3Objects.length > 0) trail.addS3EventSelector(s3Objects, { includeManagementEvents: false, readWriteType: cloudtrail.ReadWriteType.ALL });
    if (functions.length > 0) {
      trail.addLambdaEventSelector(functions.map((arn, i) => lambda.Function.fromFunctionArn(this, `DataFunction${i}`, arn)), { includeManagementEvents: false, readWriteType: cloudtrail.ReadWriteType.ALL });
    }
    if (s3Objects.length === 0 && functions.length === 0) {
      Annotations.of(this).addWarningV2('agent-guardrails:monitor-no-data-events', `Agent ${this.agent.agentName} declares no S3 objects or Lambda functions: the data-event trail logs nothing.`);
    }
    Tags.of(trail).add(TAG_KEYS.component, Component.MONITOR, { priority: 300 });
    return trail;
  }

  private validateSize(): string[] {
    const stack = Stack.of(this);
    // Tokens resolve to CloudFormation intrinsics here; their deployed ARNs are about as long.
    const size = JSON.stringify(stack.resolve(this.playbook())).length + JSON.stringify(stack.resolve(this.settings(this.baseline, undefined))).length + 300;
    return size > LAMBDA_ENV_LIMIT
      ? [GuardrailError.format(`AgentActivityMonitor(${this.agent.agentName}) declarations`, `must fit Lambda's ${LAMBDA_ENV_LIMIT}-byte environment`, `about ${size} bytes`,
        'Split the agent into smaller agents, or shorten its resource patterns.')]
      : [];
  }
}

/**
 * The EventBridge pattern of one agent's CloudTrail API calls: a session whose source identity is
 * the agent (the broker sets it; it survives role chaining, so a chained role is caught too), or a
 * session of one of its tool roles (whatever it claims). Anything else — other agents, other
 * principals, console sign-ins — does not match.
 */
export function agentEventPattern(agentName: string, toolRoleArns: readonly string[]): events.EventPattern {
  return {
    detailType: [CLOUDTRAIL_API_CALL],
    detail: {
      $or: [
        { userIdentity: { sessionContext: { sourceIdentity: [agentName] } } },
        { userIdentity: { sessionContext: { sessionIssuer: { arn: [...toolRoleArns] } } } },
      ],
    },
  };
}
