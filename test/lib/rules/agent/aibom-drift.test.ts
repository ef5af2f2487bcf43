import { AIBOM_DRIFT } from '../../../../lib/rules/agent/aibom-drift';
import { globCovers, globsIntersect, resourceWithin } from '../../../../lib/rules/agent/private/resource-match';
import { check, ids, InventoryBuilder } from './inventory-builder';

const BUCKET = 'arn:aws:s3:::triage-logs';

describe('AGENT-001: every grant of an agent identity maps to its declaration', () => {
  test('compliant: declared actions on declared resources, data sources and prefix ARNs', () => {
    // GIVEN
    const b = new InventoryBuilder();
    const role = b.tool({ name: 'read-logs', declaration: { actions: ['s3:GetObject', 's3:ListBucket'], resources: [BUCKET, `${BUCKET}/app/*`], dataSources: ['arn:aws:ssm:eu-west-1:111111111111:parameter/triage/config'] } });
    b.grant(role, ['s3:ListBucket'], [BUCKET]);
    b.grant(role, ['S3:GetObject'], [`${BUCKET}/app/*`, `${BUCKET}/app/2026/*`]);
    // WHEN / THEN
    expect(check(AIBOM_DRIFT, b.inventory)).toEqual([]);
  });

  test('non-compliant: an undeclared action and a resource outside the declaration are named', () => {
    const b = new InventoryBuilder();
    const role = b.tool({ name: 'read-logs', declaration: { actions: ['s3:GetObject'], resources: [`${BUCKET}/app/*`] } });
    b.grant(role, ['s3:GetObject', 's3:DeleteObject'], [`${BUCKET}/*`]);
    const findings = check(AIBOM_DRIFT, b.inventory);
    expect(ids(findings)).toEqual(['AGENT-001[action:s3:DeleteObject]', 'AGENT-001[resource:*]']);
    expect(findings[0].message).toContain('s3:DeleteObject');
    expect(findings[1].message).toContain(`${BUCKET}/*`);
    expect(findings[0]).toMatchObject({ severity: 'error', resource: 'read-logsPolicy', identity: 'aws:Stack/read-logs' });
  });

  test('non-compliant: a wildcard is accepted only where the declaration has the same wildcard', () => {
    const b = new InventoryBuilder();
    const role = b.tool({ name: 'read-logs', declaration: { actions: ['s3:GetObject'], resources: [`${BUCKET}/app/report.json`] } });
    b.grant(role, ['s3:Get*'], [`${BUCKET}/app/*`]);
    expect(ids(check(AIBOM_DRIFT, b.inventory))).toEqual(['AGENT-001[action:s3:Get*]', 'AGENT-001[resource:*]']);
  });

  test('non-compliant: an agent identity without a declaration', () => {
    const b = new InventoryBuilder();
    const role = b.tool({ name: 'read-logs', declaration: false });
    b.grant(role, ['s3:GetObject'], [BUCKET]);
    expect(ids(check(AIBOM_DRIFT, b.inventory))).toEqual(['AGENT-001[no-declaration]']);
  });

  test('non-compliant: NotAction on an Allow cannot be covered by any declaration', () => {
    const b = new InventoryBuilder();
    const role = b.tool({ name: 'read-logs', declaration: { actions: ['s3:GetObject'], resources: ['*'] } });
    b.grant(role, [], ['*'], { notActions: ['iam:*'] });
    expect(ids(check(AIBOM_DRIFT, b.inventory))).toEqual(['AGENT-001[not-action]']);
  });

  test('GCP: a declared role on a child of the declared resource passes; the project does not', () => {
    const b = new InventoryBuilder();
    const sa = b.tool({ cloud: 'gcp', name: 'read-bucket', declaration: { actions: ['roles/storage.objectViewer'], resources: ['projects/_/buckets/triage'] } });
    b.grant(sa, ['storage.objects.get', 'storage.objects.list'], ['projects/_/buckets/triage'], { role: 'roles/storage.objectViewer', scopeLevel: 'resource' });
    expect(check(AIBOM_DRIFT, b.inventory)).toEqual([]);
    b.grant(sa, [], ['projects/prod-project'], { role: 'roles/storage.admin', scopeLevel: 'project' });
    expect(ids(check(AIBOM_DRIFT, b.inventory))).toEqual(['AGENT-001[action:roles/storage.admin]', 'AGENT-001[resource:prod-project]']);
  });

  test('Azure: scopes compare case-insensitively and cover their children only', () => {
    const rg = '/subscriptions/0000/resourceGroups/triage-prod';
    const b = new InventoryBuilder();
    const mi = b.tool({ cloud: 'azure', name: 'read-vault', declaration: { actions: ['Reader'], resources: [rg] } });
    b.grant(mi, [], [`${rg.toLowerCase()}/providers/Microsoft.KeyVault/vaults/v1`], { role: 'Reader', scopeLevel: 'resource' });
    expect(check(AIBOM_DRIFT, b.inventory)).toEqual([]);
    b.grant(mi, [], ['/subscriptions/0000'], { role: 'Reader', scopeLevel: 'subscription' });
    expect(ids(check(AIBOM_DRIFT, b.inventory))).toEqual(['AGENT-001[resource:0000]']);
  });

  test('identities that are not agent tool identities are not checked', () => {
    const b = new InventoryBuilder();
    const broker = b.guardrail({ name: 'broker', component: 'broker' });
    b.grant(broker, ['sts:AssumeRole'], ['*']);
    expect(check(AIBOM_DRIFT, b.inventory)).toEqual([]);
  });
});

describe('glob containment used by AIBOM matching', () => {
  test.each([
    ['b/logs/*', 'b/logs/x', true],
    ['b/logs/*', 'b/logs/*', true],
    ['b/logs/*', 'b/logs/a*b*', true],
    ['b/logs/*', 'b/*', false],
    ['b/logs/a?', 'b/logs/a*', false],
    ['b/logs/a*', 'b/logs/a?', true],
    ['b/logs/x', 'b/logs/*', false],
    ['*', 'anything/*', true],
  ])('%s covers %s: %s', (declared, granted, expected) => {
    expect(globCovers(declared, granted)).toBe(expected);
  });

  test('GCP children are within their parent, never the reverse', () => {
    expect(resourceWithin('gcp', 'projects/p/topics/t', ['projects/p'])).toBe(true);
    expect(resourceWithin('gcp', 'projects/p', ['projects/p/topics/t'])).toBe(false);
    expect(resourceWithin('gcp', 'projects/p2/topics/t', ['projects/p'])).toBe(false);
    expect(resourceWithin('aws', 'arn:aws:s3:::b/x', ['arn:aws:s3:::b'])).toBe(false);
  });
});

describe('glob intersection used for GCP/Azure wildcard actions', () => {
  test.each([
    ['*', '*/delete', true],
    ['Microsoft.Compute/*', '*/delete', true],
    ['microsoft.compute/virtualmachines/*', 'Microsoft.Compute/*/Delete', true],
    ['*/read', '*/delete', false],
    ['Microsoft.Storage/storageAccounts/read', '*/delete', false],
    ['compute.instances.?et', 'compute.instances.get', true],
  ])('%s and %s: %s', (a, b, expected) => {
    expect(globsIntersect(a, b)).toBe(expected);
    expect(globsIntersect(b, a)).toBe(expected);
  });
});

