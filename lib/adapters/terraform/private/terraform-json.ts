import type { ParseErrorCode } from 'jsonc-parser';
import { GuardrailError } from '../../../errors';
import { setOwn } from '../../../private/own';
import { isObject } from './terraform-blocks';

/**
 * Terraform's JSON syntax (https://developer.hashicorp.com/terraform/language/syntax/json), read the
 * way Terraform reads it rather than the way `JSON.parse` does:
 * - a key may repeat; `JSON.parse` keeps only the last value, Terraform keeps every block. Here a
 *   repeated key whose values are objects (blocks) becomes a list of those objects; a repeated key
 *   with a plain value is a duplicate argument, which Terraform rejects, and so do we (exit 2);
 * - at every block level (`resource`, its type, `data`, `variable`, `locals`, …) a list of objects
 *   means the same as their merged content: `"resource": [ {…}, {…} ]`;
 * - a resource declared twice (same type and name) is rejected, as Terraform rejects it.
 * Errors name the position only: they quote nothing of the input.
 */
export function parseTerraformJson(text: string, file: string): Record<string, unknown> {
  return readTerraformJson(text, file).doc;
}

/** A configuration as `parseTerraformJson` reads it, and whether any object in it may hold a `dynamic` key. */
export interface TerraformJsonRead {
  readonly doc: Record<string, unknown>;
  /** False only when the text holds no `dynamic` key anywhere (then no dynamic block needs expanding). */
  readonly mayHoldDynamic: boolean;
}

/** `parseTerraformJson`, also telling whether the text holds a `dynamic` key (known for free on the fast path). */
export function readTerraformJson(text: string, file: string): TerraformJsonRead {
  const fast = parseWithoutRepeatedKeys(text);
  const root = fast.exact ? fast.value : parseKeepingDuplicates(text, file);
  if (!isObject(root)) invalid(file, 'must be a JSON object at the top level');
  return { doc: normalizeTerraformJson(root, file), mayHoldDynamic: !fast.exact || fast.dynamic };
}

/** Merge the list forms of Terraform JSON into one object per block level (see `parseTerraformJson`). */
export function normalizeTerraformJson(doc: Record<string, unknown>, file = 'Terraform configuration'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    switch (key) {
      case 'resource':
      case 'data':
        setOwn(out, key, mergeLabelled(value, 2, `${key}`, file));
        break;
      case 'variable':
      case 'module':
      case 'output':
        setOwn(out, key, mergeLabelled(value, 1, key, file));
        break;
      case 'locals':
        setOwn(out, key, mergeLabelled(value, 0, key, file));
        break;
      case 'provider':
        // Several configurations of one provider (aliases) are allowed: kept as a list per provider.
        setOwn(out, key, mergeProviders(value));
        break;
      default:
        setOwn(out, key, value);
    }
  }
  return out;
}

/**
 * Objects (or lists of objects) merged across `labels` label levels; at the last level each name
 * holds one body. A name defined twice is Terraform's "duplicate" error.
 */
function mergeLabelled(value: unknown, labels: number, where: string, file: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const part of objectsOf(value, where, file)) {
    for (const [name, inner] of Object.entries(part)) {
      const existing = Object.prototype.hasOwnProperty.call(out, name) ? out[name] : undefined;
      if (labels === 0) {
        if (existing !== undefined) invalid(file, `defines ${where} values twice under one name`);
        setOwn(out, name, inner);
      } else if (labels === 1) {
        const bodies = Array.isArray(inner) ? inner : [inner];
        if (existing !== undefined || bodies.length !== 1) invalid(file, `declares one ${where} block twice (same labels)`);
        setOwn(out, name, bodies[0]);
      } else {
        const merged = mergeLabelled(existing === undefined ? [inner] : [existing, inner], labels - 1, where, file);
        setOwn(out, name, merged);
      }
    }
  }
  return out;
}

function mergeProviders(value: unknown): Record<string, unknown> {
  const out: Record<string, unknown[]> = {};
  for (const part of Array.isArray(value) ? value : [value]) {
    if (!isObject(part)) continue;
    for (const [name, config] of Object.entries(part)) {
      const list = Object.prototype.hasOwnProperty.call(out, name) ? out[name] : [];
      for (const c of Array.isArray(config) ? config : [config]) list.push(c);
      setOwn(out, name, list);
    }
  }
  return out;
}

function objectsOf(value: unknown, where: string, file: string): Record<string, unknown>[] {
  const list = Array.isArray(value) ? value.flat(Infinity) : [value];
  return list.map((v) => (isObject(v) ? v : invalid(file, `has a ${where} block that is not an object or a list of objects`)));
}

/**
 * The common case, fast: `JSON.parse` (native) reads a text exactly as `parseKeepingDuplicates` does
 * when no object in it repeats a key. Whether one does is decided by counting, in linear time: the
 * keys written in the text (one scan that skips string contents) against the keys of the parsed
 * objects; they differ exactly when a key repeats. Text that `JSON.parse` refuses, or that repeats a
 * key, goes to `parseKeepingDuplicates`, which keeps the blocks and words the error.
 */
function parseWithoutRepeatedKeys(text: string): { exact: true; value: unknown; dynamic: boolean } | { exact: false } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { exact: false };
  }
  const parsed = keysParsed(value);
  return keysWritten(text) === parsed.keys ? { exact: true, value, dynamic: parsed.dynamic } : { exact: false };
}

/**
 * How many `"…":` keys the text writes (strings skipped, escapes honoured; valid JSON only). It jumps
 * from quote to quote with `indexOf` (native, several times faster than a loop over every character
 * on the large files CDKTF writes); a quote is escaped when an odd run of backslashes precedes it.
 * Linear: each backslash run is counted once, for the one quote that follows it.
 */
function keysWritten(text: string): number {
  let keys = 0;
  let open = text.indexOf('"');
  while (open !== -1) {
    let close = text.indexOf('"', open + 1);
    while (close !== -1 && isEscaped(text, close, open)) close = text.indexOf('"', close + 1);
    if (close === -1) break;
    let j = close + 1;
    for (let c = text.charCodeAt(j); c === 32 || c === 9 || c === 10 || c === 13; c = text.charCodeAt(++j));
    if (text.charCodeAt(j) === 58 /* : */) keys++;
    open = text.indexOf('"', j);
  }
  return keys;
}

/** Whether the quote at `quote` is escaped: an odd number of backslashes right before it (after `open`). */
function isEscaped(text: string, quote: number, open: number): boolean {
  let i = quote - 1;
  while (i > open && text.charCodeAt(i) === 92 /* \\ */) i--;
  return (quote - 1 - i) % 2 === 1;
}

/**
 * How many keys the parsed objects hold, all levels (an explicit stack: no recursion on deep input),
 * and whether one of them is `dynamic` (the same walk: the reader then need not look for dynamic blocks).
 * Keys are counted with `for…in` (no key list per object) and only objects go on the stack. JSON.parse
 * makes plain objects, whose prototype adds no enumerable key; were one added, the counts would differ
 * and the text would take the exact path, never a wrong one.
 */
function keysParsed(value: unknown): { keys: number; dynamic: boolean } {
  let keys = 0;
  let dynamic = false;
  const stack: object[] = isContainer(value) ? [value] : [];
  while (stack.length > 0) {
    const v = stack.pop()!;
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (isContainer(v[i])) stack.push(v[i] as object);
    } else {
      for (const k in v) {
        keys++;
        if (k === 'dynamic') dynamic = true;
        const x = (v as Record<string, unknown>)[k];
        if (isContainer(x)) stack.push(x);
      }
    }
  }
  return { keys, dynamic };
}

function isContainer(x: unknown): x is object {
  return x !== null && typeof x === 'object';
}

/**
 * JSON to values, keeping repeated keys: a key seen again with object values becomes a list of
 * the objects; seen again with any other value it is an error (Terraform's duplicate argument).
 * Iterative building (the tokenizer's callbacks), so deep nesting is no recursion of ours.
 */
function parseKeepingDuplicates(text: string, file: string): unknown {
  // Loaded here, for the rare text the fast path leaves over: most checks never need the tokenizer.
  const { printParseErrorCode, visit } = require('jsonc-parser') as typeof import('jsonc-parser');
  interface Frame { readonly container: Record<string, unknown> | unknown[]; key?: string }
  const stack: Frame[] = [];
  let root: unknown;
  let error: { code: ParseErrorCode; line: number; column: number } | undefined;
  let duplicateAt: { line: number; column: number } | undefined;
  const add = (value: unknown, line: number, column: number) => {
    const top = stack[stack.length - 1];
    if (!top) {
      root = value;
      return;
    }
    if (Array.isArray(top.container)) {
      top.container.push(value);
      return;
    }
    const key = top.key ?? '';
    const obj = top.container;
    if (!Object.prototype.hasOwnProperty.call(obj, key)) {
      setOwn(obj, key, value);
      return;
    }
    const before = obj[key];
    if (isBlockish(before) && isBlockish(value)) setOwn(obj, key, [...asList(before), ...asList(value)]);
    else duplicateAt ??= { line, column };
  };
  visit(text, {
    onObjectBegin: () => {
      stack.push({ container: {} });
    },
    onObjectProperty: (property) => {
      stack[stack.length - 1].key = property;
    },
    onObjectEnd: (_o, _l, line, column) => {
      const done = stack.pop()!;
      add(done.container, line, column);
    },
    onArrayBegin: () => {
      stack.push({ container: [] });
    },
    onArrayEnd: (_o, _l, line, column) => {
      const done = stack.pop()!;
      add(done.container, line, column);
    },
    onLiteralValue: (value, _o, _l, line, column) => add(value, line, column),
    onError: (code, _o, _l, line, column) => {
      error ??= { code, line: line + 1, column: column + 1 };
    },
  }, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (error) invalid(file, `is not valid JSON (${printParseErrorCode(error.code)} at line ${error.line}, column ${error.column})`, 'AG_TF_UNREADABLE');
  if (duplicateAt) invalid(file, `repeats an argument within one block (line ${duplicateAt.line + 1}), which Terraform rejects`);
  return root;
}

function isBlockish(v: unknown): boolean {
  return isObject(v) || (Array.isArray(v) && v.length > 0 && v.every(isObject));
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [v];
}

function invalid(file: string, rule: string, code = 'AG_TF_INVALID'): never {
  throw new GuardrailError(code, `Terraform file ${file} ${rule}. Fix the configuration; terraform validate reports the same.`);
}
