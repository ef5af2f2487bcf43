import { SourceLocation } from '../../../inventory/inventory';

/**
 * `{ ...s, path }` for the locations this adapter builds (`stack`, `resource`, then `file` and `path`
 * when set, in that order): the same fields in the same order, built without an object spread,
 * which costs several times more (a location per identity, policy and trust statement).
 */
export function withPath(s: SourceLocation, path: string): SourceLocation {
  const out: { -readonly [K in keyof SourceLocation]: SourceLocation[K] } = { stack: s.stack, resource: s.resource };
  if (s.file !== undefined) out.file = s.file;
  out.path = path;
  return out;
}
