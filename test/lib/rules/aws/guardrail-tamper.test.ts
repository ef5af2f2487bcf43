import { Component, TAG_KEYS } from '../../../../lib/model/tags';
import { GUARDRAIL_TAMPER } from '../../../../lib/rules/aws/guardrail-tamper';
import { Tags } from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import * as fc from 'fast-check';
import { inventoryFromTemplate } from '../../../../lib/adapters/cloudformation/inventory-from-template';
import { IamSimulator } from '../../../helpers/iam-simulator';
import {
  ACCOUNT, actionIds, agentRole, allow, check, deny, exampleAppInventory, inventory, logicalIdOf, managedPolicy, REGION, role, statement, synthesized,
} from './private/hand-built-inventory';

describe('AWS-012: no agent identity may change its guardrails', () => {
  test.each([
    ['cloudtrail:StopLogging', ['cloudtrail:StopLogging'], 'cloudtrail:StopLogging'],
    ['logs:PutRetentionPolicy', ['logs:PutRetentionPolicy'], 'logs:PutRetentionPolicy'],
    ['config:StopConfigurationRecorder', ['config:StopConfigurationRecorder'], 'config:StopConfigurationRecorder'],
    ['guardduty:DeleteDetector', ['guardduty:DeleteDetector'], 'guardduty:DeleteDetector'],
    ['AgentCore UpdateGateway (enforcement to log-only)', ['bedrock-agentcore:UpdateGateway'], 'bedrock-agentcore:UpdateGateway'],
    ['AgentCore policy engine', ['bedrock-agentcore:UpdatePolicyEngine'], 'bedrock-agentcore:UpdatePolicyEngine'],
    ['boundary removal, disguised', ['IAM:delete*permissionsboundary'], 'iam:DeleteRolePermissionsBoundary'],
  ])('%s on an agent is an error', (_name, actions, detail) => {
    const r = role('Tool', { agent: true });
    const findings = check(GUARDRAIL_TAMPER, inventory({ identities: [r], grants: [allow(r, actions)] }));
    expect(actionIds(findings)).toContain(`Tool[${detail}]`);
    expect(findings.every((f) => f.severity === 'error' && f.hard)).toBe(true);
  });

  test('NotAction brings tamper actions in', () => {
    const r = role('Tool', { agent: true });
    const found = actionIds(check(GUARDRAIL_TAMPER, inventory({ identities: [r], grants: [allow(r, [], ['*'], { notActions: ['iam:*'] })] })));
    expect(found).toEqual(expect.arrayContaining(['Tool[cloudtrail:StopLogging]', 'Tool[bedrock-agentcore:UpdateGateway]']));
  });

  test('writing the kill-switch parameters under /agent-guardrails/ is tamper; other parameters are not', () => {
    const r = role('Tool', { agent: true });
    const kill = inventory({ identities: [r], grants: [allow(r, ['ssm:PutParameter'], ['arn:aws:ssm:eu-west-1:111111111111:parameter/agent-guardrails/ops/*'])] });
    expect(actionIds(check(GUARDRAIL_TAMPER, kill))).toEqual(['Tool[ssm:PutParameter]']);
    const any = inventory({ identities: [r], grants: [allow(r, ['ssm:PutParameter'], ['*'])] });
    expect(actionIds(check(GUARDRAIL_TAMPER, any))).toEqual(['Tool[ssm:PutParameter]']);
    const app = inventory({ identities: [r], grants: [allow(r, ['ssm:PutParameter', 'ssm:GetParameter'], ['arn:aws:ssm:eu-west-1:111111111111:parameter/app/feature-flag'])] });
    expect(check(GUARDRAIL_TAMPER, app)).toEqual([]);
  });

  test('changing the boundary policy or the kill-switch role is tamper', () => {
    const tool = role('Tool', { agent: true, boundary: 'aws:AgentStack/Boundary' });
    const revocation = role('Revocation', { component: 'revocation', name: 'ops-revocation' });
    const boundary = managedPolicy('Boundary', [statement('Allow', ['*'])], { boundaryOf: [tool], name: 'ops-boundary' });
    const onBoundary = inventory({ identities: [tool, revocation], policies: [boundary], grants: [allow(tool, ['iam:CreatePolicyVersion'], ['arn:aws:iam::111111111111:policy/ops-boundary'])] });
    expect(actionIds(check(GUARDRAIL_TAMPER, onBoundary))).toEqual(['Tool[iam:CreatePolicyVersion]']);
    const onRevocation = inventory({ identities: [tool, revocation], policies: [boundary], grants: [allow(tool, ['iam:UpdateAssumeRolePolicy'], ['arn:aws:iam::111111111111:role/ops-revocation'])] });
    expect(actionIds(check(GUARDRAIL_TAMPER, onRevocation))).toEqual(['Tool[iam:UpdateAssumeRolePolicy]']);
    const elsewhere = inventory({ identities: [tool, revocation], policies: [boundary], grants: [allow(tool, ['iam:UpdateAssumeRolePolicy'], ['arn:aws:iam::111111111111:role/app-fn'])] });
    expect(check(GUARDRAIL_TAMPER, elsewhere)).toEqual([]);
  });

  test('a Deny carving /agent-guardrails/ out of a broader parameter grant clears it', () => {
    const r = role('Tool', { agent: true });
    const inv = inventory({
      identities: [r],
      grants: [
        allow(r, ['ssm:PutParameter'], ['arn:aws:ssm:eu-west-1:111111111111:parameter/*']),
        deny(r, ['ssm:*'], ['arn:aws:ssm:eu-west-1:111111111111:parameter/agent-guardrails/*']),
      ],
    });
    expect(check(GUARDRAIL_TAMPER, inv)).toEqual([]);
  });

  test('a boundary that denies the tamper actions clears them', () => {
    const r = role('Tool', { agent: true });
    const inv = inventory({
      identities: [r], grants: [allow(r, ['cloudtrail:*', 'logs:*'])],
      policies: [managedPolicy('Boundary', [statement('Allow', ['*']), statement('Deny', ['cloudtrail:*', 'logs:*'])], { boundaryOf: [r] })],
    });
    expect(check(GUARDRAIL_TAMPER, inv)).toEqual([]);
    const denied = inventory({ identities: [r], grants: [allow(r, ['logs:DeleteLogGroup']), deny(r, ['logs:Delete*'])] });
    expect(check(GUARDRAIL_TAMPER, denied)).toEqual([]);
  });

  test('compliant: non-agent guardrail roles and agents that only read audit data', () => {
    const revocation = role('Revocation', { component: 'revocation' });
    const reader = role('Tool', { agent: true });
    const inv = inventory({
      identities: [revocation, reader],
      grants: [
        allow(revocation, ['iam:AttachRolePolicy', 'ssm:PutParameter'], ['arn:aws:ssm:eu-west-1:111111111111:parameter/agent-guardrails/ops/kill-switch']),
        allow(reader, ['cloudtrail:LookupEvents', 'logs:GetLogEvents', 'logs:FilterLogEvents', 'bedrock-agentcore:GetGateway']),
      ],
    });
    expect(check(GUARDRAIL_TAMPER, inv)).toEqual([]);
  });
});

describe('AWS-012 through synthesized CloudFormation (adapter + IAM simulator)', () => {
  test('an agent with logs:* and bedrock-agentcore:*Gateway*: the simulator lets it delete logs and rewrite the gateway; reported', async () => {
    const { template, inventory: inv } = synthesized((stack) => {
      agentRole(stack, 'Tool').addToPolicy(new iam.PolicyStatement({ actions: ['logs:*', 'bedrock-agentcore:*Gateway*'], resources: ['*'] }));
    });
    const role = logicalIdOf(template, 'AWS::IAM::Role');
    const sim = IamSimulator.fromTemplate(template, { account: ACCOUNT, region: REGION });
    expect(await sim.decide({ role, action: 'logs:DeleteLogGroup', resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/cloudtrail` })).toBe('Allowed');
    expect(await sim.decide({ role, action: 'bedrock-agentcore:UpdateGateway', resource: `arn:aws:bedrock-agentcore:${REGION}:${ACCOUNT}:gateway/ops-gw` })).toBe('Allowed');
    expect(actionIds(check(GUARDRAIL_TAMPER, inv))).toEqual(expect.arrayContaining([`${role}[logs:DeleteLogGroup]`, `${role}[logs:PutRetentionPolicy]`, `${role}[bedrock-agentcore:UpdateGateway]`]));
  });

  test('the kill-switch parameter: writable (simulator) means reported; a boundary deny on /agent-guardrails/ clears it', async () => {
    const param = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/agent-guardrails/ops/kill-switch`;
    for (const bounded of [false, true]) {
      const { template, inventory: inv } = synthesized((stack) => {
        const r = agentRole(stack, 'Tool');
        r.addToPolicy(new iam.PolicyStatement({ actions: ['ssm:PutParameter'], resources: [`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/*`] }));
        if (bounded) {
          iam.PermissionsBoundary.of(r).apply(new iam.ManagedPolicy(stack, 'Boundary', { statements: [
            new iam.PolicyStatement({ actions: ['ssm:PutParameter'], resources: [`arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/app/*`] }),
          ] }));
        }
      });
      const role = logicalIdOf(template, 'AWS::IAM::Role');
      const sim = IamSimulator.fromTemplate(template, { account: ACCOUNT, region: REGION });
      expect(await sim.decide({ role, action: 'ssm:PutParameter', resource: param })).toBe(bounded ? 'ImplicitlyDenied' : 'Allowed');
      expect(actionIds(check(GUARDRAIL_TAMPER, inv))).toEqual(bounded ? [] : [`${role}[ssm:PutParameter]`]);
    }
  });

  test('precision: the example app reports nothing', () => {
    expect(check(GUARDRAIL_TAMPER, exampleAppInventory())).toEqual([]);
  });
});

describe('AWS-012: the kill-switch parameter written through Ref (a template placeholder, not a literal ARN)', () => {
  test('an agent role given write on the kill-switch parameter is reported; read is not', () => {
    for (const write of [true, false]) {
      const { template, inventory: inv } = synthesized((stack) => {
        const flag = new ssm.StringParameter(stack, 'KillSwitchFlag', { parameterName: '/agent-guardrails/ops/kill-switch', stringValue: 'disengaged' });
        const r = agentRole(stack, 'Tool');
        if (write) flag.grantWrite(r);
        else flag.grantRead(r);
      });
      const role = logicalIdOf(template, 'AWS::IAM::Role');
      const found = actionIds(check(GUARDRAIL_TAMPER, inv));
      expect(found).toEqual(write ? expect.arrayContaining([`${role}[ssm:PutParameter]`]) : []);
    }
  });
});

describe('AWS-012: guardrail roles and boundaries named through GetAtt/Ref', () => {
  test('an agent that may rewrite the revocation role trust or the boundary policy is reported; one on another role is not', async () => {
    const build = (target: 'revocation' | 'boundary' | 'other') => synthesized((stack) => {
      const revocation = new iam.Role(stack, 'RevocationRole', { assumedBy: new iam.AccountPrincipal(ACCOUNT) });
      Tags.of(revocation).add(TAG_KEYS.component, Component.REVOCATION);
      const other = new iam.Role(stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
      const tool = agentRole(stack, 'Tool');
      const boundary = new iam.ManagedPolicy(stack, 'Boundary', { statements: [new iam.PolicyStatement({ actions: ['*'], resources: ['*'] })] });
      iam.PermissionsBoundary.of(tool).apply(boundary);
      if (target === 'boundary') tool.addToPolicy(new iam.PolicyStatement({ actions: ['iam:CreatePolicyVersion'], resources: [boundary.managedPolicyArn] }));
      else tool.addToPolicy(new iam.PolicyStatement({ actions: ['iam:UpdateAssumeRolePolicy'], resources: [(target === 'revocation' ? revocation : other).roleArn] }));
    });
    for (const target of ['revocation', 'boundary', 'other'] as const) {
      const { template, inventory: inv } = build(target);
      const tool = Object.keys(template.Resources).find((k) => k.startsWith('Tool') && template.Resources[k].Type === 'AWS::IAM::Role')!;
      const expected = target === 'other' ? [] : [`${tool}[${target === 'boundary' ? 'iam:CreatePolicyVersion' : 'iam:UpdateAssumeRolePolicy'}]`];
      expect(actionIds(check(GUARDRAIL_TAMPER, inv))).toEqual(expected);
    }
  });
});

describe('AWS-012 never misses a kill-switch write the IAM simulator allows (property)', () => {
  const P = `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter`;
  const RESOURCES = ['*', `${P}/*`, `${P}/agent-guardrails/*`, `${P}/agent-guardrails/ops/kill-switch`, `${P}/app/*`, `${P}/agent-*`, `arn:aws:ssm:*:*:parameter/*`, `${P}/agent-guardrails/ops/*`, `${P}/app/flag`];
  const ACTIONS = ['ssm:PutParameter', 'ssm:Put*', 'SSM:putparameter', 'ssm:*', 'ssm:DeleteParameter', 's3:GetObject'];
  const statementArb = fc.record({
    Effect: fc.constantFrom('Allow', 'Allow', 'Deny'),
    Action: fc.subarray(ACTIONS, { minLength: 1, maxLength: 2 }),
    Resource: fc.subarray(RESOURCES, { minLength: 1, maxLength: 2 }),
  });
  const doc = (statements: unknown[]) => ({ Version: '2012-10-17', Statement: statements });
  const tags = Object.entries({ component: 'tool-identity', agent: 'ops', tool: 'tool' }).map(([k, v]) => ({ Key: TAG_KEYS[k as keyof typeof TAG_KEYS], Value: v }));

  test('whenever the simulator lets the agent write the kill switch, ssm:PutParameter is reported', async () => {
    let allowedSeen = 0;
    await fc.assert(fc.asyncProperty(
      fc.array(statementArb, { minLength: 1, maxLength: 4 }),
      fc.option(fc.array(statementArb, { minLength: 1, maxLength: 3 }), { nil: undefined }),
      async (statements, boundary) => {
        const template = {
          Resources: {
            Tool: {
              Type: 'AWS::IAM::Role',
              Properties: {
                AssumeRolePolicyDocument: doc([{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 'sts:AssumeRole' }]),
                Policies: [{ PolicyName: 'tool', PolicyDocument: doc(statements) }],
                Tags: tags,
                ...(boundary ? { PermissionsBoundary: { Ref: 'Boundary' } } : {}),
              },
            },
            ...(boundary ? { Boundary: { Type: 'AWS::IAM::ManagedPolicy', Properties: { PolicyDocument: doc(boundary) } } } : {}),
          },
        };
        const sim = IamSimulator.fromTemplate(template, { account: ACCOUNT, region: REGION });
        const decision = await sim.decide({ role: 'Tool', action: 'ssm:PutParameter', resource: `${P}/agent-guardrails/ops/kill-switch` });
        if (decision !== 'Allowed') return;
        allowedSeen++;
        expect(actionIds(check(GUARDRAIL_TAMPER, inventoryFromTemplate(template, { stack: 'S' })))).toContain('Tool[ssm:PutParameter]');
      },
    // Seed pinned: the guard below counts how many random cases reach the interesting branch.
    ), { numRuns: 80, seed: 20261121 });
    expect(allowedSeen).toBeGreaterThan(10);
  });
});

describe('AWS-012: agent roles are kill-switch targets', () => {
  test('an agent that may detach policies from its own or another agent role is reported; from an application role it is not', () => {
    for (const target of ['self', 'sibling', 'app'] as const) {
      const { template, inventory: inv } = synthesized((stack) => {
        const tool = agentRole(stack, 'Tool');
        const sibling = agentRole(stack, 'Sibling');
        const app = new iam.Role(stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
        const arn = target === 'self' ? tool.roleArn : target === 'sibling' ? sibling.roleArn : app.roleArn;
        tool.addToPolicy(new iam.PolicyStatement({ actions: ['iam:DetachRolePolicy'], resources: [arn] }));
      });
      const tool = Object.keys(template.Resources).find((k) => k.startsWith('Tool') && template.Resources[k].Type === 'AWS::IAM::Role')!;
      expect(actionIds(check(GUARDRAIL_TAMPER, inv))).toEqual(target === 'app' ? [] : [`${tool}[iam:DetachRolePolicy]`]);
    }
  });

  test('a wildcard over roles reaches the agent roles; the simulator confirms the detach', async () => {
    const { template, inventory: inv } = synthesized((stack) => {
      agentRole(stack, 'Tool').addToPolicy(new iam.PolicyStatement({ actions: ['iam:Detach*'], resources: [`arn:aws:iam::${ACCOUNT}:role/*`] }));
    });
    const role = logicalIdOf(template, 'AWS::IAM::Role');
    const sim = IamSimulator.fromTemplate(template, { account: ACCOUNT, region: REGION });
    expect(await sim.decide({ role, action: 'iam:DetachRolePolicy', resource: sim.roleArn(role) })).toBe('Allowed');
    expect(actionIds(check(GUARDRAIL_TAMPER, inv))).toEqual(expect.arrayContaining([`${role}[iam:DetachRolePolicy]`]));
  });
});
