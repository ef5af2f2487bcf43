import * as path from 'path';
import { inventoryFromTemplate } from '../../../../lib/adapters/cloudformation/inventory-from-template';
import { readTemplateFile } from '../../../../lib/adapters/cloudformation/read-template-file';
import { Baseline } from '../../../../lib/baseline/baseline';
import { runRules } from '../../../../lib/rules';
import { ADMIN_ACCESS } from '../../../../lib/rules/aws/admin-access';
import { IamSimulator } from '../../../helpers/iam-simulator';
import { check, ids, roleTemplate } from '../../../fixtures/cfn/rule-harness';

const ADMIN_JOIN = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/AdministratorAccess']] };

describe('AWS-001: no Allow of * on *, in any form', () => {
  test('compliant: the least-privilege fixture (specific ARNs, wildcard-only actions on *, an unattached broad policy)', () => {
    const file = path.join(__dirname, '../../../fixtures/cfn/least-privilege.json');
    const inv = inventoryFromTemplate(readTemplateFile(file), { stack: 'S' });
    expect(runRules(inv, [ADMIN_ACCESS], Baseline.default())).toEqual([]);
  });

  test('compliant: specific actions on specific resources', () => {
    expect(check(ADMIN_ACCESS, roleTemplate([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/prefix/*' }]))).toEqual([]);
  });

  test('non-compliant: literal * on *, also with a condition, also as "*:*"', () => {
    const f = check(ADMIN_ACCESS, roleTemplate([
      { Effect: 'Allow', Action: '*', Resource: '*' },
      { Effect: 'Allow', Action: ['*:*'], Resource: ['*'], Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } },
    ]));
    expect(ids(f)).toEqual(['AWS-001[*]@Role', 'AWS-001[*]@Role']);
    expect(f[0]).toMatchObject({ severity: 'error', hard: true, message: expect.stringMatching(/policy .*tool, statement 0 grants Role administrator access/) });
  });

  test('non-compliant: NotAction with a tiny exclusion list on *', async () => {
    const statement = { Effect: 'Allow', NotAction: ['iam:*', 'organizations:*'], Resource: '*' };
    expect(ids(check(ADMIN_ACCESS, roleTemplate([statement])))).toEqual(['AWS-001[NotAction]@Role']);
    // The simulator agrees that this is admin in all but name.
    const sim = IamSimulator.fromTemplate(roleTemplate([statement]), { account: '111122223333', region: 'eu-west-1' });
    expect(await sim.decide({ role: 'Role', action: 's3:DeleteBucket', resource: 'arn:aws:s3:::any-bucket' })).toBe('Allowed');
    expect(await sim.decide({ role: 'Role', action: 'dynamodb:DeleteTable', resource: 'arn:aws:dynamodb:eu-west-1:111122223333:table/orders' })).toBe('Allowed');
    expect(await sim.decide({ role: 'Role', action: 'iam:PutRolePolicy', resource: 'arn:aws:iam::111122223333:role/x' })).toBe('ImplicitlyDenied');
  });

  test('non-compliant: "*" on a Resource that names every ARN (arn:*, arn:aws:*:*:*:*, the partition by Fn::Sub) is admin, one finding', async () => {
    for (const resource of ['arn:*', 'arn:aws:*:*:*:*', { 'Fn::Sub': 'arn:${AWS::Partition}:*:*:*:*' }]) {
      expect(ids(check(ADMIN_ACCESS, roleTemplate([{ Effect: 'Allow', Action: '*', Resource: resource }])))).toEqual(['AWS-001[*]@Role']);
    }
    // Narrower ARN patterns are not admin (other rules judge them).
    expect(check(ADMIN_ACCESS, roleTemplate([{ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::*' }]))).toEqual([]);
    // The simulator agrees: every permission change and every data store, as with Resource "*".
    const sim = IamSimulator.fromTemplate(roleTemplate([{ Effect: 'Allow', Action: '*', Resource: 'arn:aws:*:*:*:*' }]), { account: '111122223333', region: 'eu-west-1' });
    expect(await sim.decide({ role: 'Role', action: 'iam:AttachRolePolicy', resource: 'arn:aws:iam::111122223333:role/admin' })).toBe('Allowed');
    expect(await sim.decide({ role: 'Role', action: 's3:DeleteBucket', resource: 'arn:aws:s3:::any-bucket' })).toBe('Allowed');
    expect(await sim.decide({ role: 'Role', action: 'dynamodb:DeleteTable', resource: 'arn:aws:dynamodb:eu-west-1:111122223333:table/orders' })).toBe('Allowed');
  });

  test('compliant: NotAction that excludes most of AWS is not admin (AWS-002 still reports NotAction)', () => {
    expect(check(ADMIN_ACCESS, roleTemplate([{ Effect: 'Allow', NotAction: ['ec2:*', 's3:*', 'iam:*', 'sagemaker:*', 'glue:*', 'rds:*', 'lambda:*', 'cloudformation:*', 'ssm:*', 'quicksight:*', 'connect:*', 'chime:*', 'iot:*', 'elasticmapreduce:*', 'redshift:*', 'cloudwatch:*', 'logs:*', 'dynamodb:*', 'kms:*', 'sts:*'].concat(['a*', 'b*', 'c*', 'd*', 'e*', 'g*', 'm*', 'q*', 's*', 'w*', 'l*', 'r*', 'i*', 'f*', 'o*', 'p*', 't*']).map((p) => (p.includes(':') ? p : `${p}:*`)), Resource: '*' }]))).toEqual([]);
  }, 20000);

  test('non-compliant: AWS-managed AdministratorAccess by literal ARN, Fn::Join and Fn::Sub; PowerUserAccess', () => {
    for (const arn of ['arn:aws:iam::aws:policy/AdministratorAccess', ADMIN_JOIN, { 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/AdministratorAccess' }]) {
      const f = check(ADMIN_ACCESS, roleTemplate([], { ManagedPolicyArns: [arn] }));
      expect(ids(f)).toEqual(['AWS-001[AdministratorAccess]@Role']);
      expect(f[0].fix).toMatch(/Detach AdministratorAccess from Role/);
    }
    expect(ids(check(ADMIN_ACCESS, roleTemplate([], { ManagedPolicyArns: ['arn:aws:iam::aws:policy/PowerUserAccess'] })))).toEqual(['AWS-001[PowerUserAccess]@Role']);
  });

  test('non-compliant: a boundary that is itself admin (AWS-managed or customer-managed); unattached is fine', () => {
    expect(ids(check(ADMIN_ACCESS, roleTemplate([], { PermissionsBoundary: ADMIN_JOIN })))).toEqual(['AWS-001[boundary]@Role']);
    const broad = { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } } };
    expect(ids(check(ADMIN_ACCESS, roleTemplate([], { PermissionsBoundary: { Ref: 'B' } }, { B: broad })))).toEqual(['AWS-001[boundary]@B']);
    expect(check(ADMIN_ACCESS, roleTemplate([], {}, { B: broad }))).toEqual([]);
  });

  test('non-compliant: an admin managed policy attached through AWS::IAM::Policy Roles', () => {
    const t = roleTemplate([], {}, { P: { Type: 'AWS::IAM::Policy', Properties: { PolicyName: 'p', Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } } } });
    expect(ids(check(ADMIN_ACCESS, t))).toEqual(['AWS-001[*]@P']);
  });

  test('non-compliant: AdministratorAccess hidden behind a parameter default; without a default it is AWS-014\'s external-policy warning, naming that it could be AWS-managed', () => {
    const t = (param: Record<string, unknown>) => ({ ...roleTemplate([], { ManagedPolicyArns: [{ Ref: 'PolicyArn' }] }), Parameters: { PolicyArn: { Type: 'String', ...param } } });
    expect(ids(check(ADMIN_ACCESS, t({ Default: 'arn:aws:iam::aws:policy/AdministratorAccess' })))).toEqual(['AWS-001[AdministratorAccess]@Role']);
    const inv = inventoryFromTemplate(t({}), { stack: 'S' });
    expect(runRules(inv, [ADMIN_ACCESS], Baseline.default())).toEqual([]);
    expect(inv.unresolved.map((u) => [u.what, u.severity])).toEqual([['Properties.ManagedPolicyArns[0]: a policy ARN from Ref PolicyArn, a parameter without a default, not known before deploy: '
      + 'an external policy, its grants are unknown (it could also be an AWS-managed policy, which cannot then be checked against the managed-policy data)', 'warning']]);
  });
});
