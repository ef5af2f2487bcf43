import { Stack, StackProps } from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { AgentIdentity } from '../../constructs/aws';
import { AgentTier, ChangeWindow, Environment, Tool } from '../../lib/model';

/** Example accounts and regions (documentation values, never deployed by the tests). */
export const STAGING = Environment.of({ name: 'staging', aws: { account: '222222222222', regions: ['eu-west-1'] } });
export const PROD = Environment.of({ name: 'prod', aws: { account: '333333333333', regions: ['eu-west-1'] } });

/** The broker and incident-response roles the examples trust (created elsewhere). */
const brokerArn = (account: string) => `arn:aws:iam::${account}:role/agent-guardrails-broker`;
const incidentResponseArn = (account: string) => `arn:aws:iam::${account}:role/incident-response`;

/** A support agent that reads tickets and the application's logs in staging. Read only. */
export class SupportObserverStack extends Stack {
  public readonly agent: AgentIdentity;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, { ...props, env: { account: STAGING.aws!.account, region: 'eu-west-1' } });
    const logGroup = 'arn:aws:logs:eu-west-1:222222222222:log-group:/app/checkout';
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
      broker: iam.Role.fromRoleArn(this, 'Broker', brokerArn('222222222222'), { mutable: false }),
      revocationPrincipals: [new iam.ArnPrincipal(incidentResponseArn('222222222222'))],
    });
  }
}

/** ARNs of the production checkout service the deploy operator works on. */
export const PROD_SERVICE = 'arn:aws:ecs:eu-west-1:333333333333:service/prod-cluster/checkout';
export const PROD_SERVICE_DEPLOYMENTS = 'arn:aws:ecs:eu-west-1:333333333333:service-deployment/prod-cluster/checkout/*';

/**
 * An operator that watches, restarts and (with approval, in a change window) rolls back one ECS
 * service in prod: a read tool, a write tool and a destructive tool, each its own role.
 */
export class DeployOperatorStack extends Stack {
  public readonly agent: AgentIdentity;

  constructor(scope: Construct, id: string, props: StackProps = {}) {
    super(scope, id, { ...props, env: { account: PROD.aws!.account, region: 'eu-west-1' } });
    this.agent = new AgentIdentity(this, 'DeployOperator', {
      agentName: 'deploy-operator',
      tier: AgentTier.OPERATOR,
      environment: PROD,
      tools: [
        Tool.read('read-service', {
          description: 'Reads the state of the checkout service and its deployments.',
          aws: { actions: ['ecs:DescribeServices'], resources: [PROD_SERVICE] },
        }),
        Tool.write('restart-service', {
          description: 'Restarts the checkout service (forces a new deployment).',
          aws: { actions: ['ecs:UpdateService'], resources: [PROD_SERVICE] },
          window: ChangeWindow.workdays('Europe/Dublin', '09:00', '17:00'),
        }),
        Tool.destructive('rollback-deployment', {
          description: 'Stops a failing deployment of the checkout service and rolls it back.',
          aws: { actions: ['ecs:StopServiceDeployment'], resources: [PROD_SERVICE_DEPLOYMENTS] },
          window: ChangeWindow.workdays('Europe/Dublin', '09:00', '17:00'),
          // requiresApproval defaults to true for destructive tools.
        }),
      ],
      broker: iam.Role.fromRoleArn(this, 'Broker', brokerArn('333333333333'), { mutable: false }),
      revocationPrincipals: [new iam.ArnPrincipal(incidentResponseArn('333333333333'))],
    });
  }
}
