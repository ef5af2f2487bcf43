/**
 * Azure actions an agent tool identity may never hold: writing RBAC (escalation, AZ-003), and
 * pivoting to another identity or to keys (AZ-004). Matched case-insensitively, as Azure does.
 */
export const ESCALATION_OR_PIVOT_ACTIONS: readonly string[] = [
  'Microsoft.Authorization/roleAssignments/write',
  'Microsoft.Authorization/roleAssignments/delete',
  'Microsoft.Authorization/roleDefinitions/write',
  'Microsoft.Authorization/roleDefinitions/delete',
  'Microsoft.Authorization/elevateAccess/action',
  'Microsoft.Authorization/policyAssignments/write',
  'Microsoft.Authorization/policyAssignments/delete',
  'Microsoft.Authorization/denyAssignments/write',
  'Microsoft.Authorization/locks/delete',
  'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action',
  'Microsoft.ManagedIdentity/userAssignedIdentities/write',
  'Microsoft.ManagedIdentity/userAssignedIdentities/delete',
  'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/write',
  'Microsoft.ManagedIdentity/userAssignedIdentities/federatedIdentityCredentials/delete',
  'Microsoft.Compute/virtualMachines/runCommand/action',
  'Microsoft.Compute/virtualMachines/runCommands/write',
  'Microsoft.Storage/storageAccounts/listKeys/action',
  'Microsoft.Storage/storageAccounts/regenerateKey/action',
  'Microsoft.Automation/automationAccounts/runbooks/write',
  'Microsoft.Automation/automationAccounts/jobs/write',
  'Microsoft.Resources/deploymentScripts/write',
  'Microsoft.Insights/diagnosticSettings/write',
  'Microsoft.Insights/diagnosticSettings/delete',
];
const ESCALATION_OR_PIVOT = ESCALATION_OR_PIVOT_ACTIONS.map((a) => a.toLowerCase());

export const ACTION_FORMAT = /^[A-Za-z][A-Za-z0-9.]*\/[A-Za-z0-9./_-]+$/;

/** Whether an action escalates, pivots to another identity or key, or tampers with audit. */
export function isEscalationOrPivotAction(action: string): boolean {
  return ESCALATION_OR_PIVOT.includes(action.toLowerCase());
}

/** Whether an action only reads (`…/read`); used for read tools. */
export function isReadAction(action: string): boolean {
  return /\/read$/i.test(action);
}

/** Whether a data action only reads (`…/read`, or `…/get…/action`, `…/read…/action`, `…/list…/action`). */
export function isReadDataAction(action: string): boolean {
  return isReadAction(action) || /\/(get|read|list)[A-Za-z]*\/action$/i.test(action);
}
