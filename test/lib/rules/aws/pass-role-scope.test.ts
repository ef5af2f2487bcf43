import { PASS_ROLE_SCOPE } from '../../../../lib/rules/aws/pass-role-scope';
import { IamSimulator } from '../../../helpers/iam-simulator';
import { check, ids, roleTemplate, BROKER_TRUST } from '../../../fixtures/cfn/rule-harness';

const worker = { Type: 'AWS::IAM::Role', Properties: { RoleName: 'worker', AssumeRolePolicyDocument: BROKER_TRUST } };
const passedTo = { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } };

describe('AWS-005: iam:PassRole names role ARNs and carries iam:PassedToService', () => {
  test('compliant: PassRole on a named role (GetAtt or literal ARN) with PassedToService', async () => {
    const t = roleTemplate([
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': ['Worker', 'Arn'] }, Condition: passedTo },
      { Effect: 'Allow', Action: 'iam:passrole', Resource: 'arn:aws:iam::111122223333:role/service/worker', Condition: passedTo },
    ], {}, { Worker: worker });
    expect(check(PASS_ROLE_SCOPE, t)).toEqual([]);
    // The condition really limits where the role goes.
    const sim = IamSimulator.fromTemplate(t, { account: '111122223333', region: 'eu-west-1' });
    const arn = sim.roleArn('Worker');
    expect(await sim.decide({ role: 'Role', action: 'iam:PassRole', resource: arn, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } })).toBe('Allowed');
    expect(await sim.decide({ role: 'Role', action: 'iam:PassRole', resource: arn, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } })).toBe('ImplicitlyDenied');
  });

  test('non-compliant: PassRole on *, without PassedToService', async () => {
    const statement = { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' };
    const f = check(PASS_ROLE_SCOPE, roleTemplate([statement]));
    expect(ids(f)).toEqual(['AWS-005[iam:PassRole]@Role']);
    expect(f[0].message).toMatch(/on "\*", which is not an exact role ARN and without an iam:PassedToService condition/);
    const sim = IamSimulator.fromTemplate(roleTemplate([statement]), { account: '111122223333', region: 'eu-west-1' });
    expect(await sim.decide({ role: 'Role', action: 'iam:PassRole', resource: 'arn:aws:iam::111122223333:role/admin', context: { 'iam:PassedToService': 'ec2.amazonaws.com' } })).toBe('Allowed');
  });

  test('non-compliant: PassRole through a pattern, a role-name wildcard, or PassedToService "*"', () => {
    expect(ids(check(PASS_ROLE_SCOPE, roleTemplate([{ Effect: 'Allow', Action: 'iam:Pass*', Resource: 'arn:aws:iam::1:role/worker', Condition: passedTo }])))).toEqual([]);
    expect(ids(check(PASS_ROLE_SCOPE, roleTemplate([{ Effect: 'Allow', Action: 'iam:Pass*', Resource: 'arn:aws:iam::1:role/worker' }])))).toEqual(['AWS-005[iam:PassRole]@Role']);
    expect(check(PASS_ROLE_SCOPE, roleTemplate([{ Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::1:role/agent-*', Condition: passedTo }]))[0].message).toMatch(/agent-\*", which is not an exact role ARN/);
    expect(check(PASS_ROLE_SCOPE, roleTemplate([{ Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::1:role/w', Condition: { StringLike: { 'iam:PassedToService': '*' } } }]))[0].message).toMatch(/condition that narrows nothing/);
  });

  test('severity by effect: any role to any service is an error; a named role, or any role to one named service, is a warning', () => {
    const sev = (statement: Record<string, unknown>) => check(PASS_ROLE_SCOPE, roleTemplate([{ Effect: 'Allow', Action: 'iam:PassRole', ...statement }])).map((f) => f.severity);
    expect(sev({ Resource: 'arn:aws:iam::1:role/w' })).toEqual(['warning']);
    expect(sev({ Resource: '*', Condition: { StringEquals: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } })).toEqual(['warning']);
    // IfExists admits a request without the key: it narrows nothing (CDK's EcsDeployAction writes it this way).
    expect(sev({ Resource: '*', Condition: { StringEqualsIfExists: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } } })).toEqual(['error']);
    expect(sev({ Resource: 'arn:aws:iam::*:role/aws-service-role/lex.amazonaws.com/AWSServiceRoleForLexBots' })).toEqual(['warning']);
  });

  test('non-compliant: PassRole reached through NotAction', () => {
    expect(ids(check(PASS_ROLE_SCOPE, roleTemplate([{ Effect: 'Allow', NotAction: 's3:*', Resource: 'arn:aws:iam::1:role/w' }])))).toEqual(['AWS-005[iam:PassRole]@Role']);
  });

  test('a statement without PassRole is not concerned', () => {
    expect(check(PASS_ROLE_SCOPE, roleTemplate([{ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' }]))).toEqual([]);
  });
});
