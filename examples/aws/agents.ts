import { Stack, StackProps } from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AgentActivityMonitor } from '../../constructs/aws/activity-monitor';
import { AgentIdentity } from '../../constructs/aws/agent-identity';
import { ApprovalGate } from '../../constructs/aws/approval-gate';
import { CredentialBroker } from '../../constructs/aws/credential-broker';
import { AgentTier, ChangeWindow, Environment, Tool } from '../../lib/model';

/** Example accounts and regions (documentation values, never deployed by the tests). */
export const STAGING = Environment.of({ name: 'staging', aws: { account: '222222222222', regions: ['eu-west-1'] } });
export const PROD = Environment.of({ name: 'prod', aws: { account: '333333333333', regions: ['eu-west-1'] } });

/** Roles that exist outside these stacks: the agent's runtime, incident response, the on-call approvers. */
const runtimeArn = (account: string, agent: string) => `arn:aws:iam::${account}:role/${agent}-runtime`;
const incidentResponseArn = (account: string) => `arn:aws:iam::${account}:role/incident-response`;
const onCallArn = (account: string) => `arn:aws:iam::${account}:role/on-call-approver`;

/** Name of an agent's broker role (fixed, so runbooks and trust policies can name it). */
export const brokerRoleName = (agent: string) => `agent-guardrails-${agent}-broker`;

/** A support agent that reads tickets and the application's logs in staging. Read only. */
export class SupportObserverStack extends Stack {
  public readonly agent: AgentIdentity;
  public readonly monitor: AgentActivityMonitor;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, { ...props, env: { account: STAGING.aws!.account, region: 'eu-west-1' } });
    const logGroup = 'arn:aws:logs:eu-west-1:222222222222:log-group:/app/checkout';
    // The broker is the only way from the agent runtime to a tool role.
    const broker = new CredentialBroker(this, 'Broker', {
      runtime: iam.Role.fromRoleArn(this, 'Runtime', runtimeArn('222222222222', 'support-observer'), { mutable: false }),
      roleName: brokerRoleName('support-observer'),
    });
    this.agent = new AgentIdentity(this, 'SupportObserver', {
      agentName: 'support-observer',
      tier: AgentTier.OBSERVER,
      environment: STAGING,
      tools: [
        Tool.read('read-tickets', {
          description: 'Reads AWS Support cases about the checkout service.',
          // Support actions support no resource type: "*" is the only option.
          aws: { actions: ['support:DescribeCases', 'support:DescribeCommunications'], resources: ['*'] },
          dataSources: ['aws-support-cases'],
        }),
        Tool.read('read-logs', {
          description: 'Reads the checkout service logs.',
          aws: {
            actions: ['logs:FilterLogEvents', 'logs:DescribeLogStreams', 'logs:GetLogEvents'],
            resources: [logGroup, `${logGroup}:log-stream:*`],
          },
          dataSources: ['/app/checkout'],
        }),
      ],
      broker: broker.role,
      revocationPrincipals: [new iam.ArnPrincipal(incidentResponseArn('222222222222'))],
    });
    broker.addAgent(this.agent);
    // Watches what the agent does with its sessions; a tripping deviation pulls its kill switch.
    this.monitor = new AgentActivityMonitor(this, 'ActivityMonitor', { agent: this.agent, broker });
  }
}

/** ARNs of the production checkout service the deploy operator works on. */
export const PROD_SERVICE = 'arn:aws:ecs:eu-west-1:333333333333:service/prod-cluster/checkout';
export const PROD_SERVICE_DEPLOYMENTS = 'arn:aws:ecs:eu-west-1:333333333333:service-deployment/prod-cluster/checkout/*';

/**
 * An operator that watches one ECS service in prod, records OpsCenter items, and (with approval,
 * in a change window) restarts it or rolls back a failing deployment: a read tool, a write tool
 * and two destructive tools, each its own role.
 */
export class DeployOperatorStack extends Stack {
  public readonly agent: AgentIdentity;
  public readonly monitor: AgentActivityMonitor;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, { ...props, env: { account: PROD.aws!.account, region: 'eu-west-1' } });
    // Destructive tools need a fresh human approval per use: the broker asks the approval gate.
    const approvalGate = new ApprovalGate(this, 'ApprovalGate', {
      approvers: [iam.Role.fromRoleArn(this, 'OnCall', onCallArn('333333333333'), { mutable: false })],
    });
    const broker = new CredentialBroker(this, 'Broker', {
      runtime: iam.Role.fromRoleArn(this, 'Runtime', runtimeArn('333333333333', 'deploy-operator'), { mutable: false }),
      approvalGate,
      roleName: brokerRoleName('deploy-operator'),
    });
    this.agent = new AgentIdentity(this, 'DeployOperator', {
      agentName: 'deploy-operator',
      tier: AgentTier.OPERATOR,
      environment: PROD,
      tools: [
        Tool.read('read-service', {
          description: 'Reads the state of the checkout service and its deployments.',
          aws: { actions: ['ecs:DescribeServices'], resources: [PROD_SERVICE] },
        }),
        Tool.write('open-ops-item', {
          description: 'Records what the operator found or proposes as an OpsCenter item for the on-call engineer.',
          // CreateOpsItem supports no resource type: "*" is the only option.
          aws: { actions: ['ssm:CreateOpsItem'], resources: ['*'] },
        }),
        Tool.destructive('restart-service', {
          description: 'Restarts the checkout service (forces a new deployment). ecs:UpdateService can also scale to zero, so it is approval-gated.',
          aws: { actions: ['ecs:UpdateService'], resources: [PROD_SERVICE] },
          window: ChangeWindow.workdays('Europe/Dublin', '09:00', '17:00'),
          // requiresApproval defaults to true for destructive tools.
        }),
        Tool.destructive('rollback-deployment', {
          description: 'Stops a failing deployment of the checkout service and rolls it back.',
          // StopServiceDeployment requires both resource types, the service and its deployment
          // (Service Authorization Reference; test/examples/declared-jobs-aws.test.ts checks it).
          aws: { actions: ['ecs:StopServiceDeployment'], resources: [PROD_SERVICE, PROD_SERVICE_DEPLOYMENTS] },
          window: ChangeWindow.workdays('Europe/Dublin', '09:00', '17:00'),
        }),
      ],
      broker: broker.role,
      revocationPrincipals: [new iam.ArnPrincipal(incidentResponseArn('333333333333'))],
    });
    broker.addAgent(this.agent);
    // Watches what the agent does with its sessions; a tripping deviation pulls its kill switch.
    this.monitor = new AgentActivityMonitor(this, 'ActivityMonitor', { agent: this.agent, broker });
  }
}
