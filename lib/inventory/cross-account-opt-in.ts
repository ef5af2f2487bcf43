import { CROSS_ACCOUNT_METADATA_KEY } from '../model/tags';
import { CrossAccountOptIn } from './inventory';

/** Bounds on what a marker may hold: it is read from input files (hostile input stays small). */
const MAX_ACCOUNTS = 100;
const MAX_REASON = 500;

/**
 * The cross-account opt-in recorded in a resource's metadata (`agent-guardrails:cross-account`:
 * `{ accounts, reason }`, an object or its JSON text). A marker without accounts or without a reason
 * is no opt-in: the checks then report the other accounts as they would without it.
 */
export function crossAccountOptInOf(metadata: unknown): CrossAccountOptIn | undefined {
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  let raw = (metadata as Record<string, unknown>)[CROSS_ACCOUNT_METADATA_KEY];
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      return undefined;
    }
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { accounts, reason } = raw as Record<string, unknown>;
  if (!Array.isArray(accounts) || typeof reason !== 'string' || reason.trim() === '') return undefined;
  const listed = accounts.filter((a): a is string => typeof a === 'string' && a.length > 0).slice(0, MAX_ACCOUNTS);
  return listed.length === 0 ? undefined : { accounts: listed, reason: reason.trim().slice(0, MAX_REASON) };
}
