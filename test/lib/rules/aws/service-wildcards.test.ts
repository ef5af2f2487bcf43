import { SERVICE_WILDCARDS } from '../../../../lib/rules/aws/service-wildcards';
import { IamSimulator } from '../../../helpers/iam-simulator';
import { check, ids, roleTemplate } from '../../../fixtures/cfn/rule-harness';

const allow = (Action: unknown, Resource: unknown = 'arn:aws:s3:::bucket/prefix/*') => ({ Effect: 'Allow', Action, Resource });

describe('AWS-002: no service wildcards or wildcard patterns; no NotAction/NotResource with Allow', () => {
  test('compliant: exact actions (any case) on specific ARNs; AWSLambdaBasicExecutionRole', () => {
    expect(check(SERVICE_WILDCARDS, roleTemplate([allow(['s3:GetObject', 'S3:PUTOBJECT'])], {
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaBasicExecutionRole']] }],
    }))).toEqual([]);
  });

  test('non-compliant: s3:*, iam:*Policy*, iam:Put*, ? and odd case, each named with what it matches', () => {
    const f = check(SERVICE_WILDCARDS, roleTemplate([allow(['s3:*', 'iam:*Policy*', 'IAM:pUT*', 'iam:Pa?sRole'], '*')]));
    expect(ids(f)).toEqual(['AWS-002[s3:*]@Role', 'AWS-002[iam:*Policy*]@Role', 'AWS-002[IAM:pUT*]@Role', 'AWS-002[iam:Pa?sRole]@Role']);
    expect(f[1].message).toMatch(/iam:\*Policy\*", which matches \d+ action\(s\): .*iam:/);
    expect(f[3].message).toMatch(/iam:PassRole/);
  });

  test('the disguises are real: the simulator allows what the patterns expand to', async () => {
    const sim = IamSimulator.fromTemplate(roleTemplate([allow(['IAM:pUT*', 'iam:Pa?sRole'], '*')]), { account: '111122223333', region: 'eu-west-1' });
    expect(await sim.decide({ role: 'Role', action: 'iam:PutRolePolicy', resource: 'arn:aws:iam::111122223333:role/admin' })).toBe('Allowed');
    expect(await sim.decide({ role: 'Role', action: 'iam:PassRole', resource: 'arn:aws:iam::111122223333:role/admin' })).toBe('Allowed');
  });

  test('non-compliant: Allow with NotAction or NotResource', () => {
    const f = check(SERVICE_WILDCARDS, roleTemplate([
      { Effect: 'Allow', NotAction: ['s3:DeleteBucket'], Resource: 'arn:aws:s3:::bucket' },
      { Effect: 'Allow', Action: 's3:GetObject', NotResource: 'arn:aws:s3:::secret/*' },
    ]));
    expect(ids(f)).toEqual(['AWS-002[NotAction]@Role', 'AWS-002[NotResource]@Role']);
  });

  test('compliant: Deny statements with wildcards, a broad boundary, a broad policy attached to nothing', () => {
    const broad = { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: { Statement: [allow('s3:*', '*'), { Effect: 'Allow', NotAction: 'iam:*', Resource: '*' }] } } };
    expect(check(SERVICE_WILDCARDS, roleTemplate([{ Effect: 'Deny', Action: 'iam:*', Resource: '*' }], { PermissionsBoundary: { Ref: 'Boundary' } }, { Boundary: broad, Unattached: broad }))).toEqual([]);
  });

  test('non-compliant: the same broad policy once attached to a role', () => {
    const broad = { Type: 'AWS::IAM::ManagedPolicy', Properties: { Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: [allow('s3:*', '*')] } } };
    expect(ids(check(SERVICE_WILDCARDS, roleTemplate([], {}, { Broad: broad })))).toEqual(['AWS-002[s3:*]@Broad']);
  });

  test('admin statements are left to AWS-001', () => {
    expect(check(SERVICE_WILDCARDS, roleTemplate([allow('*', '*')]))).toEqual([]);
  });
});
