import { Baseline } from '../../../../lib/baseline/baseline';
import { QUOTAS } from '../../../../lib/rules/aws/quotas';
import { check, ids, roleTemplate } from '../../../fixtures/cfn/rule-harness';

/** `n` statements on distinct bucket prefixes (~80 chars each without whitespace). */
const statements = (n: number) => Array.from({ length: n }, (_, i) => ({ Effect: 'Allow', Action: 's3:GetObject', Resource: `arn:aws:s3:::reports-bucket/prefix-${i}/*` }));

describe('AWS-013: IAM and CloudFormation quotas before deploy', () => {
  test('compliant: a normal role and stack', () => {
    expect(check(QUOTAS, roleTemplate(statements(10), { ManagedPolicyArns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'] }))).toEqual([]);
  });

  test('non-compliant: a managed policy over 6,144 characters (whitespace not counted)', () => {
    const t = roleTemplate([], {}, { Big: { Type: 'AWS::IAM::ManagedPolicy', Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: { Version: '2012-10-17', Statement: statements(90) } } } });
    const f = check(QUOTAS, t);
    expect(ids(f)).toEqual(['AWS-013[managed-policy-size]@Big']);
    expect(f[0].message).toMatch(/managed policy Big is \d{4} characters; AWS allows 6144/);
  });

  test('non-compliant: inline policies of one role over 10,240 characters together', () => {
    const t = roleTemplate(statements(80), {}, { More: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'more', Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: statements(80) } } } });
    expect(ids(check(QUOTAS, t))).toEqual(['AWS-013[inline-policy-size]@Role']);
  });

  test('non-compliant: a trust policy over 2,048 characters, more than 10 managed policies', () => {
    const principals = Array.from({ length: 40 }, (_, i) => `arn:aws:iam::111122223333:role/caller-number-${i}`);
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: principals }, Action: 'sts:AssumeRole' }] };
    const managed = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`P${i}`, { Type: 'AWS::IAM::ManagedPolicy', Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: statements(1) } } }]));
    expect(ids(check(QUOTAS, roleTemplate([], { AssumeRolePolicyDocument: trust }, managed)))).toEqual(['AWS-013[trust-policy-size]@Role', 'AWS-013[managed-policy-count]@Role']);
  });

  test('non-compliant: more than 500 resources in a stack; a raised quota in the baseline is honoured', () => {
    const topics = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`T${i}`, { Type: 'AWS::SNS::Topic' }]));
    const f = check(QUOTAS, roleTemplate([], {}, topics));
    expect(f).toEqual([expect.objectContaining({ detail: 'stack-resources', resource: 'S', message: 'stack S has 501 resources; CloudFormation allows 500.' })]);
    const raised = Baseline.fromObject({ id: 'raised', version: '1.0.0', quotas: { ...Baseline.default().document.quotas, 'aws.resourcesPerStack': 1000 } });
    expect(check(QUOTAS, roleTemplate([], {}, topics), raised)).toEqual([]);
  });
});
