import { EffectivePermissions } from '../../../../../lib/rules/aws/private/effective-permissions';
import { allow, inventory, managedPolicy, role, statement } from './hand-built-inventory';

/** The short cuts of the effective-permission evaluation give the answers the full evaluation gives. */
describe('effective permissions: shared and skipped work', () => {
  const of = (inv: ReturnType<typeof inventory>, id: string) => EffectivePermissions.all(inv).find((p) => p.subject.resource === id)!;

  test('an identity naming only literal actions: any case matches, other actions of the service do not', () => {
    const tool = role('Tool', { agent: true });
    const perms = of(inventory({ identities: [tool], grants: [allow(tool, ['LOGS:getlogevents'], ['arn:aws:logs:eu-west-1:1:log-group:a'])] }), 'Tool');
    expect(perms.usesOf('logs:GetLogEvents').map((u) => u.written)).toEqual(['LOGS:getlogevents']);
    expect(perms.usesOf('logs:DeleteLogGroup')).toEqual([]);
    expect(perms.isAllowed('logs:FilterLogEvents')).toBe(false);
  });

  test('a wildcard or NotAction next to literal actions still matches what it covers', () => {
    const tool = role('Tool', { agent: true });
    const perms = of(inventory({ identities: [tool], grants: [
      allow(tool, ['logs:GetLogEvents'], ['arn:aws:logs:eu-west-1:1:log-group:a']),
      allow(tool, ['logs:Delete*'], ['arn:aws:logs:eu-west-1:1:log-group:a']),
    ] }), 'Tool');
    expect(perms.usesOf('logs:DeleteLogGroup').map((u) => u.written)).toEqual(['logs:Delete*']);
    const other = role('Other', { agent: true });
    const notAction = of(inventory({ identities: [other], grants: [allow(other, [], ['*'], { notActions: ['iam:*'] })] }), 'Other');
    expect(notAction.isAllowed('logs:DeleteLogGroup')).toBe(true);
    expect(notAction.isAllowed('iam:PassRole')).toBe(false);
  });

  test('boundaries with the same Action lists and different resources each cap their own roles', () => {
    const a = role('A', { agent: true, boundary: `aws:AgentStack/BoundaryA` });
    const b = role('B', { agent: true, boundary: `aws:AgentStack/BoundaryB` });
    const lists = (resource: string) => [statement('Allow', ['ssm:GetParameter'], [resource]), statement('Deny', ['iam:*'])];
    const inv = inventory({
      identities: [a, b],
      grants: [allow(a, ['ssm:GetParameter'], ['arn:aws:ssm:eu-west-1:1:parameter/*']), allow(b, ['ssm:GetParameter'], ['arn:aws:ssm:eu-west-1:1:parameter/*'])],
      policies: [
        managedPolicy('BoundaryA', lists('arn:aws:ssm:eu-west-1:1:parameter/a/*'), { boundaryOf: [a] }),
        managedPolicy('BoundaryB', lists('arn:aws:ssm:eu-west-1:1:parameter/b/*'), { boundaryOf: [b] }),
      ],
    });
    expect(of(inv, 'A').usesOf('ssm:GetParameter').flatMap((u) => u.resources)).toEqual(['arn:aws:ssm:eu-west-1:1:parameter/a/*']);
    expect(of(inv, 'B').usesOf('ssm:GetParameter').flatMap((u) => u.resources)).toEqual(['arn:aws:ssm:eu-west-1:1:parameter/b/*']);
  });

  test('boundaries whose lists differ do not share which statements apply', () => {
    const a = role('A', { agent: true });
    const b = role('B', { agent: true });
    const inv = inventory({
      identities: [a, b],
      grants: [allow(a, ['ssm:GetParameter'], ['*']), allow(b, ['ssm:GetParameter'], ['*'])],
      policies: [
        managedPolicy('BoundaryA', [statement('Allow', ['ssm:GetParameter'])], { boundaryOf: [a] }),
        managedPolicy('BoundaryB', [statement('Allow', ['ssm:GetParameters'])], { boundaryOf: [b] }),
      ],
    });
    expect(of(inv, 'A').isAllowed('ssm:GetParameter')).toBe(true);
    expect(of(inv, 'B').isAllowed('ssm:GetParameter')).toBe(false);
  });
});
