import { GUARDRAIL_TAMPER } from '../../../../lib/rules/aws/guardrail-tamper';
import { allow, check, deny, ids, inventory, managedPolicy, role, statement } from './private/hand-built-inventory';

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
    expect(ids(findings)).toContain(`Tool[${detail}]`);
    expect(findings.every((f) => f.severity === 'error' && f.hard)).toBe(true);
  });

  test('NotAction brings tamper actions in', () => {
    const r = role('Tool', { agent: true });
    const found = ids(check(GUARDRAIL_TAMPER, inventory({ identities: [r], grants: [allow(r, [], ['*'], { notActions: ['iam:*'] })] })));
    expect(found).toEqual(expect.arrayContaining(['Tool[cloudtrail:StopLogging]', 'Tool[bedrock-agentcore:UpdateGateway]']));
  });

  test('writing the kill-switch parameters under /agent-guardrails/ is tamper; other parameters are not', () => {
    const r = role('Tool', { agent: true });
    const kill = inventory({ identities: [r], grants: [allow(r, ['ssm:PutParameter'], ['arn:aws:ssm:eu-west-1:111111111111:parameter/agent-guardrails/ops/*'])] });
    expect(ids(check(GUARDRAIL_TAMPER, kill))).toEqual(['Tool[ssm:PutParameter]']);
    const any = inventory({ identities: [r], grants: [allow(r, ['ssm:PutParameter'], ['*'])] });
    expect(ids(check(GUARDRAIL_TAMPER, any))).toEqual(['Tool[ssm:PutParameter]']);
    const app = inventory({ identities: [r], grants: [allow(r, ['ssm:PutParameter', 'ssm:GetParameter'], ['arn:aws:ssm:eu-west-1:111111111111:parameter/app/feature-flag'])] });
    expect(check(GUARDRAIL_TAMPER, app)).toEqual([]);
  });

  test('changing the boundary policy or the kill-switch role is tamper', () => {
    const tool = role('Tool', { agent: true, boundary: 'aws:AgentStack/Boundary' });
    const revocation = role('Revocation', { component: 'revocation', name: 'ops-revocation' });
    const boundary = managedPolicy('Boundary', [statement('Allow', ['*'])], { boundaryOf: [tool], name: 'ops-boundary' });
    const onBoundary = inventory({ identities: [tool, revocation], policies: [boundary], grants: [allow(tool, ['iam:CreatePolicyVersion'], ['arn:aws:iam::111111111111:policy/ops-boundary'])] });
    expect(ids(check(GUARDRAIL_TAMPER, onBoundary))).toEqual(['Tool[iam:CreatePolicyVersion]']);
    const onRevocation = inventory({ identities: [tool, revocation], policies: [boundary], grants: [allow(tool, ['iam:UpdateAssumeRolePolicy'], ['arn:aws:iam::111111111111:role/ops-revocation'])] });
    expect(ids(check(GUARDRAIL_TAMPER, onRevocation))).toEqual(['Tool[iam:UpdateAssumeRolePolicy]']);
    const elsewhere = inventory({ identities: [tool, revocation], policies: [boundary], grants: [allow(tool, ['iam:UpdateAssumeRolePolicy'], ['arn:aws:iam::111111111111:role/app-fn'])] });
    expect(check(GUARDRAIL_TAMPER, elsewhere)).toEqual([]);
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
