import { AGENT_RULES } from '../../../../lib/rules/agent';

describe('agent rule registry', () => {
  test('pins the exact list of agent rule ids, in id order', () => {
    expect(AGENT_RULES.map((r) => r.id)).toEqual(['AGENT-001', 'AGENT-002', 'AGENT-003', 'AGENT-004', 'AGENT-005', 'AGENT-006', 'AGENT-007', 'AGENT-008']);
  });

  test('every rule publishes its metadata: all clouds, a one-line reason, an explanation and a fix', () => {
    for (const rule of AGENT_RULES) {
      expect(rule.cloud).toBe('all');
      expect(rule.reason).not.toMatch(/\n/);
      expect(rule.explanation.length).toBeGreaterThan(40);
      expect(rule.fix.length).toBeGreaterThan(20);
      expect(Array.isArray(rule.controls)).toBe(true);
    }
  });
});
