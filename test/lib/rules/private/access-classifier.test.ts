import { bundledReaderChannel, classifyAction, classifyKnownRole, compareClass, isReadClass, maxClass } from '../../../../lib/rules/private/access-classifier';

describe('classifyAction on AWS: the Service Authorization Reference access level', () => {
  test.each([
    ['s3:GetObject', 'read'],
    ['s3:ListBucket', 'list'],
    ['S3:getobject', 'read'],
    ['s3:PutObject', 'write'],
    ['iam:AttachRolePolicy', 'permissions'],
    ['ec2:CreateTags', 'write'], // iam-data: 'Tagging, Write'; the more dangerous counts
    ['logs:FilterLogEvents', 'read'],
  ])('%s is %s', (action, cls) => {
    expect(classifyAction('aws', action)).toBe(cls);
  });

  test('a wildcard takes the highest level of what it matches (s3:Get* reads, s3:* manages permissions)', () => {
    expect(classifyAction('aws', 's3:Get*')).toBe('read');
    expect(classifyAction('aws', 's3:*')).toBe('permissions');
    expect(classifyAction('aws', 's3:?etObject')).toBe('read');
    expect(classifyAction('aws', 'iam:*Policy*')).toBe('permissions');
    expect(classifyAction('aws', '*')).toBe('permissions');
  });

  test('an action AWS does not have, or a wildcard matching nothing, is unknown (fail closed)', () => {
    expect(classifyAction('aws', 's3:GetObjekt')).toBe('unknown');
    expect(classifyAction('aws', 'nosuchservice:Get*')).toBe('unknown');
    expect(classifyAction('aws', 'not-an-action')).toBe('unknown');
  });
});

describe('classifyAction on GCP: permission verbs and roles', () => {
  test.each([
    ['storage.objects.get', 'read'],
    ['storage.objects.list', 'list'],
    ['resourcemanager.projects.getIamPolicy', 'read'],
    ['bigquery.tables.getData', 'read'],
    ['secretmanager.versions.access', 'read'],
    ['storage.objects.create', 'write'],
    ['compute.instances.delete', 'write'],
    ['storage.buckets.setIamPolicy', 'permissions'],
    ['iam.serviceAccounts.getAccessToken', 'permissions'],
    ['iam.serviceAccounts.actAs', 'permissions'],
    ['iam.roles.update', 'permissions'],
    ['storage.objects.*', 'unknown'],
  ])('%s is %s', (permission, cls) => {
    expect(classifyAction('gcp', permission)).toBe(cls);
  });

  test('roles: known ones by their permissions, others by name (viewer read, admin permissions, else write)', () => {
    expect(classifyAction('gcp', 'roles/storage.objectViewer')).toBe('read');
    expect(classifyAction('gcp', 'roles/viewer')).toBe('read');
    expect(classifyAction('gcp', 'roles/owner')).toBe('permissions');
    expect(classifyAction('gcp', 'roles/editor')).toBe('permissions'); // flagged escalation in policies/gcp-roles.json
    expect(classifyAction('gcp', 'roles/somethingnew.viewer')).toBe('read');
    expect(classifyAction('gcp', 'roles/somethingnew.admin')).toBe('permissions');
    expect(classifyAction('gcp', 'roles/somethingnew.operator')).toBe('write');
    expect(classifyAction('gcp', 'roles/iam.serviceAccountTokenCreator')).toBe('permissions');
  });

  test('a custom role whose permissions are unknown is unknown', () => {
    expect(classifyAction('gcp', 'projects/p/roles/myRole')).toBe('unknown');
  });
});

describe('classifyAction on Azure: action suffixes and built-in roles', () => {
  test.each([
    ['Microsoft.Storage/storageAccounts/read', 'read'],
    ['Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read', 'read'],
    ['Microsoft.Storage/storageAccounts/write', 'write'],
    ['Microsoft.Compute/virtualMachines/delete', 'write'],
    ['Microsoft.Storage/storageAccounts/listKeys/action', 'write'],
    ['Microsoft.Authorization/roleAssignments/write', 'permissions'],
    ['Microsoft.Authorization/*', 'permissions'],
    ['microsoft.authorization/roleassignments/read', 'read'],
    ['*/read', 'read'],
    ['*', 'permissions'],
    ['Microsoft.*/write', 'permissions'],
    ['Microsoft.Storage/*', 'write'],
  ])('%s is %s', (action, cls) => {
    expect(classifyAction('azure', action)).toBe(cls);
  });

  test('roles by name or GUID: Reader read, Contributor write, Owner permissions', () => {
    expect(classifyAction('azure', 'Reader')).toBe('read');
    expect(classifyAction('azure', 'acdd72a7-3385-48ef-bd42-f606fba81ae7')).toBe('read');
    expect(classifyAction('azure', 'Contributor')).toBe('write');
    expect(classifyAction('azure', 'Owner')).toBe('permissions');
    expect(classifyAction('azure', '8E3AF657-A8FF-443C-A75C-2FE8C4BCB635')).toBe('permissions');
    expect(classifyAction('azure', 'User Access Administrator')).toBe('permissions');
    expect(classifyAction('azure', '/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/b24988ac-6180-42a0-ab88-20f7382dd24c')).toBe('write');
    expect(classifyAction('azure', '00000000-0000-0000-0000-000000000000')).toBe('unknown');
  });
});

describe('Azure read-style actions and the channels reader roles bundle', () => {
  test('Key Vault secret reads are reads; actions that return tokens, credentials or keys stay writes', () => {
    expect(classifyAction('azure', 'Microsoft.KeyVault/vaults/secrets/getSecret/action')).toBe('read');
    expect(classifyAction('azure', 'Microsoft.KeyVault/vaults/secrets/readMetadata/action')).toBe('read');
    // ATTACK: credential-returning actions named like reads are not passed as reads.
    expect(classifyAction('azure', 'Microsoft.ApiManagement/service/getssotoken/action')).toBe('write');
    expect(classifyAction('azure', 'Microsoft.Storage/storageAccounts/listKeys/action')).toBe('write');
    expect(classifyAction('azure', 'Microsoft.Web/sites/config/list/action')).toBe('write');
  });

  test('support tickets and user-delegation keys are channels only when a built-in role bundles them', () => {
    expect(bundledReaderChannel('azure', 'Microsoft.Support/*', 'Monitoring Reader')?.kind).toBe('support-tickets');
    expect(bundledReaderChannel('azure', 'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action', 'Storage Blob Data Reader')?.kind).toBe('delegation-key');
    // ATTACK: a custom role (no built-in role name) listing it is judged as the write it is.
    expect(bundledReaderChannel('azure', 'Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action', undefined)).toBeUndefined();
    expect(bundledReaderChannel('azure', 'Microsoft.Storage/storageAccounts/listKeys/action', 'Reader and Data Access')).toBeUndefined();
    expect(bundledReaderChannel('gcp', 'Microsoft.Support/*', 'roles/viewer')).toBeUndefined();
  });
});

describe('class helpers', () => {
  test('only list and read are read classes; unknown ranks above write', () => {
    expect(isReadClass('list')).toBe(true);
    expect(isReadClass('read')).toBe(true);
    expect(isReadClass('tagging')).toBe(false);
    expect(isReadClass('unknown')).toBe(false);
    expect(maxClass(['read', 'unknown', 'write'])).toBe('unknown');
    expect(maxClass([])).toBe('list');
  });
});

describe('classifyKnownRole: predefined and built-in roles only', () => {
  test('GCP predefined roles and Azure built-ins have a class; custom roles do not', () => {
    expect(classifyKnownRole('gcp', 'roles/storage.objectViewer')).toBe('read');
    expect(classifyKnownRole('gcp', 'projects/p/roles/custom')).toBeUndefined();
    expect(classifyKnownRole('azure', 'Reader')).toBe('read');
    expect(classifyKnownRole('azure', '/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/8e3af657-a8ff-443c-a75c-2fe8c4bcb635')).toBe('permissions');
    expect(classifyKnownRole('azure', 'ag-deploy-operator-read')).toBeUndefined();
    expect(classifyKnownRole('aws', 'anything')).toBeUndefined();
    expect(compareClass('permissions', 'write')).toBeGreaterThan(0);
  });
});
