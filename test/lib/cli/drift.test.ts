import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { runCli as run } from '../../helpers/run-cli';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'activity');
const TEMPLATE = path.join(FIXTURES, 'agent-template.json');
const TRAIL = path.join(FIXTURES, 'cloudtrail-records.json');

describe('agent-guardrails drift --activity', () => {
  test('text: per agent the deviations, the granted-but-unused actions and the tools never used; exit 1 on alerting deviations', async () => {
    const out = await run(['drift', TEMPLATE, '--activity', TRAIL]);
    expect(out.code).toBe(1);
    expect(out.stdout).toContain('deploy-operator (prod)');
    expect(out.stdout).toContain('ALERT undeclared-action — tool restart-service: 1 event(s)');
    expect(out.stdout).toContain('ALERT denied-burst — tool read-logs');
    expect(out.stdout).toContain('granted but unused by read-logs (aws): s3:ListBucket');
    expect(out.stdout).toContain('tools never used: rollback-deployment (aws)');
    expect(out.stdout).toContain('1 records of no agent session');
  });

  test('--fail-on trip passes when nothing trips; a destructive call without an approved decision trips', async () => {
    expect((await run(['drift', TEMPLATE, '--activity', TRAIL, '--fail-on', 'trip'])).code).toBe(0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-drift-'));
    try {
      const trail = JSON.parse(fs.readFileSync(TRAIL, 'utf8'));
      const rollback = { ...trail.Records[1], eventName: 'StopServiceDeployment', eventID: 'ct-rb',
        resources: [{ ARN: 'arn:aws:ecs:eu-west-1:111111111111:service-deployment/prod/web/abc' }],
        userIdentity: { ...trail.Records[1].userIdentity, arn: 'arn:aws:sts::111111111111:assumed-role/deploy-operator-rollback/deploy-operator.rollback-deployment.incident-9',
          sessionContext: { ...trail.Records[1].userIdentity.sessionContext, sessionIssuer: { type: 'Role', arn: 'arn:aws:iam::111111111111:role/deploy-operator-rollback' } } } };
      fs.writeFileSync(path.join(dir, 'rb.json'), JSON.stringify({ Records: [rollback] }));
      const tripped = await run(['drift', TEMPLATE, '--activity', path.join(dir, 'rb.json'), '--fail-on', 'trip', '--format', 'json']);
      expect(tripped.code).toBe(1);
      expect(JSON.parse(tripped.stdout).agents[0].deviations[0]).toMatchObject({ code: 'destructive-without-approval', severity: 'trip', tool: 'rollback-deployment' });
      // The broker's decision record with the approval for that lineage is the evidence.
      const decision = { decisionId: 'd', time: '2026-03-25T09:59:00Z', agent: 'deploy-operator', tool: 'rollback-deployment', environment: 'prod', lineageId: 'incident-9',
        decision: 'granted', reasonCode: 'GRANTED', approvalId: '0f8b3a52-8d1e-4c0e-9f55-3a1d7c9e2b10', approver: 'arn:aws:sts::333333333333:assumed-role/on-call/alice', resource: null, expiresAt: '2026-03-25T10:14:00Z', invalidFields: null };
      fs.writeFileSync(path.join(dir, 'decisions.jsonl'), `${JSON.stringify(decision)}\n`);
      expect((await run(['drift', TEMPLATE, '--activity', path.join(dir, 'rb.json'), '--decisions', path.join(dir, 'decisions.jsonl'), '--fail-on', 'trip'])).code).toBe(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('SARIF validates against the official 2.1.0 schema', async () => {
    const out = await run(['drift', TEMPLATE, '--activity', TRAIL, '--format', 'sarif']);
    const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(fs.readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')));
    const doc = JSON.parse(out.stdout);
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    expect(doc.runs[0].results.map((r: { ruleId: string }) => r.ruleId)).toEqual(expect.arrayContaining(['undeclared-action', 'outside-window', 'denied-burst']));
  });

  test('unreadable activity is exit 2 with one line', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-drift-'));
    try {
      fs.writeFileSync(path.join(dir, 'bad.json'), '{"Records":[{"a":1},');
      const out = await run(['drift', TEMPLATE, '--activity', path.join(dir, 'bad.json')]);
      expect(out.code).toBe(2);
      expect(out.stderr.trim().split('\n')).toHaveLength(1);
      expect(out.stderr).toMatch(/AG_ACTIVITY_UNREADABLE/);
      expect((await run(['drift', TEMPLATE, '--activity', path.join(dir, 'missing.json')])).code).toBe(2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
