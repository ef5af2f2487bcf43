import fc from 'fast-check';
import { awsActions } from '../../../../lib/aws/action-catalog';
import { Baseline } from '../../../../lib/baseline/baseline';
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

  test('non-compliant: s3:*, iam:*Policy*, iam:Put* and odd case: one finding for the statement, naming what each reaches', () => {
    const f = check(SERVICE_WILDCARDS, roleTemplate([allow(['s3:*', 'iam:*Policy*', 'IAM:pUT*', 'iam:Pa?sRole'], '*')]));
    // iam:Pa?sRole is a plain write on "*": AWS-003 and AWS-005 judge it, not the wildcard rule.
    expect(ids(f)).toEqual(['AWS-002[s3:*,iam:*Policy*,IAM:pUT*]@Role']);
    expect(f[0].message).toMatch(/"iam:\*Policy\*" \(reaches .*permission changes: .*iam:/);
    expect(f[0].message).toMatch(/"s3:\*" \(reaches .*s3:PutBucketPolicy|"s3:\*" \(reaches .*permission changes/);
  });

  test('compliant: what CDK grant methods emit (read/list families and writes within one named bucket, table or key)', () => {
    expect(check(SERVICE_WILDCARDS, roleTemplate([
      allow(['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'], ['arn:aws:s3:::bucket', 'arn:aws:s3:::bucket/*']),
      allow(['kms:GenerateDataKey*', 'kms:ReEncrypt*', 'kms:Decrypt'], 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
      allow(['dynamodb:BatchGet*', 'dynamodb:Query', 'dynamodb:Get*', 'dynamodb:Scan', 'dynamodb:ConditionCheckItem', 'dynamodb:Describe*'],
        ['arn:aws:dynamodb:eu-west-1:111122223333:table/T', 'arn:aws:dynamodb:eu-west-1:111122223333:table/T/index/*']),
    ]))).toEqual([]);
  });

  test('warning: s3:PutObject* on objects below one bucket reaches s3:PutObjectAcl (a permission change on what it names)', () => {
    const f = check(SERVICE_WILDCARDS, roleTemplate([allow('s3:PutObject*', 'arn:aws:s3:::bucket/*')]));
    expect(ids(f)).toEqual(['AWS-002[s3:PutObject*]@Role']);
    expect(f[0].severity).toBe('warning');
    expect(f[0].message).toMatch(/s3:PutObjectAcl/);
  });

  test('non-compliant: s3:* on one named bucket reaches PutBucketPolicy; lex:* on "*" reaches deletes of every bot', () => {
    expect(ids(check(SERVICE_WILDCARDS, roleTemplate([allow('s3:*', ['arn:aws:s3:::bucket', 'arn:aws:s3:::bucket/*'])])))).toEqual(['AWS-002[s3:*]@Role']);
    const lex = check(SERVICE_WILDCARDS, roleTemplate([allow('lex:*', '*')]));
    expect(lex.map((x) => x.severity)).toEqual(['error']);
    expect(lex[0].message).toMatch(/lex:Delete/);
  });

  test('create-on-type as AWS-003 judges it: a pattern over the create and delete of the type the statement creates is no AWS-002 error', () => {
    const ec2 = (type: string) => `arn:aws:ec2:us-east-1:111122223333:${type}/*`;
    expect(check(SERVICE_WILDCARDS, roleTemplate([allow('ec2:*InstanceConnectEndpoint', ec2('instance-connect-endpoint'))]))).toEqual([]);
    expect(check(SERVICE_WILDCARDS, roleTemplate([allow(['ec2:*InstanceConnectEndpoint', 'ec2:CreateNetworkInterface'],
      [ec2('instance-connect-endpoint'), ec2('subnet'), ec2('security-group'), ec2('network-interface')])]))).toEqual([]);
  });

  test('non-compliant: the same pattern on "*", without its create, or on a type that holds data (every DB instance)', () => {
    expect(ids(check(SERVICE_WILDCARDS, roleTemplate([allow('ec2:*InstanceConnectEndpoint', '*')])))).toEqual(['AWS-002[ec2:*InstanceConnectEndpoint]@Role']);
    expect(ids(check(SERVICE_WILDCARDS, roleTemplate([allow('ec2:Delete*ConnectEndpoint', 'arn:aws:ec2:us-east-1:111122223333:instance-connect-endpoint/*')]))))
      .toEqual(['AWS-002[ec2:Delete*ConnectEndpoint]@Role']);
    const f = check(SERVICE_WILDCARDS, roleTemplate([allow('rds:*DBInstance', 'arn:aws:rds:us-east-1:111122223333:db:*')]));
    expect(ids(f)).toEqual(['AWS-002[rds:*DBInstance]@Role']);
    expect(f[0].message).toMatch(/rds:DeleteDBInstance/);
  });

  test('strict baseline (aws.wildcards: strict): every wildcard pattern is an error, as IAM5 does', () => {
    const strict = Baseline.fromObject({ id: 'strict', version: '1.0.0', aws: { wildcards: 'strict' } });
    const f = check(SERVICE_WILDCARDS, roleTemplate([allow(['s3:GetObject*', 's3:List*'], 'arn:aws:s3:::bucket/*')]), strict);
    expect(ids(f)).toEqual(['AWS-002[s3:GetObject*,s3:List*]@Role']);
    expect(f[0].severity).toBe('error');
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

  test('one finding per statement: a wildcard that reaches deletes, with NotResource, is one error naming both', () => {
    const f = check(SERVICE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: 'lex:*', NotResource: 'arn:aws:lex:us-east-1:111122223333:bot/keep' }]));
    expect(ids(f)).toEqual(['AWS-002[lex:*,NotResource]@Role']);
    expect(f[0].severity).toBe('error');
    expect(f[0].message).toMatch(/grants "lex:\*" \(reaches .*\)\. It also allows lex:\* on every resource except .* \(Allow with NotResource\)\.$/);
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

describe('AWS-002: disguises, property-based', () => {
  const pool = ['s3', 'iam', 'sts', 'ec2', 'lambda', 'secretsmanager'].flatMap((s) => [...awsActions().actionsOf(s)!.values()].map((a) => a.action));
  const action = fc.constantFrom(...pool);
  const recase = (s: string, flips: boolean[]) => [...s].map((c, i) => (flips[i % flips.length] ? c.toUpperCase() : c.toLowerCase())).join('');

  test('an exact action in any case is never flagged', () => {
    fc.assert(fc.property(action, fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), (a, flips) => {
      expect(check(SERVICE_WILDCARDS, roleTemplate([allow(recase(a, flips), 'arn:aws:s3:::b/k')]))).toEqual([]);
    }), { numRuns: 60 });
  });

  test('strict: any `?` or trailing `*` in any case is flagged, and the message names how many actions it hides', () => {
    const strict = Baseline.fromObject({ id: 'strict', version: '1.0.0', aws: { wildcards: 'strict' } });
    fc.assert(fc.property(action, fc.nat(), fc.boolean(), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), (a, at, star, flips) => {
      const colon = a.indexOf(':');
      const i = colon + 1 + (at % (a.length - colon - 1));
      const pattern = recase(star ? `${a.slice(0, i)}*` : `${a.slice(0, i)}?${a.slice(i + 1)}`, flips);
      const f = check(SERVICE_WILDCARDS, roleTemplate([allow(pattern, 'arn:aws:s3:::b/k')]), strict);
      expect(f.map((x) => x.detail)).toEqual([pattern]);
      const matched = awsActions().expand(pattern).map((x) => x.action);
      expect(matched).toContain(a);
      expect(f[0].message).toMatch(new RegExp(`matches ${matched.length} action`));
    }), { numRuns: 60 });
  });

  test('by effect: a disguised pattern (any case, `?`) that reaches a permission change is an error wherever it points', () => {
    const permissions = pool.filter((a) => awsActions().action(a)!.accessLevels.includes('Permissions management'));
    fc.assert(fc.property(fc.constantFrom(...permissions), fc.nat(), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), (a, at, flips) => {
      const colon = a.indexOf(':');
      const i = colon + 1 + (at % (a.length - colon - 1));
      const pattern = recase(`${a.slice(0, i)}?${a.slice(i + 1)}`, flips);
      const f = check(SERVICE_WILDCARDS, roleTemplate([allow(pattern, '*')]));
      expect(f.map((x) => [x.detail, x.severity])).toEqual([[pattern, 'error']]);
    }), { numRuns: 60 });
  });

  test('by effect: a pattern that expands only to list/read actions is never flagged', () => {
    const reads = pool.filter((a) => /^(List|Read)$/.test(awsActions().action(a)!.accessLevel));
    fc.assert(fc.property(fc.constantFrom(...reads), (a) => {
      const pattern = a.replace(/:(.+)$/, (_, name: string) => `:${name.slice(0, -1)}?`);
      fc.pre(awsActions().expand(pattern).every((x) => /^(List|Read)$/.test(x.accessLevel)));
      expect(check(SERVICE_WILDCARDS, roleTemplate([allow(pattern, 'arn:aws:s3:::b/k')]))).toEqual([]);
    }), { numRuns: 60 });
  });
});
