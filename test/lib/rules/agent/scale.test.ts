import { Baseline } from '../../../../lib/baseline/baseline';
import { AGENT_RULES } from '../../../../lib/rules/agent';
import { runRules } from '../../../../lib/rules/run-rules';
import { InventoryBuilder } from './inventory-builder';

/** 2,000 tool roles of one agent in one environment, each trusting the broker: the benchmark's shape. */
function largeInventory(count: number): InventoryBuilder {
  const b = new InventoryBuilder().awsKillSwitch('triage');
  b.guardrail({ name: 'Broker', component: 'broker' });
  const broker = 'arn:aws:iam::${AWS::AccountId}:role/Broker';
  for (let i = 0; i < count; i++) {
    const arn = `arn:aws:sqs:eu-west-1:111111111111:q${i}`;
    const role = b.tool({
      name: `tool-${i}`, tool: `tool-${i}`,
      declaration: { accessLevel: i % 10 === 0 ? 'destructive' : 'write', requiresApproval: true, actions: ['sqs:SendMessage'], resources: [arn] },
      trust: [
        { principals: [broker], principalKinds: ['AWS'], condition: { StringEquals: { 'sts:SourceIdentity': 'triage' } } },
        { actions: ['sts:SetSourceIdentity'], principals: [broker], principalKinds: ['AWS'] },
      ],
    });
    b.grant(role, ['sqs:SendMessage'], [arn]);
  }
  return b;
}

describe('agent rules at scale', () => {
  test('2,000 compliant tool roles: no finding, and no rule is quadratic (generous bound for a shared 2-core machine)', () => {
    const inventory = largeInventory(2000).inventory;
    const baseline = Baseline.default();
    runRules(inventory, AGENT_RULES, baseline); // warm the catalogs and the action data
    const start = Date.now();
    const findings = runRules(inventory, AGENT_RULES, baseline);
    const elapsed = Date.now() - start;
    expect(findings).toEqual([]);
    expect(elapsed).toBeLessThan(5000); // ~0.4 s measured; a quadratic rule took 17 s
  });
});
