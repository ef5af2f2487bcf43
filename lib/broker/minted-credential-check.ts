import type { MintedCredential } from './ports';

/**
 * How far the cloud's clock may run ahead of the broker's: the minter stamps the expiry with its
 * own clock (STS, IAM Credentials, Entra), so an expiry up to this much past `mint start + session`
 * is still the session that was asked for.
 */
export const MINTER_CLOCK_SKEW_MS = 30_000;

/** RFC 3339 date-time (what STS, IAM Credentials and Entra answer), with an explicit offset. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,9})?(?:Z|[+-](\d{2}):(\d{2}))$/;

/** The time an RFC 3339 string names, or NaN; `Date.parse` alone accepts 31 February and 24:00. */
function rfc3339Time(text: string): number {
  const m = RFC3339.exec(text);
  if (!m) return NaN;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) return NaN;
  if (m[7] !== undefined && (Number(m[7]) > 23 || Number(m[8]) > 59)) return NaN;
  return Date.parse(text);
}

/**
 * The minter's answer as the broker will hand it out, or undefined when it must be refused:
 * credential values must be non-empty strings, and the expiry a valid time after `now` and no later
 * than `mintStartedAt + durationSeconds` (plus `MINTER_CLOCK_SKEW_MS`). An answer that is only
 * shaped right (an expiry ten years out, or `"garbage"`) is refused.
 *
 * @param mintStartedAt the broker's clock just before it called the minter
 * @param now the broker's clock after the minter answered
 */
export function checkMintedCredential(answer: unknown, mintStartedAt: Date, durationSeconds: number, now: Date): MintedCredential | undefined {
  if (typeof answer !== 'object' || answer === null) return undefined;
  const { expiresAt, credentials } = answer as { expiresAt?: unknown; credentials?: unknown };
  if (typeof expiresAt !== 'string' || expiresAt.length > 40) return undefined;
  const expiry = rfc3339Time(expiresAt);
  if (Number.isNaN(expiry)) return undefined;
  if (expiry <= now.getTime() || expiry > mintStartedAt.getTime() + durationSeconds * 1000 + MINTER_CLOCK_SKEW_MS) return undefined;
  if (typeof credentials !== 'object' || credentials === null || Array.isArray(credentials)) return undefined;
  const entries = Object.entries(credentials);
  if (entries.length === 0 || !entries.every(([, v]) => typeof v === 'string' && v.length > 0)) return undefined;
  return { expiresAt: new Date(expiry).toISOString(), credentials: Object.fromEntries(entries) as Record<string, string> };
}
