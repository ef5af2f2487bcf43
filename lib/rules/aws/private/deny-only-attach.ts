import { Inventory, PolicyDocumentEntry } from '../../../inventory/inventory';
import { EffectiveUse, SourcedStatement } from './effective-permissions';
import { requiredValues } from './grant-findings';
import { appendTo } from '../../../private/append-to';

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
  // Asked per escalation path and action for the same statement (AWS-004, AWS-006): answered once per statement.
  const hit = DENY_ONLY.get(use.statement);
  if (hit && hit.inventory === inventory) return hit.denyOnly;
  const denyOnly = limitedToDenyOnly(use, inventory);
  DENY_ONLY.set(use.statement, { inventory, denyOnly });
  return denyOnly;
}

const DENY_ONLY = new WeakMap<SourcedStatement, { readonly inventory: Inventory; readonly denyOnly: boolean }>();

function limitedToDenyOnly(use: EffectiveUse, inventory: Inventory): boolean {
  const arns = requiredValues(use.statement.condition, 'iam:PolicyARN');
  if (!arns || arns.length === 0) return false;
  return arns.every((arn) => {
    if (arn.includes('*') || arn.includes('?')) return false;
    if (DENY_ONLY_AWS_MANAGED.test(arn)) return true;
    // By id, or by ARN (the adapter writes a template policy's ARN as `...:policy/<name or logical id>`).
    // Two policies of one name (other stacks) must both be deny-only.
    const candidates = policiesByName(inventory).get(arn) ?? policiesByName(inventory).get(arn.slice(arn.lastIndexOf('/') + 1)) ?? [];
    return candidates.length > 0 && candidates.every((p) => p.statements.length > 0 && p.statements.every((s) => s.effect === 'Deny'));
  });
}

/** Managed policies (the only ones an ARN can name) by id and by name (or logical id when unnamed), once per inventory. */
function policiesByName(inventory: Inventory): Map<string, PolicyDocumentEntry[]> {
  let hit = BY_NAME.get(inventory);
  if (!hit) {
    const map = new Map<string, PolicyDocumentEntry[]>();
    for (const p of inventory.policies) {
      if (p.cloud !== 'aws' || p.kind === 'aws-inline-policy') continue;
      appendTo(map, p.id, p);
      appendTo(map, p.name ?? p.source.resource, p);
    }
    hit = map;
    BY_NAME.set(inventory, hit);
  }
  return hit;
}

const BY_NAME = new WeakMap<Inventory, Map<string, PolicyDocumentEntry[]>>();
