import { inventoryFromTemplate } from '../../../../lib/adapters/cloudformation/inventory-from-template';
import { Baseline } from '../../../../lib/baseline/baseline';
import { PUBLIC_RESOURCE_POLICIES } from '../../../../lib/rules/aws/public-resource-policies';
import { SSO_PERMISSION_SETS } from '../../../../lib/rules/aws/sso-permission-sets';
import { UNCHECKED_RESOURCES } from '../../../../lib/rules/aws/unchecked-resources';
import { Rule } from '../../../../lib/rules/rule';
import { runRules } from '../../../../lib/rules/run-rules';

function findings(rule: Rule, resources: Record<string, unknown>) {
  const inventory = inventoryFromTemplate({ Resources: resources }, { stack: 'S' });
  return runRules(inventory, [rule], Baseline.default()).filter((f) => f.ruleId === rule.id);
}

const doc = (statement: Record<string, unknown>) => ({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: '*', ...statement }] });

describe('AWS-016: resource policies never open a resource to everyone', () => {
  const opened: Record<string, Record<string, unknown>> = {
    'S3 bucket policy, Principal "*"': { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: 'b', PolicyDocument: doc({ Principal: '*' }) } },
    'KMS key policy, {"AWS": "*"}': { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: doc({ Principal: { AWS: '*' }, Action: 'kms:*' }) } },
    'SNS topic policy': { Type: 'AWS::SNS::TopicPolicy', Properties: { Topics: ['t'], PolicyDocument: doc({ Principal: { AWS: ['*'] }, Action: 'sns:Publish' }) } },
    'SQS queue policy with an IfExists condition': { Type: 'AWS::SQS::QueuePolicy', Properties: { Queues: ['q'], PolicyDocument: doc({ Principal: '*', Action: 'sqs:*', Condition: { StringEqualsIfExists: { 'aws:SourceAccount': '111122223333' } } }) } },
    'Secrets Manager policy as a JSON string': { Type: 'AWS::SecretsManager::ResourcePolicy', Properties: { SecretId: 's', ResourcePolicy: JSON.stringify(doc({ Principal: { AWS: '*' }, Action: 'secretsmanager:GetSecretValue' })) } },
    'ECR repository policy with a wildcard-only condition': { Type: 'AWS::ECR::Repository', Properties: { RepositoryPolicyText: doc({ Principal: '*', Action: 'ecr:*', Condition: { StringLike: { 'aws:PrincipalOrgID': 'o-*' } } }) } },
    'S3 bucket delegated to access points of any account (wildcard s3:DataAccessPointAccount)': { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: 'b', PolicyDocument: doc({ Principal: { AWS: '*' }, Action: '*', Condition: { StringLike: { 's3:DataAccessPointAccount': '*' } } }) } },
    'Lambda permission, Principal "*"': { Type: 'AWS::Lambda::Permission', Properties: { FunctionName: 'f', Action: 'lambda:InvokeFunction', Principal: '*' } },
    'S3 bucket policy with NotPrincipal': { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: 'b', PolicyDocument: doc({ NotPrincipal: { AWS: 'arn:aws:iam::111122223333:root' } }) } },
    'DynamoDB table resource policy (nested PolicyDocument)': { Type: 'AWS::DynamoDB::Table', Properties: { KeySchema: [], ResourcePolicy: { PolicyDocument: doc({ Principal: '*', Action: 'dynamodb:GetItem' }) } } },
    'Kinesis stream resource policy as a JSON string': { Type: 'AWS::Kinesis::ResourcePolicy', Properties: { ResourceArn: 'arn:aws:kinesis:eu-west-1:111122223333:stream/s', ResourcePolicy: JSON.stringify(doc({ Principal: { AWS: '*' }, Action: 'kinesis:GetRecords' })) } },
    'EventBridge bus Policy': { Type: 'AWS::Events::EventBus', Properties: { Name: 'bus', Policy: doc({ Principal: '*', Action: 'events:PutEvents' }) } },
    'EventBridge bus policy, one Statement': { Type: 'AWS::Events::EventBusPolicy', Properties: { StatementId: 's', Statement: { Effect: 'Allow', Principal: { AWS: '*' }, Action: 'events:PutEvents', Resource: '*' } } },
    'EventBridge bus policy, older form (Principal "*", no Condition)': { Type: 'AWS::Events::EventBusPolicy', Properties: { StatementId: 's', Action: 'events:PutEvents', Principal: '*' } },
    'CloudWatch Logs resource policy as a JSON string': { Type: 'AWS::Logs::ResourcePolicy', Properties: { PolicyName: 'p', PolicyDocument: JSON.stringify(doc({ Principal: '*', Action: 'logs:PutLogEvents' })) } },
    'Backup vault access policy': { Type: 'AWS::Backup::BackupVault', Properties: { BackupVaultName: 'v', AccessPolicy: doc({ Principal: { AWS: '*' }, Action: 'backup:CopyIntoBackupVault' }) } },
  };
  for (const [name, resource] of Object.entries(opened)) {
    test(`${name}: an error`, () => {
      expect(findings(PUBLIC_RESOURCE_POLICIES, { R: resource })).toEqual([expect.objectContaining({ severity: 'error', resource: 'R' })]);
    });
  }

  const closed: Record<string, Record<string, unknown>> = {
    'a named account': { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: 'b', PolicyDocument: doc({ Principal: { AWS: 'arn:aws:iam::111122223333:root' } }) } },
    'Principal "*" with an exact aws:PrincipalOrgID': { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: 'b', PolicyDocument: doc({ Principal: '*', Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123def4' } } }) } },
    'a bucket delegated to its own account\'s access points (AWS\'s documented pattern)': { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: 'b', PolicyDocument: doc({ Principal: { AWS: '*' }, Action: '*', Condition: { StringEquals: { 's3:DataAccessPointAccount': { Ref: 'AWS::AccountId' } } } }) } },
    'a Deny of everyone (insecure transport)': { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: 'b', PolicyDocument: { Statement: [{ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }] } } },
    'a Lambda permission for a service with SourceArn': { Type: 'AWS::Lambda::Permission', Properties: { FunctionName: 'f', Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceArn: 'arn:aws:s3:::b' } },
    'a Lambda permission for "*" scoped by SourceAccount': { Type: 'AWS::Lambda::Permission', Properties: { FunctionName: 'f', Action: 'lambda:InvokeFunction', Principal: '*', SourceAccount: '111122223333' } },
    'an EventBridge bus policy, older form, held to one organization': { Type: 'AWS::Events::EventBusPolicy', Properties: { StatementId: 's', Action: 'events:PutEvents', Principal: '*', Condition: { Type: 'StringEquals', Key: 'aws:PrincipalOrgID', Value: 'o-abc123def4' } } },
    'a CloudWatch Logs resource policy for a service, held to the account': { Type: 'AWS::Logs::ResourcePolicy', Properties: { PolicyName: 'p', PolicyDocument: JSON.stringify(doc({ Principal: { Service: 'delivery.logs.amazonaws.com' }, Action: 'logs:PutLogEvents', Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } } })) } },
    'a backup vault policy denying everyone deletes (vault lock pattern)': { Type: 'AWS::Backup::BackupVault', Properties: { BackupVaultName: 'v', AccessPolicy: { Statement: [{ Effect: 'Deny', Principal: '*', Action: 'backup:DeleteRecoveryPoint', Resource: '*' }] } } },
    'a DynamoDB table shared with one named account': { Type: 'AWS::DynamoDB::Table', Properties: { KeySchema: [], ResourcePolicy: { PolicyDocument: doc({ Principal: { AWS: 'arn:aws:iam::444455556666:root' }, Action: 'dynamodb:GetItem' }) } } },
  };
  for (const [name, resource] of Object.entries(closed)) {
    test(`${name}: no finding`, () => {
      expect(findings(PUBLIC_RESOURCE_POLICIES, { R: resource })).toEqual([]);
    });
  }
});

describe('AWS-017: SSO permission sets are not administrators', () => {
  test('AdministratorAccess, or an inline admin policy: an error', () => {
    const admin = findings(SSO_PERMISSION_SETS, {
      P: { Type: 'AWS::SSO::PermissionSet', Properties: { InstanceArn: 'i', Name: 'n', ManagedPolicies: ['arn:aws:iam::aws:policy/AdministratorAccess'] } },
      Q: { Type: 'AWS::SSO::PermissionSet', Properties: { InstanceArn: 'i', Name: 'm', InlinePolicy: { Statement: [{ Effect: 'Allow', Action: 'iam:*', Resource: '*' }] } } },
    });
    expect(admin.map((f) => f.resource).sort()).toEqual(['P', 'Q']);
  });

  test('a read-only permission set: no finding', () => {
    expect(findings(SSO_PERMISSION_SETS, {
      P: { Type: 'AWS::SSO::PermissionSet', Properties: { InstanceArn: 'i', Name: 'n', ManagedPolicies: ['arn:aws:iam::aws:policy/ReadOnlyAccess'], InlinePolicy: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::b/*' }] } } },
    })).toEqual([]);
  });
});

describe('AWS-018: what the checks cannot see is said, as a warning', () => {
  test('a custom resource and an instance profile for an external role', () => {
    const out = findings(UNCHECKED_RESOURCES, {
      C: { Type: 'Custom::Anything', Properties: { ServiceToken: 'arn:aws:lambda:eu-west-1:111122223333:function:f' } },
      P: { Type: 'AWS::IAM::InstanceProfile', Properties: { Roles: ['ExternalAdminRole'] } },
    });
    expect(out.map((f) => [f.resource, f.severity])).toEqual([['C', 'warning'], ['P', 'warning']]);
  });

  test('an instance profile for a role of the template: no finding', () => {
    expect(findings(UNCHECKED_RESOURCES, {
      R: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] } } },
      P: { Type: 'AWS::IAM::InstanceProfile', Properties: { Roles: [{ Ref: 'R' }] } },
    })).toEqual([]);
  });
});
