import { AwsActionInfo } from '../../../aws/action-catalog';
import { EffectiveUse } from './effective-permissions';

/** One concrete action a rule found, with the Allow statements through which it is held. */
export interface ActionHit<T = unknown> {
  readonly info: AwsActionInfo;
  readonly uses: readonly EffectiveUse[];
  /** What the rule found about it (resources, ...). */
  readonly data: T;
}

/**
 * One finding per cause: the hits of one rule on one identity, grouped by the policy entry that
 * brings them in as written (`dynamodb:*`, `s3:GetObject`, `NotAction`), so a wildcard that
 * reaches seven data reads is one finding naming the seven, and an action written out keeps its
 * own stable id (`AWS-008[s3:GetObject]`). Groups come in the order of their first hit.
 */
export function byWrittenEntry<T>(hits: readonly ActionHit<T>[]): Map<string, ActionHit<T>[]> {
  const out = new Map<string, ActionHit<T>[]>();
  for (const hit of hits) {
    const written = hit.uses[0]?.written ?? hit.info.action;
    const group = out.get(written);
    if (group) group.push(hit);
    else out.set(written, [hit]);
  }
  return out;
}

/** `a`, `a and b`, `a, b, c and 4 more`: actions of a group for a message. */
export function listActions(hits: readonly ActionHit[], n = 8): string {
  const names = hits.map((h) => h.info.action);
  if (names.length === 1) return names[0];
  if (names.length <= n) return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${names.slice(0, n).join(', ')} and ${names.length - n} more`;
}

/** The concrete actions of a group, for the finding's `actions` (left out when it is the detail itself). */
export function actionsOf(hits: readonly ActionHit[]): string[] | undefined {
  return hits.length === 1 && hits[0].uses[0]?.written === hits[0].info.action ? undefined : hits.map((h) => h.info.action);
}
