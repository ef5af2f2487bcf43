import { IamSimulator } from '../../helpers/iam-simulator';

const ACCOUNT = '333333333333';
const template = {
  Resources: {
    Boundary: {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: {
        Path: '/agent-guardrails/',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: ['s3:GetObject', 'ecs:UpdateService'], Resource: '*' },
            {
              Effect: 'Deny', Action: '*', Resource: '*',
              Condition: { 'StringNotEquals': { 'aws:ResourceTag/env': 'prod' }, 'Null': { 'aws:ResourceTag/env': 'false' } },
            },
          ],
        },
      },
    },
    Role: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Version: '2012-10-17',
          Statement: [{
            Effect: 'Allow', Action: 'sts:AssumeRole',
            Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/broker` },
            Condition: { StringEquals: { 'sts:SourceIdentity': 'agent' } },
          }],
        },
        PermissionsBoundary: { Ref: 'Boundary' },
        Policies: [{
          PolicyName: 'p',
          PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':s3:::b/*']] } }, { Effect: 'Allow', Action: 'ecs:UpdateService', Resource: '*' }] },
        }],
      },
    },
  },
};

describe('IamSimulator harness', () => {
  const sim = IamSimulator.fromTemplate(template, { account: ACCOUNT, region: 'eu-west-1' });

  test('resolves intrinsics and applies identity policy and boundary', async () => {
    expect(await sim.decide({ role: 'Role', action: 's3:GetObject', resource: 'arn:aws:s3:::b/k' })).toBe('Allowed');
    expect(await sim.decide({ role: 'Role', action: 's3:PutObject', resource: 'arn:aws:s3:::b/k' })).toBe('ImplicitlyDenied');
    expect(await sim.decide({ role: 'Role', action: 's3:PutObject', resource: 'arn:aws:s3:::b/k', boundary: 'none' })).toBe('Allowed');
    expect(await sim.decide({ role: 'Role', action: 's3:GetObject', resource: 'arn:aws:s3:::c/k' })).toBe('ImplicitlyDenied');
  });

  test('tag deny applies only when the tag exists and differs', async () => {
    const service = `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/prod/checkout`;
    expect(await sim.decide({ role: 'Role', action: 'ecs:UpdateService', resource: service, resourceTags: { env: 'staging' } })).toBe('ExplicitlyDenied');
    expect(await sim.decide({ role: 'Role', action: 'ecs:UpdateService', resource: service, resourceTags: { env: 'prod' } })).toBe('Allowed');
    expect(await sim.decide({ role: 'Role', action: 'ecs:UpdateService', resource: service })).toBe('Allowed');
  });

  test('context keys the action does not support are reported, not silently dropped', async () => {
    await expect(sim.decide({ role: 'Role', action: 's3:GetObject', resource: 'arn:aws:s3:::b/k', resourceTags: { env: 'staging' } })).rejects.toThrow(/ignored context keys/);
  });

  test('trust policy decisions', async () => {
    const broker = `arn:aws:iam::${ACCOUNT}:role/broker`;
    expect(await sim.decideAssume({ role: 'Role', principal: broker, action: 'sts:AssumeRole', context: { 'sts:SourceIdentity': 'agent' } })).toBe('Allowed');
    expect(await sim.decideAssume({ role: 'Role', principal: broker, action: 'sts:AssumeRole' })).not.toBe('Allowed');
    expect(await sim.decideAssume({ role: 'Role', principal: `arn:aws:iam::${ACCOUNT}:role/other`, action: 'sts:AssumeRole', context: { 'sts:SourceIdentity': 'agent' } })).not.toBe('Allowed');
  });

  test('ARNs of template resources', () => {
    expect(sim.policyArn('Boundary')).toBe(`arn:aws:iam::${ACCOUNT}:policy/agent-guardrails/Boundary`);
    expect(sim.roleArn('Role')).toBe(`arn:aws:iam::${ACCOUNT}:role/Role`);
  });
});
