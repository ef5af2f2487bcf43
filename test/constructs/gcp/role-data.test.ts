import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { isReadPermission } from '../../../constructs/gcp/private/permissions';
import { isReadAction } from '../../../constructs/azure/private/actions';

const policies = path.join(__dirname, '..', '..', '..', 'policies');
const load = (f: string) => JSON.parse(fs.readFileSync(path.join(policies, f), 'utf8'));

describe('policies/gcp-roles.json', () => {
  const doc = load('gcp-roles.json');

  test('matches its schema, with a version and sources', () => {
    const validate = new Ajv({ allErrors: true, strict: true }).compile(load('gcp-roles.schema.json'));
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    expect(doc.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(doc.sources.length).toBeGreaterThan(0);
  });

  test('basic roles are flagged and known by name only', () => {
    for (const r of ['roles/owner', 'roles/editor', 'roles/viewer']) expect(doc.roles[r]).toMatchObject({ permissionsComplete: false, flags: expect.arrayContaining(['basic']) });
  });

  test('impersonation roles hold what makes them so', () => {
    expect(doc.roles['roles/iam.serviceAccountTokenCreator'].permissions).toEqual(expect.arrayContaining(['iam.serviceAccounts.getAccessToken', 'iam.serviceAccounts.signJwt', 'iam.serviceAccounts.implicitDelegation']));
    expect(doc.roles['roles/iam.serviceAccountUser'].permissions).toContain('iam.serviceAccounts.actAs');
    expect(doc.roles['roles/iam.serviceAccountKeyAdmin'].permissions).toContain('iam.serviceAccountKeys.create');
    for (const r of ['roles/iam.serviceAccountTokenCreator', 'roles/iam.serviceAccountUser', 'roles/iam.workloadIdentityUser', 'roles/iam.serviceAccountKeyAdmin']) {
      expect(doc.roles[r].flags).toContain('impersonation');
    }
  });

  test('a role flagged read-only holds only reads; complete lists are non-empty', () => {
    for (const [name, role] of Object.entries<any>(doc.roles)) {
      if (role.flags.includes('read-only')) expect({ name, writes: role.permissions.filter((p: string) => !isReadPermission(p)) }).toEqual({ name, writes: [] });
      if (role.permissionsComplete) expect(role.permissions.length).toBeGreaterThan(0);
    }
  });
});

describe('policies/azure-builtin-roles.json', () => {
  const doc = load('azure-builtin-roles.json');
  const byName = (n: string) => doc.roles.find((r: any) => r.name === n);

  test('matches its schema, with a version and sources', () => {
    const validate = new Ajv({ allErrors: true, strict: true }).compile(load('azure-builtin-roles.schema.json'));
    expect(validate(doc) ? [] : validate.errors).toEqual([]);
    expect(doc.sources.length).toBeGreaterThan(0);
  });

  test('names and GUIDs are unique', () => {
    expect(new Set(doc.roles.map((r: any) => r.name.toLowerCase())).size).toBe(doc.roles.length);
    expect(new Set(doc.roles.map((r: any) => r.id)).size).toBe(doc.roles.length);
  });

  test('the privileged roles carry their published GUIDs and are flagged', () => {
    expect(byName('Owner')).toMatchObject({ id: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', actions: ['*'], flags: expect.arrayContaining(['privileged']) });
    expect(byName('Contributor')).toMatchObject({ id: 'b24988ac-6180-42a0-ab88-20f7382dd24c', actions: ['*'], flags: expect.arrayContaining(['privileged']) });
    expect(byName('Contributor').notActions).toEqual(expect.arrayContaining(['Microsoft.Authorization/*/Write', 'Microsoft.Authorization/*/Delete']));
    expect(byName('User Access Administrator')).toMatchObject({ id: '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9', flags: expect.arrayContaining(['privileged', 'role-assignment']) });
    expect(byName('Role Based Access Control Administrator')).toMatchObject({ id: 'f58310d9-a9f6-439a-9e8d-f62e7b41a168', flags: expect.arrayContaining(['privileged', 'role-assignment']) });
  });

  test('data roles carry their data actions', () => {
    expect(byName('Storage Blob Data Reader')).toMatchObject({ id: '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1', dataActions: ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read'] });
    expect(byName('Storage Blob Data Owner').dataActions).toEqual(['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/*']);
    expect(byName('Key Vault Secrets User')).toMatchObject({ id: '4633458b-17de-408a-b874-0445c86b69e6', actions: [] });
  });

  test('a role flagged read-only reads only', () => {
    for (const r of doc.roles.filter((x: any) => x.flags.includes('read-only'))) {
      expect({ name: r.name, writes: r.actions.filter((a: string) => !isReadAction(a)), data: r.dataActions, not: r.notActions }).toEqual({ name: r.name, writes: [], data: [], not: [] });
    }
  });
});
