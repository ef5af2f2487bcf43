import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib/core';
import { ManagedPolicy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AgentGuardrailsChecks } from '../../../../constructs/aws/agent-guardrails-checks';
import { checkPaths } from '../../../../lib/cli/check';
import { foldIntoAdminFindings } from '../../../../lib/rules/fold-into-admin';
import { Finding } from '../../../../lib/rules/rule';
import { ReportFinding } from '../../../../lib/report/check-report';

/**
 * One finding per cause (issue 8's flood: one admin role and one `dynamodb:*` role gave 144
 * findings): an admin role gets its admin finding and nothing more from the permission rules,
 * and a wildcard gives one finding per rule naming everything it reaches.
 */
const lambdaTrust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const inline = (statements: unknown[]) => ({ Policies: [{ PolicyName: 'p', PolicyDocument: { Version: '2012-10-17', Statement: statements } }] });
const role = (props: Record<string, unknown>) => ({ Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: lambdaTrust, ...props } });
const tableRole = role(inline([{ Effect: 'Allow', Action: 'dynamodb:*', Resource: '*' }]));

let dir: string;
beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-one-cause-')); });
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function checkTemplate(name: string, resources: Record<string, unknown>): ReportFinding[] {
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, JSON.stringify({ Resources: resources }));
  return checkPaths([file]).findings;
}

const on = (findings: ReportFinding[], resource: string) => findings.filter((f) => f.resource === resource);

describe.each([
  ['AdministratorAccess', role({ ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] }), 'AWS-001[AdministratorAccess]'],
  ['an inline "*" on "*"', role(inline([{ Effect: 'Allow', Action: '*', Resource: '*' }])), 'AWS-001[*]'],
  ['an inline "*:*" with a condition', role(inline([{ Effect: 'Allow', Action: '*:*', Resource: '*', Condition: { StringLike: { 'aws:PrincipalTag/team': '*' } } }])), 'AWS-001[*]'],
  ['NotAction of one service', role(inline([{ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }])), 'AWS-001[NotAction]'],
])('an admin role (%s) next to a dynamodb:* role', (_name, admin, adminId) => {
  let findings: ReportFinding[];
  beforeAll(() => { findings = checkTemplate(adminId.replace(/\W/g, '_'), { AdminRole: admin, TableRole: tableRole }); });

  test('the admin role gets one finding: AWS-001, hard, counting what it folds', () => {
    const mine = on(findings, 'AdminRole');
    expect(mine.map((f) => f.id)).toEqual([adminId]);
    expect(mine[0]).toMatchObject({ severity: 'error', hard: true });
    expect(mine[0].message).toMatch(/An administrator holds every escalation path, credential and data read, so the permission rules report nothing more on it/);
  });

  test('the dynamodb:* role gets one finding per rule, each naming what the wildcard reaches', () => {
    const mine = on(findings, 'TableRole');
    const perRule = new Map<string, number>();
    for (const f of mine) perRule.set(f.ruleId, (perRule.get(f.ruleId) ?? 0) + 1);
    expect([...perRule.values()].every((n) => n === 1)).toBe(true);
    expect(mine.find((f) => f.ruleId === 'AWS-002')).toMatchObject({ id: 'AWS-002[dynamodb:*]', severity: 'error' });
    expect(mine.find((f) => f.ruleId === 'AWS-008')).toMatchObject({ id: 'AWS-008[dynamodb:*]' });
    expect(mine.find((f) => f.ruleId === 'AWS-008')?.actions).toEqual(expect.arrayContaining(['dynamodb:Scan', 'dynamodb:GetItem', 'dynamodb:Query']));
    expect(findings.length).toBeLessThanOrEqual(6);
  });
});

test('the pack reports the same: one violation on the admin role, none of AWS-004/007/008 on it', () => {
  const app = new App();
  const stack = new Stack(app, 'Flood');
  new Role(stack, 'AdminRole', { assumedBy: new ServicePrincipal('lambda.amazonaws.com'), managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('AdministratorAccess')] });
  const table = new Role(stack, 'TableRole', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  table.addToPolicy(new PolicyStatement({ actions: ['dynamodb:*'], resources: ['*'] }));
  const report = new AgentGuardrailsChecks().validateScope(stack);
  const onAdmin = report.violations.filter((v) => v.violatingResources.some((r) => (r.constructPath ?? '').includes('/AdminRole')));
  expect(onAdmin.map((v) => v.ruleName)).toEqual(['AWS-001[AdministratorAccess]']);
  expect(report.violations.length).toBeLessThanOrEqual(6);
});

describe('folding never widens', () => {
  const base = { cloud: 'aws' as const, resource: 'R', identity: 'aws:S/R', message: 'm', fix: 'f' };
  const admin: Finding = { ...base, ruleId: 'AWS-001', detail: '*', severity: 'error', hard: false };
  const escalation: Finding = { ...base, ruleId: 'AWS-004', detail: 'iam-put-role-policy', severity: 'error', hard: true };

  test('a folded hard finding makes the admin finding hard (an acknowledgement cannot hide it)', () => {
    expect(foldIntoAdminFindings([admin, escalation])).toEqual([{ ...admin, hard: true, message: expect.stringMatching(/nothing more on it \(folded into this finding: AWS-004 ×1\)\.$/) }]);
    expect(foldIntoAdminFindings([admin], true)).toEqual([{ ...admin, hard: true, message: expect.stringMatching(/nothing more on it\.$/) }]);
  });

  test('nothing folds into an admin warning, nor across identities, nor findings of other causes (trust, boundary)', () => {
    const warning = { ...admin, severity: 'warning' as const };
    expect(foldIntoAdminFindings([warning, escalation], true)).toEqual([warning, escalation]);
    const other = { ...escalation, identity: 'aws:S/Other' };
    expect(foldIntoAdminFindings([admin, other])).toEqual([{ ...admin, message: expect.stringMatching(/nothing more on it\.$/) }, other]);
    const trust: Finding = { ...base, ruleId: 'AWS-009', detail: 'principal-star', severity: 'error', hard: true };
    expect(foldIntoAdminFindings([admin, trust])).toEqual([{ ...admin, message: expect.stringMatching(/nothing more on it\.$/) }, trust]);
  });
});

describe('one finding per statement, however many principals hold it', () => {
  test('a managed policy attached to two roles, and a group\'s policy held by its user, are reported once per rule', async () => {
    const { runRules } = await import('../../../../lib/rules');
    const { inventoryFromTemplate } = await import('../../../../lib/adapters/cloudformation/inventory-from-template');
    const { RESOURCE_WILDCARDS } = await import('../../../../lib/rules/aws/resource-wildcards');
    const { SERVICE_WILDCARDS } = await import('../../../../lib/rules/aws/service-wildcards');
    const { PASS_ROLE_SCOPE } = await import('../../../../lib/rules/aws/pass-role-scope');
    const { Baseline } = await import('../../../../lib/baseline/baseline');
    const trust = { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    const statements = [
      { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: '*' },
      { Effect: 'Allow', Action: 's3:*', Resource: 'arn:aws:s3:::b' },
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' },
    ];
    const template = { Resources: {
      A: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust } },
      B: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: trust } },
      P: { Type: 'AWS::IAM::ManagedPolicy', Properties: { Roles: [{ Ref: 'A' }, { Ref: 'B' }], PolicyDocument: { Statement: statements } } },
      G: { Type: 'AWS::IAM::Group', Properties: { Policies: [{ PolicyName: 'g', PolicyDocument: { Statement: statements } }] } },
      U: { Type: 'AWS::IAM::User', Properties: { Groups: [{ Ref: 'G' }] } },
    } };
    const findings = runRules(inventoryFromTemplate(template, { stack: 'S' }), [RESOURCE_WILDCARDS, SERVICE_WILDCARDS, PASS_ROLE_SCOPE], Baseline.default());
    // Once per statement and rule: AWS-003 judges PutItem and PassRole on "*" (two statements), AWS-002 s3:*, AWS-005 PassRole.
    const perResource = ['AWS-002[s3:*]', 'AWS-003[dynamodb:PutItem]', 'AWS-003[iam:PassRole]', 'AWS-005[iam:PassRole]'];
    expect(findings.map((f) => `${f.ruleId}[${f.detail}]@${f.resource}`).sort()).toEqual([...perResource.map((x) => `${x}@G`), ...perResource.map((x) => `${x}@P`)].sort());
  });
});
