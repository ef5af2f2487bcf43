/**
 * An ARN's colon-separated parts, colons inside the adapter's placeholders (`${AWS::AccountId}`,
 * `{{unresolved:...}}`) kept: `arn:aws:kms:${AWS::Region}:${AWS::AccountId}:key/*`, as Fn::Sub and
 * Fn::Join build it, is every key of the stack's account.
 */
export function arnParts(s: string): string[] {
  return splitOutsidePlaceholders(s, ':');
}

/**
 * `s` split on `delimiter` where it occurs outside the adapter's placeholders: a placeholder's
 * own text (`${AWS::AccountId}`) is notation, not part of the value it stands for, so
 * `Fn::Split [":", "arn:aws:iam::${AWS::AccountId}:role/R"]` has the role in its 6th part, as
 * CloudFormation's split of the deployed ARN does.
 */
export function splitOutsidePlaceholders(s: string, delimiter: string): string[] {
  if (!s.includes('{') || delimiter === '') return s.split(delimiter);
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length;) {
    const ch = s[i];
    if (depth === 0 && s.startsWith(delimiter, i)) {
      parts.push(s.slice(start, i));
      i += delimiter.length;
      start = i;
      continue;
    }
    if (ch === '{') depth++;
    else if (ch === '}' && depth > 0) depth--;
    i++;
  }
  parts.push(s.slice(start));
  return parts;
}
