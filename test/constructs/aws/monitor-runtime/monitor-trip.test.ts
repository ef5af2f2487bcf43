import { gzipSync } from 'zlib';
import { ConditionalCheckFailedException, DynamoDBClient, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { AttachRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { awsMonitorPorts, createMonitorHandler, monitorFromEnv } from '../../../../constructs/aws/monitor-runtime/monitor-handler';
import { PROD_SERVICE } from '../../../../examples/aws/agents';
import { ACCOUNT, REGION, eventBridgeApiCall, synthesizeMonitorExample } from '../monitor-fixture';

/**
 * The trip path of the example deploy-operator's activity monitor, run on its own synthesized
 * configuration with the AWS SDK mocked (aws-sdk-client-mock), then proven with the IAM simulator:
 * after the trip, each tool session's declared action is denied; the monitor's calls are exactly
 * those its role and the revocation role allow; an agent can touch none of the monitor.
 */
const ex = synthesizeMonitorExample('ag-monitor-trip-');
const sts = mockClient(STSClient);
const iamMock = mockClient(IAMClient);
const ssm = mockClient(SSMClient);
const sns = mockClient(SNSClient);
const ddb = mockClient(DynamoDBClient);
afterAll(() => [sts, iamMock, ssm, sns, ddb].forEach((m) => m.restore()));

const TOOLS = ['read-service', 'open-ops-item', 'restart-service', 'rollback-deployment'];
const toolArn = (tool: string) => ex.sim.roleArn(ex.roleOf(tool));
const REVOCATION_ARN = ex.sim.roleArn(ex.revocationRole);
const DENY_ALL_ARN = ex.sim.policyArn(ex.killSwitchPolicy);
const FLAG = '/agent-guardrails/deploy-operator/kill-switch';
const MONITOR = 'agent-guardrails-deploy-operator-prod-monitor';
const WEDNESDAY_11_DUBLIN = '2026-03-25T11:00:00Z';

/** A DynamoDB table in memory that honours the monitor's conditional puts. */
let table: Map<string, Record<string, any>>;
let now: number;
function fakeTable(): void {
  table = new Map();
  ddb.on(PutItemCommand).callsFake((input) => {
    const pk = input.Item.pk.S as string;
    const old = table.get(pk);
    const values = input.ExpressionAttributeValues ?? {};
    const ok = !input.ConditionExpression || !old
      || (values[':stale'] !== undefined && (old.state.S === 'released' || (old.state.S === 'claimed' && Number(old.at.N) < Number(values[':stale'].N))))
      || (values[':finished'] !== undefined && old.state.S !== 'finished');
    if (!ok) throw new ConditionalCheckFailedException({ message: 'exists', $metadata: {} });
    table.set(pk, input.Item);
    return {};
  });
  ddb.on(GetItemCommand).callsFake((input) => ({ Item: table.get(input.Key.pk.S) }));
  // The denied-burst counter's conditional ADD (new id and under the cap, or a fresh item).
  ddb.on(UpdateItemCommand).callsFake((input) => {
    expect(input.UpdateExpression).toBe('ADD #n :one, #ids :id SET #exp = :exp');
    const pk = input.Key.pk.S as string;
    const old = table.get(pk);
    const v = input.ExpressionAttributeValues;
    if (old && (old.ids.SS.includes(v[':idValue'].S) || Number(old.n.N) >= Number(v[':cap'].N))) throw new ConditionalCheckFailedException({ message: 'counted', $metadata: {} });
    const item = { pk: { S: pk }, n: { N: String(Number(old?.n.N ?? 0) + 1) }, ids: { SS: [...(old?.ids.SS ?? []), v[':idValue'].S] }, expiresAt: v[':exp'] };
    table.set(pk, item);
    return { Attributes: { n: item.n } };
  });
}

beforeEach(() => {
  [sts, iamMock, ssm, sns, ddb].forEach((m) => m.reset());
  fakeTable();
  now = Date.parse(WEDNESDAY_11_DUBLIN);
  sts.on(AssumeRoleCommand).resolves({ Credentials: { AccessKeyId: 'ASIAREVOKE', SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(now + 900_000) } });
  iamMock.on(AttachRolePolicyCommand).resolves({});
  ssm.on(PutParameterCommand).resolves({ Version: 2 });
  sns.on(PublishCommand).resolves({ MessageId: 'm' });
});

const handler = () => createMonitorHandler(() => monitorFromEnv(ex.env, (s) => ({ ...awsMonitorPorts(s), clock: () => now, log: () => undefined })));
const call = (tool: string, eventName: string, eventId: string, lineage = 'incident-7', extra: Partial<Parameters<typeof eventBridgeApiCall>[0]> = {}) => eventBridgeApiCall({
  roleArn: toolArn(tool), session: `deploy-operator.${tool}.${lineage}`, sourceIdentity: 'deploy-operator',
  eventSource: 'ecs.amazonaws.com', eventName, time: WEDNESDAY_11_DUBLIN, eventId, requestParameters: { cluster: 'prod-cluster', service: 'checkout' }, ...extra,
});
const published = () => sns.commandCalls(PublishCommand).map((c) => JSON.parse(c.args[0].input.Message!));

describe('example deploy-operator monitor: verdicts, alerts and the trip', () => {
  test('a declared call is expected: no alert, no trip', async () => {
    const [d] = await handler()(call('read-service', 'DescribeServices', 'e-ok') as any);
    expect(d).toMatchObject({ outcome: 'judged', verdict: 'expected', alerted: false });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  test('an undeclared action alerts (event, verdict, lineage) without tripping', async () => {
    await handler()(call('read-service', 'ListTasks', 'e-undeclared', 'run-3') as any);
    const [alert] = published();
    expect(alert).toMatchObject({ type: 'agent-guardrails.activity-alert', agent: 'deploy-operator', environment: 'prod', verdict: 'undeclared-action', severity: 'alert', tool: 'read-service', lineage: 'run-3' });
    expect(alert.event).toMatchObject({ action: 'ecs:ListTasks', eventId: 'e-undeclared' });
    expect(alert.record.detail.eventID).toBe('e-undeclared');
    expect(sns.commandCalls(PublishCommand)[0].args[0].input).toMatchObject({ TopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:${MONITOR}`, MessageAttributes: { verdict: { StringValue: 'undeclared-action' } } });
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  test('a destructive call without an approved broker decision trips: revocation role, deny-all on every tool role, flag engaged', async () => {
    const [d] = await handler()(call('restart-service', 'UpdateService', 'e-trip') as any);
    expect(d).toMatchObject({ verdict: 'destructive-without-approval', severity: 'trip', killSwitch: { pulled: true } });
    expect(sts.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).toEqual([REVOCATION_ARN]);
    expect(iamMock.commandCalls(AttachRolePolicyCommand).map((c) => c.args[0].input)).toEqual(TOOLS.map((t) => ({ RoleName: ex.roleOf(t), PolicyArn: DENY_ALL_ARN })));
    expect(ssm.commandCalls(PutParameterCommand).map((c) => c.args[0].input)).toEqual([{ Name: FLAG, Value: 'engaged', Overwrite: true }]);
    const [alert] = published();
    expect(alert).toMatchObject({ verdict: 'destructive-without-approval', severity: 'trip', lineage: 'incident-7', killSwitch: { pulled: true } });
    expect(alert.killSwitch.steps).toHaveLength(5);
  });

  test('a replay of the same CloudTrail event (another delivery id) neither alerts nor trips again', async () => {
    const h = handler();
    await h(call('restart-service', 'UpdateService', 'e-replay') as any);
    const again = { ...call('restart-service', 'UpdateService', 'e-replay'), id: 'eb-redelivered' };
    const [d] = await h(again as any);
    expect(d).toMatchObject({ outcome: 'replay' });
    // A fresh container (another invocation) sees the same durable memory.
    expect((await handler()(again as any))[0]).toMatchObject({ outcome: 'replay' });
    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });

  test('an approved broker decision (from the decision-log subscription) is the evidence: the destructive call is expected', async () => {
    const decision = { type: 'agent-guardrails.broker-decision', decisionId: 'd-1', time: '2026-03-25T10:58:00Z', agent: 'deploy-operator', tool: 'restart-service', environment: 'prod',
      lineageId: 'incident-8', decision: 'granted', reasonCode: 'GRANTED', approvalId: 'a-1', approver: 'arn:aws:sts::333333333333:assumed-role/on-call-approver/alice', resource: null, expiresAt: '2026-03-25T11:13:00Z', invalidFields: null };
    const batch = { messageType: 'DATA_MESSAGE', logGroup: '/aws/lambda/broker', logEvents: [{ id: '1', timestamp: 0, message: `${JSON.stringify(decision)}\n` }, { id: '2', timestamp: 0, message: 'START RequestId: x' }] };
    await handler()({ awslogs: { data: gzipSync(Buffer.from(JSON.stringify(batch))).toString('base64') } });
    // Another container judges the call: it finds the approval in the table.
    const [d] = await handler()(call('restart-service', 'UpdateService', 'e-approved', 'incident-8') as any);
    expect(d).toMatchObject({ verdict: 'expected', alerted: false });
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    // A different lineage is not covered.
    const [other] = await handler()(call('restart-service', 'UpdateService', 'e-other-lineage', 'incident-9') as any);
    expect(other).toMatchObject({ verdict: 'destructive-without-approval', killSwitch: { pulled: true } });
  });

  test('a session on a role the agent did not declare (chained, source identity kept) trips as unknown-identity', async () => {
    const [d] = await handler()(call('restart-service', 'UpdateService', 'e-chained', 'x', { roleArn: `arn:aws:iam::${ACCOUNT}:role/payments-admin`, session: 'chained' }) as any);
    expect(d).toMatchObject({ verdict: 'unknown-identity', killSwitch: { pulled: true } });
  });

  test('when the pull fails it still alerts, cuts what it can, fails the invocation (retry, then the failure destination), and a retry completes it', async () => {
    iamMock.on(AttachRolePolicyCommand, { RoleName: ex.roleOf('open-ops-item') }).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    const h = handler();
    const event = call('restart-service', 'UpdateService', 'e-fail');
    await expect(h(event as any)).rejects.toThrow(new RegExp(`kill switch of agent deploy-operator not pulled for event e-fail: .*failed: role ${ex.roleOf('open-ops-item')}: Throttling`));
    expect(published()[0]).toMatchObject({ verdict: 'destructive-without-approval', killSwitch: { pulled: false } });
    expect(iamMock.commandCalls(AttachRolePolicyCommand)).toHaveLength(4);
    expect(ssm.commandCalls(PutParameterCommand)).toHaveLength(1);
    // The failed invocation released its claim: Lambda's retry (a minute later) redoes the pull.
    now += 60_000;
    const [d] = await h(event as any);
    expect(d).toMatchObject({ killSwitch: { pulled: true } });
    expect(iamMock.commandCalls(AttachRolePolicyCommand)).toHaveLength(8);
  });

  test('a delivered record it cannot judge (an identity that is not JSON) fails the invocation, so the failure path alerts; it is never passed as no agent\'s', async () => {
    const event = call('restart-service', 'UpdateService', 'e-unreadable') as any;
    event.detail.userIdentity = '{type=AssumedRole, arn=arn:aws:sts::333333333333:assumed-role/x/deploy-operator.restart-service.1}';
    const logged: any[] = [];
    const h = createMonitorHandler(() => monitorFromEnv(ex.env, (st) => ({ ...awsMonitorPorts(st), clock: () => now, log: (r) => logged.push(r) })));
    await expect(h(event)).rejects.toThrow(/cannot judge record eb-e-unreadable: CloudTrail userIdentity is not JSON/);
    expect(logged).toEqual([expect.objectContaining({ outcome: 'unreadable', eventId: 'eb-e-unreadable' })]);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(0);
    // A record of a supported log that is no agent session's call (an IAM user's) is skipped, as before.
    const user = call('restart-service', 'UpdateService', 'e-user') as any;
    user.detail.userIdentity = { type: 'IAMUser', arn: `arn:aws:iam::${ACCOUNT}:user/alice`, accountId: ACCOUNT };
    expect(await h(user)).toEqual([expect.objectContaining({ outcome: 'skipped' })]);
  });

  test('a duplicate that meets a fresh claim fails (and is retried), one that meets a claim left by a dead invocation takes it over', async () => {
    const event = call('read-service', 'ListTasks', 'e-busy');
    table.set('event#e-busy', { pk: { S: 'event#e-busy' }, state: { S: 'claimed' }, at: { N: String(now - 30_000) } });
    await expect(handler()(event as any)).rejects.toThrow(/being processed by another invocation/);
    expect(sns.commandCalls(PublishCommand)).toHaveLength(0);
    now += 3 * 60_000;
    expect((await handler()(event as any))[0]).toMatchObject({ verdict: 'undeclared-action' });
    expect(table.get('event#e-busy')!.state.S).toBe('finished');
  });

  test('denials spread over function containers add up to one burst in the shared table; a redelivery is counted once', async () => {
    const containers = [handler(), handler(), handler()];
    const denied = (i: number, id = `e-deny-${i}`) => call('read-service', 'ListTasks', id, 'probe-1', { errorCode: 'AccessDeniedException', time: new Date(now + i * 1000).toISOString() });
    const verdicts: string[] = [];
    for (let i = 0; i < 4; i++) verdicts.push((await containers[i % 3](denied(i) as any))[0].verdict!);
    // A redelivery of the fourth (a new delivery id, the same CloudTrail eventID): the replay guard skips it.
    expect((await containers[1](denied(3) as any))[0].outcome).toBe('replay');
    verdicts.push((await containers[2](denied(4) as any))[0].verdict!);
    expect(verdicts).toEqual(['undeclared-action', 'undeclared-action', 'undeclared-action', 'undeclared-action', 'denied-burst']);
    expect(ddb.commandCalls(UpdateItemCommand).map((c) => c.args[0].input.Key!.pk.S).every((k) => /^burst#[0-9a-f]{32}#\d+$/.test(k!))).toBe(true);
  });

  test('the prebuilt bundle (dist-handler/monitor) runs the same trip', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, ex.env, { AWS_REGION: REGION });
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { handler: bundled } = require('../../../../dist-handler/monitor/index.js');
      const out = await bundled(call('restart-service', 'UpdateService', 'e-bundle', 'incident-11'));
      expect(out[0]).toMatchObject({ verdict: 'destructive-without-approval', killSwitch: { pulled: true } });
      expect(iamMock.commandCalls(AttachRolePolicyCommand)).toHaveLength(4);
    } finally {
      process.env = saved;
    }
  });
});

describe('IAM simulator: what the trip does, and that nothing else can be done', () => {
  const DECLARED: Record<string, [string, string]> = {
    'read-service': ['ecs:DescribeServices', PROD_SERVICE],
    'open-ops-item': ['ssm:CreateOpsItem', '*'],
    'restart-service': ['ecs:UpdateService', PROD_SERVICE],
    'rollback-deployment': ['ecs:StopServiceDeployment', PROD_SERVICE],
  };
  const OLD_SESSION = { 'aws:TokenIssueTime': '2026-03-25T10:58:00Z' };

  test.each(TOOLS)('after the trip, the %s session\'s declared action is denied (also for a session issued before)', async (tool) => {
    const [action, resource] = DECLARED[tool];
    const tags = resource === '*' ? {} : { resourceTags: { 'agent-guardrails:environment': 'prod' } };
    expect(await ex.sim.decide({ role: ex.roleOf(tool), action, resource, context: OLD_SESSION, ...tags })).toBe('Allowed');
    // The policy the monitor attached (the ARN it sent, as recorded by the mock in the trip above).
    expect(await ex.sim.decide({ role: ex.roleOf(tool), action, resource, context: OLD_SESSION, attachManagedPolicies: [DENY_ALL_ARN], ...tags })).toBe('ExplicitlyDenied');
  });

  test('each call of the trip is allowed to the identity that makes it', async () => {
    const monitorPolicies = ex.sim.identityPoliciesOf(ex.monitorRole).map((p) => p.policy);
    expect(await ex.sim.decide({ role: ex.monitorRole, action: 'sts:AssumeRole', resource: REVOCATION_ARN })).toBe('Allowed');
    expect(await ex.sim.decideAssume({ role: ex.revocationRole, principal: ex.sim.roleArn(ex.monitorRole), action: 'sts:AssumeRole', principalPolicies: monitorPolicies })).toBe('Allowed');
    for (const tool of TOOLS) {
      expect(await ex.sim.decide({ role: ex.revocationRole, action: 'iam:AttachRolePolicy', resource: toolArn(tool), context: { 'iam:PolicyARN': DENY_ALL_ARN } })).toBe('Allowed');
    }
    expect(await ex.sim.decide({ role: ex.revocationRole, action: 'ssm:PutParameter', resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${FLAG}` })).toBe('Allowed');
    // Its own table: the replay guard, approvals and the shared denied-burst counter.
    for (const action of ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']) {
      expect(await ex.sim.decide({ role: ex.monitorRole, action, resource: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${MONITOR}` })).toBe('Allowed');
    }
  });

  test('the monitor role can do nothing else', async () => {
    const denied: [string, string][] = [
      ['iam:AttachRolePolicy', toolArn('restart-service')],
      ['iam:DetachRolePolicy', toolArn('restart-service')],
      ['sts:AssumeRole', toolArn('restart-service')],
      ['ssm:PutParameter', `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter${FLAG}`],
      ['ecs:UpdateService', PROD_SERVICE],
      ['sns:Publish', `arn:aws:sns:${REGION}:${ACCOUNT}:other-topic`],
      ['dynamodb:DeleteItem', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${MONITOR}`],
      ['lambda:UpdateFunctionCode', `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${MONITOR}`],
    ];
    for (const [action, resource] of denied) expect([action, await ex.sim.decide({ role: ex.monitorRole, action, resource })]).toEqual([action, 'ImplicitlyDenied']);
  });

  test('no tool role can assume the revocation role', async () => {
    for (const tool of TOOLS) {
      expect(await ex.sim.decideAssume({ role: ex.revocationRole, principal: toolArn(tool), action: 'sts:AssumeRole', principalPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }] })).not.toBe('Allowed');
    }
  });

  test('a tool role widened to * on * still cannot disable, change or silence the monitor (the boundary denies it)', async () => {
    const WIDENED = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    const attacks: [string, string][] = [
      ['events:DisableRule', `arn:aws:events:${REGION}:${ACCOUNT}:rule/${MONITOR}`],
      ['events:PutRule', `arn:aws:events:${REGION}:${ACCOUNT}:rule/${MONITOR}`],
      ['events:RemoveTargets', `arn:aws:events:${REGION}:${ACCOUNT}:rule/${MONITOR}`],
      ['lambda:UpdateFunctionCode', `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${MONITOR}`],
      ['lambda:PutFunctionConcurrency', `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${MONITOR}`],
      ['lambda:DeleteFunction', `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${MONITOR}`],
      ['sns:DeleteTopic', `arn:aws:sns:${REGION}:${ACCOUNT}:${MONITOR}`],
      ['sns:SetTopicAttributes', `arn:aws:sns:${REGION}:${ACCOUNT}:${MONITOR}`],
      ['sqs:PurgeQueue', `arn:aws:sqs:${REGION}:${ACCOUNT}:${MONITOR}-dlq`],
      ['dynamodb:PutItem', `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${MONITOR}`],
      ['cloudwatch:DisableAlarmActions', `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${MONITOR}-errors`],
      ['cloudwatch:DeleteAlarms', `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${MONITOR}-dead-letters`],
      ['sts:AssumeRole', REVOCATION_ARN],
      ['iam:UpdateAssumeRolePolicy', REVOCATION_ARN],
      ['iam:PutRolePolicy', ex.sim.roleArn(ex.monitorRole)],
    ];
    for (const tool of TOOLS) {
      for (const [action, resource] of attacks) {
        expect([tool, action, await ex.sim.decide({ role: ex.roleOf(tool), action, resource, extraPolicies: [WIDENED] })]).toEqual([tool, action, 'ExplicitlyDenied']);
      }
    }
  });
});
