import * as path from 'path';
import { ActivityDrift, ActivityEvaluator, normalizeLogRecord, readJsonRecords, VerdictCode } from '../../../lib/activity';
import { playbook } from './playbook-fixture';

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
