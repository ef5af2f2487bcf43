import { CREDENTIAL_EXPOSURE } from '../../../../lib/rules/aws/credential-exposure';
import { PRIVILEGE_ESCALATION } from '../../../../lib/rules/aws/privilege-escalation';
import { RESOURCE_WILDCARDS } from '../../../../lib/rules/aws/resource-wildcards';
import { check, ids } from '../../../fixtures/cfn/rule-harness';

const lambdaTrust = { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const codebuildTrust = { Statement: [{ Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
const role = (trust: unknown, statements: unknown[], extra: Record<string, unknown> = {}) => ({
  Type: 'AWS::IAM::Role',
  Properties: { AssumeRolePolicyDocument: trust, ...(statements.length ? { Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: statements } }] } : {}), ...extra },
});
const project = (roleId: string) => ({ Type: 'AWS::CodeBuild::Project', Properties: { ServiceRole: { 'Fn::GetAtt': [roleId, 'Arn'] }, Source: { Type: 'NO_SOURCE' } } });
const startBuild = (projectId: string) => ({ Effect: 'Allow', Action: 'codebuild:StartBuild', Resource: { 'Fn::GetAtt': [projectId, 'Arn'] } });

describe('AWS-004: escalation is more privilege than the identity already has', () => {
  test('compliant: codebuild:StartBuild on a project of the app whose role holds nothing privileged', () => {
    const t = { Resources: {
      Starter: role(lambdaTrust, [startBuild('Project')]),
      BuildRole: role(codebuildTrust, [{ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::artifacts/*' }]),
      Project: project('BuildRole'),
    } };
    expect(check(PRIVILEGE_ESCALATION, t)).toEqual([]);
  });

  test('non-compliant: the same on a project whose role can change IAM, on "*", or on an unknown project', () => {
    const strong = { Resources: {
      Starter: role(lambdaTrust, [startBuild('Project')]),
      BuildRole: role(codebuildTrust, [{ Effect: 'Allow', Action: 'iam:PutRolePolicy', Resource: '*' }]),
      Project: project('BuildRole'),
    } };
    expect(ids(check(PRIVILEGE_ESCALATION, strong))).toContain('AWS-004[codebuild-start-build]@Starter');
    const star = { Resources: { Starter: role(lambdaTrust, [{ Effect: 'Allow', Action: 'codebuild:StartBuild', Resource: '*' }]) } };
    expect(ids(check(PRIVILEGE_ESCALATION, star))).toEqual(['AWS-004[codebuild-start-build]@Starter']);
    const external = { Resources: { Starter: role(lambdaTrust, [{ Effect: 'Allow', Action: 'codebuild:StartBuild', Resource: 'arn:aws:codebuild:eu-west-1:111122223333:project/other' }]) } };
    expect(ids(check(PRIVILEGE_ESCALATION, external))).toEqual(['AWS-004[codebuild-start-build]@Starter']);
  });

  const cfnTrust = { Statement: [{ Effect: 'Allow', Principal: { Service: 'cloudformation.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
  const deployAction = (passed: unknown) => role(lambdaTrust, [
    { Effect: 'Allow', Action: 'iam:PassRole', Resource: passed },
    { Effect: 'Allow', Action: ['cloudformation:CreateStack', 'cloudformation:UpdateStack'], Resource: 'arn:aws:cloudformation:eu-west-1:111122223333:stack/app/*' },
  ]);

  test('compliant: passing a role of the app that holds nothing privileged (CodePipeline\'s CloudFormation action and its deployment role)', () => {
    const t = { Resources: {
      ActionRole: deployAction({ 'Fn::GetAtt': ['DeployRole', 'Arn'] }),
      DeployRole: role(cfnTrust, [{ Effect: 'Allow', Action: ['s3:GetObject*', 's3:List*'], Resource: 'arn:aws:s3:::artifacts/*' }]),
    } };
    expect(check(PRIVILEGE_ESCALATION, t)).toEqual([]);
  });

  test('non-compliant: passing a role that can change IAM, a role pattern, or a role of another account with the same name', () => {
    const strong = { Resources: {
      ActionRole: deployAction({ 'Fn::GetAtt': ['DeployRole', 'Arn'] }),
      DeployRole: role(cfnTrust, [{ Effect: 'Allow', Action: ['iam:CreateRole', 'iam:PutRolePolicy'], Resource: '*' }]),
    } };
    expect(ids(check(PRIVILEGE_ESCALATION, strong))).toContain('AWS-004[cloudformation-create-stack-pass-role]@ActionRole');
    const weak = role(cfnTrust, [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::artifacts/*' }], { RoleName: 'deploy' });
    const pattern = { Resources: { ActionRole: deployAction('arn:aws:iam::111122223333:role/*'), DeployRole: weak } };
    expect(ids(check(PRIVILEGE_ESCALATION, pattern))).toContain('AWS-004[cloudformation-create-stack-pass-role]@ActionRole');
    const otherAccount = { Resources: { ActionRole: deployAction('arn:aws:iam::999988887777:role/deploy'), DeployRole: weak } };
    expect(ids(check(PRIVILEGE_ESCALATION, otherAccount))).toContain('AWS-004[cloudformation-create-stack-pass-role]@ActionRole');
    const sameAccount = { Resources: { ActionRole: deployAction({ 'Fn::Sub': 'arn:aws:iam::${AWS::AccountId}:role/deploy' }), DeployRole: weak } };
    expect(check(PRIVILEGE_ESCALATION, sameAccount)).toEqual([]);
  });

  test('a path held only through AWS-managed service-role policies of a service-only role is a warning; the same grant of ours is an error', () => {
    const batchTrust = { Statement: [{ Effect: 'Allow', Principal: { Service: 'batch.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    const managed = { Resources: { R: role(batchTrust, [], { ManagedPolicyArns: ['arn:aws:iam::aws:policy/service-role/AWSBatchServiceRole'] }) } };
    const f = check(PRIVILEGE_ESCALATION, managed);
    expect(f.length).toBeGreaterThan(0);
    expect(new Set(f.map((x) => x.severity))).toEqual(new Set(['warning']));
    const ours = { Resources: { R: role(batchTrust, [
      { Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }, { Effect: 'Allow', Action: 'ec2:RunInstances', Resource: '*' },
    ]) } };
    expect(check(PRIVILEGE_ESCALATION, ours).map((x) => x.severity)).toContain('error');
  });

  /**
   * CodePipeline as CDK writes it: a pipeline role only CodePipeline assumes, a build action role
   * only the pipeline role assumes, holding StartBuild on the project its stage runs, whose role
   * can deploy (stronger than the action role).
   */
  const pipelineTrust = { Statement: [{ Effect: 'Allow', Principal: { Service: 'codepipeline.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
  const trustedBy = (principal: unknown) => ({ Statement: [{ Effect: 'Allow', Principal: { AWS: principal }, Action: 'sts:AssumeRole' }] });
  const pipelineApp = (change: { actionTrust?: unknown; started?: unknown; stageProject?: string; extraAction?: unknown; actionRole?: boolean } = {}) => ({ Resources: {
    PipelineRole: role(pipelineTrust, [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: { 'Fn::GetAtt': ['ActionRole', 'Arn'] } }]),
    ActionRole: role(change.actionTrust ?? trustedBy({ 'Fn::GetAtt': ['PipelineRole', 'Arn'] }),
      [{ Effect: 'Allow', Action: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds', 'codebuild:StopBuild'], Resource: change.started ?? { 'Fn::GetAtt': ['Project', 'Arn'] } }]),
    // stronger than the action role (it can become the deployment role), though no escalation path itself
    DeployRole: role(codebuildTrust, [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: { 'Fn::Sub': 'arn:aws:iam::${AWS::AccountId}:role/deploy' } }]),
    Project: project('DeployRole'),
    Other: project('DeployRole'),
    Pipeline: {
      Type: 'AWS::CodePipeline::Pipeline',
      Properties: {
        RoleArn: { 'Fn::GetAtt': ['PipelineRole', 'Arn'] },
        Stages: [
          { Name: 'Source', Actions: [{ Name: 'S', ActionTypeId: { Category: 'Source', Owner: 'AWS', Provider: 'S3', Version: '1' }, Configuration: { S3Bucket: 'src', S3ObjectKey: 'a.zip' } }] },
          { Name: 'Build', Actions: [
            { Name: 'B', ActionTypeId: { Category: 'Build', Owner: 'AWS', Provider: 'CodeBuild', Version: '1' }, Configuration: { ProjectName: { Ref: change.stageProject ?? 'Project' } },
              ...(change.actionRole === false ? {} : { RoleArn: { 'Fn::GetAtt': ['ActionRole', 'Arn'] } }) },
            ...(change.extraAction ? [change.extraAction] : []),
          ] },
        ],
      },
    },
  } });

  test('compliant: a pipeline\'s build action role starting the project its own stage runs, though the project\'s role is stronger', () => {
    expect(check(PRIVILEGE_ESCALATION, pipelineApp())).toEqual([]);
    // the pipeline role itself holding StartBuild for a stage without an action role (plain CloudFormation's usual form)
    const direct = pipelineApp({ actionRole: false });
    direct.Resources.PipelineRole = role(pipelineTrust, [{ Effect: 'Allow', Action: 'codebuild:StartBuild', Resource: { 'Fn::GetAtt': ['Project', 'Arn'] } }]);
    expect(ids(check(PRIVILEGE_ESCALATION, direct))).not.toContain('AWS-004[codebuild-start-build]@PipelineRole');
  });

  test('non-compliant: the same grant when someone other than the pipeline can use it, on a project no stage runs, on "*", or beside a Commands action', () => {
    const flagged = ['AWS-004[codebuild-start-build]@ActionRole'];
    // an account root trust lets any principal of the account with sts:AssumeRole start the build with a buildspec override
    expect(ids(check(PRIVILEGE_ESCALATION, pipelineApp({ actionTrust: trustedBy({ 'Fn::Sub': 'arn:aws:iam::${AWS::AccountId}:root' }) })))).toEqual(flagged);
    expect(ids(check(PRIVILEGE_ESCALATION, pipelineApp({ actionTrust: { Statement: [{ Effect: 'Allow', Principal: { Service: ['codepipeline.amazonaws.com', 'lambda.amazonaws.com'] }, Action: 'sts:AssumeRole' }] } })))).toEqual(flagged);
    expect(ids(check(PRIVILEGE_ESCALATION, pipelineApp({ started: { 'Fn::GetAtt': ['Other', 'Arn'] } })))).toEqual(flagged);
    expect(ids(check(PRIVILEGE_ESCALATION, pipelineApp({ started: '*' })))).toEqual(flagged);
    expect(ids(check(PRIVILEGE_ESCALATION, pipelineApp({ stageProject: 'Other' })))).toEqual(flagged);
    // a Commands action runs shell commands as a pipeline role, which can assume the action role and override the buildspec
    const commands = { Name: 'C', ActionTypeId: { Category: 'Compute', Owner: 'AWS', Provider: 'Commands', Version: '1' }, Commands: ['echo hi'] };
    expect(ids(check(PRIVILEGE_ESCALATION, pipelineApp({ extraAction: commands })))).toEqual(flagged);
  });
});

describe('AWS-003: CDK helper roles pass with their standard grants only, recognised by the shape CDK emits', () => {
  const ID = 'LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a';
  const meta = (path: string) => ({ Metadata: { 'aws:cdk:path': `Stack/${path}` } });
  /** CDK's LogRetention singleton: role, default policy, the function running as the role, a Custom::LogRetention it serves. */
  const helper = (actions: string[], change: { trust?: unknown; handlerRole?: string; serves?: string } = {}) => ({ Resources: {
    [`${ID}ServiceRole`]: { ...role(change.trust ?? lambdaTrust, []), ...meta(`${ID}/ServiceRole/Resource`) },
    Policy: {
      Type: 'AWS::IAM::Policy', ...meta(`${ID}/ServiceRole/DefaultPolicy/Resource`),
      Properties: { PolicyName: 'p', Roles: [{ Ref: `${ID}ServiceRole` }], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }] } },
    },
    [`${ID}Fn`]: {
      Type: 'AWS::Lambda::Function', ...meta(`${ID}/Resource`),
      Properties: { Handler: 'index.handler', Runtime: 'nodejs22.x', Code: { S3Bucket: 'assets', S3Key: 'h.zip' }, Role: { 'Fn::GetAtt': [change.handlerRole ?? `${ID}ServiceRole`, 'Arn'] } },
    },
    Other: { ...role(lambdaTrust, []), ...meta('Other/Resource') },
    Retention: { Type: change.serves ?? 'Custom::LogRetention', ...meta('App/LogRetention/Resource'), Properties: { ServiceToken: { 'Fn::GetAtt': [`${ID}Fn`, 'Arn'] }, LogGroupName: '/aws/lambda/app', RetentionInDays: 7 } },
  } });
  const standard = ['logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy'];

  test('compliant: LogRetention\'s logs:PutRetentionPolicy / DeleteRetentionPolicy on "*"', () => {
    expect(check(RESOURCE_WILDCARDS, helper(standard))).toEqual([]);
  });

  test('non-compliant: anything beyond the standard grant in the helper\'s role', () => {
    const f = check(RESOURCE_WILDCARDS, helper(['logs:PutRetentionPolicy', 'logs:DeleteLogGroup']));
    expect(ids(f)).toEqual(['AWS-003[logs:DeleteLogGroup]@Policy']);
  });

  test('non-compliant: a role named like the helper without the rest of its shape gets no pass', () => {
    const flagged = ['AWS-003[logs:DeleteRetentionPolicy,logs:PutRetentionPolicy]@Policy'];
    // trusted by an account (a person or another workload can assume it)
    expect(ids(check(RESOURCE_WILDCARDS, helper(standard, { trust: { Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::111122223333:root' }, Action: 'sts:AssumeRole' }] } })))).toEqual(flagged);
    // the helper's function runs as another role
    expect(ids(check(RESOURCE_WILDCARDS, helper(standard, { handlerRole: 'Other' })))).toEqual(flagged);
    // the function serves no LogRetention custom resource
    expect(ids(check(RESOURCE_WILDCARDS, helper(standard, { serves: 'Custom::Anything' })))).toEqual(flagged);
    // the name alone, without function or custom resource
    const bare = helper(standard);
    const { [`${ID}Fn`]: _fn, Retention: _r, ...rest } = bare.Resources;
    expect(ids(check(RESOURCE_WILDCARDS, { Resources: rest }))).toEqual(flagged);
  });

  describe('CDK\'s cross-region parameter reader for Lambda@Edge (a core CustomResourceProvider)', () => {
    const PROVIDER = 'Custom::CrossRegionStringParameterReaderCustomResourceProvider';
    const edgePath = 'arn:${AWS::Partition}:ssm:us-east-1:111122223333:parameter/cdk/EdgeFunctionArn/*';
    const reader = (change: { resource?: string; actions?: string[]; handlerPath?: string } = {}) => ({ Resources: {
      ReaderRole: { ...role(lambdaTrust, [{ Effect: 'Allow', Action: change.actions ?? ['ssm:GetParameter'], Resource: { 'Fn::Sub': change.resource ?? edgePath } }]), ...meta(`${PROVIDER}/Role`) },
      ReaderHandler: {
        Type: 'AWS::Lambda::Function', ...meta(change.handlerPath ?? `${PROVIDER}/Handler`),
        Properties: { Handler: '__entrypoint__.handler', Runtime: 'nodejs22.x', Code: { S3Bucket: 'assets', S3Key: 'h.zip' }, Role: { 'Fn::GetAtt': ['ReaderRole', 'Arn'] } },
      },
      ArnReader: { Type: 'Custom::CrossRegionStringParameterReader', ...meta('Edge/ArnReader/Default'), Properties: { ServiceToken: { 'Fn::GetAtt': ['ReaderHandler', 'Arn'] }, Region: 'us-east-1', ParameterName: '/cdk/EdgeFunctionArn/eu-west-1/Stack/Edge' } },
    } });

    test('compliant: ssm:GetParameter on parameter/cdk/EdgeFunctionArn/* in us-east-1', () => {
      expect(check(CREDENTIAL_EXPOSURE, reader())).toEqual([]);
    });

    test('non-compliant: another parameter path, another region, more than the standard action, or a role without the provider\'s handler', () => {
      const flagged = (t: unknown) => ids(check(CREDENTIAL_EXPOSURE, t)).filter((i) => i.endsWith('@ReaderRole'));
      expect(flagged(reader({ resource: 'arn:${AWS::Partition}:ssm:us-east-1:111122223333:parameter/*' }))).toEqual(['AWS-007[ssm:GetParameter]@ReaderRole']);
      expect(flagged(reader({ resource: 'arn:${AWS::Partition}:ssm:eu-west-1:111122223333:parameter/cdk/EdgeFunctionArn/*' }))).toEqual(['AWS-007[ssm:GetParameter]@ReaderRole']);
      expect(flagged(reader({ resource: 'arn:${AWS::Partition}:ssm:us-east-1:*:parameter/cdk/EdgeFunctionArn/*' }))).toEqual(['AWS-007[ssm:GetParameter]@ReaderRole']);
      expect(flagged(reader({ actions: ['ssm:GetParameter', 'ssm:GetParameters'] })).length).toBeGreaterThan(0);
      expect(flagged(reader({ handlerPath: 'Other/Handler' }))).toEqual(['AWS-007[ssm:GetParameter]@ReaderRole']);
    });
  });

  test('non-compliant: the same standard grant in a role that is not the helper', () => {
    const t = { Resources: { Role: role(lambdaTrust, [{ Effect: 'Allow', Action: 'logs:PutRetentionPolicy', Resource: '*' }]) } };
    expect(ids(check(RESOURCE_WILDCARDS, t))).toEqual(['AWS-003[logs:PutRetentionPolicy]@Role']);
  });
});

describe('AWS-003: an action\'s own condition key pinned to a value narrows it (organizations:ServicePrincipal)', () => {
  const registerDelegatedAdmin = (condition?: unknown) => ({ Resources: { R: role(lambdaTrust, [{
    Effect: 'Allow', Action: ['organizations:RegisterDelegatedAdministrator', 'organizations:DescribeAccount'], Resource: '*', ...(condition ? { Condition: condition } : {}),
  }]) } });

  test('compliant: registering a delegated administrator for one service only (what enabling Inspector needs)', () => {
    const f = check(RESOURCE_WILDCARDS, registerDelegatedAdmin({ StringEquals: { 'organizations:ServicePrincipal': 'inspector2.amazonaws.com' } }));
    expect(f.filter((x) => x.severity === 'error')).toEqual([]);
  });

  test('non-compliant: for any service (a member account of one\'s choice administers IAM Identity Center, StackSets, ...), or under a pattern that admits every service', () => {
    expect(ids(check(RESOURCE_WILDCARDS, registerDelegatedAdmin())).filter((i) => i.startsWith('AWS-003[organizations:RegisterDelegatedAdministrator'))).toHaveLength(1);
    const any = check(RESOURCE_WILDCARDS, registerDelegatedAdmin({ StringLike: { 'organizations:ServicePrincipal': '*' } }));
    expect(any.filter((x) => x.severity === 'error')).toHaveLength(1);
  });
});
