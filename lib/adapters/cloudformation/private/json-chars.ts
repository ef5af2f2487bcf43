import { hasOwn } from '../../../private/own';

/*
 * IAM counts a policy's size as the characters of its JSON with whitespace removed
 * (`JSON.stringify(doc).replace(/\s/g, '').length`). These count them while walking a value,
 * without building that string (thousands of policies per check).
 */

/** Characters `JSON.stringify(v)` writes, whitespace left out; undefined where it writes nothing. */
export function jsonChars(v: unknown): number | undefined {
  switch (typeof v) {
    case 'string': return stringChars(v);
    case 'number': return Number.isFinite(v) ? String(v).length : 4;
    case 'boolean': return v ? 4 : 5;
    case 'object': break;
    default: return undefined; // undefined, functions, symbols
  }
  if (v === null) return 4;
  // Rare in templates (dates from YAML): let JSON.stringify decide.
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    const json = JSON.stringify(v);
    return json === undefined ? undefined : json.length - whitespaceIn(json);
  }
  if (Array.isArray(v)) {
    let n = 2 + Math.max(0, v.length - 1);
    for (const item of v) n += jsonChars(item) ?? 4; // written as null
    return n;
  }
  let n = 2;
  let members = 0;
  // `for…in` with an own-property test visits what `Object.keys` lists, in its order, without building the list.
  for (const key in v) {
    if (!hasOwn(v, key)) continue;
    const value = jsonChars((v as Record<string, unknown>)[key]);
    if (value === undefined) continue;
    n += stringChars(key) + 1 + value;
    members++;
  }
  return n + Math.max(0, members - 1);
}

/** A JSON string literal's characters, quotes and escapes included, whitespace left out. */
export function stringChars(s: string): number {
  // Most strings (actions, ARNs, keys) hold nothing escaped, no whitespace and no surrogate: each character counts once.
  if (!SPECIAL_CHAR.test(s)) return s.length + 2;
  let n = 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) n += 2;
    else if (c < 0x20) n += c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 2 : 6;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff) {
      n += 2; // a surrogate pair, written as is
      i++;
    } else if (c >= 0xd800 && c <= 0xdfff) n += 6; // a lone surrogate, escaped
    else if (!isWhitespace(c)) n += 1;
  }
  return n;
}

/** A character `stringChars` does not count as one: whitespace (`\s`), a quote, a backslash, a control character or a surrogate. */
const SPECIAL_CHAR = /[\s"\\\x00-\x1f\ud800-\udfff]/;

function whitespaceIn(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (isWhitespace(s.charCodeAt(i))) n++;
  return n;
}

/** The characters `\s` matches in JavaScript regular expressions. */
function isWhitespace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return c === 160 || c === 5760 || (c >= 8192 && c <= 8202) || c === 8232 || c === 8233 || c === 8239 || c === 8287 || c === 12288 || c === 65279;
}
