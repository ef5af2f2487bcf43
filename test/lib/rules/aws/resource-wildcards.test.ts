import { Baseline } from '../../../../lib/baseline/baseline';
import { RESOURCE_WILDCARDS } from '../../../../lib/rules/aws/resource-wildcards';
import { check, ids, roleTemplate } from '../../../fixtures/cfn/rule-harness';

describe('AWS-003: Resource "*" only for actions that support no resource type', () => {
  test('compliant: X-Ray, cloudwatch:PutMetricData with a namespace condition, sts:GetCallerIdentity on *', () => {
    expect(check(RESOURCE_WILDCARDS, roleTemplate([
      { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'sts:GetCallerIdentity'], Resource: '*' },
      { Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'Agents' } } },
    ]))).toEqual([]);
  });

  test('compliant: scoped actions on ARNs (prefix ARNs too), AWS-managed AWSLambdaBasicExecutionRole', () => {
    expect(check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/prefix/*' }], {
      ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    }))).toEqual([]);
  });

  test('non-compliant: data reads and writes on *, one finding per statement naming them', () => {
    const f = check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: ['s3:GetObject', 'xray:PutTraceSegments', 'dynamodb:Query', 'sns:Publish'], Resource: ['*'] }]));
    expect(ids(f)).toEqual(['AWS-003[dynamodb:Query,s3:GetObject,sns:Publish]@Role']);
    expect(f[0].message).toMatch(/on "\*", reaching every resource of their types/);
  });

  test('non-compliant: a pattern on * that expands to writes on resources', () => {
    expect(ids(check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: 'xray:*', Resource: '*' }])))).toEqual([expect.stringMatching(/^AWS-003\[xray:.*\]@Role$/)]);
  });

  test('non-compliant: kms:Encrypt on every key of another account (an account-wide ARN, not "*")', () => {
    const f = check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: 'arn:aws:kms:us-west-2:444455556666:key/*' }]));
    expect(ids(f)).toEqual(['AWS-003[kms:Encrypt]@Role']);
  });

  test('compliant: a prefix of names (log-group:/aws/lambda/*, role/cdk-*) is not every resource of the type', () => {
    expect(check(RESOURCE_WILDCARDS, roleTemplate([
      { Effect: 'Allow', Action: 'logs:PutRetentionPolicy', Resource: 'arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/*' },
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: 'arn:aws:iam::111122223333:role/cdk-*' },
    ]))).toEqual([]);
  });

  test('warning only: metadata reads on *', () => {
    const f = check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: ['cloudformation:DescribeStacks', 'iam:GetRole', 'cloudwatch:GetMetricData'], Resource: '*' }]));
    expect(f.map((x) => [x.detail, x.severity])).toEqual([['iam:GetRole', 'warning']]);
  });

  test('an action the AWS list does not know, on *, is a warning', () => {
    const f = check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: 's3:GetObjekt', Resource: '*' }]));
    expect(f).toEqual([expect.objectContaining({ detail: 's3:GetObjekt', severity: 'warning' })]);
  });
});

describe('AWS-003: what "*" widens, and conditions that narrow', () => {
  test('compliant: an optional-only resource type (cloudwatch:PutMetricData), actions AWS bounds (iam:CreateServiceLinkedRole, iam:ChangePassword)', () => {
    expect(check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: ['cloudwatch:PutMetricData', 'iam:CreateServiceLinkedRole', 'iam:ChangePassword'], Resource: '*' }]))).toEqual([]);
  });

  test('compliant: conditions that narrow in IAM semantics (kms:ViaService, aws:ResourceTag, an exact aws:ResourceAccount, the action\'s own key)', () => {
    expect(check(RESOURCE_WILDCARDS, roleTemplate([
      { Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', Condition: { StringEquals: { 'kms:ViaService': 'sqs.eu-west-1.amazonaws.com' } } },
      { Effect: 'Allow', Action: 'ec2:TerminateInstances', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/team': 'data' } } },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:ResourceAccount': '111122223333' } } },
      { Effect: 'Allow', Action: 'ssm:PutParameter', Resource: '*', Condition: { StringEquals: { 'ssm:Overwrite': 'false' } } },
    ]))).toEqual([]);
  });

  test('non-compliant: conditions that narrow nothing (StringLike "*", IfExists on an absent key, ForAllValues, a negated operator)', () => {
    const conditions = [
      { StringLike: { 'aws:ResourceTag/team': '*' } },
      { StringEqualsIfExists: { 'aws:ResourceTag/team': 'data' } },
      { 'ForAllValues:StringEquals': { 'aws:ResourceTag/team': 'data' } },
      { StringNotEquals: { 'aws:ResourceTag/team': 'other' } },
      { StringLike: { 'kms:ViaService': '*.amazonaws.com' } },
      { StringLike: { 'aws:ResourceAccount': '1*' } },
    ];
    for (const Condition of conditions) {
      expect(ids(check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: 'kms:Encrypt', Resource: '*', Condition }])))).toEqual(['AWS-003[kms:Encrypt]@Role']);
    }
  });

  test('strict baseline: reads on * are errors too', () => {
    const strict = Baseline.fromObject({ id: 'strict', version: '1.0.0', aws: { wildcards: 'strict' } });
    expect(ids(check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: 'iam:GetRole', Resource: '*' }]), strict))).toEqual(['AWS-003[iam:GetRole]@Role']);
  });
});
