import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Grant } from '../../../../lib/inventory/inventory';
import { useRoleData } from '../../../../lib/role-data/role-data';
import { writeRoleData } from '../../../../lib/role-data/pull-role-data';
import { grantedActions } from '../../../../lib/rules/agent/private/agent-inventory';

/**
 * The agent rules classify a grant's actions once per grant, and a predefined role's class comes from
 * the role data in force. A process that switches the data (a test runner, a long-lived validator)
 * must not keep the class read under the other data.
 */
describe('grantedActions follows the role data in force', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-granted-actions-'));
  afterAll(() => {
    useRoleData(undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a role the shipped catalog does not know is re-classified once role data that knows it is in force, and back', () => {
    writeRoleData(dir, 'gcp', {
      id: 'gcp-roles', version: '1.0.0', description: 'test', sources: ['test'],
      roles: { 'roles/example.tokenMinter': { title: 'Example', flags: [], permissionsComplete: true, permissions: ['iam.serviceAccounts.getAccessToken'] } },
    });
    const grant: Grant = { id: 'g', cloud: 'gcp', identityId: 'sa', effect: 'Allow', actions: [], resources: ['projects/p'], role: 'roles/example.tokenMinter', scopeLevel: 'project', via: 'iam-member', source: { resource: 'google_project_iam_member.g' } };
    useRoleData(undefined);
    const shipped = grantedActions(grant).map((a) => a.cls);
    useRoleData(dir);
    const pulled = grantedActions(grant).map((a) => a.cls);
    useRoleData(undefined);
    const again = grantedActions(grant).map((a) => a.cls);
    expect(pulled).not.toEqual(shipped);
    expect(again).toEqual(shipped);
  });
});
