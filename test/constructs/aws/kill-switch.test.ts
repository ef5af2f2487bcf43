import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib/core';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { KillSwitch } from '../../../constructs/aws';
import { Environment, TAG_KEYS } from '../../../lib/model';
import { IamSimulator } from '../../helpers/iam-simulator';

const ACCOUNT = '333333333333';
const PROD = Environment.of({ name: 'prod', aws: { account: ACCOUNT, regions: ['eu-west-1'] } });
const IR = `arn:aws:iam::${ACCOUNT}:role/incident-response`;

let outdir: string;
beforeEach(() => { outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-h1-ks-')); });
afterEach(() => fs.rmSync(outdir, { recursive: true, force: true }));

function build(): { stack: Stack; ks: KillSwitch; roles: iam.Role[] } {
  const stack = new Stack(new App({ outdir }), 'KS', { env: { account: ACCOUNT, region: 'eu-west-1' } });
  const ks = new KillSwitch(stack, 'KillSwitch', { agentName: 'deploy-operator', environment: PROD, revocationPrincipals: [new iam.ArnPrincipal(IR)] });
  const roles = ['A', 'B'].map((id) => new iam.Role(stack, id, { assumedBy: new iam.AccountRootPrincipal() }));
  roles.forEach((r) => ks.coverRole(r));
  return { stack, ks, roles };
}

describe('KillSwitch: a deny-all policy, attached to nothing, and a revocation role that can only attach it', () => {
  test('the deny-all policy denies * on * and is attached to no role, user or group', () => {
    const { stack, ks } = build();
    const t = Template.fromStack(stack);
    t.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      ManagedPolicyName: 'agent-guardrails-deploy-operator-prod-kill-switch',
      Path: '/agent-guardrails/',
      PolicyDocument: { Version: '2012-10-17', Statement: [{ Sid: 'KillSwitchDenyAll', Effect: 'Deny', Action: '*', Resource: '*' }] },
    });
    const [policy] = Object.values(t.findResources('AWS::IAM::ManagedPolicy', { Metadata: { [TAG_KEYS.component]: 'kill-switch' } })) as any[];
    expect([policy.Properties.Roles, policy.Properties.Users, policy.Properties.Groups]).toEqual([undefined, undefined, undefined]);
    for (const role of Object.values(t.findResources('AWS::IAM::Role')) as any[]) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    expect(KillSwitch.isKillSwitch(ks)).toBe(true);
    expect(ks.denyAllPolicyArn).toBe(ks.denyAllPolicy.managedPolicyArn);
  });

  test('the revocation role holds exactly one statement: AttachRolePolicy of the deny-all on the covered roles', () => {
    const { stack, ks, roles } = build();
    const t = Template.fromStack(stack);
    const role = t.toJSON().Resources[stack.getLogicalId(ks.revocationRole.node.defaultChild as iam.CfnRole)];
    expect(role.Properties.Policies).toEqual([{
      PolicyName: 'KillSwitch',
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [{
          Sid: 'AttachKillSwitchToToolRoles', Effect: 'Allow', Action: 'iam:AttachRolePolicy',
          Resource: roles.map((r) => ({ 'Fn::GetAtt': [stack.getLogicalId(r.node.defaultChild as iam.CfnRole), 'Arn'] })),
          Condition: { ArnEquals: { 'iam:PolicyARN': { Ref: stack.getLogicalId(ks.denyAllPolicy.node.defaultChild as iam.CfnManagedPolicy) } } },
        }],
      },
    }]);
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: IR } }]);
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  test('trusting a whole account is a warning with an id', () => {
    const stack = new Stack(new App({ outdir }), 'Root', { env: { account: ACCOUNT, region: 'eu-west-1' } });
    const ks = new KillSwitch(stack, 'KillSwitch', { agentName: 'a1', environment: PROD, revocationPrincipals: [new iam.AccountRootPrincipal()] });
    ks.coverRole(new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() }));
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('trusts a whole account.*agent-guardrails:revocation-account-root'));
  });

  test('a kill switch covering no role fails the synth', () => {
    const stack = new Stack(new App({ outdir }), 'Empty');
    new KillSwitch(stack, 'KillSwitch', { agentName: 'a1', environment: PROD, revocationPrincipals: [new iam.ArnPrincipal(IR)] });
    expect(() => Template.fromStack(stack)).toThrow(/must cover at least one tool role/);
  });

  test('attacks: the revocation role cannot detach, attach elsewhere, or do anything else (simulator)', async () => {
    const { stack, ks, roles } = build();
    const sim = IamSimulator.fromTemplate(Template.fromStack(stack).toJSON(), { account: ACCOUNT, region: 'eu-west-1' });
    const revocation = stack.getLogicalId(ks.revocationRole.node.defaultChild as iam.CfnRole);
    const denyAll = sim.policyArn(stack.getLogicalId(ks.denyAllPolicy.node.defaultChild as iam.CfnManagedPolicy));
    const roleArn = sim.roleArn(stack.getLogicalId(roles[0].node.defaultChild as iam.CfnRole));
    const decide = (action: string, resource: string, policyArn?: string) => sim.decide({ role: revocation, action, resource, context: policyArn ? { 'iam:PolicyARN': policyArn } : {} });
    expect(await decide('iam:AttachRolePolicy', roleArn, denyAll)).toBe('Allowed');
    expect(await decide('iam:AttachRolePolicy', roleArn, 'arn:aws:iam::aws:policy/AdministratorAccess')).toBe('ImplicitlyDenied');
    expect(await decide('iam:AttachRolePolicy', `arn:aws:iam::${ACCOUNT}:role/other`, denyAll)).toBe('ImplicitlyDenied');
    expect(await decide('iam:DetachRolePolicy', roleArn, denyAll)).toBe('ImplicitlyDenied');
    expect(await decide('iam:DeletePolicy', denyAll)).toBe('ImplicitlyDenied');
    expect(await sim.decideAssume({ role: revocation, principal: IR, action: 'sts:AssumeRole' })).toBe('Allowed');
    expect(await sim.decideAssume({ role: revocation, principal: `arn:aws:iam::${ACCOUNT}:role/agent-guardrails-broker`, action: 'sts:AssumeRole' })).not.toBe('Allowed');
  });

  test('attack: a session issued before the switch was pulled is denied too', async () => {
    const { stack, ks, roles } = build();
    roles[0].addToPolicy(new iam.PolicyStatement({ actions: ['ecs:UpdateService'], resources: [`arn:aws:ecs:eu-west-1:${ACCOUNT}:service/c/s`] }));
    const sim = IamSimulator.fromTemplate(Template.fromStack(stack).toJSON(), { account: ACCOUNT, region: 'eu-west-1' });
    const req = {
      role: stack.getLogicalId(roles[0].node.defaultChild as iam.CfnRole), action: 'ecs:UpdateService', resource: `arn:aws:ecs:eu-west-1:${ACCOUNT}:service/c/s`,
      context: { 'aws:TokenIssueTime': '2026-01-01T00:00:00Z' },
    };
    expect(await sim.decide(req)).toBe('Allowed');
    expect(await sim.decide({ ...req, attachManagedPolicies: [stack.getLogicalId(ks.denyAllPolicy.node.defaultChild as iam.CfnManagedPolicy)] })).toBe('ExplicitlyDenied');
  });
});
