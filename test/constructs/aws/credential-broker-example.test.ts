import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { App } from 'aws-cdk-lib/core';
import { DeployOperatorStack } from '../../../examples/aws/agents';
import { ApprovalStatus, BrokerDecision, CredentialBrokerCore, ReasonCode } from '../../../lib/broker';
import { IamSimulator } from '../../helpers/iam-simulator';
import { fakes } from '../../lib/broker/fakes';
import { ensureBundles, withDeployedValues } from './broker-fixture';

/** The example app's deploy-operator: its broker, run on its own synthesized configuration. */
describe('example deploy-operator: broker and approval gate', () => {
  let outdir: string;
  let config: ReturnType<typeof CredentialBrokerCore.parseConfig>;
  let template: Template;

  beforeAll(() => {
    ensureBundles();
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'broker-example-'));
    const stack = new DeployOperatorStack(new App({ outdir }), 'DeployOperatorProd');
    template = Template.fromStack(stack);
    const json = withDeployedValues(template.toJSON());
    const sim = IamSimulator.fromTemplate(json, { account: '333333333333', region: 'eu-west-1' });
    const fn = Object.values(json.Resources as Record<string, any>).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Environment.Variables.BROKER_CONFIG);
    config = CredentialBrokerCore.parseConfig(sim.resolve(fn.Properties.Environment.Variables.BROKER_CONFIG));
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('deploys one broker function, one approval gate (table, topic, IAM-auth URL) and the kill-switch flag', () => {
    // Besides the activity monitor's own table and topic (agent-guardrails-<agent>-<env>-monitor).
    const unnamed = (type: string, nameKey: string) => Object.values(template.findResources(type)).filter((r: any) => !String(r.Properties?.[nameKey] ?? '').endsWith('-monitor'));
    expect(unnamed('AWS::DynamoDB::Table', 'TableName')).toHaveLength(1);
    expect(unnamed('AWS::SNS::Topic', 'TopicName')).toHaveLength(1);
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
    template.hasResourceProperties('AWS::SSM::Parameter', { Name: '/agent-guardrails/deploy-operator/kill-switch', Value: 'disengaged' });
    expect(config.agent).toBe('deploy-operator');
    expect(config.tools.map((t) => t.name).sort()).toEqual(['open-ops-item', 'read-service', 'restart-service', 'rollback-deployment']);
  });

  test('request → approval → credential → audit, on the example\'s own configuration', async () => {
    const f = fakes(new Date('2026-03-25T11:00:00Z')); // Wednesday 11:00 in Dublin
    const broker = new CredentialBrokerCore(config, f);
    expect((await broker.decide({ tool: 'read-service', lineageId: 'incident-7' })).decision).toBe(BrokerDecision.GRANTED);
    const asked = await broker.decide({ tool: 'rollback-deployment', lineageId: 'incident-7', reason: 'deployment 12 fails health checks' });
    expect(asked.reasonCode).toBe(ReasonCode.APPROVAL_REQUIRED);
    // The on-call engineer approves through the gate (stored as the approve endpoint would).
    const pending = f.approvals.records.get(asked.approvalId!)!;
    f.approvals.records.set(pending.approvalId, { ...pending, status: ApprovalStatus.APPROVED, approvedBy: 'arn:aws:sts::333333333333:assumed-role/on-call-approver/alice', approvedAt: '2026-03-25T10:59:30Z' });
    const granted = await broker.decide({ tool: 'rollback-deployment', lineageId: 'incident-7', approvalId: asked.approvalId });
    expect(granted.decision).toBe(BrokerDecision.GRANTED);
    expect(f.log.records.map((r) => [r.tool, r.decision, r.reasonCode])).toEqual([
      ['read-service', 'granted', 'GRANTED'], ['rollback-deployment', 'refused', 'APPROVAL_REQUIRED'], ['rollback-deployment', 'granted', 'GRANTED'],
    ]);
    // Saturday: outside the Dublin workday window.
    f.clock.at = new Date('2026-03-28T11:00:00Z');
    expect((await broker.decide({ tool: 'restart-service', lineageId: 'incident-7' })).reasonCode).toBe(ReasonCode.WINDOW_CLOSED);
  });
});
