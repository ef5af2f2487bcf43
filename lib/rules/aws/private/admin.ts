import { PolicyStatement } from '../../../inventory/inventory';
import { coversAllResources, isAllActionsPattern, notActionAllowedShare } from './grant-findings';

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
