import { Baseline } from '../../../lib/baseline/baseline';
import { AccessLevel, AgentTier, ChangeWindow, Tool, tierContractViolations } from '../../../lib/model';

const aws = { actions: ['ecs:DescribeServices'], resources: ['arn:aws:ecs:eu-west-1:333333333333:service/c/s'] };
const read = Tool.read('read-service', { aws });
const write = Tool.write('restart-service', { aws });
const destructive = Tool.destructive('rollback', { aws });
const proposalOnly = (names: string[]) => (t: Tool) => names.includes(t.name);
const base = Baseline.default();

describe('tierContractViolations', () => {
  test.each([
    ['observer: read only', AgentTier.OBSERVER, [read], 0],
    ['observer: no write', AgentTier.OBSERVER, [read, write], 1],
    ['observer: no destructive', AgentTier.OBSERVER, [destructive], 1],
    ['advisor: proposals allowed', AgentTier.ADVISOR, [read, Tool.write('open-pr', { aws })], 0],
    ['advisor: other writes refused', AgentTier.ADVISOR, [write], 1],
    ['advisor: no destructive', AgentTier.ADVISOR, [destructive], 1],
    ['operator: all levels', AgentTier.OPERATOR, [read, write, destructive], 0],
  ])('%s', (_name, tier, tools, count) => {
    expect(tierContractViolations('agent', tier, tools, base, proposalOnly(['open-pr']))).toHaveLength(count);
  });

  test('messages name the field, the rule and the fix', () => {
    expect(tierContractViolations('agent', AgentTier.OBSERVER, [write], base, () => false)).toEqual([
      'Agent(agent).tools[restart-service] exceeds the observer tier (baseline agent-guardrails/default allows read); got write. Raise the agent\'s tier or make the tool read.',
    ]);
  });

  test('duplicates and an empty tool list', () => {
    expect(tierContractViolations('agent', AgentTier.OPERATOR, [read, read], base, () => true)[0]).toMatch(/duplicate tool name; got "read-service"/);
    expect(tierContractViolations('agent', AgentTier.OPERATOR, [], base, () => true)[0]).toMatch(/must hold at least one tool/);
  });

  test('destructive tools need approval under the default baseline', () => {
    const unapproved = Tool.destructive('rollback', { aws, requiresApproval: false });
    expect(unapproved.requiresApproval).toBe(false);
    expect(tierContractViolations('agent', AgentTier.OPERATOR, [unapproved], base, () => true)[0]).toMatch(/requiresApproval must be true for destructive tools/);
    expect(destructive.requiresApproval).toBe(true);
  });

  test('a baseline may require change windows and approvals for more levels', () => {
    const strict = Baseline.fromObject({
      id: 'strict', version: '1.0.0', extends: 'agent-guardrails',
      tiers: { operator: { accessLevels: ['read', 'write', 'destructive'], requireWindowFor: ['write', 'destructive'] } },
      approval: { requiredFor: ['destructive', 'write'] },
    });
    const errors = tierContractViolations('agent', AgentTier.OPERATOR, [write], strict, () => true);
    expect(errors).toHaveLength(2);
    expect(errors.join('\n')).toMatch(/needs a change window for write tools/);
    expect(errors.join('\n')).toMatch(/requiresApproval must be true for write tools/);
    const ok = Tool.write('restart-service', { aws, window: ChangeWindow.workdays('UTC', '09:00', '17:00'), requiresApproval: true });
    expect(tierContractViolations('agent', AgentTier.OPERATOR, [ok], strict, () => true)).toEqual([]);
    expect(strict.approvalRequiredFor(AccessLevel.WRITE)).toBe(true);
  });
});
