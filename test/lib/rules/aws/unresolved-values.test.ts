import * as path from 'path';
import { inventoryFromTemplate } from '../../../../lib/adapters/cloudformation/inventory-from-template';
import { readTemplateFile } from '../../../../lib/adapters/cloudformation/read-template-file';
import { Baseline } from '../../../../lib/baseline/baseline';
import { findingId, runRules } from '../../../../lib/rules';
import { UNRESOLVED_VALUES } from '../../../../lib/rules/aws/unresolved-values';
import { check, roleTemplate } from '../../../fixtures/cfn/rule-harness';

describe('AWS-014: IAM values that cannot be resolved are reported (fail closed)', () => {
  test('compliant: literals, same-template references and pseudo parameters', () => {
    expect(check(UNRESOLVED_VALUES, roleTemplate([
      { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}/x/*' } },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['Queue', 'Arn'] } },
    ], {}, { Bucket: { Type: 'AWS::S3::Bucket' }, Queue: { Type: 'AWS::SQS::Queue' } }))).toEqual([]);
  });

  test('non-compliant: a parameter without default, Fn::ImportValue, an undecidable Fn::If, an unknown AWS-managed policy', () => {
    const file = path.join(__dirname, '../../../fixtures/cfn/unresolved.yaml');
    const findings = runRules(inventoryFromTemplate(readTemplateFile(file), { stack: 'S', file }), [UNRESOLVED_VALUES], Baseline.default());
    expect(findings.map(findingId)).toEqual(['AWS-014[MaxSessionDuration]', 'AWS-014[Policies[0]]', 'AWS-014[ManagedPolicyArns[1]]', 'AWS-014[ManagedPolicyArns[2]]']);
    expect(findings.every((f) => f.resource === 'AdminRole' && f.file === file)).toBe(true);
    // The parameter names only the resource of an Allow (iam:PassRole's role): chosen where it is deployed, a warning here;
    // AWS-005 and AWS-004 still judge the PassRole of an unknown role.
    // An attached policy ARN by import is an external policy whose grants are unknown (a warning); an AWS-managed ARN the data lacks stays an error.
    expect(findings.map((f) => f.severity)).toEqual(['error', 'warning', 'warning', 'error']);
    expect(findings[2].message).toBe('AdminRole Properties.ManagedPolicyArns[1]: a policy ARN from Fn::ImportValue SharedPolicyArn, not known before deploy: an external policy, its grants are unknown '
      + '(it could also be an AWS-managed policy, which cannot then be checked against the managed-policy data).');
    expect(findings.map((f) => findingId(f)).join()).not.toContain('::');
  });
});

describe('AWS-014: a value chosen outside the template that only names resources', () => {
  const template = (statement: Record<string, unknown>) => ({
    Parameters: { TableArn: { Type: 'String' } },
    Resources: { R: { Type: 'AWS::IAM::Role', Properties: {
      AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
      Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [statement] } }],
    } } },
  });
  const severities = (statement: Record<string, unknown>, baseline = Baseline.default()) =>
    runRules(inventoryFromTemplate(template(statement), { stack: 'S' }), [UNRESOLVED_VALUES], baseline).map((f) => f.severity);

  test('compliant (a warning): an import or a parameter without default as the Resource of an Allow names a resource reviewed where it is defined', () => {
    expect(severities({ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: { 'Fn::ImportValue': 'shared-TableArn' } })).toEqual(['warning']);
    expect(severities({ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: { 'Fn::Sub': '${TableArn}/index/*' } })).toEqual(['warning']);
  });

  test('non-compliant: the same value as an action, in a condition or in a Deny is an error; so is any with aws.unresolvedReferences: error', () => {
    expect(severities({ Effect: 'Allow', Action: { 'Fn::ImportValue': 'shared-Action' }, Resource: 'arn:aws:dynamodb:eu-west-1:111122223333:table/t' })).toEqual(['error']);
    expect(severities({ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: '*', Condition: { StringEquals: { 'aws:ResourceTag/t': { 'Fn::ImportValue': 'tag' } } } })).toEqual(['error']);
    expect(severities({ Effect: 'Deny', Action: 'dynamodb:*', Resource: { 'Fn::ImportValue': 'shared-TableArn' } })).toEqual(['error']);
    const strict = Baseline.fromObject({ id: 'strict', version: '1.0.0', aws: { unresolvedReferences: 'error' } });
    expect(severities({ Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: { 'Fn::ImportValue': 'shared-TableArn' } }, strict)).toEqual(['error']);
  });
});

describe('AWS-014: an attached policy ARN the template leaves open is an external policy, like a literal one', () => {
  const ACCOUNT_POLICY = 'arn:aws:iam::123456789012:policy/shared-readers';
  const role = (arn: unknown) => ({
    Parameters: { PolicyArn: { Type: 'String' }, PolicyName: { Type: 'String' } },
    Resources: { R: { Type: 'AWS::IAM::Role', Properties: {
      AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
      ManagedPolicyArns: [arn],
    } } },
  });
  const judged = (arn: unknown, baseline = Baseline.default()) =>
    runRules(inventoryFromTemplate(role(arn), { stack: 'S' }), [UNRESOLVED_VALUES], baseline).map((f) => [f.severity, f.message]);
  const strict = Baseline.fromObject({ id: 'strict', version: '1.0.0', aws: { unresolvedReferences: 'error' } });

  test('an import, a parameter without default, a Sub of one, and a literal external ARN: the same warning', () => {
    for (const arn of [{ 'Fn::ImportValue': 'shared-PolicyArn' }, { Ref: 'PolicyArn' }, { 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/${PolicyName}' }, ACCOUNT_POLICY]) {
      expect(judged(arn)).toEqual([['warning', expect.stringMatching(/its grants are unknown/)]]);
    }
  });

  test('an open value that could be an AWS-managed ARN says it cannot be checked against the data; one in this account\'s namespace does not', () => {
    expect(judged({ 'Fn::ImportValue': 'shared-PolicyArn' })[0][1]).toMatch(/could also be an AWS-managed policy, which cannot then be checked against the managed-policy data/);
    expect(judged({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::aws:policy/${PolicyName}' })[0][1]).toMatch(/could also be an AWS-managed policy/);
    expect(judged({ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/${PolicyName}' })[0][1]).not.toMatch(/AWS-managed/);
  });

  test('attack: the baseline switch makes every one an error, and a resolved AWS-managed ARN missing from the data stays an error', () => {
    for (const arn of [{ 'Fn::ImportValue': 'shared-PolicyArn' }, { Ref: 'PolicyArn' }, ACCOUNT_POLICY]) expect(judged(arn, strict).map(([s]) => s)).toEqual(['error']);
    expect(judged('arn:aws:iam::aws:policy/AdministratorAcces')).toEqual([['error', expect.stringMatching(/not in the AWS-managed policy data/)]]);
  });
});
