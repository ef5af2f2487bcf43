/** Reading fields of log records whose key case differs by export (CloudTrail files vs Athena's lowercase columns). */
export type LogRecord = Record<string, unknown>;

/** Lowercase forms of the (constant) field names this module is asked for: computed once each, not once per record. */
const LOWERCASE = new Map<string, string>();
const LOWERCASE_MAX = 256;

export function isRecord(x: unknown): x is LogRecord {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A field by its documented name, or its lowercase form (Athena), or a JSON-text object (Lake, Athena structs as JSON). */
export function field(o: unknown, key: string): unknown {
  if (!isRecord(o)) return undefined;
  return fieldValue(o[key] ?? o[lowercase(key)]);
}

export function text(o: unknown, key: string): string | undefined {
  return textValue(field(o, key));
}

/**
 * What `field` makes of a value its caller read itself (`r.eventName ?? r.eventname`): a hot
 * normalizer reads its fields at its own call sites, where the engine's property caches see one
 * record shape, instead of through `field`'s one generic lookup (about a microsecond per record).
 */
export function fieldValue(v: unknown): unknown {
  if (typeof v === 'string' && v.length > 0) {
    const first = v.charCodeAt(0);
    if (first === 0x7b /* { */ || first === 0x5b /* [ */) {
      try {
        return JSON.parse(v) as unknown;
      } catch {
        return v;
      }
    }
  }
  return v;
}

/** What `text` makes of a value its caller read itself: a non-empty string, else undefined. */
export function textValue(v: unknown): string | undefined {
  const x = fieldValue(v);
  return typeof x === 'string' && x.length > 0 ? x : undefined;
}

/** A path of fields: `text(r, 'userIdentity', 'sessionContext', 'sourceIdentity')`. */
export function textAt(o: unknown, ...keys: string[]): string | undefined {
  let cur = o;
  const last = keys.length - 1;
  for (let i = 0; i < last; i++) cur = field(cur, keys[i]);
  return text(cur, keys[last]);
}

function lowercase(key: string): string {
  let lower = LOWERCASE.get(key);
  if (lower === undefined) {
    lower = key.toLowerCase();
    if (LOWERCASE.size < LOWERCASE_MAX) LOWERCASE.set(key, lower);
  }
  return lower;
}
