import * as fs from 'fs';
import * as path from 'path';
import { globMatch } from '../../lib/private/glob-match';

/**
 * An Azure RBAC evaluator over one synthesized CDKTF stack (the `cdk.tf.json` shape), for tests: it
 * decides whether a managed identity may perform an action on a resource, so tests prove what a
 * tool can do instead of asserting the shape of its role assignments.
 *
 * What it models, and nothing more
 * (https://learn.microsoft.com/azure/role-based-access-control/overview#how-azure-rbac-determines-if-a-user-has-access-to-a-resource):
 * - **Role assignments**: the stack's `azurerm_role_assignment` resources whose `principal_id` is a
 *   reference to a user-assigned identity of the stack, plus assignments a test adds. An assignment
 *   applies when its scope contains the requested resource id (equal, or a prefix at a `/`
 *   boundary, case-insensitive: a resource group contains its resources, a resource its children).
 * - **Role definitions**: custom ones of the stack (`azurerm_role_definition`, referenced by
 *   `role_definition_resource_id`) and the built-in roles of `policies/azure-builtin-roles.json`
 *   (by GUID or name). An action is allowed by a role when it matches one of `actions` and none of
 *   `notActions` (data actions against `dataActions` / `notDataActions`), with `*` wildcards, case
 *   insensitive, through the project's linear-time matcher (lib/private/glob-match.ts).
 * - **Decision**: allowed when some applicable assignment's role allows the action; else not granted.
 *
 * Not modelled: deny assignments, role-assignment conditions (ABAC; an assignment carrying one makes
 * the call throw), group membership, PIM eligibility, management-group inheritance, classic
 * administrators, resource locks. Values still holding an unrecognized Terraform reference throw.
 */
export type AzureDecision = 'Allowed' | 'NotGranted';

export interface AzureRequest {
  /** The identity making the call: its Terraform address (`azurerm_user_assigned_identity.<friendlyUniqueId>`). */
  readonly principal: string;
  /** The operation (`Microsoft.App/containerApps/read`). */
  readonly action: string;
  /** The resource id the operation acts on. */
  readonly resource: string;
  /** A data-plane action. @default false */
  readonly dataAction?: boolean;
}

export interface AzureRole {
  readonly actions: string[];
  readonly notActions: string[];
  readonly dataActions: string[];
  readonly notDataActions: string[];
}

export interface AzureAssignment {
  readonly principal: string;
  readonly scope: string;
  readonly role: AzureRole;
}

const AZURE_GLOB = { caseInsensitive: true, questionWildcard: false } as const;

let builtins: Array<AzureRole & { name: string; id: string }> | undefined;
function builtinRoles(): Array<AzureRole & { name: string; id: string }> {
  builtins ??= Object.values(JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'policies', 'azure-builtin-roles.json'), 'utf8')).roles);
  return builtins!;
}

export class AzureRbacEvaluator {
  /**
   * @param principals when given, the only identities this evaluator decides for: assignments of others
   *   are not read (so what it does not model there cannot matter) and a question about another throws.
   */
  public static fromTerraform(json: any, extraAssignments: AzureAssignment[] = [], principals?: ReadonlySet<string>): AzureRbacEvaluator {
    return new AzureRbacEvaluator(json, extraAssignments, principals);
  }

  private readonly assignments: AzureAssignment[] = [];

  private constructor(json: any, extra: AzureAssignment[], private readonly principals?: ReadonlySet<string>) {
    const resources = json.resource ?? {};
    const definitions = resources.azurerm_role_definition ?? {};
    for (const a of Object.values<any>(resources.azurerm_role_assignment ?? {})) {
      const principal = /^\$\{(azurerm_user_assigned_identity\.[A-Za-z0-9_-]+)\.principal_id\}$/.exec(a.principal_id)?.[1];
      if (!principal) continue; // human or external principals: not the identities this evaluator decides for
      if (principals && !principals.has(principal)) continue;
      if (a.condition !== undefined) throw new Error('role assignment with an ABAC condition: not modelled');
      this.assignments.push({ principal, scope: literal(a.scope), role: roleOf(a, definitions) });
    }
    this.assignments.push(...extra);
  }

  public decide(req: AzureRequest): AzureDecision {
    if (this.principals && !this.principals.has(req.principal)) throw new Error(`${req.principal} is not one of the principals this evaluator decides for`);
    const allowed = this.assignments.some((a) => a.principal === req.principal && contains(a.scope, req.resource) && roleAllows(a.role, req.action, req.dataAction ?? false));
    return allowed ? 'Allowed' : 'NotGranted';
  }
}

/** Whether `role` allows `action`: matched by an action pattern and by no not-action pattern. */
export function roleAllows(role: AzureRole, action: string, dataAction: boolean): boolean {
  const [allow, deny] = dataAction ? [role.dataActions, role.notDataActions] : [role.actions, role.notActions];
  return allow.some((p) => globMatch(p, action, AZURE_GLOB)) && !deny.some((p) => globMatch(p, action, AZURE_GLOB));
}

/** A scope contains a resource id when equal to it or a prefix of it at a `/` boundary (ids are case-insensitive). */
export function contains(scope: string, resource: string): boolean {
  const s = scope.toLowerCase().replace(/\/+$/, '');
  const r = resource.toLowerCase();
  return r === s || r.startsWith(`${s}/`) || s === '';
}

function roleOf(assignment: any, definitions: Record<string, any>): AzureRole {
  const ref = /^\$\{azurerm_role_definition\.([A-Za-z0-9_-]+)\.role_definition_resource_id\}$/.exec(assignment.role_definition_id ?? '')?.[1];
  if (ref) {
    const def = definitions[ref];
    if (!def) throw new Error(`role definition ${ref} is not in the stack`);
    const perms = def.permissions ?? [];
    const all = (key: string) => perms.flatMap((p: any) => (p[key] ?? []).map(literal));
    return { actions: all('actions'), notActions: all('not_actions'), dataActions: all('data_actions'), notDataActions: all('not_data_actions') };
  }
  const guid = /\/roleDefinitions\/([0-9a-fA-F-]{36})$/.exec(assignment.role_definition_id ?? '')?.[1];
  const builtin = builtinRoles().find((r) => (guid !== undefined && r.id.toLowerCase() === guid.toLowerCase()) || r.name === assignment.role_definition_name);
  if (!builtin) throw new Error(`role ${assignment.role_definition_id ?? assignment.role_definition_name} is not a known built-in or stack role: not modelled`);
  return builtin;
}

function literal(value: unknown): string {
  if (typeof value !== 'string') throw new Error(`expected a string, got ${JSON.stringify(value)}`);
  if (value.includes('${')) throw new Error(`unresolved Terraform reference ${value}: not modelled`);
  return value;
}
