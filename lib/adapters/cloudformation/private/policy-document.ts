import { PolicyStatement, SourceLocation, TrustEntry } from '../../../inventory/inventory';
import { hasOwn } from '../../../private/own';
import { jsonChars } from './json-chars';
import { withPath } from './source-location';
import { jsonNestsWithin } from '../../../private/json-nesting';

/** Called for each part of a document the adapter cannot read (fail closed). */
export type MalformedHandler = (what: string) => void;

/**
 * Statements of an IAM policy document (already resolved). A document or statement that is not
 * IAM-shaped is reported, never read as "no permissions".
 */
export function parseStatements(written: unknown, report: MalformedHandler): PolicyStatement[] {
  const doc = documentOf(written, report);
  if (typeof written === 'string' && doc === undefined) return []; // already reported
  if (!isObject(doc)) {
    report('a policy document that is not an object');
    return [];
  }
  const raw = doc.Statement;
  const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  if (raw === undefined) report('a policy document without Statement');
  const out: PolicyStatement[] = [];
  statements.forEach((s, i) => {
    if (!isObject(s) || (s.Effect !== 'Allow' && s.Effect !== 'Deny')) {
      report(`statement ${i} without Effect Allow or Deny`);
      return;
    }
    // Fields set only when present, in this order (the order reports and snapshots show).
    const statement: { -readonly [K in keyof PolicyStatement]: PolicyStatement[K] } = {} as PolicyStatement;
    if (typeof s.Sid === 'string') statement.sid = s.Sid;
    statement.effect = s.Effect;
    const actions = stringList(s.Action, 'statement', i, 'Action', report);
    if (actions !== undefined) statement.actions = actions;
    const notActions = stringList(s.NotAction, 'statement', i, 'NotAction', report);
    if (notActions !== undefined) statement.notActions = notActions;
    const resources = stringList(s.Resource, 'statement', i, 'Resource', report);
    if (resources !== undefined) statement.resources = resources;
    const notResources = stringList(s.NotResource, 'statement', i, 'NotResource', report);
    if (notResources !== undefined) statement.notResources = notResources;
    const condition = conditionOf(s.Condition, i, report);
    if (condition !== undefined) statement.condition = condition;
    out.push(statement);
  });
  return out;
}

/** Entries of a trust policy (`AssumeRolePolicyDocument`). */
export function parseTrust(written: unknown, source: SourceLocation, report: MalformedHandler): TrustEntry[] {
  const doc = documentOf(written, report);
  if (typeof written === 'string' && doc === undefined) return []; // already reported
  if (!isObject(doc)) {
    report('a trust policy that is not an object');
    return [];
  }
  const raw = doc.Statement;
  const statements = Array.isArray(raw) ? raw : raw === undefined ? [] : [raw];
  const out: TrustEntry[] = [];
  statements.forEach((s, i) => {
    if (!isObject(s) || (s.Effect !== 'Allow' && s.Effect !== 'Deny')) {
      report(`trust statement ${i} without Effect Allow or Deny`);
      return;
    }
    const notPrincipal = s.NotPrincipal !== undefined;
    const { principals, kinds } = principalsOf(notPrincipal ? s.NotPrincipal : s.Principal, i, report);
    // Fields set only when present, in this order (the order reports and snapshots show).
    const entry = {
      effect: s.Effect, actions: stringList(s.Action, 'trust statement', i, 'Action', report) ?? [], principals, principalKinds: kinds,
    } as { -readonly [K in keyof TrustEntry]: TrustEntry[K] };
    if (notPrincipal) entry.notPrincipal = true;
    const condition = conditionOf(s.Condition, i, report);
    if (condition !== undefined) entry.condition = condition;
    entry.source = withPath(source, `${source.path ?? ''}#trust[${i}]`);
    out.push(entry);
  });
  return out;
}

/** Nesting read in a policy document given as a JSON string (IAM's own grammar nests a handful of levels). */
const MAX_DOCUMENT_DEPTH = 64;

/**
 * A policy document as CloudFormation accepts it: an object, or the same as a JSON string (what
 * `'{...}'` and `Fn::Sub` without variables give). A string that is not JSON is reported.
 */
export function documentOf(doc: unknown, report: MalformedHandler): unknown {
  if (typeof doc !== 'string') return doc;
  if (!jsonNestsWithin(doc, MAX_DOCUMENT_DEPTH)) {
    report(`a policy document string nested more than ${MAX_DOCUMENT_DEPTH} levels deep, past what is read`);
    return undefined;
  }
  try {
    return JSON.parse(doc);
  } catch {
    report('a policy document string that is not JSON');
    return undefined;
  }
}

function principalsOf(p: unknown, i: number, report: MalformedHandler): { principals: string[]; kinds: string[] } {
  if (p === '*') return { principals: ['*'], kinds: ['*'] };
  if (!isObject(p)) {
    report(`trust statement ${i} with a Principal that is not "*" or an object`);
    return { principals: [], kinds: [] };
  }
  // The usual trust names one principal (`{ AWS: arn }`, `{ Service: name }`): lists of one, not lists grown by push.
  const only = soleStringMember(p);
  if (only !== undefined) return { principals: [p[only] as string], kinds: [only] };
  const principals: string[] = [];
  const kinds: string[] = [];
  // Own keys in `Object.entries` order, without building the entries.
  for (const kind in p) {
    if (!hasOwn(p, kind)) continue;
    const value = p[kind];
    if (typeof value === 'string') {
      principals.push(value);
      kinds.push(kind);
      continue;
    }
    for (const v of stringList(value, 'trust statement', i, `Principal.${kind}`, report) ?? []) {
      principals.push(v);
      kinds.push(kind);
    }
  }
  return { principals, kinds };
}

/**
 * The strings of a field that holds one string or a list of them; any other item is reported
 * (as `<prefix> <i> <field> holding …`). A list of strings only is returned as it is, not copied:
 * the inventory's lists are read, never changed, and a check builds thousands of them.
 */
function stringList(v: unknown, prefix: string, i: number, field: string, report: MalformedHandler): string[] | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return [v];
  const list = Array.isArray(v) ? v : [v];
  if (list === v && allStrings(list)) return list as string[];
  const out: string[] = [];
  for (const item of list) {
    if (typeof item === 'string') out.push(item);
    else report(`${prefix} ${i} ${field} holding a non-string value ${JSON.stringify(item)}`);
  }
  return out;
}

/** Whether every item is a string (a hole is not: it is read as undefined, and reported). */
function allStrings(list: unknown[]): boolean {
  for (let k = 0; k < list.length; k++) if (typeof list[k] !== 'string') return false;
  return true;
}

function conditionOf(c: unknown, i: number, report: MalformedHandler): Record<string, Record<string, unknown>> | undefined {
  if (c === undefined) return undefined;
  if (!isObject(c) || !everyMemberIsObject(c)) {
    report(`statement ${i} with a Condition that is not an operator → key → value block`);
    return undefined;
  }
  return c as Record<string, Record<string, unknown>>;
}

/** Whether every own member of `o` is an object (what `Object.values(o).every(isObject)` says, without the list). */
function everyMemberIsObject(o: Record<string, unknown>): boolean {
  for (const k in o) if (hasOwn(o, k) && !isObject(o[k])) return false;
  return true;
}

/** The key of an object's only own member when that member is a string, else undefined. */
function soleStringMember(o: Record<string, unknown>): string | undefined {
  let only: string | undefined;
  for (const k in o) {
    if (!hasOwn(o, k)) continue;
    if (only !== undefined || typeof o[k] !== 'string') return undefined;
    only = k;
  }
  return only;
}

/** The size of a policy document as written in a template: a JSON string is sized as the document it holds. */
export function documentSizeChars(doc: unknown): number {
  return policySizeChars(typeof doc === 'string' ? documentOf(doc, () => undefined) : doc);
}

/** `documentSizeChars` of a resolved document whose `jsonChars` were counted while resolving it (`TemplateResolver.resolveMeasured`). */
export function measuredDocumentSizeChars(doc: unknown, chars: number | undefined): number {
  return typeof doc === 'string' || doc === undefined || doc === null ? documentSizeChars(doc) : chars ?? 0;
}

/**
 * IAM policy size as AWS counts it for quotas: the JSON with whitespace removed, i.e.
 * `JSON.stringify(doc).replace(/\s/g, '').length`, counted while walking the document instead of
 * building that string (thousands of policies per check).
 */
export function policySizeChars(doc: unknown): number {
  return jsonChars(doc ?? {}) ?? 0;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

