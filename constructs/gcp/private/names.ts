import { createHash } from 'crypto';

/** A short, stable hex digest of `parts`, to keep shortened names unique. */
export function shortHash(parts: readonly string[], length = 6): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, length);
}

/**
 * Fit `base` into `max` characters of `[a-z0-9-]`: unchanged when it fits, else cut and suffixed
 * with `-<hash>` of `parts` so that two long names never collide. Never ends with `-`.
 */
export function fitName(base: string, max: number, parts: readonly string[], separator = '-'): string {
  const clean = base.toLowerCase();
  if (clean.length <= max) return clean;
  const hash = shortHash(parts);
  const head = clean.slice(0, max - hash.length - separator.length).replace(/[-_]+$/, '');
  return `${head}${separator}${hash}`;
}
