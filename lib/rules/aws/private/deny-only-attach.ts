import { Inventory } from '../../../inventory/inventory';
import { EffectiveUse } from './effective-permissions';
import { requiredValues } from './grant-findings';

/**
 * A kill switch attaches a prepared deny-all policy to agent roles: `iam:Attach*Policy` limited by
 * `iam:PolicyARN` to policies that only deny can take permissions away, never add them. AWS-004
 * and AWS-006 use this to tell it from an escalation.
 */

/** `iam:Attach{Role,User,Group}Policy`, lower case. */
export const ATTACH_POLICY = /^iam:attach(role|user|group)policy$/;

/** AWS-managed policies known to hold Deny statements only. */
const DENY_ONLY_AWS_MANAGED = /^arn:aws[a-z-]*:iam::aws:policy\/AWSDenyAll$/;

/** True when an Attach*Policy is limited by `iam:PolicyARN` to policies that only deny (a kill switch). */
export function attachesDenyOnly(use: EffectiveUse, inventory: Inventory): boolean {
  const arns = requiredValues(use.statement.condition, 'iam:PolicyARN');
  if (!arns || arns.length === 0) return false;
  return arns.every((arn) => {
    if (arn.includes('*') || arn.includes('?')) return false;
    if (DENY_ONLY_AWS_MANAGED.test(arn)) return true;
    // By id, or by ARN (the adapter writes a template policy's ARN as `...:policy/<name or logical id>`).
    const policy = inventory.policies.find((p) => p.cloud === 'aws' && (p.id === arn || arn.endsWith(`:policy/${p.name ?? p.source.resource}`) || arn.endsWith(`/${p.name ?? p.source.resource}`)));
    return policy !== undefined && policy.statements.length > 0 && policy.statements.every((s) => s.effect === 'Deny');
  });
}
