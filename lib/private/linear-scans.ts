/**
 * Scans of input text that replace regular expressions which backtrack: each does what the regex in its comment
 * matched, in one pass. Templates and configurations are written by whoever opens a pull request, so a
 * quadratic or cubic match on one long string is an unbounded check (see test/lib/cli/linear-scans.test.ts,
 * which compares each with its regex).
 */

/**
 * `text.replace(/\$\{([^}]*)\}/g, replacer)`, in linear time: a `${` with no `}` after it never closes, and the regex
 * alone would scan to the end from each one (`${${${…`, quadratic), so only the text up to the last `}` is searched.
 */
export function replaceClosedPlaceholders(text: string, replacer: (whole: string, name: string) => string): string {
  const end = text.lastIndexOf('}') + 1;
  if (end === 0) return text;
  return text.slice(0, end).replace(/\$\{([^}]*)\}/g, replacer) + text.slice(end);
}

/**
 * The email a service account id ends with (`projects/p/serviceAccounts/a@p.iam.gserviceaccount.com`): what
 * `/([^/:]+@[^/]+)$/` matched, found in one pass (that regex backtracks cubically on a long run of `@`).
 */
export function trailingEmail(text: string): string | undefined {
  const tail = text.slice(text.lastIndexOf('/') + 1);
  // The match starts at the leftmost point with an `@` after it, no `:` in between, and something after that `@`.
  let start = 0;
  for (let i = 0; i < tail.length - 1; i++) {
    if (tail[i] === ':') start = i + 1;
    else if (tail[i] === '@' && i > start) return tail.slice(start);
  }
  return undefined;
}

/** The role name after `:role/` and any path (what `/:role\/(?:.*\/)?([^/]+)$/` matched, without its quadratic backtracking). */
export function roleNameOf(arn: string): string | undefined {
  return arn.includes(':role/') && !arn.endsWith('/') ? arn.slice(arn.lastIndexOf('/') + 1) : undefined;
}

/**
 * The trimmed text between the first `[name:` (`opening`, a global regex) and the `]` after it, skipping empty ones when
 * `nonEmpty`: what `/\[name:\s*(…*?)\s*\]/i` matched, found by scanning (that lazy regex backtracks cubically on
 * long whitespace, and reasons are input).
 */
export function bracketTerm(reason: string, opening: RegExp, nonEmpty: boolean): string | undefined {
  opening.lastIndex = 0;
  for (let m = opening.exec(reason); m !== null; m = opening.exec(reason)) {
    const start = m.index + m[0].length;
    const close = reason.indexOf(']', start);
    if (close < 0) return undefined;
    const text = reason.slice(start, close).trim();
    if (text !== '' || !nonEmpty) return text;
    opening.lastIndex = close;
  }
  return undefined;
}

/**
 * `issuer.host:claim` for the claims that name a caller: `/^[^:]+\.[^:]+:(sub|…)$/`, written so it stays linear (that
 * regex tries every split around each `.`: quadratic on a long key of dots).
 */
export function isIssuerClaim(key: string): boolean {
  const m = /^([^:]+):(sub|aud|amr|oaud|azp)$/.exec(key);
  return m !== null && m[1].slice(1, -1).includes('.');
}

/**
 * `text` without its trailing run of `/` (what `/\/+$/` removed; as `/(?<!\/)\/+$/`, that regex is linear, but one
 * scan says it plainly). Azure scopes and URLs are compared without them.
 */
export function withoutTrailingSlashes(text: string): string {
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0x2f) end--;
  return end === text.length ? text : text.slice(0, end);
}
