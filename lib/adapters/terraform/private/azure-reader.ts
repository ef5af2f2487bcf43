import { Grant, Identity, PolicyDocumentEntry } from '../../../inventory/inventory';
import { azureBuiltInRole, roleDefinitionGuid } from '../azure-roles';
import { EntraGrantFields, entraGrantFields } from '../entra-grant-fields';
import { BuildContext } from './build-context';
import { declarationOfBlock, isAgentIdentity, labelsIfAny, labelsOfBlock } from './labels';
import { isObject, nestedBlock, nestedBlocks, TerraformBlock } from './terraform-blocks';
import { accessPolicyActions } from './key-vault-access-policy';
import { Resolved, TerraformReferences } from './terraform-references';
import { attachOnce } from './attach-once';
import { withoutTrailingSlashes } from '../../../private/linear-scans';

function providerSubscription(doc: Record<string, unknown>): string | undefined {
  const first = nestedBlock(isObject(doc.provider) ? doc.provider.azurerm : undefined);
  return typeof first?.subscription_id === 'string' && !first.subscription_id.includes('${') ? first.subscription_id : undefined;
}

/**
 * Ids of azurerm resources (known only after apply) built from their arguments, so that a scope
 * written as `${azurerm_resource_group.rg.id}` still tells its level. The subscription is a
 * placeholder unless the provider names it.
 */
export function azureComputed(doc: Record<string, unknown>) {
  const subscription = providerSubscription(doc) ?? '{subscription}';
  return (block: TerraformBlock, attribute: string, refs: TerraformReferences): string | undefined => {
    const arg = (k: string) => {
      const r = refs.resolve(block.body[k]);
      return r && !r.problem ? r.text : undefined;
    };
    const type = block.type;
    if (type === 'azurerm_subscription' || type === 'azurerm_client_config') {
      if (attribute === 'id') return `/subscriptions/${arg('subscription_id') ?? subscription}`;
      return attribute === 'subscription_id' ? arg('subscription_id') ?? subscription : undefined;
    }
    // A storage account's static website host: one exact host per account (the zone is assigned at creation).
    // It is the issuer of an Azure credential broker, which the tools' federated credentials name.
    if (type === 'azurerm_storage_account' && attribute === 'primary_web_host') {
      const account = arg('name');
      return account && /^[a-z0-9]{3,24}$/.test(account) ? `${account}.z{zone}.web.core.windows.net` : undefined;
    }
    if (attribute !== 'id' && attribute !== 'resource_manager_id') return undefined;
    if (type === 'azurerm_resource_group') return `/subscriptions/${subscription}/resourceGroups/${arg('name') ?? '{resourceGroup}'}`;
    if (type === 'azurerm_management_group') return `/providers/Microsoft.Management/managementGroups/${arg('name') ?? '{managementGroup}'}`;
    if (!type.startsWith('azurerm_')) return undefined;
    const name = arg('name') ?? block.name;
    const rg = arg('resource_group_name');
    if (rg) return `/subscriptions/${subscription}/resourceGroups/${rg}/providers/${type}/${name}`;
    for (const [k, v] of Object.entries(block.body)) {
      if (!k.endsWith('_id')) continue;
      const parent = refs.resolve(v);
      if (parent && !parent.problem && parent.text.startsWith('/subscriptions/')) return `${parent.text}/${type}/${name}`;
    }
    // Parent not named by id (a container under storage_account_name): still one resource of this type, below
    // some resource group. Only the scopes above resources are other kinds, and their types are handled above.
    return SCOPE_TYPES.has(type) ? undefined : `/subscriptions/${subscription}/resourceGroups/{resourceGroup}/providers/${type}/${name}`;
  };
}

/** azurerm types whose id is a scope above resources (or no ARM scope): never read as one resource's id. */
const SCOPE_TYPES: ReadonlySet<string> = new Set(['azurerm_subscription', 'azurerm_subscriptions', 'azurerm_client_config', 'azurerm_resource_group', 'azurerm_management_group']);

/** The level of an Azure scope (`/`, a management group, a subscription, a resource group, a resource). */
export function azureScopeLevel(scope: string): Grant['scopeLevel'] {
  const s = withoutTrailingSlashes(scope.trim());
  if (s === '') return 'root';
  if (/^\/providers\/Microsoft\.Management\/managementGroups\/[^/]+$/i.test(s)) return 'management-group';
  if (/^\/subscriptions\/[^/]+$/i.test(s)) return 'subscription';
  if (/^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+$/i.test(s)) return 'resource-group';
  return 'resource';
}

/** Role assignments, including PIM's time-bound active and eligible ones (same scope, role and principal arguments). */
const ROLE_ASSIGNMENT_TYPES = ['azurerm_role_assignment', 'azurerm_pim_active_role_assignment', 'azurerm_pim_eligible_role_assignment'];

/** Read the azurerm_* (and azuread_* secret) blocks of one configuration into the inventory. */
export function readAzure(ctx: BuildContext): void {
  const blocks = ctx.blocks.filter((b) => b.mode === 'resource' && (b.type.startsWith('azurerm_') || b.type.startsWith('azuread_')));
  const definitions = new Map<string, PolicyDocumentEntry & { attachedTo: string[] }>();

  for (const block of blocks) {
    if (block.type === 'azurerm_user_assigned_identity') {
      const labels = labelsOfBlock(block);
      const declaration = declarationOfBlock(block);
      if (declaration === 'malformed') ctx.unresolved('azure', block, 'declaration', 'is not a readable declaration');
      const identity: Identity = {
        id: ctx.identityId('azure', block), cloud: 'azure', kind: 'azure-user-assigned-identity',
        name: ctx.refs.resolve(block.body.name)?.text, labels, isAgent: isAgentIdentity(labels),
        declaration: declaration === 'malformed' ? undefined : declaration, trust: [], federations: [], longLivedKeys: [], source: ctx.source(block),
      };
      ctx.inventory.identities.push(identity);
      ctx.identitiesByAddress.set(block.address, identity);
    } else if (block.type === 'azurerm_role_definition') {
      const perms = nestedBlocks(block.body.permissions);
      const list = (field: string) => perms.flatMap((p, i) => ctx.resolveList('azure', block, `permissions[${i}].${field}`, p[field]).map((r) => r.text));
      const actions = list('actions');
      const notActions = list('not_actions');
      const dataActions = list('data_actions');
      const notDataActions = list('not_data_actions');
      const scopes = ctx.resolveList('azure', block, 'assignable_scopes', block.body.assignable_scopes).map((r) => r.text);
      const scope = ctx.resolve('azure', block, 'scope', block.body.scope)?.text;
      const entry = {
        id: `azure:${ctx.stack ?? ''}/${block.address}`, cloud: 'azure' as const, kind: 'azure-role-definition' as const,
        name: ctx.refs.resolve(block.body.name)?.text,
        statements: [
          { effect: 'Allow' as const, actions, notActions },
          { effect: 'Allow' as const, actions: dataActions, notActions: notDataActions },
        ],
        permissions: [...actions, ...dataActions],
        // An omitted assignable_scopes defaults to the definition's scope.
        assignableScopes: scopes.length > 0 ? scopes : scope !== undefined ? [scope] : [],
        attachedTo: [] as string[], boundaryOf: [], labels: labelsOfBlock(block), source: ctx.source(block),
      };
      ctx.inventory.policies.push(entry);
      definitions.set(block.address, entry);
      if (entry.name !== undefined) definitions.set(`name:${entry.name.toLowerCase()}`, entry);
    }
  }

  let grantCount = 0;
  for (const block of blocks) {
    if (ROLE_ASSIGNMENT_TYPES.includes(block.type)) {
      readRoleAssignment(ctx, block, definitions, grantCount++);
      continue;
    } else if (block.type === 'azurerm_key_vault_access_policy') {
      readAccessPolicy(ctx, block, block.body, block.body.key_vault_id, 'access policy', grantCount++);
    } else if (block.type === 'azurerm_key_vault' && block.body.access_policy !== undefined) {
      // Inline access policies: the vault's own id is the scope.
      nestedBlocks(block.body.access_policy).forEach((policy, i) => readAccessPolicy(ctx, block, policy, `\${${block.address}.id}`, `access_policy[${i}]`, grantCount++));
    } else if (block.type === 'azurerm_federated_identity_credential') {
      const parent = ctx.resolve('azure', block, 'parent_id', block.body.parent_id ?? block.body.user_assigned_identity_id);
      const identity = ctx.identityReferenced(parent) ?? [...ctx.identitiesByAddress.values()].find((i) => i.cloud === 'azure' && parent?.text.endsWith(`/userAssignedIdentities/${i.name}`));
      const federation = {
        issuer: ctx.resolve('azure', block, 'issuer', block.body.issuer)?.text,
        subject: ctx.resolve('azure', block, 'subject', block.body.subject)?.text,
        audiences: ctx.resolveList('azure', block, 'audience', block.body.audience).map((r) => r.text),
        ...labelsIfAny(block),
        source: ctx.source(block),
      };
      identity?.federations.push(federation);
      // The rules judge issuer and subject as resolved (a variable's default), also when the parent identity is not ours.
      const properties = { ...block.body, issuer: federation.issuer ?? block.body.issuer, subject: federation.subject ?? block.body.subject };
      ctx.inventory.others.push({ cloud: 'azure', type: block.type, properties, labels: labelsOfBlock(block), source: ctx.source(block) });
      continue;
    } else if (block.type === 'azuread_application_federated_identity_credential') {
      // An app registration's federated credential: no managed identity of ours, but the same trust to judge (AZ-006).
      const issuer = ctx.resolve('azure', block, 'issuer', block.body.issuer);
      const subject = ctx.resolve('azure', block, 'subject', block.body.subject);
      const properties = { ...block.body, issuer: issuer?.text ?? block.body.issuer, subject: subject?.text ?? block.body.subject };
      ctx.inventory.others.push({ cloud: 'azure', type: block.type, properties, labels: labelsOfBlock(block), source: ctx.source(block) });
      continue;
    } else if (entraGrantFields(block.type) !== undefined) {
      ctx.inventory.others.push({ cloud: 'azure', type: block.type, properties: entraGrantProperties(ctx, block, entraGrantFields(block.type)!), labels: labelsOfBlock(block), source: ctx.source(block) });
      continue;
    } else if (block.type === 'azurerm_user_assigned_identity' || block.type === 'azurerm_role_definition') {
      continue;
    }
    ctx.inventory.others.push({ cloud: 'azure', type: block.type, properties: block.body, labels: labelsOfBlock(block), source: ctx.source(block) });
  }
}

function readRoleAssignment(ctx: BuildContext, block: TerraformBlock, definitions: Map<string, PolicyDocumentEntry & { attachedTo: string[] }>, index: number): void {
  // A principal id names one principal (Azure RBAC has no "everyone"); a module's output cannot be an agent identity of ours.
  const principal = ctx.resolvePrincipal('azure', block, 'principal_id', block.body.principal_id, () => true);
  const identity = ctx.identityReferenced(principal);
  const scope = ctx.resolve('azure', block, 'scope', block.body.scope);
  const byName = block.body.role_definition_name !== undefined;
  const roleValue: Resolved | undefined = byName
    ? ctx.resolve('azure', block, 'role_definition_name', block.body.role_definition_name)
    : ctx.resolve('azure', block, 'role_definition_id', block.body.role_definition_id);
  if (!roleValue) ctx.unresolved('azure', block, 'role_definition_name', 'is missing (neither a role name nor a role definition id)');
  if (!scope) ctx.unresolved('azure', block, 'scope', 'is missing');
  // A scope that is only a reference we could not turn into an id: its level is unknown (fail closed).
  const opaqueScope = scope !== undefined && !scope.problem && /^\$\{[^}]*\}$/.test(scope.text);
  if (opaqueScope) ctx.unresolved('azure', block, 'scope', `is ${scope!.text}, whose level (resource, resource group, subscription) cannot be told offline`);

  let role = roleValue?.text ?? '';
  let actions: string[] = [];
  let notActions: string[] = [];
  const custom = roleValue?.refs.map((r) => definitions.get(r.address)).find((d) => d !== undefined)
    ?? definitions.get(`name:${role.toLowerCase()}`);
  if (custom) {
    role = custom.name ?? role;
    actions = [...(custom.statements[0].actions ?? []), ...(custom.statements[1].actions ?? [])];
    notActions = [...(custom.statements[0].notActions ?? []), ...(custom.statements[1].notActions ?? [])];
    if (identity) attachOnce(custom, identity.id);
  } else if (roleValue && !roleValue.problem) {
    // A built-in role looked up through `data.azurerm_role_definition` (by name or id) is that role.
    const lookup = roleValue.refs.map((r) => ctx.refs.block(r.address)).find((b) => b?.mode === 'data' && b.type === 'azurerm_role_definition');
    const looked = lookup ? ctx.refs.resolve(lookup.body.name ?? lookup.body.role_definition_id) : undefined;
    const key = looked && !looked.problem ? looked.text : role;
    const builtIn = azureBuiltInRole(key);
    if (builtIn) {
      role = builtIn.name;
      actions = [...builtIn.actions, ...builtIn.dataActions];
      notActions = [...builtIn.notActions, ...builtIn.notDataActions];
    } else if (lookup || /^\$\{/.test(role) || (!byName && roleDefinitionGuid(role) !== undefined)) {
      // A role definition we cannot name (an unknown GUID, or a lookup we cannot follow) could be any role: fail closed.
      ctx.unresolved('azure', block, byName ? 'role_definition_name' : 'role_definition_id', `is ${JSON.stringify(key)}, a role definition not in policies/azure-builtin-roles.json nor in this configuration`);
    }
  }
  const condition = ctx.resolve('azure', block, 'condition', block.body.condition)?.text;
  const grant: Grant = {
    id: `azure:${ctx.stack ?? ''}/${block.address}#${index}`, cloud: 'azure', identityId: identity?.id, principal: principal?.text,
    effect: 'Allow', actions, ...(notActions.length ? { notActions } : {}), resources: scope ? [scope.text] : [], role,
    scopeLevel: scope && !scope.problem && !opaqueScope ? azureScopeLevel(scope.text) : undefined,
    ...(condition ? { condition } : {}), via: 'role-assignment', ...labelsIfAny(block), source: ctx.source(block),
  };
  ctx.inventory.grants.push(grant);
}

/**
 * The block's arguments with its role, principal and directory scope resolved (unresolvable ones reported). A
 * directory role named through an `azuread_directory_role` of the configuration becomes that role's template id or
 * display name, which is what the catalog lists.
 */
function entraGrantProperties(ctx: BuildContext, block: TerraformBlock, fields: EntraGrantFields): Record<string, unknown> {
  const out: Record<string, unknown> = { ...block.body };
  // Every listed argument present is resolved; the rule judges the first of each list (see ENTRA_GRANT_FIELDS).
  for (const field of fields.role) {
    if (block.body[field] === undefined) continue;
    const role = ctx.resolve('azure', block, field, block.body[field]);
    const directoryRole = role?.refs.map((r) => ctx.refs.block(r.address)).find((b) => b?.type === 'azuread_directory_role');
    const named = directoryRole ? ctx.refs.resolve(directoryRole.body.template_id ?? directoryRole.body.display_name) : undefined;
    out[field] = named && !named.problem ? named.text : role?.text;
  }
  for (const field of fields.principal) {
    if (block.body[field] !== undefined) out[field] = ctx.resolve('azure', block, field, block.body[field])?.text;
  }
  const scope = ctx.resolve('azure', block, 'directory_scope_id', block.body.directory_scope_id);
  if (scope) out.directory_scope_id = scope.text;
  return out;
}

/** A Key Vault access policy as a grant of the equivalent RBAC data actions on the vault. */
function readAccessPolicy(ctx: BuildContext, block: TerraformBlock, policy: Record<string, unknown>, vault: unknown, field: string, index: number): void {
  const principal = ctx.resolve('azure', block, `${field}.object_id`, policy.object_id);
  const identity = ctx.identityReferenced(principal);
  const scope = ctx.refs.resolve(vault);
  const actions = accessPolicyActions(policy, (f, v) => ctx.resolveList('azure', block, `${field}.${f}`, v).map((r) => r.text));
  ctx.inventory.grants.push({
    id: `azure:${ctx.stack ?? ''}/${block.address}#${index}`, cloud: 'azure', identityId: identity?.id, principal: principal?.text,
    effect: 'Allow', actions, resources: scope ? [scope.text] : [], role: 'Key Vault access policy', scopeLevel: 'resource',
    via: 'role-assignment', ...labelsIfAny(block), source: ctx.source(block),
  });
}
