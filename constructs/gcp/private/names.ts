import { createHash } from 'crypto';

/** A short, stable hex digest of `parts`, to keep shortened names unique. */
export function shortHash(parts: readonly string[], length = 6): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, length);
}

/** A GUID derived from `parts` (RFC 4122 version-4 layout): ids an app registration must keep stable across synths, e.g. its app roles'. */
export function stableUuid(parts: readonly string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/**
 * Fit `base` into `max` characters of `[a-z0-9-]`: unchanged when it fits, else cut and suffixed
 * with `-<hash>` of `parts` so that two long names never collide. Never ends with `-`.
 */
export function fitName(base: string, max: number, parts: readonly string[], separator = '-'): string {
  const clean = base.toLowerCase();
  if (clean.length <= max) return clean;
  const hash = shortHash(parts);
  const head = clean.slice(0, max - hash.length - separator.length).replace(/(?<![-_])[-_]+$/, '');
  return `${head}${separator}${hash}`;
}
