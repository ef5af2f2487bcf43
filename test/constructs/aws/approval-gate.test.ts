import { runSimulation } from '@cloud-copilot/iam-simulate';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { ApprovalGate } from '../../../constructs/aws/approval-gate';
import { IamSimulator } from '../../helpers/iam-simulator';
import { ACCOUNT, brokerFixture, BrokerFixture, ONCALL_ARN, REGION, RUNTIME_ARN, withDeployedValues } from './broker-fixture';

let fx: BrokerFixture;
let template: Template;
let json: any;

beforeAll(() => {
  fx = brokerFixture();
  template = Template.fromStack(fx.stack);
  json = withDeployedValues(template.toJSON());
});
afterAll(() => fx.cleanup());

const approveFnId = () => Object.entries(template.findResources('AWS::Lambda::Function')).find(([, r]) => r.Properties.Environment.Variables.DENIED_APPROVERS)![0];

describe('ApprovalGate', () => {
  test('an approvals table keyed by approvalId, with TTL and point-in-time recovery, kept on stack deletion', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: {
        KeySchema: [{ AttributeName: 'approvalId', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
        TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      },
      DeletionPolicy: 'Retain',
    });
    template.resourceCountIs('AWS::SNS::Topic', 1);
  });

  test('the approve endpoint is a function URL with AWS_IAM auth, and only the approvers may call it', () => {
    template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM', TargetFunctionArn: { 'Fn::GetAtt': [approveFnId(), 'Arn'] } });
    const perms = Object.values(template.findResources('AWS::Lambda::Permission')).filter((p) => JSON.stringify(p.Properties.FunctionName).includes(approveFnId()));
    expect(perms.map((p) => p.Properties.Principal)).toEqual([ONCALL_ARN, ONCALL_ARN]);
    expect(perms.map((p) => p.Properties.Action).sort()).toEqual(['lambda:InvokeFunction', 'lambda:InvokeFunctionUrl']);
    expect(perms.find((p) => p.Properties.Action === 'lambda:InvokeFunctionUrl')!.Properties.FunctionUrlAuthType).toBe('AWS_IAM');
    // ATTACK: the approver's InvokeFunction permission works through the URL only, never as a direct (unsigned-context) invoke.
    expect(perms.find((p) => p.Properties.Action === 'lambda:InvokeFunction')!.Properties.InvokedViaFunctionUrl).toBe(true);
  });

  test('the agent runtime, the broker and every tool role are on the never-approve list', () => {
    const sim = IamSimulator.fromTemplate(json, { account: ACCOUNT, region: REGION });
    const denied = JSON.parse(sim.resolve(json.Resources[approveFnId()].Properties.Environment.Variables.DENIED_APPROVERS));
    const roleArn = (tag: string, value: string) => sim.roleArn(sim.logicalIdOf('AWS::IAM::Role', (r) => r.tags[tag] === value));
    expect(denied).toEqual(expect.arrayContaining([
      RUNTIME_ARN, roleArn('agent-guardrails:component', 'broker'),
      roleArn('agent-guardrails:tool', 'read-service'), roleArn('agent-guardrails:tool', 'restart-service'), roleArn('agent-guardrails:tool', 'rollback-deployment'),
    ]));
  });

  test('the approve function may read and approve, nothing else (IAM simulator)', async () => {
    const sim = IamSimulator.fromTemplate(json, { account: ACCOUNT, region: REGION });
    const roleId = json.Resources[approveFnId()].Properties.Role['Fn::GetAtt'][0];
    const table = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${Object.keys(template.findResources('AWS::DynamoDB::Table'))[0]}`;
    expect(await sim.decide({ role: roleId, action: 'dynamodb:UpdateItem', resource: table })).toBe('Allowed');
    expect(await sim.decide({ role: roleId, action: 'dynamodb:GetItem', resource: table })).toBe('Allowed');
    for (const a of ['dynamodb:PutItem', 'dynamodb:DeleteItem', 'dynamodb:Scan']) expect(await sim.decide({ role: roleId, action: a, resource: table })).toBe('ImplicitlyDenied');
    expect(await sim.decide({ role: roleId, action: 'sts:AssumeRole', resource: `arn:aws:iam::${ACCOUNT}:role/anything` })).toBe('ImplicitlyDenied');
  });

  test('runs the prebuilt approve handler; logs have a retention', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x', Handler: 'index.handler', Environment: { Variables: { APPROVALS_TABLE: Match.anyValue() } } });
    expect(Object.values(template.findResources('AWS::Logs::LogGroup')).every((g) => g.Properties.RetentionInDays === 365)).toBe(true);
  });

  test('ATTACK: nobody but the broker and the approve endpoint can write approvals (table resource policy, IAM simulator)', async () => {
    const tableId = Object.keys(template.findResources('AWS::DynamoDB::Table'))[0];
    const sim = IamSimulator.fromTemplate(json, { account: ACCOUNT, region: REGION });
    const resourcePolicy = sim.resolve(json.Resources[tableId].Properties.ResourcePolicy.PolicyDocument);
    const table = `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${tableId}`;
    const roleOf = (tag: string, value: string) => sim.roleArn(sim.logicalIdOf('AWS::IAM::Role', (r) => r.tags[tag] === value));
    const approveRole = sim.roleArn(json.Resources[approveFnId()].Properties.Role['Fn::GetAtt'][0]);
    const as = async (principal: string, action: string) => {
      const result = await runSimulation({
        request: { principal, action, resource: { resource: table, accountId: ACCOUNT }, contextVariables: { 'aws:PrincipalArn': principal, 'aws:PrincipalAccount': ACCOUNT } },
        identityPolicies: [{ name: 'admin', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }] } }],
        resourcePolicy, serviceControlPolicies: [], resourceControlPolicies: [],
      }, {});
      if (result.resultType === 'error') throw new Error(JSON.stringify(result.errors));
      return result.overallResult;
    };
    // Even with dynamodb:* on *, the agent runtime or a tool role cannot forge an approval.
    expect(await as(RUNTIME_ARN, 'dynamodb:PutItem')).toBe('ExplicitlyDenied');
    expect(await as(RUNTIME_ARN, 'dynamodb:UpdateItem')).toBe('ExplicitlyDenied');
    expect(await as(roleOf('agent-guardrails:tool', 'rollback-deployment'), 'dynamodb:PartiQLUpdate')).toBe('ExplicitlyDenied');
    expect(await as(RUNTIME_ARN, 'dynamodb:GetItem')).toBe('Allowed');
    expect(await as(roleOf('agent-guardrails:component', 'broker'), 'dynamodb:UpdateItem')).toBe('Allowed');
    expect(await as(approveRole, 'dynamodb:UpdateItem')).toBe('Allowed');
  });

  test('the template has no dependency cycle (the table policy names roles whose policies name the table)', () => {
    const resources = template.toJSON().Resources as Record<string, any>;
    const deps = (v: any, out: Set<string>): Set<string> => {
      if (Array.isArray(v)) v.forEach((x) => deps(x, out));
      else if (v && typeof v === 'object') {
        if (typeof v.Ref === 'string' && resources[v.Ref]) out.add(v.Ref);
        if (Array.isArray(v['Fn::GetAtt'])) out.add(v['Fn::GetAtt'][0]);
        Object.values(v).forEach((x) => deps(x, out));
      }
      return out;
    };
    const graph = Object.fromEntries(Object.entries(resources).map(([id, r]) => [id, [...deps(r.Properties, new Set(r.DependsOn ?? []))]]));
    const state: Record<string, number> = {};
    const visit = (id: string, trail: string[]): void => {
      if (state[id] === 2) return;
      if (state[id] === 1) throw new Error(`cycle: ${[...trail, id].join(' -> ')}`);
      state[id] = 1;
      for (const d of graph[id] ?? []) visit(d, [...trail, id]);
      state[id] = 2;
    };
    expect(() => Object.keys(graph).forEach((id) => visit(id, []))).not.toThrow();
  });

  test('type guard', () => {
    expect(ApprovalGate.isApprovalGate(fx.gate)).toBe(true);
    expect(ApprovalGate.isApprovalGate({})).toBe(false);
  });
});
