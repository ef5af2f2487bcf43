import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Baseline } from '../../../lib/baseline/baseline';
import { checkPaths } from '../../../lib/cli/check';

const SECRET = 'AWS-007[secretsmanager:GetSecretValue]';
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-tpl-ack-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A plain CloudFormation template: one role that reads every secret, with cdk-nag-style suppressions. */
function template(name: string, rulesToSuppress: unknown[]): string {
  const file = path.join(dir, `${name}.template.json`);
  fs.writeFileSync(file, JSON.stringify({
    Resources: {
      Reader: {
        Type: 'AWS::IAM::Role',
        Metadata: { cdk_nag: { rules_to_suppress: rulesToSuppress } },
        Properties: {
          AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
          Policies: [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' }] } }],
        },
      },
      Other: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
          Policies: [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' }] } }],
        },
      },
    },
  }));
  return file;
}
const ids = (fs_: { id: string; resource: string }[]) => fs_.map((f) => `${f.id} @ ${f.resource}`).sort();

describe('plain templates acknowledge through Metadata.cdk_nag.rules_to_suppress', () => {
  test('an id (with or without our namespace, or as id + applies_to) covers that resource\'s finding only', () => {
    const report = checkPaths([template('plain', [
      { id: SECRET, reason: 'migrated from cdk-nag' },
      { id: 'AWS-003', applies_to: ['secretsmanager:GetSecretValue'], reason: 'granular form' },
      { id: 'AwsSolutions-IAM5', reason: 'another pack: not ours to read' },
    ])]);
    expect(ids(report.acknowledged)).toEqual([`AWS-003[secretsmanager:GetSecretValue] @ Reader`, `${SECRET} @ Reader`]);
    expect(report.acknowledged[0].acknowledgedBy).toMatchObject({ origin: 'template-metadata' });
    expect(ids(report.findings)).toEqual(expect.arrayContaining([`${SECRET} @ Other`, 'AWS-003[secretsmanager:GetSecretValue] @ Other']));
    expect(report.findings.filter((f) => f.ruleId === 'AGENT-007')).toEqual([]);
  });

  test('the baseline\'s owner and expiry requirements apply, and hard rules stay unacknowledgeable', () => {
    const defaults = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'policies', 'baseline.default.json'), 'utf8'));
    const strict = Baseline.fromObject({ ...defaults, $schema: undefined, id: 'test/owned', acknowledgements: { requireOwner: true, requireExpiry: true } });
    const report = checkPaths([template('owned', [
      { id: SECRET, reason: 'no owner, no expiry' },
      { id: 'AgentGuardrailsChecks::AWS-001', reason: 'admin is fine [owner: ops] [expires: 2099-01-01]' },
    ])], { baseline: strict });
    expect(ids(report.findings.filter((f) => f.ruleId === 'AGENT-007'))).toEqual([
      'AGENT-007[hard-rule:AWS-001] @ Reader',
      `AGENT-007[no-expiry:${SECRET}] @ Reader`,
      `AGENT-007[no-owner:${SECRET}] @ Reader`,
    ]);
  });

  test('one that matches nothing, or names a rule without a detail, is a warning', () => {
    const report = checkPaths([template('drift', [
      { id: 'AWS-002[s3:*]', reason: 'stale' },
      { id: 'AWS-007', reason: 'the whole rule' },
    ])]);
    const warnings = report.findings.filter((f) => f.ruleId === 'AGENT-007');
    expect(warnings.map((f) => `${f.id} ${f.severity}`).sort()).toEqual(['AGENT-007[no-detail:AWS-007] warning', 'AGENT-007[unmatched:AWS-002[s3:*]] warning']);
    expect(warnings.find((f) => f.detail === 'no-detail:AWS-007')!.message).toContain(SECRET);
    expect(report.summary.result).toBe('fail'); // the AWS-007 errors stay open
  });
});
