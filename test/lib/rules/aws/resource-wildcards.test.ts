import { Baseline } from '../../../../lib/baseline/baseline';
import { RESOURCE_WILDCARDS } from '../../../../lib/rules/aws/resource-wildcards';
import { check, ids, roleTemplate } from '../../../fixtures/cfn/rule-harness';
import { awsManagedPolicyDocument } from '../../../../lib/adapters/cloudformation/aws-managed-policies';
import { IamSimulator } from '../../../helpers/iam-simulator';

describe('AWS-003: Resource "*" only for actions that support no resource type', () => {
  test('compliant: X-Ray, cloudwatch:PutMetricData with a namespace condition, sts:GetCallerIdentity on *', () => {
    expect(check(RESOURCE_WILDCARDS, roleTemplate([
      { Effect: 'Allow', Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords', 'sts:GetCallerIdentity'], Resource: '*' },
      { Effect: 'Allow', Action: 'cloudwatch:PutMetricData', Resource: '*', Condition: { StringEquals: { 'cloudwatch:namespace': 'Agents' } } },
    ]))).toEqual([]);
  });

  test('compliant: scoped actions on ARNs (prefix ARNs too); AWSLambdaBasicExecutionRole\'s log appends are the only finding', () => {
    expect(check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::bucket/prefix/*' }], {
      ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole'],
    })).map((f) => [f.detail, f.severity])).toEqual([['logs:CreateLogGroup,logs:CreateLogStream,logs:PutLogEvents', 'warning']]);
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

  test('one finding per statement: a write, a read and an unknown action on * fold into one error naming each', () => {
    const f = check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: ['sns:Publish', 'iam:GetRole', 's3:GetObjekt'], Resource: '*' }]));
    expect(f.map((x) => [x.detail, x.severity])).toEqual([['sns:Publish,iam:GetRole,s3:GetObjekt', 'error']]);
    expect(f[0].message).toMatch(/grants sns:Publish on "\*".* It also grants the reads iam:GetRole .* \(a warning on its own\)\. It also grants s3:GetObjekt on "\*", which the AWS action list does not know \(a warning on its own\)\.$/);
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

describe('AWS-003: creating resources (a new resource can only be named type/*)', () => {
  const ec2 = (type: string) => `arn:aws:ec2:us-east-1:111122223333:${type}/*`;
  /** What CDK's InstanceConnectEndpoint-style custom resource writes for its provider role. */
  const endpointStatement = {
    Effect: 'Allow',
    Action: ['ec2:CreateInstanceConnectEndpoint', 'ec2:CreateNetworkInterface', 'ec2:CreateTags', 'ec2:DeleteInstanceConnectEndpoint'],
    Resource: [ec2('instance-connect-endpoint'), ec2('security-group'), ec2('subnet'), ec2('network-interface')],
  };

  test('compliant: a create on the type it creates only (its id does not exist yet)', () => {
    expect(check(RESOURCE_WILDCARDS, roleTemplate([
      { Effect: 'Allow', Action: 'ec2:CreateNetworkInterface', Resource: ec2('network-interface') },
      { Effect: 'Allow', Action: 'dynamodb:CreateTable', Resource: 'arn:aws:dynamodb:us-east-1:111122223333:table/*' },
    ]))).toEqual([]);
  });

  test('compliant: a create on an abbreviated type whose ARN names the resource by the action\'s object (rds `db:${DbInstanceName}`, `og:${OptionGroupName}`)', () => {
    const rds = (type: string) => `arn:aws:rds:us-east-1:111122223333:${type}:*`;
    expect(check(RESOURCE_WILDCARDS, roleTemplate([
      { Effect: 'Allow', Action: 'rds:CreateDBInstance', Resource: rds('db') },
      { Effect: 'Allow', Action: 'rds:CreateOptionGroup', Resource: rds('og') },
    ]))).toEqual([]);
    // created in any subnet group / option group: the same warning as any create-in
    const f = check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: 'rds:CreateDBInstance', Resource: [rds('db'), rds('subgrp'), rds('og')] }]));
    expect(f.map((x) => [x.detail, x.severity])).toEqual([['rds:CreateDBInstance', 'warning']]);
  });

  test('compliant: "a <type> of a <type>" creates the second, of the one named (rds:CreateDBSnapshot, as an AwsApi target writes it); restoring from or deleting every snapshot still fails', () => {
    const rds = (type: string) => `arn:aws:rds:us-east-1:111122223333:${type}`;
    expect(check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: 'rds:CreateDBSnapshot', Resource: [rds('db:app'), rds('snapshot:*')] }]))).toEqual([]);
    expect(check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: 'redshift:CreateClusterSnapshot', Resource: ['arn:aws:redshift:us-east-1:111122223333:cluster:app', 'arn:aws:redshift:us-east-1:111122223333:snapshot:app/*'] }]))).toEqual([]);
    expect(ids(check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: ['rds:CreateDBSnapshot', 'rds:DeleteDBSnapshot', 'rds:RestoreDBInstanceFromDBSnapshot'], Resource: [rds('db:app'), rds('snapshot:*')] }]))))
      .toEqual(['AWS-003[rds:DeleteDBSnapshot,rds:RestoreDBInstanceFromDBSnapshot]@Role']);
    // a snapshot of every DB instance: the referenced type on "*" is still judged
    expect(check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: 'rds:CreateDBSnapshot', Resource: [rds('db:*'), rds('snapshot:*')] }])).length).toBe(1);
  });

  test('non-compliant: deleting every DB instance next to its create, and a type that only shares the ARN variable (memorydb multi-region cluster)', () => {
    expect(ids(check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: ['rds:CreateDBInstance', 'rds:DeleteDBInstance'], Resource: 'arn:aws:rds:us-east-1:111122223333:db:*' }]))))
      .toEqual(['AWS-003[rds:DeleteDBInstance]@Role']);
    const f = check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: 'memorydb:CreateCluster', Resource: 'arn:aws:memorydb::111122223333:multiregioncluster/*' }]));
    expect(f.map((x) => x.severity)).toEqual(['error']);
  });

  test('warning, not error: create in any subnet / security group, delete of the type it creates, tag-on-create; one finding naming each and its fix', () => {
    const f = check(RESOURCE_WILDCARDS, roleTemplate([endpointStatement]));
    expect(f.map((x) => [x.detail, x.severity])).toEqual([['ec2:CreateInstanceConnectEndpoint,ec2:CreateNetworkInterface,ec2:CreateTags,+1', 'warning']]);
    expect(f[0].message).toMatch(/may be created in, or attached to, any security-group, subnet of the account/);
    expect(f[0].message).toMatch(/ec2:DeleteInstanceConnectEndpoint on every instance-connect-endpoint of the account, not only the ones it creates/);
    expect(f[0].message).toMatch(/ec2:CreateTags on every .* where tagging is needed only on creation/);
    expect(f[0].fix).toMatch(/aws:ResourceTag/);
    expect(f[0].fix).toMatch(/ec2:CreateAction/);
  });

  test('conditions that confine the delete and the tagging leave only the create-in warning', () => {
    const f = check(RESOURCE_WILDCARDS, roleTemplate([
      { Effect: 'Allow', Action: ['ec2:CreateInstanceConnectEndpoint'], Resource: [ec2('instance-connect-endpoint'), ec2('security-group'), ec2('subnet')] },
      { Effect: 'Allow', Action: 'ec2:CreateTags', Resource: ec2('instance-connect-endpoint'), Condition: { StringEquals: { 'ec2:CreateAction': 'CreateInstanceConnectEndpoint' } } },
      { Effect: 'Allow', Action: 'ec2:DeleteInstanceConnectEndpoint', Resource: ec2('instance-connect-endpoint'), Condition: { StringEquals: { 'aws:ResourceTag/owner': 'eic' } } },
    ]));
    expect(f.map((x) => [x.detail, x.severity])).toEqual([['ec2:CreateInstanceConnectEndpoint', 'warning']]);
  });

  test('non-compliant: the same statement on "*" is judged as any write on "*"', () => {
    const f = check(RESOURCE_WILDCARDS, roleTemplate([{ ...endpointStatement, Resource: '*' }]));
    expect(f.map((x) => x.severity)).toEqual(['error']);
  });

  test('non-compliant: a write on a referenced type (delete every subnet) stays an error, the create part named as a warning', () => {
    const f = check(RESOURCE_WILDCARDS, roleTemplate([{ ...endpointStatement, Action: [...endpointStatement.Action, 'ec2:DeleteSubnet'] }]));
    expect(ids(f)).toEqual(['AWS-003[ec2:DeleteSubnet,ec2:CreateInstanceConnectEndpoint,ec2:CreateNetworkInterface,ec2:CreateTags,+1]@Role']);
    expect(f[0].severity).toBe('error');
    expect(f[0].message).toMatch(/it also grants ec2:DeleteInstanceConnectEndpoint on every instance-connect-endpoint of the account, not only the ones it creates.* \(a warning on its own\)\./);
  });

  test('non-compliant: deleting every resource of a type that holds data stays an error, even next to its create', () => {
    for (const [actions, resource] of [
      [['dynamodb:CreateTable', 'dynamodb:DeleteTable'], 'arn:aws:dynamodb:us-east-1:111122223333:table/*'],
      [['ec2:CreateVolume', 'ec2:DeleteVolume'], ec2('volume')],
    ] as const) {
      expect(ids(check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: actions, Resource: resource }])))).toEqual([`AWS-003[${actions[1]}]@Role`]);
    }
  });

  test('non-compliant: a delete without the create, tagging alone, rules that only sound like a create', () => {
    for (const [action, resource] of [
      ['ec2:DeleteInstanceConnectEndpoint', ec2('instance-connect-endpoint')],
      ['ec2:CreateTags', ec2('subnet')],
      ['ec2:AuthorizeSecurityGroupIngress', ec2('security-group')],
      ['dynamodb:CreateTableReplica', 'arn:aws:dynamodb:us-east-1:111122223333:table/*'],
    ]) {
      expect(check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: action, Resource: resource }])).map((x) => [x.detail, x.severity])).toEqual([[action, 'error']]);
    }
  });

  test('non-compliant: catalogs win (data reads, escalation, IAM writes): ec2:CreateSnapshot, lambda:CreateFunction, iam:CreateRole', () => {
    for (const [action, resource] of [
      ['ec2:CreateSnapshot', [ec2('snapshot'), ec2('volume')]],
      ['lambda:CreateFunction', 'arn:aws:lambda:us-east-1:111122223333:function:*'],
      ['iam:CreateRole', 'arn:aws:iam::111122223333:role/*'],
    ] as const) {
      expect(check(RESOURCE_WILDCARDS, roleTemplate([{ Effect: 'Allow', Action: action, Resource: resource }])).map((x) => [x.detail, x.severity])).toEqual([[action, 'error']]);
    }
  });

  test('strict baseline: the create statement is an error', () => {
    const strict = Baseline.fromObject({ id: 'strict', version: '1.0.0', aws: { wildcards: 'strict' } });
    expect(check(RESOURCE_WILDCARDS, roleTemplate([endpointStatement]), strict).map((x) => x.severity)).toEqual(['error']);
  });
});

describe('AWS-003: log appends on every log group are judged by who holds them, inline or AWS-managed alike', () => {
  const BASIC = 'arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole';
  const APPEND = { Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: '*' };
  const agentTags = { Tags: [{ Key: 'agent-guardrails:component', Value: 'tool-identity' }, { Key: 'agent-guardrails:agent', Value: 'ops' }] };
  const brokerMetadata = { 'agent-guardrails:component': 'broker', 'agent-guardrails:agent': 'ops' };
  const judged = (template: unknown) => check(RESOURCE_WILDCARDS, template).map((f) => [f.detail, f.severity]);

  test('an ordinary role: a warning naming the narrower log-group ARN, inline and from AWSLambdaBasicExecutionRole alike', () => {
    const inline = check(RESOURCE_WILDCARDS, roleTemplate([APPEND]));
    expect(inline.map((f) => [f.detail, f.severity])).toEqual([['logs:CreateLogStream,logs:PutLogEvents', 'warning']]);
    expect(inline[0].message).toMatch(/can append to any log group of the account\.$/);
    expect(inline[0].fix).toContain('arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*');
    expect(judged(roleTemplate([], { ManagedPolicyArns: [BASIC] }))).toEqual([['logs:CreateLogGroup,logs:CreateLogStream,logs:PutLogEvents', 'warning']]);
    // On every log group of an account rather than "*": the same (creating a stream there is the create rule's: no finding).
    expect(judged(roleTemplate([{ ...APPEND, Resource: 'arn:aws:logs:eu-west-1:111122223333:log-group:*' }]))).toEqual([['logs:PutLogEvents', 'warning']]);
  });

  test('an agent\'s tool role or broker: an error, inline and from AWSLambdaBasicExecutionRole alike', () => {
    expect(judged(roleTemplate([APPEND], agentTags))).toEqual([['logs:CreateLogStream,logs:PutLogEvents', 'error']]);
    expect(judged(roleTemplate([], { ManagedPolicyArns: [BASIC], ...agentTags }))).toEqual([['logs:CreateLogGroup,logs:CreateLogStream,logs:PutLogEvents', 'error']]);
    const broker = roleTemplate([APPEND]);
    (broker.Resources as any).Role.Metadata = brokerMetadata;
    const f = check(RESOURCE_WILDCARDS, broker);
    expect(f.map((x) => x.severity)).toEqual(['error']);
    expect(f[0].message).toMatch(/forge lines in its audit logs/);
  });

  test('a customer-managed policy attached to an ordinary role and an agent role: one error', () => {
    const template = roleTemplate([], {}, {
      Tool: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [] }, ...agentTags } },
      Logs: { Type: 'AWS::IAM::ManagedPolicy', Properties: { Roles: [{ Ref: 'Role' }, { Ref: 'Tool' }], PolicyDocument: { Version: '2012-10-17', Statement: [APPEND] } } },
    });
    expect(judged(template)).toEqual([['logs:CreateLogStream,logs:PutLogEvents', 'error']]);
  });

  test('least privilege: appends on one log group and its streams pass, for an agent too', () => {
    expect(check(RESOURCE_WILDCARDS, roleTemplate([{ ...APPEND, Resource: 'arn:aws:logs:eu-west-1:111122223333:log-group:/agents/ops:*' }], agentTags))).toEqual([]);
  });

  test('only log appends: other log writes on "*" stay errors for an ordinary role; other AWS-managed grants are not this rule\'s', () => {
    expect(judged(roleTemplate([{ Effect: 'Allow', Action: ['logs:PutLogEvents', 'logs:DeleteLogGroup', 'logs:PutSubscriptionFilter'], Resource: '*' }])))
      .toEqual([['logs:DeleteLogGroup,logs:PutSubscriptionFilter,logs:PutLogEvents', 'error']]);
    expect(check(RESOURCE_WILDCARDS, roleTemplate([], { ManagedPolicyArns: ['arn:aws:iam::aws:policy/AmazonS3FullAccess'] }))).toEqual([]);
  });

  test('IAM evaluation: AWSLambdaBasicExecutionRole appends to an audit log group; the named ARN the message suggests does not', async () => {
    const template = roleTemplate([]);
    const sim = IamSimulator.fromTemplate(template, { account: '111122223333', region: 'eu-west-1' });
    const audit = 'arn:aws:logs:eu-west-1:111122223333:log-group:/security/audit:log-stream:forged';
    const basic = awsManagedPolicyDocument('service-role/AWSLambdaBasicExecutionRole');
    expect(await sim.decide({ role: 'Role', action: 'logs:PutLogEvents', resource: audit, extraPolicies: [basic] })).toBe('Allowed');
    const named = { Version: '2012-10-17', Statement: [{ ...APPEND, Resource: 'arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/fn:*' }] };
    expect(await sim.decide({ role: 'Role', action: 'logs:PutLogEvents', resource: audit, extraPolicies: [named] })).toBe('ImplicitlyDenied');
    expect(await sim.decide({ role: 'Role', action: 'logs:PutLogEvents', resource: 'arn:aws:logs:eu-west-1:111122223333:log-group:/aws/lambda/fn:log-stream:s', extraPolicies: [named] })).toBe('Allowed');
  });
});
