import { Stack } from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as fc from 'fast-check';
import { inventoryFromTemplate } from '../../../../lib/adapters/cloudformation/inventory-from-template';
import { loadCatalog } from '../../../../lib/catalogs/catalog';
import { PRIVILEGE_ESCALATION } from '../../../../lib/rules/aws/privilege-escalation';
import { IamSimulator } from '../../../helpers/iam-simulator';
import { ACCOUNT, allow, check, deny, exampleAppInventory, ids, inventory, managedPolicy, REGION, role, statement, synthesized } from './private/hand-built-inventory';

const LAMBDA_ROLE = 'arn:aws:iam::111111111111:role/app-fn';

describe('AWS-004: no privilege-escalation paths, across all policies of an identity', () => {
  test('an escalation split across two policies of one role is found', () => {
    // GIVEN PassRole in one managed policy, CreateFunction + InvokeFunction in another
    const r = role('DeployRole');
    const inv = inventory({
      identities: [r],
      grants: [
        allow(r, ['iam:PassRole'], [LAMBDA_ROLE], { policy: 'PassPolicy' }),
        allow(r, ['lambda:CreateFunction', 'lambda:InvokeFunction'], ['arn:aws:lambda:eu-west-1:111111111111:function:*'], { policy: 'LambdaPolicy' }),
      ],
    });
    // WHEN
    const findings = check(PRIVILEGE_ESCALATION, inv);
    // THEN
    expect(ids(findings)).toEqual(['DeployRole[lambda-create-invoke-pass-role]']);
    expect(findings[0].message).toMatch(/iam:PassRole \(PassPolicy\).*lambda:CreateFunction \(LambdaPolicy\)/);
    expect(findings[0].severity).toBe('error');
    expect(findings[0].hard).toBe(true);
  });

  test('a managed policy listed only in attachedTo (no grants) still counts', () => {
    const r = role('Role');
    const inv = inventory({
      identities: [r],
      grants: [allow(r, ['iam:PassRole'], [LAMBDA_ROLE])],
      policies: [managedPolicy('Ec2Policy', [statement('Allow', ['ec2:RunInstances'])], { attachedTo: [r] })],
    });
    expect(ids(check(PRIVILEGE_ESCALATION, inv))).toEqual(['Role[ec2-run-instances-pass-role]']);
  });

  test.each([
    ['case disguise', ['IAM:createpolicyversion']],
    ['wildcard disguise', ['iam:*PolicyVersion']],
    ['question-mark disguise', ['iam:CreatePolicyVersio?']],
  ])('%s of iam:CreatePolicyVersion is expanded', (_name, actions) => {
    const r = role('Role');
    const found = ids(check(PRIVILEGE_ESCALATION, inventory({ identities: [r], grants: [allow(r, actions)] })));
    expect(found).toContain('Role[iam-create-policy-version]');
  });

  test('NotAction that leaves IAM in is an escalation', () => {
    const r = role('Role');
    const inv = inventory({ identities: [r], grants: [allow(r, [], ['*'], { notActions: ['s3:*', 'ec2:*'] })] });
    const found = ids(check(PRIVILEGE_ESCALATION, inv));
    expect(found).toEqual(expect.arrayContaining(['Role[iam-put-role-policy]', 'Role[iam-attach-role-policy]', 'Role[lambda-create-invoke-pass-role]']));
    expect(found).not.toContain('Role[ec2-run-instances-pass-role]');
  });

  test('an unconditional Deny breaks the path; a conditional Deny does not (fail closed)', () => {
    const r = role('Role');
    const broken = inventory({ identities: [r], grants: [allow(r, ['iam:PutRolePolicy']), deny(r, ['iam:Put*'])] });
    expect(check(PRIVILEGE_ESCALATION, broken)).toEqual([]);
    const conditional = inventory({
      identities: [r],
      grants: [allow(r, ['iam:PutRolePolicy']), deny(r, ['iam:Put*'], ['*'], { condition: { Bool: { 'aws:MultiFactorAuthPresent': 'false' } } })],
    });
    expect(ids(check(PRIVILEGE_ESCALATION, conditional))).toEqual(['Role[iam-put-role-policy]']);
  });

  test('a Deny on some roles leaves the rest of a broader Allow', () => {
    const r = role('Role');
    const inv = inventory({
      identities: [r],
      grants: [allow(r, ['iam:PutRolePolicy'], ['arn:aws:iam::111111111111:role/*']), deny(r, ['iam:PutRolePolicy'], ['arn:aws:iam::111111111111:role/agent-*'])],
    });
    expect(ids(check(PRIVILEGE_ESCALATION, inv))).toEqual(['Role[iam-put-role-policy]']);
  });

  test('a boundary that does not allow one action breaks the path', () => {
    const r = role('Role', { boundary: 'aws:AgentStack/Boundary' });
    const inv = inventory({
      identities: [r],
      grants: [allow(r, ['iam:PassRole'], [LAMBDA_ROLE]), allow(r, ['lambda:CreateFunction', 'lambda:InvokeFunction'])],
      policies: [managedPolicy('Boundary', [statement('Allow', ['iam:PassRole', 'lambda:InvokeFunction', 's3:*'])], { boundaryOf: [r] })],
    });
    expect(check(PRIVILEGE_ESCALATION, inv)).toEqual([]);
  });

  test('a boundary whose resources do not overlap the grant breaks the path', () => {
    const r = role('Role', { boundary: 'aws:AgentStack/Boundary' });
    const inv = inventory({
      identities: [r],
      grants: [allow(r, ['iam:CreatePolicyVersion'], ['arn:aws:iam::111111111111:policy/app/*'])],
      policies: [managedPolicy('Boundary', [statement('Allow', ['iam:*'], ['arn:aws:iam::111111111111:policy/other/*'])])],
    });
    expect(check(PRIVILEGE_ESCALATION, inv)).toEqual([]);
  });

  test('a boundary that denies the action breaks the path', () => {
    const r = role('Role', { boundary: 'aws:AgentStack/Boundary' });
    const inv = inventory({
      identities: [r],
      grants: [allow(r, ['iam:AttachRolePolicy'])],
      policies: [managedPolicy('Boundary', [statement('Allow', ['*']), statement('Deny', ['iam:Attach*'])])],
    });
    expect(check(PRIVILEGE_ESCALATION, inv)).toEqual([]);
  });

  test('an unresolved or AWS-managed boundary does not break the path (fail closed)', () => {
    const unresolved = role('A', { boundary: '${Token[TOKEN.12]}' });
    const awsManaged = role('B', { boundary: 'arn:aws:iam::aws:policy/PowerUserAccess' });
    const inv = inventory({ identities: [unresolved, awsManaged], grants: [allow(unresolved, ['iam:CreatePolicyVersion']), allow(awsManaged, ['iam:CreatePolicyVersion'])] });
    expect(ids(check(PRIVILEGE_ESCALATION, inv))).toEqual(['A[iam-create-policy-version]', 'B[iam-create-policy-version]']);
  });

  test('UpdateAssumeRolePolicy alone is a path (a same-account trust naming the caller needs no sts:AssumeRole grant); on itself it is not', () => {
    const r = role('Role');
    expect(ids(check(PRIVILEGE_ESCALATION, inventory({ identities: [r], grants: [allow(r, ['iam:UpdateAssumeRolePolicy'], ['arn:aws:iam::111111111111:role/*'])] }))))
      .toEqual(['Role[iam-update-assume-role-policy]']);
    const onItself = inventoryFromTemplate({ Resources: { Role: { Type: 'AWS::IAM::Role', Properties: {
      AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' }] },
      Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'iam:UpdateAssumeRolePolicy', Resource: { 'Fn::GetAtt': ['Role', 'Arn'] } }] } }],
    } } } }, { stack: 'S' });
    expect(check(PRIVILEGE_ESCALATION, onItself)).toEqual([]);
  });

  test('the attack is real: once the admin role\'s trust names the holder, the holder assumes it with no identity policy at all', async () => {
    const template = { Resources: { Admin: { Type: 'AWS::IAM::Role', Properties: {
      RoleName: 'admin',
      AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/holder` }, Action: 'sts:AssumeRole' }] },
    } } } };
    const sim = IamSimulator.fromTemplate(template, { account: ACCOUNT, region: REGION });
    expect(await sim.decideAssume({ role: 'Admin', principal: `arn:aws:iam::${ACCOUNT}:role/holder`, action: 'sts:AssumeRole' })).toBe('Allowed');
  });

  test('AgentCore code interpreter with PassRole is a path', () => {
    const r = role('Role', { agent: true });
    const inv = inventory({
      identities: [r],
      grants: [
        allow(r, ['iam:PassRole'], ['arn:aws:iam::111111111111:role/interp'], { condition: { StringEquals: { 'iam:PassedToService': 'bedrock-agentcore.amazonaws.com' } } }),
        allow(r, ['bedrock-agentcore:CreateCodeInterpreter', 'bedrock-agentcore:StartCodeInterpreterSession', 'bedrock-agentcore:InvokeCodeInterpreter']),
      ],
    });
    expect(ids(check(PRIVILEGE_ESCALATION, inv))).toEqual(['Role[bedrock-agentcore-code-interpreter-pass-role]']);
  });

  test('grants on a principal outside the inventory are evaluated per principal', () => {
    const outside = role('Imported');
    const g1 = { ...allow(outside, ['iam:PassRole'], [LAMBDA_ROLE], { policy: 'P1' }), identityId: undefined, principal: 'imported-role' };
    const g2 = { ...allow(outside, ['ec2:RunInstances'], ['*'], { policy: 'P2' }), identityId: undefined, principal: 'imported-role' };
    expect(ids(check(PRIVILEGE_ESCALATION, inventory({ grants: [g1, g2] })))).toEqual(['P1[ec2-run-instances-pass-role]']);
  });

  describe('precision: these pass', () => {
    test('iam:PassRole on a named role with PassedToService and no compute-create action', () => {
      const r = role('Role', { agent: true });
      const inv = inventory({
        identities: [r],
        grants: [
          allow(r, ['iam:PassRole'], [LAMBDA_ROLE], { condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } }),
          allow(r, ['lambda:InvokeFunction', 'lambda:GetFunctionConfiguration'], ['arn:aws:lambda:eu-west-1:111111111111:function:app']),
        ],
      });
      expect(check(PRIVILEGE_ESCALATION, inv)).toEqual([]);
    });

    test('PassRole limited to another service does not serve the path', () => {
      const r = role('Role');
      const inv = inventory({
        identities: [r],
        grants: [
          allow(r, ['iam:PassRole'], [LAMBDA_ROLE], { condition: { StringEquals: { 'iam:PassedToService': ['ecs-tasks.amazonaws.com'] } } }),
          allow(r, ['ec2:RunInstances']),
        ],
      });
      expect(check(PRIVILEGE_ESCALATION, inv)).toEqual([]);
    });

    test.each((loadCatalog('aws-escalation-paths').paths ?? []).filter((p) => p.actions.includes('iam:PassRole')).map((p) => [p.id, p.actions] as const))(
      '%s: a PassRole limited to an unrelated service does not serve it (every PassRole path knows its service)', (id, actions) => {
        const r = role('Role');
        const inv = inventory({
          identities: [r],
          grants: [
            allow(r, ['iam:PassRole'], [LAMBDA_ROLE], { condition: { StringEquals: { 'iam:PassedToService': 'unrelated.amazonaws.com' } } }),
            allow(r, actions.filter((a) => a !== 'iam:PassRole')),
          ],
        });
        expect(ids(check(PRIVILEGE_ESCALATION, inv))).not.toContain(`Role[${id}]`);
      });

    test('a kill switch that may only attach a deny-only policy', () => {
      const revocation = role('Revocation', { component: 'revocation' });
      const inv = inventory({
        identities: [revocation],
        grants: [allow(revocation, ['iam:AttachRolePolicy'], ['arn:aws:iam::111111111111:role/agent-guardrails/*'], {
          condition: { ArnEquals: { 'iam:PolicyARN': 'arn:aws:iam::111111111111:policy/agent-guardrails/ops-deny-all' } },
        })],
        policies: [managedPolicy('DenyAll', [statement('Deny', ['*'])], { name: 'ops-deny-all', component: 'kill-switch' })],
      });
      expect(check(PRIVILEGE_ESCALATION, inv)).toEqual([]);
      // ... but the same grant naming a policy that allows something is a path.
      const allowing = inventory({ ...inv, policies: [managedPolicy('DenyAll', [statement('Allow', ['*'])], { name: 'ops-deny-all' })] });
      expect(ids(check(PRIVILEGE_ESCALATION, allowing))).toEqual(['Revocation[iam-attach-role-policy]']);
    });

    test('a read-only role', () => {
      const r = role('Role', { agent: true });
      const inv = inventory({ identities: [r], grants: [allow(r, ['iam:Get*', 'iam:List*', 'lambda:GetFunction'])] });
      expect(check(PRIVILEGE_ESCALATION, inv)).toEqual([]);
    });
  });
});

describe('AWS-004 through synthesized CloudFormation (adapter + IAM simulator)', () => {
  const target = `arn:aws:iam::${ACCOUNT}:role/admin-fn`;
  const fn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:x`;

  /** A role whose escalation is split over two AWS::IAM::Policy resources; optionally bounded. */
  function splitRole(stack: Stack, boundaryActions?: string[]): void {
    const r = new iam.Role(stack, 'DeployRole', { assumedBy: new iam.AccountPrincipal(ACCOUNT) });
    new iam.Policy(stack, 'PassPolicy', { roles: [r], statements: [new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [target] })] });
    new iam.Policy(stack, 'LambdaPolicy', { roles: [r], statements: [new iam.PolicyStatement({ actions: ['lambda:CreateFunction', 'lambda:InvokeFunction'], resources: ['*'] })] });
    if (boundaryActions) {
      iam.PermissionsBoundary.of(r).apply(new iam.ManagedPolicy(stack, 'Boundary', { statements: [new iam.PolicyStatement({ actions: boundaryActions, resources: ['*'] })] }));
    }
  }

  const logicalId = (template: any, type: string) => Object.keys(template.Resources).find((k) => template.Resources[k].Type === type)!;

  test('a path split over two policies: the simulator allows every step, the rule reports it', async () => {
    // GIVEN
    const { template, inventory: inv } = synthesized((stack) => splitRole(stack));
    const role = logicalId(template, 'AWS::IAM::Role');
    const sim = IamSimulator.fromTemplate(template, { account: ACCOUNT, region: REGION });
    // THEN the attack works...
    expect(await sim.decide({ role, action: 'iam:PassRole', resource: target, context: { 'iam:PassedToService': 'lambda.amazonaws.com' } })).toBe('Allowed');
    expect(await sim.decide({ role, action: 'lambda:CreateFunction', resource: fn })).toBe('Allowed');
    expect(await sim.decide({ role, action: 'lambda:InvokeFunction', resource: fn })).toBe('Allowed');
    // ... and the rule sees it, on the role.
    expect(ids(check(PRIVILEGE_ESCALATION, inv))).toEqual([`${role}[lambda-create-invoke-pass-role]`]);
  });

  test('a boundary without lambda:CreateFunction: the simulator denies the step, the rule passes', async () => {
    const { template, inventory: inv } = synthesized((stack) => splitRole(stack, ['iam:PassRole', 'lambda:InvokeFunction']));
    const role = logicalId(template, 'AWS::IAM::Role');
    const sim = IamSimulator.fromTemplate(template, { account: ACCOUNT, region: REGION });
    expect(await sim.decide({ role, action: 'lambda:CreateFunction', resource: fn })).toBe('ImplicitlyDenied');
    expect(check(PRIVILEGE_ESCALATION, inv)).toEqual([]);
  });

  describe('PassRole of a privileged role to CodePipeline + codepipeline:CreatePipeline', () => {
    const pipeline = `arn:aws:codepipeline:${REGION}:${ACCOUNT}:attacker-pipeline`;
    /** A deployer that may pass `passed` (a role only CodePipeline may assume) and create pipelines. */
    function deployer(stack: Stack, passedStatements: iam.PolicyStatement[]): void {
      const passed = new iam.Role(stack, 'PipelineRole', { assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com') });
      for (const st of passedStatements) passed.addToPolicy(st);
      const r = new iam.Role(stack, 'Deployer', { assumedBy: new iam.AccountPrincipal(ACCOUNT) });
      r.addToPolicy(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [passed.roleArn], conditions: { StringEquals: { 'iam:PassedToService': 'codepipeline.amazonaws.com' } } }));
      r.addToPolicy(new iam.PolicyStatement({ actions: ['codepipeline:CreatePipeline'], resources: [`arn:aws:codepipeline:${REGION}:${ACCOUNT}:*`] }));
    }

    test('the attack is real: the simulator lets the deployer pass the admin role and create the pipeline, and the pipeline role (which its Commands action runs as, an admin) may attach policies to the deployer; the rule reports it', async () => {
      const { template, inventory: inv } = synthesized((stack) => deployer(stack, [new iam.PolicyStatement({ actions: ['*'], resources: ['*'] })]));
      const sim = IamSimulator.fromTemplate(template, { account: ACCOUNT, region: REGION });
      const [deployerId, pipelineRole] = ['Deployer', 'PipelineRole'].map((p) => Object.keys(template.Resources).find((k) => k.startsWith(p) && template.Resources[k].Type === 'AWS::IAM::Role')!);
      const pipelineRoleArn = `arn:aws:iam::${ACCOUNT}:role/${pipelineRole}`;
      expect(await sim.decide({ role: deployerId, action: 'iam:PassRole', resource: pipelineRoleArn, context: { 'iam:PassedToService': 'codepipeline.amazonaws.com' } })).toBe('Allowed');
      expect(await sim.decide({ role: deployerId, action: 'codepipeline:CreatePipeline', resource: pipeline })).toBe('Allowed');
      // What the deployer cannot do itself, the pipeline it creates does:
      expect(await sim.decide({ role: deployerId, action: 'iam:AttachRolePolicy', resource: `arn:aws:iam::${ACCOUNT}:role/${deployerId}` })).toBe('ImplicitlyDenied');
      expect(await sim.decide({ role: pipelineRole, action: 'iam:AttachRolePolicy', resource: `arn:aws:iam::${ACCOUNT}:role/${deployerId}` })).toBe('Allowed');
      expect(ids(check(PRIVILEGE_ESCALATION, inv))).toContain(`${deployerId}[codepipeline-create-pipeline-pass-role]`);
    });

    test('precision: passing a pipeline role no stronger than the deployer (artifact bucket reads) is not escalation', () => {
      const { template, inventory: inv } = synthesized((stack) => deployer(stack, [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::artifacts/*'] })]));
      const deployerId = Object.keys(template.Resources).find((k) => k.startsWith('Deployer') && template.Resources[k].Type === 'AWS::IAM::Role')!;
      expect(ids(check(PRIVILEGE_ESCALATION, inv)).filter((f) => f.startsWith(deployerId))).toEqual([]);
    });
  });

  test.each((loadCatalog('aws-escalation-paths').paths ?? []).filter((p) => p.cloud === 'aws').map((p) => [p.id, p.actions] as const))(
    'recall: every catalogued path, granted as written, is reported: %s', (id, actions) => {
      const r = role('Role');
      const found = ids(check(PRIVILEGE_ESCALATION, inventory({ identities: [r], grants: [allow(r, [...actions])] })));
      expect(found).toContain(`Role[${id}]`);
    });

  test.each([
    ['IAM:createpolicyversion', { actions: ['IAM:createpolicyversion'] }],
    ['iam:*PolicyVersion', { actions: ['iam:*PolicyVersion'] }],
    ['NotAction', { notActions: ['s3:*'] }],
  ])('disguise %s: the simulator allows iam:CreatePolicyVersion, the rule reports it', async (_name, shape) => {
    const { template, inventory: inv } = synthesized((stack) => {
      const r = new iam.Role(stack, 'Role', { assumedBy: new iam.AccountPrincipal(ACCOUNT) });
      r.addToPolicy(new iam.PolicyStatement({ ...shape, resources: ['*'] }));
    });
    const role = logicalId(template, 'AWS::IAM::Role');
    const sim = IamSimulator.fromTemplate(template, { account: ACCOUNT, region: REGION });
    expect(await sim.decide({ role, action: 'iam:CreatePolicyVersion', resource: `arn:aws:iam::${ACCOUNT}:policy/any` })).toBe('Allowed');
    expect(ids(check(PRIVILEGE_ESCALATION, inv))).toContain(`${role}[iam-create-policy-version]`);
  });

  test('AWS-managed policies attached by ARN (Fn::Join with AWS::Partition) are expanded: IAMFullAccess opens IAM paths, the Lambda basic role none', () => {
    const managed = (name: string) => ({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::aws:policy/${name}`]] });
    const template = {
      Resources: {
        IamAdmin: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {}, ManagedPolicyArns: [managed('IAMFullAccess')] } },
        PowerUser: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {}, ManagedPolicyArns: [managed('PowerUserAccess')] } },
        LambdaBasic: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {}, ManagedPolicyArns: [managed('service-role/AWSLambdaBasicExecutionRole')] } },
      },
    };
    const found = ids(check(PRIVILEGE_ESCALATION, inventoryFromTemplate(template, { stack: 'S' })));
    expect(found).toEqual(expect.arrayContaining(['IamAdmin[iam-create-policy-version]', 'IamAdmin[iam-put-role-policy]', 'IamAdmin[iam-attach-role-policy]']));
    // PowerUserAccess leaves IAM out (no PassRole), but code replacement on existing compute stays open.
    expect(found).toEqual(expect.arrayContaining(['PowerUser[lambda-update-function-code]', 'PowerUser[ssm-send-command]']));
    expect(found.filter((f) => f.startsWith('PowerUser[') && /pass-role|^PowerUser\[iam-/.test(f))).toEqual([]);
    expect(found.filter((f) => f.startsWith('LambdaBasic['))).toEqual([]);
  });

  test('precision: the example app (AgentIdentity tool roles, boundary, kill switch) has no path', () => {
    expect(check(PRIVILEGE_ESCALATION, exampleAppInventory())).toEqual([]);
  });
});

describe('AWS-004 agrees with the IAM simulator on random policies (property)', () => {
  // Action entries as people write them: exact, wrong case, wildcards, and the lot.
  const POOL = [
    'iam:PassRole', 'IAM:passrole', 'iam:Pass*', 'lambda:CreateFunction', 'lambda:Create*', 'lambda:*', 'LAMBDA:invokefunction',
    'lambda:Invoke?unction', 'ec2:RunInstances', 'ec2:Run*', 'iam:CreatePolicyVersion', 'iam:*PolicyVersion', 'iam:PutRolePolicy',
    'iam:Put*', 's3:GetObject', '*',
  ];
  // The paths whose every action has a probe below, and where each step is tried.
  const PROBES: Record<string, string> = {
    'iam:PassRole': `arn:aws:iam::${ACCOUNT}:role/target`,
    'lambda:CreateFunction': `arn:aws:lambda:${REGION}:${ACCOUNT}:function:x`,
    'lambda:InvokeFunction': `arn:aws:lambda:${REGION}:${ACCOUNT}:function:x`,
    'ec2:RunInstances': `arn:aws:ec2:${REGION}:${ACCOUNT}:instance/i-0123456789abcdef0`,
    'iam:CreatePolicyVersion': `arn:aws:iam::${ACCOUNT}:policy/p`,
    'iam:PutRolePolicy': `arn:aws:iam::${ACCOUNT}:role/r`,
  };
  const PATHS: Record<string, string[]> = {
    'ec2-run-instances-pass-role': ['iam:PassRole', 'ec2:RunInstances'],
    'lambda-create-invoke-pass-role': ['iam:PassRole', 'lambda:CreateFunction', 'lambda:InvokeFunction'],
    'iam-create-policy-version': ['iam:CreatePolicyVersion'],
    'iam-put-role-policy': ['iam:PutRolePolicy'],
  };

  const statementArb = fc.record({
    Effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
    not: fc.constantFrom(false, false, false, true),
    actions: fc.subarray(POOL, { minLength: 1, maxLength: 3 }),
  }).map(({ Effect, not, actions }) => ({ Effect, [not ? 'NotAction' : 'Action']: actions, Resource: '*' }));
  const doc = (statements: unknown[]) => ({ Version: '2012-10-17', Statement: statements });

  test('a path is reported exactly when the simulator allows each of its steps', async () => {
    const seen = { paths: 0, none: 0 };
    await fc.assert(fc.asyncProperty(
      fc.array(fc.array(statementArb, { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 3 }),
      fc.option(fc.array(statementArb, { minLength: 1, maxLength: 3 }), { nil: undefined }),
      async (policies, boundary) => {
        // GIVEN a role whose statements are spread over an inline policy and separate policies, maybe bounded
        const resources: Record<string, unknown> = {
          Role: {
            Type: 'AWS::IAM::Role',
            Properties: {
              AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }]),
              Policies: [{ PolicyName: 'inline', PolicyDocument: doc(policies[0]) }],
              ...(boundary ? { PermissionsBoundary: { Ref: 'Boundary' } } : {}),
            },
          },
        };
        policies.slice(1).forEach((statements, i) => {
          resources[`Policy${i}`] = { Type: 'AWS::IAM::Policy', Properties: { PolicyName: `p${i}`, Roles: [{ Ref: 'Role' }], PolicyDocument: doc(statements) } };
        });
        if (boundary) resources.Boundary = { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: doc(boundary) } };
        const template = { Resources: resources };
        const sim = IamSimulator.fromTemplate(template, { account: ACCOUNT, region: REGION });
        const found = new Set(check(PRIVILEGE_ESCALATION, inventoryFromTemplate(template, { stack: 'S' })).map((f) => f.detail));
        // THEN for each path: reported <=> every step allowed
        for (const [id, steps] of Object.entries(PATHS)) {
          const decisions = await Promise.all(steps.map((action) => sim.decide({ role: 'Role', action, resource: PROBES[action] })));
          const allowed = decisions.every((d) => d === 'Allowed');
          seen[allowed ? 'paths' : 'none']++;
          expect({ id, reported: found.has(id) }).toEqual({ id, reported: allowed });
        }
      },
    // Seed pinned: the guards below count how many random cases fall on each side.
    ), { numRuns: 60, seed: 20261121 });
    // Both outcomes were exercised, so the agreement is not vacuous.
    expect(seen.paths).toBeGreaterThan(10);
    expect(seen.none).toBeGreaterThan(10);
  });
});
