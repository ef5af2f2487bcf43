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

  test('non-compliant: scopable actions on *, named with their resource types', () => {
    const f = check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: ['s3:GetObject', 'xray:PutTraceSegments', 'dynamodb:Query'], Resource: ['*'] }]));
    expect(ids(f)).toEqual(['AWS-003[s3:GetObject]@Role', 'AWS-003[dynamodb:Query]@Role']);
    expect(f[0].message).toMatch(/grants s3:GetObject on "\*", but s3:GetObject can be scoped to resources \(accesspointobject, object/);
  });

  test('non-compliant: a pattern on * that expands to scopable actions', () => {
    expect(ids(check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: 'xray:*', Resource: '*' }])))).toEqual(['AWS-003[xray:*]@Role']);
  });

  test('an action the AWS list does not know, on *, is a warning', () => {
    const f = check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: 's3:GetObjekt', Resource: '*' }]));
    expect(f).toEqual([expect.objectContaining({ detail: 's3:GetObjekt', severity: 'warning' })]);
  });
});

describe('AWS-003: narrowing by the action\'s own condition key', () => {
  test('non-compliant: cloudwatch:PutMetricData on * without a namespace condition, or with namespace "*"', () => {
    expect(ids(check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*' }])))).toEqual(['AWS-003[cloudwatch:PutMetricData]@Role']);
    expect(ids(check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringLike: { 'cloudwatch:namespace': '*' } } }])))).toEqual(['AWS-003[cloudwatch:PutMetricData]@Role']);
  });

  test('a global key (aws:ResourceTag) does not count as the action\'s own narrowing', () => {
    expect(ids(check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', Condition: { StringEquals: { 'aws:ResourceAccount': '111122223333' } } }])))).toEqual(['AWS-003[s3:GetObject]@Role']);
  });
});
