import { PERMISSIONS_MANAGEMENT } from '../../../../lib/rules/aws/permissions-management';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IamSimulator } from '../../../helpers/iam-simulator';
import {
  ACCOUNT, agentRole, allow, check, deny, exampleAppInventory, ids, inventory, logicalIdOf, managedPolicy, REGION, role, statement, synthesized,
} from './private/hand-built-inventory';

describe('AWS-006: no permissions-management actions for agent identities, any tier', () => {
  test('an agent with iam:PutRolePolicy is an error', () => {
    const r = role('Tool', { agent: true });
    const findings = check(PERMISSIONS_MANAGEMENT, inventory({ identities: [r], grants: [allow(r, ['iam:PutRolePolicy'], ['arn:aws:iam::111111111111:role/x'])] }));
    expect(ids(findings)).toEqual(['Tool[iam:PutRolePolicy]']);
    expect(findings[0].severity).toBe('error');
  });

  test.each([
    ['resource policy (Permissions management level)', ['s3:PutBucketPolicy'], 'arn:aws:s3:::b'],
    ['Organizations write', ['organizations:CreateAccount'], '*'],
    ['RAM write', ['ram:CreateResourceShare'], '*'],
    ['KMS grant', ['kms:CreateGrant'], 'arn:aws:kms:eu-west-1:111111111111:key/k'],
    ['case and wildcard disguise', ['IAM:attach*'], '*'],
  ])('%s on an agent is found', (_name, actions, resource) => {
    const r = role('Tool', { agent: true });
    expect(check(PERMISSIONS_MANAGEMENT, inventory({ identities: [r], grants: [allow(r, actions, [resource])] }))).toHaveLength(1);
  });

  test('one finding per entry as written, listing what it brings in', () => {
    const r = role('Tool', { agent: true });
    const findings = check(PERMISSIONS_MANAGEMENT, inventory({ identities: [r], grants: [allow(r, ['iam:*', 's3:GetObject'])] }));
    expect(ids(findings)).toEqual(['Tool[iam:*]']);
    expect(findings[0].message).toMatch(/and \d+ more/);
  });

  test('NotAction is expanded: finding detail is NotAction', () => {
    const r = role('Tool', { agent: true });
    expect(ids(check(PERMISSIONS_MANAGEMENT, inventory({ identities: [r], grants: [allow(r, [], ['*'], { notActions: ['s3:*'] })] })))).toEqual(['Tool[NotAction]']);
  });

  test('tagging the identity itself is permissions management; tagging another role is not', () => {
    const self = role('Tool', { agent: true, name: 'ops-restart' });
    const own = inventory({ identities: [self], grants: [allow(self, ['iam:TagRole'], ['arn:aws:iam::111111111111:role/ops-restart'])] });
    expect(ids(check(PERMISSIONS_MANAGEMENT, own))).toEqual(['Tool[iam:TagRole]']);
    const wildcard = inventory({ identities: [self], grants: [allow(self, ['iam:TagRole'], ['arn:aws:iam::111111111111:role/*'])] });
    expect(ids(check(PERMISSIONS_MANAGEMENT, wildcard))).toEqual(['Tool[iam:TagRole]']);
    const other = inventory({ identities: [self], grants: [allow(self, ['iam:TagRole'], ['arn:aws:iam::111111111111:role/app-fn'])] });
    expect(check(PERMISSIONS_MANAGEMENT, other)).toEqual([]);
  });

  test('a non-agent identity gets a warning', () => {
    const r = role('CiRole');
    const findings = check(PERMISSIONS_MANAGEMENT, inventory({ identities: [r], grants: [allow(r, ['iam:CreateRole'])] }));
    expect(findings.map((f) => f.severity)).toEqual(['warning']);
  });

  test('removed by a Deny or by the boundary: compliant', () => {
    const r = role('Tool', { agent: true, boundary: 'aws:AgentStack/Boundary' });
    const denied = inventory({ identities: [r], grants: [allow(r, ['iam:PutRolePolicy', 's3:GetObject']), deny(r, ['iam:*'])] });
    expect(check(PERMISSIONS_MANAGEMENT, denied)).toEqual([]);
    const bounded = inventory({
      identities: [r], grants: [allow(r, ['iam:PutRolePolicy', 's3:GetObject'])],
      policies: [managedPolicy('Boundary', [statement('Allow', ['s3:*'])], { boundaryOf: [r] })],
    });
    expect(check(PERMISSIONS_MANAGEMENT, bounded)).toEqual([]);
  });

  test('compliant: iam:PassRole (judged by AWS-004/005) and a kill switch that may only attach a deny-only policy', () => {
    const tool = role('Tool', { agent: true });
    const revocation = role('Revocation', { component: 'revocation' });
    const inv = inventory({
      identities: [tool, revocation],
      grants: [
        allow(tool, ['iam:PassRole'], ['arn:aws:iam::111111111111:role/app-fn'], { condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } } }),
        allow(revocation, ['iam:AttachRolePolicy'], [tool.id], { condition: { ArnEquals: { 'iam:PolicyARN': 'arn:aws:iam::${AWS::AccountId}:policy/ops-kill-switch' } } }),
      ],
      policies: [managedPolicy('KillSwitch', [statement('Deny', ['*'])], { name: 'ops-kill-switch' })],
    });
    expect(check(PERMISSIONS_MANAGEMENT, inv)).toEqual([]);
  });

  test('compliant: an agent with reads and narrow writes', () => {
    const r = role('Tool', { agent: true });
    const inv = inventory({ identities: [r], grants: [allow(r, ['iam:GetRole', 'iam:ListRoles', 'ecs:UpdateService', 's3:PutObject'], ['arn:aws:s3:::b/*'])] });
    expect(check(PERMISSIONS_MANAGEMENT, inv)).toEqual([]);
  });
});

describe('AWS-006 through synthesized CloudFormation (adapter + IAM simulator)', () => {
  test('an agent role with iam:Put* can rewrite its own policy (simulator) and is reported; a boundary deny clears it', async () => {
    const build = (bounded: boolean) => synthesized((stack) => {
      const r = agentRole(stack, 'Tool');
      r.addToPolicy(new iam.PolicyStatement({ actions: ['iam:Put*'], resources: ['*'] }));
      if (bounded) {
        iam.PermissionsBoundary.of(r).apply(new iam.ManagedPolicy(stack, 'Boundary', { statements: [
          new iam.PolicyStatement({ actions: ['*'], resources: ['*'] }),
          new iam.PolicyStatement({ effect: iam.Effect.DENY, actions: ['iam:*'], resources: ['*'] }),
        ] }));
      }
    });
    for (const bounded of [false, true]) {
      const { template, inventory: inv } = build(bounded);
      const role = logicalIdOf(template, 'AWS::IAM::Role');
      const sim = IamSimulator.fromTemplate(template, { account: ACCOUNT, region: REGION });
      const decision = await sim.decide({ role, action: 'iam:PutRolePolicy', resource: sim.roleArn(role) });
      expect(decision).toBe(bounded ? 'ExplicitlyDenied' : 'Allowed');
      expect(ids(check(PERMISSIONS_MANAGEMENT, inv))).toEqual(bounded ? [] : [`${role}[iam:Put*]`]);
    }
  });

  test('precision: the example app reports nothing (the kill switch only attaches its deny-all policy)', () => {
    expect(check(PERMISSIONS_MANAGEMENT, exampleAppInventory())).toEqual([]);
  });
});
