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
    expect(findings.every((f) => f.resource === 'AdminRole' && f.severity === 'error' && f.file === file)).toBe(true);
    expect(findings[2].message).toBe('AdminRole Properties.ManagedPolicyArns[1]: Fn::ImportValue SharedPolicyArn.');
    expect(findings.map((f) => findingId(f)).join()).not.toContain('::');
  });
});
