import * as path from 'path';
import * as fs from 'fs';
import { ActivityDrift, ActivityEvaluator, ActivityPlaybook, normalizeLogRecord, readJsonRecords, unreadableReason, VerdictCode } from '../../../lib/activity';
import { OTHER_ACCOUNT, OUT_OF_WINDOW, PLAYBOOK_DOC, playbook } from './playbook-fixture';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'activity');

async function verdicts(file: string): Promise<{ id?: string; code?: string }[]> {
  const drift = new ActivityDrift(playbook(), new ActivityEvaluator(playbook()));
  const out: { id?: string; code?: string }[] = [];
  for await (const record of readJsonRecords(path.join(FIXTURES, file))) {
    for (const e of normalizeLogRecord(record)) out.push({ id: e.eventId, code: drift.add(e)?.code ?? 'skipped' });
  }
  return out;
}

describe('real event shapes from the clouds\' documentation: each deviation kind, and a normal day gives none', () => {
  test('CloudTrail Records file: source identity and session name give agent, tool and lineage', async () => {
    const first = [];
    for await (const r of readJsonRecords(path.join(FIXTURES, 'cloudtrail-records.json'))) first.push(...normalizeLogRecord(r));
    expect(first[0]).toMatchObject({
      cloud: 'aws', agent: 'deploy-operator', tool: 'read-logs', lineage: 'run-1', identity: 'arn:aws:iam::111111111111:role/deploy-operator-read-logs',
      action: 's3:GetObject', resources: ['arn:aws:s3:::acme-prod-logs/app/2026-03-25.log'], location: { account: '111111111111', region: 'eu-west-1' }, outcome: 'allowed', eventId: 'ct-1',
    });
    expect(await verdicts('cloudtrail-records.json')).toEqual([
      { id: 'ct-1', code: 'expected' },
      { id: 'ct-2', code: 'expected' },
      { id: 'ct-3', code: 'undeclared-action' },
      { id: 'ct-4', code: 'outside-window' },
      { id: 'ct-5', code: 'undeclared-resource' },
      { id: 'ct-d0', code: 'undeclared-action' },
      { id: 'ct-d1', code: 'undeclared-action' },
      { id: 'ct-d2', code: 'undeclared-action' },
      { id: 'ct-d3', code: 'undeclared-action' },
      { id: 'ct-d4', code: 'denied-burst' },
      { id: 'ct-9', code: 'skipped' }, // a human's session: no agent activity
    ]);
  });

  test('GCP audit log: the service account is the identity; a denied permission and another project deviate', async () => {
    expect(await verdicts('gcp-audit-log.json')).toEqual([
      { id: 'gcp-1', code: 'expected' },
      { id: 'gcp-2', code: 'undeclared-action' },
      { id: 'gcp-3', code: 'other-environment' },
    ]);
  });

  test('Azure activity log: the managed identity\'s object id; intermediate states are not judged twice', async () => {
    expect(await verdicts('azure-activity-log.json')).toEqual([
      { id: 'az-1', code: 'expected' },
      { id: 'az-2', code: 'undeclared-action' },
      { id: 'az-3', code: 'other-environment' },
    ]);
  });

  test('an EventBridge event wraps the CloudTrail record in detail; a Lake row is a list of one-key cells', () => {
    const record = { eventSource: 'ecs.amazonaws.com', eventName: 'UpdateService', eventTime: '2026-03-25T10:00:00Z', recipientAccountId: '111111111111', awsRegion: 'eu-west-1',
      userIdentity: { type: 'AssumedRole', arn: 'arn:aws:sts::111111111111:assumed-role/r/deploy-operator.restart-service.x', sessionContext: { sourceIdentity: 'deploy-operator', sessionIssuer: { arn: 'arn:aws:iam::111111111111:role/r' } } } };
    const viaEventBridge = normalizeLogRecord({ 'version': '0', 'detail-type': 'AWS API Call via CloudTrail', 'source': 'aws.ecs', 'detail': record });
    const viaLake = normalizeLogRecord(Object.entries(record).map(([k, v]) => ({ [k]: typeof v === 'object' ? JSON.stringify(v) : v })));
    const viaAthena = normalizeLogRecord(JSON.parse(JSON.stringify(record).replace(/"(\w+)":/g, (_, k: string) => `"${k.toLowerCase()}":`)));
    for (const events of [viaEventBridge, viaLake, viaAthena]) {
      expect(events).toEqual([expect.objectContaining({ agent: 'deploy-operator', tool: 'restart-service', lineage: 'x', action: 'ecs:UpdateService' })]);
    }
  });

  test('the drift report lists unused grants and tools per agent', async () => {
    const drift = new ActivityDrift(playbook(), new ActivityEvaluator(playbook()));
    for await (const r of readJsonRecords(path.join(FIXTURES, 'cloudtrail-records.json'))) for (const e of normalizeLogRecord(r)) drift.add(e);
    const report = drift.report();
    const prod = report.agents.find((a) => a.environment === 'prod')!;
    expect(prod.tools.find((t) => t.tool === 'read-logs' && t.cloud === 'aws')?.unusedActions).toEqual(['s3:ListBucket']);
    expect(prod.unusedTools).toEqual(['rollback-deployment (aws)', 'read-logs (gcp)', 'restart-vm (azure)']);
    expect(prod.deviations.map((d) => [d.code, d.tool, d.count])).toEqual([
      [VerdictCode.OUTSIDE_WINDOW, 'restart-service', 1],
      [VerdictCode.UNDECLARED_ACTION, 'read-logs', 4],
      [VerdictCode.UNDECLARED_ACTION, 'restart-service', 1],
      [VerdictCode.UNDECLARED_RESOURCE, 'read-logs', 1],
      [VerdictCode.DENIED_BURST, 'read-logs', 1],
    ]);
    expect(report.summary).toEqual({ trip: 0, alert: 8, result: 'fail' });
    expect(drift.report('trip').summary.result).toBe('pass');
  });
});

describe('every deviation kind from each cloud\'s documented record shape (one field of an expected record changed)', () => {
  const json = (file: string) => JSON.parse(fs.readFileSync(path.join(FIXTURES, file), 'utf8'));
  const trail = json('cloudtrail-records.json').Records as any[];
  const base: Record<'aws' | 'gcp' | 'azure', any> = {
    aws: trail.find((r) => r.eventID === 'ct-1'), // read-logs: s3:GetObject on its bucket
    gcp: (json('gcp-audit-log.json') as any[]).find((r) => r.insertId === 'gcp-1'), // read-logs: storage.objects.get
    azure: (json('azure-activity-log.json').value as any[]).find((r) => r.eventDataId === 'az-1'), // restart-vm, succeeded
  };
  const WEB_1 = '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg-prod/providers/Microsoft.Compute/virtualMachines/web-1';
  /** The fixture's playbook with every prod tool windowed (09:00-17:00 Berlin, weekdays) or approval-gated, and the Azure tool on web-1 alone. */
  const variant = (change: { window?: boolean; approval?: boolean }) => ActivityPlaybook.fromJson({
    ...PLAYBOOK_DOC,
    agents: PLAYBOOK_DOC.agents.map((a) => a.environment !== 'prod' ? a : {
      ...a,
      tools: a.tools.map((t) => ({
        ...t,
        ...(t.cloud === 'azure' ? { resources: [WEB_1] } : {}),
        ...(change.window ? { window: { timeZone: 'Europe/Berlin', slots: [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }] } } : {}),
        ...(change.approval ? { requiresApproval: true } : {}),
      })),
    }),
  });
  const edit = (cloud: keyof typeof base, f: (r: any) => void, id = 'x') => {
    const r = JSON.parse(JSON.stringify(base[cloud]));
    f(r);
    if (cloud === 'aws') r.eventID = id; else if (cloud === 'gcp') r.insertId = id; else r.eventDataId = id;
    return r;
  };
  const action = { // the same undeclared operation in each log's fields
    aws: (r: any) => { r.eventName = 'DeleteObject'; },
    gcp: (r: any) => { r.protoPayload.methodName = 'storage.objects.delete'; r.protoPayload.authorizationInfo[0].permission = 'storage.objects.delete'; },
    azure: (r: any) => { r.authorization.action = r.operationName.value = 'Microsoft.Compute/virtualMachines/delete'; },
  };
  const resource = {
    aws: (r: any) => { r.resources = [{ type: 'AWS::S3::Object', ARN: 'arn:aws:s3:::acme-payroll/2026.csv' }]; r.requestParameters = { bucketName: 'acme-payroll', key: '2026.csv' }; },
    gcp: (r: any) => { r.protoPayload.resourceName = r.protoPayload.authorizationInfo[0].resource = 'projects/_/buckets/acme-payroll/objects/2026.csv'; },
    azure: (r: any) => { r.authorization.scope = r.resourceId = WEB_1.replace('web-1', 'db-1'); },
  };
  const environment = {
    aws: (r: any) => { r.recipientAccountId = OTHER_ACCOUNT; r.resources = r.resources.map((x: any) => ({ ...x, accountId: OTHER_ACCOUNT })); },
    gcp: (r: any) => { r.resource.labels.project_id = 'acme-staging'; r.logName = r.logName.replace('acme-prod', 'acme-staging'); },
    azure: (r: any) => { r.subscriptionId = '00000000-0000-0000-0000-000000000009'; r.authorization.scope = r.resourceId = WEB_1.replace(/0001/, '0009'); },
  };
  const identity: Record<'aws' | 'gcp' | 'azure', ((r: any) => void) | undefined> = {
    aws: (r: any) => { r.userIdentity.sessionContext.sourceIdentity = 'someone-else'; },
    // The tool impersonated another account: the entry's principal is that account, the chain starts at the tool.
    gcp: (r: any) => {
      r.protoPayload.authenticationInfo.serviceAccountDelegationInfo = [{ firstPartyPrincipal: { principalEmail: r.protoPayload.authenticationInfo.principalEmail } }];
      r.protoPayload.authenticationInfo.principalEmail = 'data-admin@acme-prod.iam.gserviceaccount.com';
    },
    azure: undefined, // an Azure record names only the caller: another principal's call is no agent's (the monitor's filter delivers the tools' alone)
  };
  const late = {
    aws: (r: any) => { r.eventTime = new Date(OUT_OF_WINDOW).toISOString(); },
    gcp: (r: any) => { r.timestamp = new Date(OUT_OF_WINDOW).toISOString(); },
    azure: (r: any) => { r.eventTimestamp = new Date(OUT_OF_WINDOW).toISOString(); },
  };
  const denied = {
    aws: (r: any) => { r.errorCode = 'AccessDenied'; r.errorMessage = 'User is not authorized to perform this operation'; },
    gcp: (r: any) => { r.protoPayload.status = { code: 7, message: 'PERMISSION_DENIED' }; r.protoPayload.authorizationInfo[0].granted = false; },
    azure: (r: any) => { r.status.value = 'Failed'; r.subStatus.value = 'Forbidden'; },
  };
  const judge = (pb: ActivityPlaybook, records: any[]) => {
    const drift = new ActivityDrift(pb, new ActivityEvaluator(pb));
    return records.flatMap((r) => normalizeLogRecord(r)).map((e) => drift.add(e)?.code ?? 'skipped');
  };

  test.each(['aws', 'gcp', 'azure'] as const)('%s: the record as documented is expected; each change gives its deviation', (cloud) => {
    const plain = variant({});
    expect(judge(plain, [base[cloud]])).toEqual([VerdictCode.EXPECTED]);
    expect(judge(variant({ window: true }), [base[cloud]])).toEqual([VerdictCode.EXPECTED]); // 10:00 UTC on a Wednesday is inside the window
    expect(judge(plain, [edit(cloud, action[cloud])])).toEqual([VerdictCode.UNDECLARED_ACTION]);
    expect(judge(plain, [edit(cloud, resource[cloud])])).toEqual([VerdictCode.UNDECLARED_RESOURCE]);
    expect(judge(plain, [edit(cloud, environment[cloud])])).toEqual([VerdictCode.OTHER_ENVIRONMENT]);
    const other = identity[cloud];
    if (other) expect(judge(plain, [edit(cloud, other)])).toEqual([VerdictCode.UNKNOWN_IDENTITY]);
    else expect(judge(plain, [edit(cloud, (r) => { r.caller = r.claims['http://schemas.microsoft.com/identity/claims/objectidentifier'] = '99999999-2222-3333-4444-555555555555'; })])).toEqual(['skipped']);
    expect(judge(variant({ window: true }), [edit(cloud, late[cloud])])).toEqual([VerdictCode.OUTSIDE_WINDOW]);
    expect(judge(variant({ approval: true }), [base[cloud]])).toEqual([VerdictCode.DESTRUCTIVE_WITHOUT_APPROVAL]);
    // Five access-denied answers to one session within the window: the fifth is a burst.
    const probes = [0, 1, 2, 3, 4].map((i) => edit(cloud, (r) => { action[cloud](r); denied[cloud](r); }, `probe-${i}`));
    expect(judge(plain, probes)).toEqual([...Array(4).fill(VerdictCode.UNDECLARED_ACTION), VerdictCode.DENIED_BURST]);
  });
});

describe('records drift cannot judge', () => {
  test('are told apart from records of no agent session, in bounded time for hostile shapes', () => {
    expect(unreadableReason({ eventSource: 's3.amazonaws.com', eventName: 'GetObject', userIdentity: { type: 'IAMUser' } })).toBeUndefined();
    expect(unreadableReason({ logName: 'projects/p/logs/syslog', textPayload: 'x' })).toBeUndefined(); // a GCP entry of another log
    expect(unreadableReason({ eventSource: 's3.amazonaws.com', userIdentity: '{type=AssumedRole, arn=x}' })).toMatch(/userIdentity is not JSON/);
    expect(unreadableReason({ eventSource: 's3.amazonaws.com', userIdentity: { type: 'AssumedRole' }, resources: '[{arn=x}]' })).toMatch(/resources is not JSON/);
    expect(unreadableReason({ foo: 1 })).toMatch(/not a CloudTrail, GCP audit log or Azure activity log record/);
    const hostileLakeRow = [...Array.from({ length: 300_000 }, () => ({})), { eventSource: 'x' }, { userIdentity: '{type=AssumedRole}' }];
    expect(unreadableReason(hostileLakeRow)).toMatch(/userIdentity is not JSON/);
  });
});
