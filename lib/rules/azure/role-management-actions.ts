import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { entraPrivilegedGrants } from './private/entra-privileged';
import { allowGrants, findingAt, identitiesById, isDelegationCondition, principalOf, TargetReach } from './private/azure-rule-helpers';

/** The role-management writes AZ-003 looks for. */
export const AZURE_ROLE_MANAGEMENT_ACTIONS: readonly string[] = [
  'Microsoft.Authorization/roleAssignments/write',
  'Microsoft.Authorization/roleDefinitions/write',
  'Microsoft.Authorization/*/write',
];

/**
 * AZ-003: agents hold no role-management writes unless a delegation condition constrains them; and nobody holds
 * the Entra equivalent tenant-wide (a directory role or Graph application permission that assigns roles or app credentials).
 */
export const AZURE_ROLE_MANAGEMENT_RULE: Rule = {
  id: 'AZ-003',
  cloud: 'azure',
  severity: 'error',
  reason: 'An agent identity can write role assignments or role definitions (Microsoft.Authorization/*/write) without a delegation condition, '
    + 'or anyone holds an Entra role or Microsoft Graph permission that assigns roles or app credentials tenant-wide.',
  explanation: 'Writing a role assignment or a role definition lets an identity grant itself, or anyone, any role at its scope. '
    + 'Wildcards such as `*` or `Microsoft.Authorization/*` include these writes unless not_actions remove them. An ABAC delegation '
    + 'condition on @Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] limits what can be assigned and is accepted. '
    + 'The same holds in Microsoft Entra, above every subscription: the directory roles Global, Privileged Role, Privileged Authentication, '
    + 'Application and Cloud Application Administrator, and the Graph application permissions RoleManagement.ReadWrite.Directory, '
    + 'AppRoleAssignment.ReadWrite.All and Application.ReadWrite.All, let their holder make itself Global Administrator or act as any '
    + 'application (policies/catalogs/azure-entra-privileged.json); a directory role scoped to one application or administrative unit is not tenant-wide.',
  fix: 'Remove the action (or exclude Microsoft.Authorization/*/write in not_actions); if the tool must assign roles, add a condition that names the only roles and principals it may assign. '
    + 'In Entra, grant the narrow permission (Application.ReadWrite.OwnedBy, User.Read.All, …) or scope the directory role to the one application (directory_scope_id).',
  controls: ['AVD-AZU-0052'],
  evaluate(inventory: Inventory): RawFinding[] {
    const identities = identitiesById(inventory, 'azure');
    const reach = new TargetReach(AZURE_ROLE_MANAGEMENT_ACTIONS);
    const entra = entraPrivilegedGrants(inventory).map(({ other, entry, principal }) => findingAt('azure', other.source, {
      detail: entry.name,
      message: `${other.source.resource} grants ${entry.kind === 'directory-role' ? 'the directory role' : 'the Microsoft Graph application permission'} ${entry.name} `
        + `tenant-wide to ${principal}: its holder can assign itself any directory role or act as any application.`,
      fix: AZURE_ROLE_MANAGEMENT_RULE.fix,
    }));
    return [...entra, ...allowGrants(inventory, 'azure').flatMap((g) => {
      const identity = g.identityId ? identities.get(g.identityId) : undefined;
      if (!identity?.isAgent || isDelegationCondition(g.condition)) return [];
      const reached = reach.reached(g);
      if (reached.length === 0) return [];
      return [findingAt('azure', g.source, {
        detail: reached[0].t,
        identity: identity.id,
        message: `${g.source.resource} lets the agent identity ${principalOf(g, identity)} perform ${reached.map((x) => x.t).join(', ')} (through ${g.role}: ${[...new Set(reached.map((x) => x.via))].join(', ')}) at ${g.resources.join(', ')}.`,
        fix: AZURE_ROLE_MANAGEMENT_RULE.fix,
      })];
    })];
  },
};
