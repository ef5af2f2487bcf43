import { Grant } from '../../../../lib/inventory/inventory';
import { AzureMonitorPart, azureMonitorPartsReached, azureTamperActions } from '../../../../lib/rules/agent/private/azure-monitor-reach';

/**
 * How AGENT-005 (Azure) decides that a tool's grant reaches an activity monitor's resource and can
 * change it: scopes that contain, name or sit inside a part; actions by what they allow after
 * not-actions; bad or unreadable input reaches everything rather than nothing.
 */
const SUB = '/subscriptions/00000000-0000-4000-8000-000000000001';
const RG = `${SUB}/resourceGroups/rg-mon`;
const part = (type: string, name: string, tamper: string[]): AzureMonitorPart => ({
  what: `${type} ${name}`, path: `/resourcegroups/rg-mon/providers/${type}/${name}`.toLowerCase(), resourceGroup: 'rg-mon',
  actionPrefix: `${type.toLowerCase()}/`, tamper: tamper.map((t) => `${type.toLowerCase()}/${t}`),
});
const account = part('Microsoft.Storage/storageAccounts', 'agm1', ['write', 'listkeys/action', 'tableservices/tables/entities/write']);
const site = part('Microsoft.Web/sites', 'ag-monitor-x', ['write', 'config/write']);
const grant = (o: Partial<Grant>): Grant => ({ id: 'g', cloud: 'azure', effect: 'Allow', actions: [], resources: [], via: 'role-assignment', source: { resource: 'azurerm_role_assignment.g' }, ...o });
const reached = (resources: string[], scopeLevel?: Grant['scopeLevel']) => azureMonitorPartsReached(grant({ resources, scopeLevel }), [account, site]).map((p) => p.what);

describe('which monitor resources a scope reaches', () => {
  test('its resource group, subscription, a management group or the root hold them all; another group none', () => {
    expect(reached([RG], 'resource-group')).toHaveLength(2);
    expect(reached([SUB], 'subscription')).toHaveLength(2);
    expect(reached(['/providers/Microsoft.Management/managementGroups/mg'], 'management-group')).toHaveLength(2);
    expect(reached(['/'], 'root')).toHaveLength(2);
    expect(reached([`${SUB}/resourceGroups/rg-other`], 'resource-group')).toEqual([]);
    expect(reached([`${SUB.toUpperCase()}/RESOURCEGROUPS/RG-MON`], 'resource-group')).toHaveLength(2); // ARM ids compare case-insensitively
  });

  test('a resource scope: the part itself, anything inside it, or the adapter\'s computed id; never a sibling whose name starts alike', () => {
    expect(reached([`${RG}/providers/Microsoft.Storage/storageAccounts/agm1`], 'resource')).toEqual([account.what]);
    expect(reached([`${RG}/providers/Microsoft.Storage/storageAccounts/agm1/queueServices/default/queues/agalerts`], 'resource')).toEqual([account.what]);
    expect(reached(['/subscriptions/{subscription}/resourceGroups/rg-mon/providers/azurerm_storage_account/agm1'], 'resource')).toEqual([account.what]);
    expect(reached([`${RG}/providers/Microsoft.Storage/storageAccounts/agm10`], 'resource')).toEqual([]);
    expect(reached([`${RG}/providers/Microsoft.Web/sites/ag-monitor-x-staging`], 'resource')).toEqual([]);
  });

  test('a scope that cannot be read reaches them all (fail closed)', () => {
    expect(reached(['${var.scope}'])).toHaveLength(2); // level unknown
    expect(reached([])).toHaveLength(2);
    expect(reached(['not an id'], 'resource')).toHaveLength(2);
  });

  test('another subscription does not hold a part whose subscription is known', () => {
    const exportPart: AzureMonitorPart = { ...part('Microsoft.Insights/diagnosticSettings', 'x', ['write']), path: '/providers/microsoft.insights/diagnosticsettings/x', subscription: SUB.split('/')[2], resourceGroup: undefined };
    expect(azureMonitorPartsReached(grant({ resources: [SUB], scopeLevel: 'subscription' }), [exportPart])).toHaveLength(1);
    expect(azureMonitorPartsReached(grant({ resources: ['/subscriptions/11111111-0000-4000-8000-000000000001'], scopeLevel: 'subscription' }), [exportPart])).toEqual([]);
    expect(azureMonitorPartsReached(grant({ resources: [RG], scopeLevel: 'resource-group' }), [exportPart])).toEqual([]); // a subscription-level resource is in no group
  });
});

describe('which actions change a monitor resource', () => {
  const tamper = (actions: string[], notActions?: string[], p = account) => azureTamperActions(grant({ actions, ...(notActions ? { notActions } : {}) }), p);

  test('writes, key listings and data writes under its type; wildcards that allow one', () => {
    expect(tamper(['Microsoft.Storage/storageAccounts/listKeys/action'])).toEqual(['Microsoft.Storage/storageAccounts/listKeys/action']);
    expect(tamper(['Microsoft.Storage/storageAccounts/tableServices/tables/entities/delete'])).toHaveLength(1); // a literal action not in the list
    expect(tamper(['*'])).toEqual(['*']);
    expect(tamper(['*/write'])).toEqual(['*/write']);
    expect(tamper(['Microsoft.Storage/*'])).toEqual(['Microsoft.Storage/*']);
    expect(tamper(['Microsoft.Web/sites/hostNameBindings/*'], undefined, site)).toEqual(['Microsoft.Web/sites/hostNameBindings/*']); // a wildcard under the type none of the listed actions shows
  });

  test('reads, the user-delegation key, other types and what not-actions take away are not', () => {
    expect(tamper(['*/read', 'Microsoft.Storage/storageAccounts/read', 'Microsoft.Storage/storageAccounts/tableServices/tables/entities/read'])).toEqual([]);
    expect(tamper(['Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action'])).toEqual([]);
    expect(tamper(['Microsoft.App/containerApps/*', 'Microsoft.Web/sites/write'])).toEqual([]);
    expect(tamper(['*'], ['Microsoft.Storage/*'])).toEqual([]);
    expect(tamper(['Microsoft.Storage/storageAccounts/listKeys/action'], ['Microsoft.Storage/storageAccounts/*/action'])).toEqual([]);
    expect(tamper(['Microsoft.Web/sites/hostNameBindings/*'], ['Microsoft.Web/sites/hostNameBindings/*'], site)).toEqual([]);
  });

  test('hostile input: many-star actions and deep scopes are judged (no backtracking: the glob matcher and the overlap walk are bounded by the lengths\' product)', () => {
    const long = `Microsoft.Storage/${'*a'.repeat(2000)}/write`;
    expect(tamper([long, `${'*'.repeat(4000)}x`])).toHaveLength(2); // each could allow a write under the type: reported
    expect(reached([`${RG}/providers/${'x/'.repeat(4000)}`], 'resource')).toEqual([]);
  });
});
