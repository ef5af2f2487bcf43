import { Inventory, PolicyStatement } from '../../../inventory/inventory';
import { RuleContext } from '../../rule';
import { EffectivePermissions } from './effective-permissions';
import { awsAllowGrants, coversAllResources, isAllActionsPattern, notActionAllowedShare } from './grant-findings';

/**
 * A NotAction Allow on every resource that still leaves this share of all AWS actions allowed is
 * admin in all but name (PowerUserAccess leaves ~99%: everything but IAM, Organizations, Account).
 */
export const NOT_ACTION_ADMIN_SHARE = 0.9;

/**
 * How a statement is admin, or undefined: `*` (any action on any resource) or `NotAction`
 * (an exclusion list so short that nearly every action is allowed on any resource).
 * Conditions do not matter: a conditional admin is still admin.
 */
export function adminForm(s: Pick<PolicyStatement, 'effect' | 'actions' | 'notActions' | 'resources' | 'notResources'>): '*' | 'NotAction' | undefined {
  if (s.effect !== 'Allow' || !coversAllResources(s)) return undefined;
  if ((s.actions ?? []).some(isAllActionsPattern)) return '*';
  if (s.notActions && notActionAllowedShare(s.notActions) > NOT_ACTION_ADMIN_SHARE) return 'NotAction';
  return undefined;
}

const ADMINS = new WeakMap<Inventory, ReadonlySet<string>>();

/** Ids of the identities AWS-001 reports as admin (an Allow grant of theirs in an admin form); once per inventory. */
export function adminIdentityIds(inventory: Inventory): ReadonlySet<string> {
  let hit = ADMINS.get(inventory);
  if (!hit) {
    hit = new Set(awsAllowGrants(inventory).filter((g) => g.identityId !== undefined && adminForm(g) !== undefined).map((g) => g.identityId!));
    ADMINS.set(inventory, hit);
  }
  return hit;
}

/**
 * The subjects the identity-level permission rules (AWS-004/006/007/008/012/015) judge: all but
 * the identities AWS-001 reports as admin, when it runs and reports them as errors. An administrator holds
 * every path, credential read and tamper action; listing them is noise (issue 8's flood: 144
 * findings for one admin role) and, over every AWS action, most of a check's time. The engine
 * folds the rest into the admin finding (`fold-into-admin.ts`).
 */
export function judgedSubjects(inventory: Inventory, context: RuleContext): EffectivePermissions[] {
  const all = EffectivePermissions.all(inventory);
  if (!context.adminReported) return all;
  const admins = adminIdentityIds(inventory);
  return admins.size === 0 ? all : all.filter((p) => !admins.has(p.subject.id));
}
