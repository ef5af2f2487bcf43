/** Reading fields of log records whose key case differs by export (CloudTrail files vs Athena's lowercase columns). */
export type LogRecord = Record<string, unknown>;

export function isRecord(x: unknown): x is LogRecord {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A field by its documented name, or its lowercase form (Athena), or a JSON-text object (Lake, Athena structs as JSON). */
export function field(o: unknown, key: string): unknown {
  if (!isRecord(o)) return undefined;
  const v = o[key] ?? o[key.toLowerCase()];
  if (typeof v === 'string' && (v.startsWith('{') || v.startsWith('['))) {
    try {
      return JSON.parse(v) as unknown;
    } catch {
      return v;
    }
  }
  return v;
}

export function text(o: unknown, key: string): string | undefined {
  const v = field(o, key);
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** A path of fields: `text(r, 'userIdentity', 'sessionContext', 'sourceIdentity')`. */
export function textAt(o: unknown, ...keys: string[]): string | undefined {
  let cur = o;
  for (const k of keys.slice(0, -1)) cur = field(cur, k);
  return text(cur, keys[keys.length - 1]);
}
