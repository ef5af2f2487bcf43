/**
 * Whether JSON text nests at most `limit` arrays and objects deep, in one pass over the text (brackets inside string
 * literals not counted). A policy document given as a JSON string is parsed where no depth budget applies (the
 * template walk replaces values past its depth with placeholders; a parsed string is not walked that way), and
 * what reads it recurses: 200,000 nested `[` in a PolicyDocument string overflowed the stack.
 */
export function jsonNestsWithin(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return false;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return true;
}
