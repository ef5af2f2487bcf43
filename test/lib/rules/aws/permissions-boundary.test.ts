import { Baseline } from '../../../../lib/baseline/baseline';
import { PERMISSIONS_BOUNDARY } from '../../../../lib/rules/aws/permissions-boundary';
import { IamSimulator } from '../../../helpers/iam-simulator';
import { check, ids, roleTemplate } from '../../../fixtures/cfn/rule-harness';

const TOOL_TAGS = [
  { Key: 'agent-guardrails:agent', Value: 'ops-bot' }, { Key: 'agent-guardrails:tool', Value: 'read' },
  { Key: 'agent-guardrails:component', Value: 'tool-identity' },
];
const boundary = (agent: string, component = 'boundary') => ({
  Type: 'AWS::IAM::ManagedPolicy',
  Metadata: { 'agent-guardrails:agent': agent, 'agent-guardrails:component': component },
  Properties: { PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*' }] } },
});
const READ = { Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::reports/*' };

describe('AWS-010: every agent role has its own agent\'s permissions boundary', () => {
  test('compliant: the agent\'s boundary; non-agent roles need none', () => {
    expect(check(PERMISSIONS_BOUNDARY, roleTemplate([READ], { Tags: TOOL_TAGS, PermissionsBoundary: { Ref: 'B' } }, { B: boundary('ops-bot') }))).toEqual([]);
    expect(check(PERMISSIONS_BOUNDARY, roleTemplate([READ]))).toEqual([]);
  });

  test('non-compliant: an agent role without a boundary — and what that lets an attached policy do', async () => {
    const t = roleTemplate([READ], { Tags: TOOL_TAGS });
    expect(ids(check(PERMISSIONS_BOUNDARY, t))).toEqual(['AWS-010[missing]@Role']);
    // Without a ceiling, a policy someone attaches later takes full effect; with the boundary it does not.
    const sim = IamSimulator.fromTemplate(roleTemplate([READ], { Tags: TOOL_TAGS, PermissionsBoundary: { Ref: 'B' } }, { B: boundary('ops-bot') }), { account: '111122223333', region: 'eu-west-1' });
    const widened = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };
    const request = { role: 'Role', action: 's3:DeleteBucket', resource: 'arn:aws:s3:::reports', extraPolicies: [widened] };
    expect(await sim.decide({ ...request, boundary: 'none' })).toBe('Allowed');
    expect(await sim.decide(request)).toBe('ImplicitlyDenied');
  });

  test('non-compliant: another agent\'s boundary, a policy that is no boundary, a boundary that cannot be read', () => {
    expect(ids(check(PERMISSIONS_BOUNDARY, roleTemplate([READ], { Tags: TOOL_TAGS, PermissionsBoundary: { Ref: 'B' } }, { B: boundary('other-bot') })))).toEqual(['AWS-010[foreign]@Role']);
    expect(ids(check(PERMISSIONS_BOUNDARY, roleTemplate([READ], { Tags: TOOL_TAGS, PermissionsBoundary: { Ref: 'B' } }, { B: boundary('ops-bot', 'kill-switch') })))).toEqual(['AWS-010[foreign]@Role']);
    const f = check(PERMISSIONS_BOUNDARY, roleTemplate([READ], { Tags: TOOL_TAGS, PermissionsBoundary: { 'Fn::ImportValue': 'SharedBoundary' } }));
    expect(ids(f)).toEqual(['AWS-010[unverified]@Role']);
    expect(ids(check(PERMISSIONS_BOUNDARY, roleTemplate([READ], { Tags: TOOL_TAGS, PermissionsBoundary: 'arn:aws:iam::aws:policy/PowerUserAccess' })))).toEqual(['AWS-010[foreign]@Role']);
  });

  test('a baseline with boundary.required false turns the rule off', () => {
    const relaxed = Baseline.fromObject({ id: 'relaxed', version: '1.0.0', boundary: { required: false } });
    expect(check(PERMISSIONS_BOUNDARY, roleTemplate([READ], { Tags: TOOL_TAGS }), relaxed)).toEqual([]);
  });
});
