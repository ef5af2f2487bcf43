import { Baseline } from '../../../../lib/baseline/baseline';
import { TIER_CONTRACT } from '../../../../lib/rules/agent/tier-contract';
import { check, ids, InventoryBuilder } from './inventory-builder';

const SERVICE = 'arn:aws:ecs:eu-west-1:111111111111:service/prod/api';

describe('AGENT-003: tier contract (observer read/list, advisor proposals, operator declared writes with window and short session)', () => {
  test('compliant: observer reads, advisor proposes, operator writes on its declared service', () => {
    const b = new InventoryBuilder();
    const obs = b.tool({ name: 'read-logs', tier: 'observer', declaration: { accessLevel: 'read' } });
    b.grant(obs, ['logs:FilterLogEvents', 'cloudwatch:ListMetrics'], ['*']);
    const adv = b.tool({ name: 'open-ticket', tier: 'advisor', declaration: { accessLevel: 'write' } });
    b.grant(adv, ['ssm:CreateOpsItem', 'ssm:DescribeOpsItems'], ['*']);
    const op = b.tool({ name: 'scale', tier: 'operator', declaration: { accessLevel: 'write', resources: [SERVICE] }, maxSessionSeconds: 3600 });
    b.grant(op, ['ecs:UpdateService', 'ecs:DescribeServices'], [SERVICE]);
    expect(check(TIER_CONTRACT, b.inventory)).toEqual([]);
  });

  test('non-compliant: an observer holding a write, even disguised as a wildcard', () => {
    const b = new InventoryBuilder();
    const obs = b.tool({ name: 'read-logs', tier: 'observer', declaration: { accessLevel: 'read' } });
    b.grant(obs, ['logs:Get*', 'logs:Put*'], ['*']);
    const findings = check(TIER_CONTRACT, b.inventory);
    expect(ids(findings)).toEqual(['AGENT-003[observer:logs:Put*]']);
    expect(findings[0].message).toContain('observers hold list/read only');
  });

  test('non-compliant: an observer with an action we cannot classify (fail closed)', () => {
    const b = new InventoryBuilder();
    const obs = b.tool({ name: 'read-logs', tier: 'observer', declaration: { accessLevel: 'read' } });
    b.grant(obs, ['logs:FilterLogEventz'], ['*']);
    expect(check(TIER_CONTRACT, b.inventory)[0].message).toContain('unclassified action, treated as a write');
  });

  test('non-compliant: an advisor that changes production instead of proposing', () => {
    const b = new InventoryBuilder();
    const adv = b.tool({ name: 'fix-it', tier: 'advisor', declaration: { accessLevel: 'write' } });
    b.grant(adv, ['ssm:CreateOpsItem', 'ecs:UpdateService'], ['*']);
    expect(ids(check(TIER_CONTRACT, b.inventory))).toEqual(['AGENT-003[advisor:ecs:UpdateService]']);
  });

  test('GCP and Azure advisors: proposal permissions pass, other writes do not', () => {
    const b = new InventoryBuilder();
    const gcp = b.tool({ cloud: 'gcp', name: 'case', tier: 'advisor', declaration: { accessLevel: 'write' } });
    b.grant(gcp, ['cloudsupport.cases.create', 'compute.instances.stop'], ['projects/p']);
    const az = b.tool({ cloud: 'azure', name: 'ticket', tier: 'advisor', declaration: { accessLevel: 'write' } });
    b.grant(az, ['Microsoft.Support/supportTickets/write', 'Microsoft.Web/sites/restart/action'], ['/subscriptions/s/resourceGroups/rg']);
    expect(ids(check(TIER_CONTRACT, b.inventory))).toEqual([
      'AGENT-003[advisor:compute.instances.stop]', 'AGENT-003[advisor:Microsoft.Web/sites/restart/action]',
    ]);
  });

  test('non-compliant: an operator writing outside its declared resources', () => {
    const b = new InventoryBuilder();
    const op = b.tool({ name: 'scale', declaration: { accessLevel: 'write', resources: [SERVICE] } });
    b.grant(op, ['ecs:UpdateService'], ['arn:aws:ecs:eu-west-1:111111111111:service/prod/*']);
    b.grant(op, ['ecs:DescribeServices'], ['*']); // reads are not the tier rule's concern
    expect(ids(check(TIER_CONTRACT, b.inventory))).toEqual(['AGENT-003[operator-undeclared:ecs:UpdateService]']);
  });

  test('non-compliant: a declared access level above the tier, and an unknown tier held to observer', () => {
    const b = new InventoryBuilder();
    b.tool({ name: 'drop', tier: 'observer', declaration: { accessLevel: 'destructive' } });
    const mystery = b.tool({ name: 'mystery', tier: 'superuser', declaration: { accessLevel: 'read' } });
    b.grant(mystery, ['s3:PutObject'], ['arn:aws:s3:::b/*']);
    expect(ids(check(TIER_CONTRACT, b.inventory))).toEqual([
      'AGENT-003[access-level:destructive]', 'AGENT-003[unknown-tier]', 'AGENT-003[observer:s3:PutObject]',
    ]);
  });

  test('non-compliant: an operator write tool without a window when the baseline requires one, and a long session', () => {
    const baseline = Baseline.fromObject({
      id: 'team', version: '1.0.0', extends: 'agent-guardrails',
      tiers: { operator: { accessLevels: ['read', 'write', 'destructive'], requireWindowFor: ['write', 'destructive'] } },
    });
    const b = new InventoryBuilder();
    b.tool({ name: 'scale', declaration: { accessLevel: 'write', hasWindow: false }, maxSessionSeconds: 43200 });
    b.tool({ name: 'scale-windowed', declaration: { accessLevel: 'write', hasWindow: true } });
    expect(ids(check(TIER_CONTRACT, b.inventory, baseline))).toEqual(['AGENT-003[no-window]', 'AGENT-003[operator-session]']);
  });
});

describe('AGENT-003: roles whose permission list is incomplete', () => {
  test('an observer bound to roles/editor is reported even when the adapter lists no permissions for it; a custom read role is not', () => {
    const b = new InventoryBuilder();
    const sa = b.tool({ cloud: 'gcp', name: 'read', tier: 'observer', declaration: { accessLevel: 'read' } });
    b.grant(sa, [], ['projects/p'], { role: 'roles/editor', scopeLevel: 'project' });
    b.grant(sa, ['logging.logEntries.list'], ['projects/p'], { role: 'projects/p/roles/agReadLogs', scopeLevel: 'project' });
    b.grant(sa, ['storage.objects.get'], ['projects/_/buckets/b'], { role: 'roles/storage.objectViewer', scopeLevel: 'resource' });
    expect(ids(check(TIER_CONTRACT, b.inventory))).toEqual(['AGENT-003[observer:roles/editor]']);
  });
});
