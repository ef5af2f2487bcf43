/**
 * An ARN's colon-separated parts, colons inside the adapter's placeholders (`${AWS::AccountId}`,
 * `{{unresolved:...}}`) kept: `arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/*`, as Fn::Sub and
 * Fn::Join build it, is every key of the stack's account.
 */
export function arnParts(s: string): string[] {
  if (!s.includes('{')) return s.split(':');
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of s) {
    if (ch === '{') depth++;
    else if (ch === '}' && depth > 0) depth--;
    if (ch === ':' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts;
}
