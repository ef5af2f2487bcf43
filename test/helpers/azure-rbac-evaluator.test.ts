import { AzureRbacEvaluator, contains, roleAllows } from './azure-rbac-evaluator';

/** The evaluator's own semantics, on hand-written Terraform JSON. */
const SUB = '00000000-0000-4000-8000-000000000001';
const RG = `/subscriptions/${SUB}/resourceGroups/rg-prod`;
const APP = `${RG}/providers/Microsoft.App/containerApps/checkout`;
const ID = 'azurerm_user_assigned_identity.tool';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';

const stack = (assignments: Record<string, unknown>, definitions: Record<string, unknown> = {}) => ({
  resource: { azurerm_role_assignment: assignments, azurerm_role_definition: definitions },
});
const custom = {
  r: { name: 'r', scope: RG, permissions: [{ actions: ['Microsoft.App/containerApps/*'], not_actions: ['Microsoft.App/containerApps/delete'], data_actions: [], not_data_actions: [] }], assignable_scopes: [RG] },
};

describe('AzureRbacEvaluator', () => {
  const ev = AzureRbacEvaluator.fromTerraform(stack({
    a: { scope: APP, role_definition_id: '${azurerm_role_definition.r.role_definition_resource_id}', principal_id: `\${${ID}.principal_id}` },
    h: { scope: RG, role_definition_name: 'Owner', principal_id: '11111111-1111-4111-8111-111111111111' },
  }, custom));

  test('an assignment covers its scope and the resources below it, case-insensitively, not a sibling sharing a prefix', () => {
    expect(ev.decide({ principal: ID, action: 'Microsoft.App/containerApps/read', resource: APP })).toBe('Allowed');
    expect(ev.decide({ principal: ID, action: 'Microsoft.App/containerApps/revisions/restart/action', resource: `${APP}/revisions/checkout--r1` })).toBe('Allowed');
    expect(ev.decide({ principal: ID, action: 'microsoft.app/containerapps/read', resource: APP.toUpperCase() })).toBe('Allowed');
    expect(ev.decide({ principal: ID, action: 'Microsoft.App/containerApps/read', resource: `${APP}-2` })).toBe('NotGranted');
    expect(ev.decide({ principal: ID, action: 'Microsoft.App/containerApps/read', resource: RG })).toBe('NotGranted');
  });

  test('notActions are subtracted; actions outside the patterns are not granted; data actions are separate', () => {
    expect(ev.decide({ principal: ID, action: 'Microsoft.App/containerApps/delete', resource: APP })).toBe('NotGranted');
    expect(ev.decide({ principal: ID, action: 'Microsoft.Authorization/roleAssignments/write', resource: APP })).toBe('NotGranted');
    expect(ev.decide({ principal: ID, action: 'Microsoft.App/containerApps/read', resource: APP, dataAction: true })).toBe('NotGranted');
  });

  test('assignments to other principals do not count; built-in roles come from policies/azure-builtin-roles.json', () => {
    expect(ev.decide({ principal: 'azurerm_user_assigned_identity.other', action: 'Microsoft.App/containerApps/read', resource: APP })).toBe('NotGranted');
    const reader = AzureRbacEvaluator.fromTerraform(stack({ a: { scope: RG, role_definition_id: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${READER}`, principal_id: `\${${ID}.principal_id}` } }));
    expect(reader.decide({ principal: ID, action: 'Microsoft.App/containerApps/read', resource: APP })).toBe('Allowed');
    expect(reader.decide({ principal: ID, action: 'Microsoft.App/containerApps/write', resource: APP })).toBe('NotGranted');
  });

  test('wildcards match through the linear-time matcher; scope "/" contains everything', () => {
    const role = { actions: ['*/read', 'Microsoft.Storage/*'], notActions: ['Microsoft.Storage/storageAccounts/listKeys/action'], dataActions: [], notDataActions: [] };
    expect(roleAllows(role, 'Microsoft.Compute/virtualMachines/read', false)).toBe(true);
    expect(roleAllows(role, 'Microsoft.Storage/storageAccounts/write', false)).toBe(true);
    expect(roleAllows(role, 'Microsoft.Storage/storageAccounts/listKeys/action', false)).toBe(false);
    expect(roleAllows(role, `${'a'.repeat(5000)}b`, false)).toBe(false);
    expect(contains('/', APP)).toBe(true);
    expect(contains(`${RG}/`, APP)).toBe(true);
  });

  test('claims no more than it models: an ABAC condition, an unknown role or an unresolved scope throws', () => {
    expect(() => AzureRbacEvaluator.fromTerraform(stack({ a: { scope: RG, role_definition_name: 'Reader', principal_id: `\${${ID}.principal_id}`, condition: '((true))', condition_version: '2.0' } }))).toThrow(/ABAC/);
    expect(() => AzureRbacEvaluator.fromTerraform(stack({ a: { scope: RG, role_definition_name: 'Made Up', principal_id: `\${${ID}.principal_id}` } }))).toThrow(/not modelled/);
    expect(() => AzureRbacEvaluator.fromTerraform(stack({ a: { scope: '${azurerm_resource_group.rg.id}', role_definition_name: 'Reader', principal_id: `\${${ID}.principal_id}` } }))).toThrow(/unresolved/);
  });

  test('scoped to some principals: what it does not model for others cannot matter, and it answers for no one else', () => {
    const other = 'azurerm_user_assigned_identity.monitor';
    const json = stack({
      a: { scope: RG, role_definition_name: 'Reader', principal_id: `\${${ID}.principal_id}` },
      b: { scope: RG, role_definition_name: 'Reader', principal_id: `\${${other}.principal_id}`, condition: '((true))', condition_version: '2.0' },
    });
    const scoped = AzureRbacEvaluator.fromTerraform(json, [], new Set([ID]));
    expect(scoped.decide({ principal: ID, action: 'Microsoft.App/containerApps/read', resource: APP })).toBe('Allowed');
    expect(() => scoped.decide({ principal: other, action: 'Microsoft.App/containerApps/read', resource: APP })).toThrow(/not one of the principals/);
    expect(() => AzureRbacEvaluator.fromTerraform(json)).toThrow(/ABAC/);
  });
});
