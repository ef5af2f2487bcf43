import { arnEnvironmentViolations, awsAgentViolations, awsPermissionViolations, awsToolViolations, validateAwsTool } from '../../../lib/aws/validate-aws-tool';
import { Baseline } from '../../../lib/baseline/baseline';
import { AccessLevel, AgentTier, Tool } from '../../../lib/model';

const baseline = Baseline.default();
const ctx = { agentName: 'agent', environmentName: 'prod', environment: { account: '333333333333', regions: ['eu-west-1', 'eu-central-1'] }, baseline };
const SERVICE = 'arn:aws:ecs:eu-west-1:333333333333:service/c/s';
const codes = (tool: Tool) => awsToolViolations(tool, ctx).map((v) => v.code);

describe('validateAwsTool: a compliant tool has no violations', () => {
  test.each([
    ['exact action on exact ARN', Tool.write('wt', { aws: { actions: ['ecs:UpdateService'], resources: [SERVICE] } })],
    ['wildcard-only actions on "*"', Tool.write('metrics', { aws: { actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] } })],
    ['read/list actions in a read tool', Tool.read('rt', { aws: { actions: ['ecs:DescribeServices', 'ecs:ListServices'], resources: [SERVICE] } })],
    ['account-less ARNs (S3)', Tool.read('rt', { aws: { actions: ['s3:GetObject'], resources: ['arn:aws:s3:::bucket/*'] } })],
    ['region-less ARNs (IAM)', Tool.read('rt', { aws: { actions: ['iam:GetRole'], resources: ['arn:aws:iam::333333333333:role/x'] } })],
    ['any case of an action', Tool.read('rt', { aws: { actions: ['ECS:describeservices'], resources: [SERVICE] } })],
    ['a second region of the environment', Tool.read('rt', { aws: { actions: ['ecs:DescribeServices'], resources: [SERVICE.replace('eu-west-1', 'eu-central-1')] } })],
  ])('%s', (_name, tool) => {
    expect(validateAwsTool(tool, ctx)).toEqual([]);
  });
});

describe('validateAwsTool: non-compliant tools', () => {
  test.each([
    ['AG_TOOL_WILDCARD_ACTION', Tool.write('wt', { aws: { actions: ['*'], resources: ['*'] } })],
    ['AG_TOOL_WILDCARD_ACTION', Tool.write('wt', { aws: { actions: ['iam:?ut*'], resources: ['*'] } })],
    ['AG_TOOL_UNKNOWN_ACTION', Tool.write('wt', { aws: { actions: ['ecs:Nope'], resources: [SERVICE] } })],
    ['AG_TOOL_UNKNOWN_ACTION', Tool.write('wt', { aws: { actions: ['nosuchservice:Get'], resources: [SERVICE] } })],
    ['AG_TOOL_UNKNOWN_ACTION', Tool.write('wt', { aws: { actions: ['UpdateService'], resources: [SERVICE] } })],
    ['AG_TOOL_WILDCARD_RESOURCE', Tool.write('wt', { aws: { actions: ['ecs:UpdateService', 'xray:PutTraceSegments'], resources: ['*'] } })],
    ['AG_TOOL_READ_WRITES', Tool.read('rt', { aws: { actions: ['iam:AttachRolePolicy'], resources: ['arn:aws:iam::333333333333:role/x'] } })],
    ['AG_TOOL_OTHER_ENVIRONMENT', Tool.read('rt', { aws: { actions: ['ecs:DescribeServices'], resources: ['arn:aws:ecs:eu-west-1:222222222222:service/c/s'] } })],
    ['AG_TOOL_OTHER_ENVIRONMENT', Tool.read('rt', { aws: { actions: ['ecs:DescribeServices'], resources: ['arn:aws:ecs:us-east-1:333333333333:service/c/s'] } })],
    ['AG_TOOL_OTHER_ENVIRONMENT', Tool.read('rt', { aws: { actions: ['ecs:DescribeServices'], resources: ['arn:aws:ecs:*:333333333333:service/c/s'] } })],
    ['AG_TOOL_BAD_ARN', Tool.read('rt', { aws: { actions: ['ecs:DescribeServices'], resources: ['service/c/s'] } })],
    ['AG_TOOL_NO_AWS', Tool.read('rt', { gcp: { roles: ['roles/viewer'], resource: 'projects/p' } })],
  ])('%s', (code, tool) => {
    expect(codes(tool)).toContain(code);
  });

  test('tokens are skipped (checked at synth by the construct)', () => {
    const token = '${Token[TOKEN.123]}';
    expect(validateAwsTool(Tool.write('wt', { aws: { actions: [token], resources: [token] } }), ctx)).toEqual([]);
  });

  test('messages name the field, the rule, the value and the fix', () => {
    expect(validateAwsTool(Tool.write('wt', { aws: { actions: ['ecs:UpdateService'], resources: ['*'] } }), ctx)).toEqual([
      'Agent(agent).tools[wt].aws.resources must not be "*" for actions that support resource-level permissions (ecs:UpdateService); got "*". Name the resource ARNs; put wildcard-only actions (e.g. xray:PutTraceSegments) in a tool of their own if they need "*".',
    ]);
  });

  test('works on parts, e.g. values resolved at synth', () => {
    expect(awsPermissionViolations('wt', AccessLevel.READ, { actions: ['ecs:UpdateService'], resources: [SERVICE] }, ctx).map((v) => v.code)).toEqual(['AG_TOOL_READ_WRITES']);
    expect(arnEnvironmentViolations(SERVICE, 'f', ctx)).toEqual([]);
  });
});

describe('awsAgentViolations: the tier contract with AWS proposal actions', () => {
  const write = Tool.write('restart', { aws: { actions: ['ecs:UpdateService'], resources: [SERVICE] } });
  const proposal = Tool.write('open-case', { aws: { actions: ['support:CreateCase', 'support:AddCommunicationToCase'], resources: ['*'] } });
  test.each([
    ['observer with a write tool', AgentTier.OBSERVER, [write], ['AG_TIER_CEILING']],
    ['advisor with a non-proposal write', AgentTier.ADVISOR, [write], ['AG_TIER_ADVISOR_WRITE']],
    ['advisor with proposal writes only', AgentTier.ADVISOR, [proposal], []],
    ['operator with any write', AgentTier.OPERATOR, [write], []],
    ['duplicate tool names', AgentTier.OPERATOR, [write, write], ['AG_TOOL_DUPLICATE']],
    ['no tools', AgentTier.OPERATOR, [], ['AG_AGENT_NO_TOOLS']],
  ])('%s', (_name, tier, tools, expected) => {
    expect(awsAgentViolations('agent', tier, tools, baseline).map((v) => v.code)).toEqual(expected);
  });
});
