import { awsManagedPolicyDocument } from '../../../../lib/adapters/cloudformation/aws-managed-policies';
import { inventoryFromTemplate } from '../../../../lib/adapters/cloudformation/inventory-from-template';
import { Baseline } from '../../../../lib/baseline/baseline';
import { AWS_RULES, Finding, runRules } from '../../../../lib/rules';
import { IamSimulator } from '../../../helpers/iam-simulator';

/**
 * AWS-managed `service-role/` policies are judged as AWS designed them on a role only AWS services assume: every
 * rule's finding is at most a warning there (AWS-002/004/005/007 agree). On an agent's tool role they are errors,
 * and a role a person or another account can assume gets no allowance. Real policies from the shipped data.
 */
const ACCOUNT = '111122223333';
const PERSON = `arn:aws:iam::444455556666:role/developer`;
const AGENT_TAGS = [{ Key: 'agent-guardrails:component', Value: 'tool-identity' }, { Key: 'agent-guardrails:agent', Value: 'ops' }];

function template(policy: string, trusted: 'service' | 'person', service: string, tags?: unknown[]) {
  const principal = trusted === 'service' ? { Service: service } : { AWS: PERSON };
  return { Resources: { Role: { Type: 'AWS::IAM::Role', Properties: {
    AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole', ...(trusted === 'person' ? { Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } } } : {}) }] },
    ManagedPolicyArns: [`arn:aws:iam::aws:policy/service-role/${policy}`], ...(tags ? { Tags: tags } : {}) } } } };
}
const judged = (t: unknown): Finding[] => runRules(inventoryFromTemplate(t, { stack: 'S' }), AWS_RULES, Baseline.default());
const errorRules = (f: Finding[]) => [...new Set(f.filter((x) => x.severity === 'error').map((x) => x.ruleId))].sort();

// Each policy, the service it is written for, and the rules that error on it when a person can assume the role.
const CASES: [string, string, string[]][] = [
  ['AWSGlueServiceRole', 'glue.amazonaws.com', ['AWS-002', 'AWS-004']],
  ['AmazonElasticMapReduceRole', 'elasticmapreduce.amazonaws.com', ['AWS-002', 'AWS-004', 'AWS-005']],
  ['AmazonSSMAutomationRole', 'ssm.amazonaws.com', ['AWS-002', 'AWS-004', 'AWS-007']],
];

describe('AWS-managed service-role policies are judged as AWS designed them, on every rule alike', () => {
  test.each(CASES)('%s on a role only %s assumes: findings, all warnings', (policy, service) => {
    const f = judged(template(policy, 'service', service));
    expect(f.length).toBeGreaterThan(0);
    expect(errorRules(f)).toEqual([]);
    expect(f.filter((x) => x.ruleId === 'AWS-002' || x.ruleId === 'AWS-005').every((x) => /only AWS services assume/.test(x.message))).toBe(true);
  });

  test.each(CASES)('%s on a role a person of another account can assume: no allowance (errors on %s\'s rules)', (policy, service, rules) => {
    expect(errorRules(judged(template(policy, 'person', service)))).toEqual(rules);
  });

  test.each(CASES)('%s on an agent\'s tool role: errors', (policy, service, rules) => {
    const errors = errorRules(judged(template(policy, 'service', service, AGENT_TAGS)));
    for (const rule of rules) expect(errors).toContain(rule);
  });

  test('a statement of ours on the service role gets no allowance: glue:* inline stays an AWS-002 error', () => {
    const t = template('AWSGlueServiceRole', 'service', 'glue.amazonaws.com') as any;
    t.Resources.Role.Properties.Policies = [{ PolicyName: 'ours', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'glue:*', Resource: '*' }] } }];
    expect(judged(t).filter((x) => x.ruleId === 'AWS-002' && x.severity === 'error').map((x) => x.resource)).toEqual(['Role']);
  });

  test('IAM evaluation: what the allowance rests on is the trust: the service assumes the role, the other account\'s person cannot; with person trust they can', async () => {
    const service = IamSimulator.fromTemplate(template('AmazonSSMAutomationRole', 'service', 'ssm.amazonaws.com'), { account: ACCOUNT, region: 'eu-west-1' });
    expect(await service.decideAssume({ role: 'Role', principal: PERSON, action: 'sts:AssumeRole', context: { 'aws:MultiFactorAuthPresent': 'true' }, principalPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }] })).not.toBe('Allowed');
    const person = IamSimulator.fromTemplate(template('AmazonSSMAutomationRole', 'person', 'ssm.amazonaws.com'), { account: ACCOUNT, region: 'eu-west-1' });
    expect(await person.decideAssume({ role: 'Role', principal: PERSON, action: 'sts:AssumeRole', context: { 'aws:MultiFactorAuthPresent': 'true' }, principalPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }] })).toBe('Allowed');
    // And what such a person then holds: ssm:SendCommand on any instance of the account (AWS-004's ssm-send-command path).
    const automation = awsManagedPolicyDocument('service-role/AmazonSSMAutomationRole');
    const bare = template('AmazonSSMAutomationRole', 'person', 'ssm.amazonaws.com');
    delete (bare.Resources.Role.Properties as Record<string, unknown>).ManagedPolicyArns; // the harness takes AWS-managed documents as extraPolicies
    expect(await IamSimulator.fromTemplate(bare, { account: ACCOUNT, region: 'eu-west-1' }).decide({ role: 'Role', action: 'ssm:SendCommand', resource: `arn:aws:ec2:eu-west-1:${ACCOUNT}:instance/i-0123456789abcdef0`, extraPolicies: [automation] })).toBe('Allowed');
  });
});
