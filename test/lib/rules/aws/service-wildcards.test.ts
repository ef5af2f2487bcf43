import fc from 'fast-check';
import { awsActions } from '../../../../lib/aws/action-catalog';
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

describe('AWS-002: disguises, property-based', () => {
  const pool = ['s3', 'iam', 'sts', 'ec2', 'lambda', 'secretsmanager'].flatMap((s) => [...awsActions().actionsOf(s)!.values()].map((a) => a.action));
  const action = fc.constantFrom(...pool);
  const recase = (s: string, flips: boolean[]) => [...s].map((c, i) => (flips[i % flips.length] ? c.toUpperCase() : c.toLowerCase())).join('');

  test('an exact action in any case is never flagged', () => {
    fc.assert(fc.property(action, fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), (a, flips) => {
      expect(check(SERVICE_WILDCARDS, roleTemplate([allow(recase(a, flips), 'arn:aws:s3:::b/k')]))).toEqual([]);
    }), { numRuns: 60 });
  });

  test('any `?` or trailing `*` in any case is flagged, and the message names the action it hides', () => {
    fc.assert(fc.property(action, fc.nat(), fc.boolean(), fc.array(fc.boolean(), { minLength: 1, maxLength: 8 }), (a, at, star, flips) => {
      const colon = a.indexOf(':');
      const i = colon + 1 + (at % (a.length - colon - 1));
      const pattern = recase(star ? `${a.slice(0, i)}*` : `${a.slice(0, i)}?${a.slice(i + 1)}`, flips);
      const f = check(SERVICE_WILDCARDS, roleTemplate([allow(pattern, 'arn:aws:s3:::b/k')]));
      expect(f.map((x) => x.detail)).toEqual([pattern]);
      const matched = awsActions().expand(pattern).map((x) => x.action);
      expect(matched).toContain(a);
      expect(f[0].message).toMatch(new RegExp(`matches ${matched.length} action`));
    }), { numRuns: 60 });
  });
});
