import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { inventoryFromTemplate } from '../../../../lib/adapters/cloudformation/inventory-from-template';
import { expandSamTemplate } from '../../../../lib/adapters/cloudformation/sam-transform';
import { policiesDir } from '../../../../lib/baseline/baseline';
import { IamSimulator } from '../../../helpers/iam-simulator';
import { Baseline } from '../../../../lib/baseline/baseline';
import { AWS_RULES, runRules } from '../../../../lib/rules';

const SAM = 'AWS::Serverless-2016-10-31';
const fn = (props: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  Transform: SAM,
  Resources: { Fn: { Type: 'AWS::Serverless::Function', Properties: { Runtime: 'python3.12', Handler: 'a.h', CodeUri: 'a/', ...props } }, ...extra },
});
const inv = (t: unknown) => inventoryFromTemplate(t, { stack: 's' });
/** Names of the policies attached to the role SAM generates for `Fn`, and what stays unseen. */
function roleOf(t: unknown): { policies: string[]; unseen: string[] } {
  const i = inv(t);
  return {
    policies: i.policies.filter((p) => p.attachedTo.includes('aws:s/FnRole')).map((p) => p.name ?? p.id).sort(),
    unseen: i.unresolved.map((u) => `${u.source.resource} ${u.severity ?? 'error'} ${u.what}`),
  };
}

describe('SAM templates read as SAM deploys them', () => {
  test('the policy template data matches its schema and holds the common templates', () => {
    const read = (n: string) => JSON.parse(fs.readFileSync(path.join(policiesDir(), n), 'utf8'));
    const validate = new Ajv({ allErrors: true, strict: true }).compile(read('aws-sam-policy-templates.schema.json'));
    const doc = read('aws-sam-policy-templates.json');
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    for (const name of ['DynamoDBCrudPolicy', 'S3ReadPolicy', 'SQSPollerPolicy', 'LambdaInvokePolicy', 'SSMParameterReadPolicy', 'AWSSecretsManagerGetSecretValuePolicy', 'VPCAccessPolicy']) {
      expect(doc.templates[name]).toBeDefined();
    }
  });

  test('a function without Role gets <Id>Role: Lambda trust, basic execution, X-Ray with Tracing, VPC access with VpcConfig, event-source policies', () => {
    const t = fn({ Tracing: 'Active', VpcConfig: { SubnetIds: ['s'], SecurityGroupIds: ['g'] }, Events: { Q: { Type: 'SQS', Properties: { Queue: 'arn:aws:sqs:eu-west-1:111122223333:q' } }, A: { Type: 'Api', Properties: { Path: '/', Method: 'get' } } } });
    expect(roleOf(t)).toEqual({
      policies: ['AWSXrayWriteOnlyAccess', 'service-role/AWSLambdaBasicExecutionRole', 'service-role/AWSLambdaSQSQueueExecutionRole', 'service-role/AWSLambdaVPCAccessExecutionRole'],
      unseen: [],
    });
    const role = inv(t).identities.find((i) => i.id === 'aws:s/FnRole')!;
    expect(role.trust.map((s) => s.principals)).toEqual([['lambda.amazonaws.com']]);
  });

  test('Globals apply; a function with Role gets no role, and its Policies are ignored as SAM ignores them', () => {
    const t = { ...fn({ Role: 'arn:aws:iam::111122223333:role/given', Policies: ['AdministratorAccess'] }), Globals: { Function: { Tracing: 'Active' } } };
    expect(inv(t).identities).toEqual([]);
    const g = { ...fn({}), Globals: { Function: { Tracing: 'Active', PermissionsBoundary: 'arn:aws:iam::111122223333:policy/b' } } };
    expect(roleOf(g).policies).toEqual(['AWSXrayWriteOnlyAccess', 'service-role/AWSLambdaBasicExecutionRole']);
    expect(inv(g).identities[0].boundary).toBe('arn:aws:iam::111122223333:policy/b');
  });

  test('an unknown policy template, a template without its parameter, an unknown event source and an unknown SAM type are reported; an unknown managed name is an AWS-014 error naming it', () => {
    const t = fn({ Policies: [{ DynamoDBCrudPolicyy: { TableName: 't' } }, { S3ReadPolicy: {} }, 'AWSLambdaExecuteTypo'], Events: { X: { Type: 'SomethingNew' } } }, { W: { Type: 'AWS::Serverless::Widget' } });
    expect(roleOf(t).unseen).toHaveLength(5);
    expect(roleOf(t).unseen).toEqual(expect.arrayContaining([
      'Fn error Properties.Policies[0]: SAM policy template DynamoDBCrudPolicyy, which is not in the SAM policy template data (policies/aws-sam-policy-templates.json): a typo, or a template newer than the data',
      'Fn error Properties.Policies[1]: SAM policy template S3ReadPolicy without its parameter BucketName',
      'Fn warning Properties.Events.X: an event source of type "SomethingNew", for which SAM adds permissions to the function\'s role that this check does not read',
      'W error Type: AWS::Serverless::Widget, a SAM resource type this check does not know: what SAM generates for it is not checked',
      expect.stringMatching(/^FnRole error Properties.ManagedPolicyArns\[1\]: AWS-managed policy AWSLambdaExecuteTypo, which is not in the AWS-managed policy data/),
    ]));
  });

  test('Fn::If around policy entries: a condition the template decides keeps one branch, a deploy-time one both', () => {
    const cond = (isDev: unknown) => ({
      ...fn({ Policies: [{ 'Fn::If': ['IsDev', 'AdministratorAccess', { 'Ref': 'AWS::NoValue' }] }, { 'Fn::If': ['IsDev', { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::dev/*' }] }, { SQSPollerPolicy: { QueueName: 'q' } }] }] }),
      Parameters: { Stage: { Type: 'String', Default: 'prod', AllowedValues: ['dev', 'prod'] } },
      Conditions: { IsDev: isDev },
    });
    expect(roleOf(cond({ 'Fn::Equals': ['prod', 'dev'] })).policies).toEqual(['FnRolePolicy1', 'service-role/AWSLambdaBasicExecutionRole']);
    expect(roleOf(cond({ 'Fn::Equals': ['dev', 'dev'] })).policies).toEqual(['AdministratorAccess', 'FnRolePolicy1', 'service-role/AWSLambdaBasicExecutionRole']);
    // Whoever deploys chooses Stage: both branches may deploy.
    expect(roleOf(cond({ 'Fn::Equals': [{ Ref: 'Stage' }, 'dev'] })).policies).toEqual(['AdministratorAccess', 'FnRolePolicy1', 'FnRolePolicy1', 'service-role/AWSLambdaBasicExecutionRole']);
  });

  test('a state machine without Role gets <Id>Role with the Step Functions trust and its policy templates', () => {
    const t = { Transform: SAM, Resources: { Sm: { Type: 'AWS::Serverless::StateMachine', Properties: { DefinitionUri: 'a.json', Policies: [{ LambdaInvokePolicy: { FunctionName: 'worker' } }] } } } };
    const i = inv(t);
    expect(i.identities.map((x) => [x.id, x.trust[0].principals[0]])).toEqual([['aws:s/SmRole', 'states.amazonaws.com']]);
    expect(i.grants.map((g) => [g.actions, g.resources])).toEqual([[['lambda:InvokeFunction'], ['arn:aws:lambda:${AWS::Region}:${AWS::AccountId}:function:worker*']]]);
  });

  test('the expanded policy templates allow the named table and bucket only (simulated)', async () => {
    const t = fn({ Policies: [{ DynamoDBCrudPolicy: { TableName: { Ref: 'Table' } } }, { S3ReadPolicy: { BucketName: 'uploads-bucket' } }] }, { Table: { Type: 'AWS::Serverless::SimpleTable' } });
    const expanded = expandSamTemplate(t).template as { Resources: Record<string, { Properties: Record<string, unknown> }> };
    // The harness reads no AWS-managed documents: SAM's basic execution policy (logs only) is left out of these requests.
    delete expanded.Resources.FnRole.Properties.ManagedPolicyArns;
    const sim = IamSimulator.fromTemplate(expanded, { account: '111122223333', region: 'eu-west-1' });
    const table = (name: string) => `arn:aws:dynamodb:eu-west-1:111122223333:table/${name}`;
    expect(await sim.decide({ role: 'FnRole', action: 'dynamodb:PutItem', resource: table('Table') })).toBe('Allowed');
    expect(await sim.decide({ role: 'FnRole', action: 'dynamodb:PutItem', resource: table('payments') })).toBe('ImplicitlyDenied');
    expect(await sim.decide({ role: 'FnRole', action: 's3:GetObject', resource: 'arn:aws:s3:::uploads-bucket/a.png' })).toBe('Allowed');
    expect(await sim.decide({ role: 'FnRole', action: 's3:GetObject', resource: 'arn:aws:s3:::payroll/a.csv' })).toBe('ImplicitlyDenied');
    expect(await sim.decide({ role: 'FnRole', action: 's3:PutObject', resource: 'arn:aws:s3:::uploads-bucket/a.png' })).toBe('ImplicitlyDenied');
  });

  describe('DeploymentPreference: the CodeDeploy service role SAM generates (samtranslator deployment_preference_collection.py)', () => {
    const pref = (p: Record<string, unknown>) => fn({ AutoPublishAlias: 'live', DeploymentPreference: { Type: 'Canary10Percent5Minutes', ...p } });
    const codeDeploy = (t: unknown) => (expandSamTemplate(t as Parameters<typeof expandSamTemplate>[0]).template as { Resources: Record<string, any> }).Resources.CodeDeployServiceRole;

    test('CodeDeployServiceRole: trusted by codedeploy.amazonaws.com only, with service-role/AWSCodeDeployRoleForLambda; no finding is an error', () => {
      const role = codeDeploy(pref({}));
      expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{ Effect: 'Allow', Principal: { Service: ['codedeploy.amazonaws.com'] }, Action: ['sts:AssumeRole'] }]);
      expect(role.Properties.ManagedPolicyArns).toEqual(['arn:aws:iam::aws:policy/service-role/AWSCodeDeployRoleForLambda']);
      const findings = runRules(inv(pref({})), AWS_RULES, Baseline.default());
      expect(findings.filter((f) => f.resource === 'CodeDeployServiceRole' && f.severity === 'error')).toEqual([]);
    });

    test('no role when the preference names its Role or is disabled (false, "false", "False"); an empty Role is no role', () => {
      expect(codeDeploy(pref({ Role: 'arn:aws:iam::111122223333:role/deployer' }))).toBeUndefined();
      for (const Enabled of [false, 'false', 'False']) expect(codeDeploy(pref({ Enabled }))).toBeUndefined();
      expect(codeDeploy(pref({ Role: '' }))).toBeDefined();
    });

    test('IAM evaluation: CodeDeploy may assume the role, a Lambda function or another account may not', async () => {
      const expanded = expandSamTemplate(pref({})).template as { Resources: Record<string, any> };
      delete expanded.Resources.CodeDeployServiceRole.Properties.ManagedPolicyArns; // the harness reads no AWS-managed documents
      delete expanded.Resources.FnRole.Properties.ManagedPolicyArns;
      const sim = IamSimulator.fromTemplate(expanded, { account: '111122223333', region: 'eu-west-1' });
      const anyAssume = [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }];
      expect(await sim.decideAssume({ role: 'CodeDeployServiceRole', principal: 'codedeploy.amazonaws.com', action: 'sts:AssumeRole' })).toBe('Allowed');
      expect(await sim.decideAssume({ role: 'CodeDeployServiceRole', principal: 'lambda.amazonaws.com', action: 'sts:AssumeRole' })).not.toBe('Allowed');
      expect(await sim.decideAssume({ role: 'CodeDeployServiceRole', principal: 'arn:aws:iam::444455556666:role/other', action: 'sts:AssumeRole', principalPolicies: anyAssume })).not.toBe('Allowed');
    });
  });
});
