import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ApprovalGate } from '../../../constructs/aws/approval-gate';
import { AgentIdentity } from '../../../constructs/aws/agent-identity';
import { CredentialBroker } from '../../../constructs/aws/credential-broker';
import { AgentTier, ChangeWindow, Environment, Tool } from '../../../lib/model';

export const ACCOUNT = '333333333333';
export const REGION = 'eu-west-1';
export const PROD = Environment.of({ name: 'prod', aws: { account: ACCOUNT, regions: [REGION] } });
export const SERVICE = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod-cluster/checkout`;
export const OTHER_SERVICE = `arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod-cluster/payments`;
export const DEPLOYMENTS = `arn:aws:ecs:${REGION}:${ACCOUNT}:service-deployment/prod-cluster/checkout/*`;
export const RUNTIME_ARN = `arn:aws:iam::${ACCOUNT}:role/agent-runtime`;
export const ONCALL_ARN = `arn:aws:iam::${ACCOUNT}:role/oncall`;

/** The handler bundles must exist for synth; build them once (esbuild, offline, < 1 s). */
export function ensureBundles(): void {
  const root = path.join(__dirname, '..', '..', '..');
  if (!fs.existsSync(path.join(root, 'dist-handler', 'broker', 'index.js')) || !fs.existsSync(path.join(root, 'dist-handler', 'approve', 'index.js'))) {
    execFileSync(process.execPath, [path.join(root, 'scripts', 'build-broker-handler.js')], { stdio: 'ignore' });
  }
}

export interface BrokerFixture {
  readonly app: App;
  readonly stack: Stack;
  readonly broker: CredentialBroker;
  readonly gate: ApprovalGate;
  readonly agent: AgentIdentity;
  readonly outdir: string;
  cleanup(): void;
}

/** deploy-operator in prod with a broker and an approval gate, wired in the documented order. */
export function brokerFixture(options: { tools?: Tool[]; gate?: boolean; addAgent?: boolean } = {}): BrokerFixture {
  ensureBundles();
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-test-'));
  const app = new App({ outdir });
  const stack = new Stack(app, 'DeployOperatorProd', { env: { account: ACCOUNT, region: REGION } });
  const runtime = iam.Role.fromRoleArn(stack, 'Runtime', RUNTIME_ARN, { mutable: false });
  const gate = new ApprovalGate(stack, 'Approvals', { approvers: [iam.Role.fromRoleArn(stack, 'Oncall', ONCALL_ARN)] });
  const broker = new CredentialBroker(stack, 'Broker', { runtime, approvalGate: options.gate === false ? undefined : gate });
  const agent = new AgentIdentity(stack, 'DeployOperator', {
    agentName: 'deploy-operator',
    tier: AgentTier.OPERATOR,
    environment: PROD,
    tools: options.tools ?? [
      Tool.read('read-service', { aws: { actions: ['ecs:DescribeServices'], resources: [SERVICE] } }),
      Tool.destructive('restart-service', { aws: { actions: ['ecs:UpdateService'], resources: [`arn:aws:ecs:${REGION}:${ACCOUNT}:service/prod-cluster/*`] }, window: ChangeWindow.workdays('Europe/Dublin', '09:00', '17:00') }),
      Tool.destructive('rollback-deployment', { aws: { actions: ['ecs:StopServiceDeployment'], resources: [DEPLOYMENTS] }, window: ChangeWindow.workdays('Europe/Dublin', '09:00', '17:00') }),
    ],
    broker: broker.role,
    revocationPrincipals: [new iam.ArnPrincipal(`arn:aws:iam::${ACCOUNT}:role/incident-response`)],
  });
  if (options.addAgent !== false) broker.addAgent(agent);
  return { app, stack, broker, gate, agent, outdir, cleanup: () => fs.rmSync(outdir, { recursive: true, force: true }) };
}

/**
 * Give non-IAM intrinsics the values they take when deployed, so the IAM simulator harness (which
 * resolves IAM roles and policies only) can read the broker's policies.
 */
export function withDeployedValues(template: any): any {
  const resources = template.Resources as Record<string, { Type: string; Properties?: any }>;
  const arnOf = (id: string): string | undefined => {
    const r = resources[id];
    switch (r?.Type) {
      case 'AWS::DynamoDB::Table': return `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${id}`;
      case 'AWS::Logs::LogGroup': return `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${id}:*`;
      case 'AWS::Lambda::Function': return `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${id}`;
      case 'AWS::SNS::Topic': return `arn:aws:sns:${REGION}:${ACCOUNT}:${id}`;
      default: return undefined;
    }
  };
  const walk = (v: any): any => {
    if (Array.isArray(v)) return v.map(walk);
    if (v === null || typeof v !== 'object') return v;
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === 'Fn::GetAtt' && Array.isArray(v['Fn::GetAtt']) && v['Fn::GetAtt'][1] === 'Arn') {
      const arn = arnOf(v['Fn::GetAtt'][0]);
      if (arn) return arn;
    }
    if (keys.length === 1 && keys[0] === 'Ref' && resources[v.Ref]) {
      const r = resources[v.Ref];
      if (r.Type === 'AWS::SNS::Topic') return arnOf(v.Ref);
      if (r.Type === 'AWS::SSM::Parameter') return r.Properties.Name;
      if (r.Type === 'AWS::DynamoDB::Table' || r.Type === 'AWS::Logs::LogGroup' || r.Type === 'AWS::Lambda::Function') return v.Ref;
    }
    return Object.fromEntries(keys.map((k) => [k, walk(v[k])]));
  };
  return { ...template, Resources: walk(template.Resources) };
}
