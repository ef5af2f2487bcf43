import { isObject, TerraformBlock } from './terraform-blocks';
import { hasOwn, own } from '../../../private/own';

/**
 * A Terraform string after resolving `${...}` interpolations offline.
 * - `text`: the value with every interpolation replaced; a reference to an attribute only known
 *   after apply (an id, a principal id) stays as `${address.attribute}`, which still names one
 *   resource and is safe to compare;
 * - `refs`: the blocks referenced, in order (addresses);
 * - `problem`: why the value cannot be known offline (a variable without default, a function,
 *   a reference outside the configuration). Callers report it instead of assuming it is safe.
 */
export interface Resolved {
  readonly text: string;
  readonly refs: readonly ResolvedRef[];
  readonly problem?: string;
  /** Every problem of the value is an output of a module call (`module.sa.email`): its value is only elsewhere. */
  readonly fromModule?: true;
}

export interface ResolvedRef {
  /** `type.name` or `data.type.name`. */
  readonly address: string;
  readonly type: string;
  readonly attribute: string;
}

/** Attributes that only exist after apply, computed from the arguments where the cloud defines them. */
export type ComputedAttributes = (block: TerraformBlock, attribute: string, resolver: TerraformReferences) => string | undefined;

/** `[data.]type.name[instance].attribute[rest]`, the instance a `count` index or a `for_each` key (`["api"]`). */
const REFERENCE = /^(data\.)?([a-z][a-z0-9_]*)\.([A-Za-z_][A-Za-z0-9_-]*)(\[\d+\]|\["[^"\\]*"\])?\.([A-Za-z_][A-Za-z0-9_]*)((?:\[\d+\]|\["[^"\\]*"\]|\.[A-Za-z_][A-Za-z0-9_]*)*)$/;
/** `var.x` or `local.x` followed by indexes (`[1]`, `["k"]`): an element of a collection. */
const INDEXED = /^(var|local)\.([A-Za-z_][A-Za-z0-9_-]*)((?:\[\d+\]|\["[^"\\]*"\])+)$/;
const INDEX = /\[(\d+)\]|\["([^"\\]*)"\]/g;
const VARIABLE = /^var\.([A-Za-z_][A-Za-z0-9_-]*)$/;
const LOCAL = /^local\.([A-Za-z_][A-Za-z0-9_-]*)$/;
const MAX_DEPTH = 16;
/** A type conversion around a collection, `toset(…)` (anchored, one pass per unwrap: linear). */
const CONVERSION = /^to(?:set|map|list)\((.*)\)$/s;
/**
 * Budgets for untrusted configurations: locals that each reference a few others fan out
 * exponentially with depth. Each local is resolved once; past these budgets a value is
 * unresolvable (a finding), never a hang.
 */
const MAX_EXPRESSIONS = 100_000;
const MAX_TEXT_LENGTH = 100_000;

/** Resolves references between the blocks of one Terraform JSON configuration. */
export class TerraformReferences {
  private readonly byAddress = new Map<string, TerraformBlock>();
  private readonly variables: Record<string, unknown>;
  private readonly locals: Record<string, unknown>;
  private readonly localCache = new Map<string, Resolved | undefined>();
  private expressions = 0;

  constructor(doc: Record<string, unknown>, blocks: readonly TerraformBlock[], private readonly computed: ComputedAttributes) {
    for (const b of blocks) this.byAddress.set(b.address, b);
    this.variables = isObject(doc.variable) ? doc.variable : {};
    this.locals = isObject(doc.locals) ? doc.locals : {};
  }

  public block(address: string): TerraformBlock | undefined {
    return this.byAddress.get(address);
  }

  /** Resolve a scalar argument; undefined when absent. Numbers and booleans become text. */
  public resolve(value: unknown, depth = 0): Resolved | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number' || typeof value === 'boolean') return { text: String(value), refs: [] };
    if (typeof value !== 'string') return { text: JSON.stringify(value), refs: [], problem: 'is not a string' };
    if (!value.includes('${')) return { text: value, refs: [] };
    if (depth > MAX_DEPTH) return { text: value, refs: [], problem: 'references nest too deeply (a cycle?)' };
    const parts = splitInterpolations(value);
    if (!parts) return { text: value, refs: [], problem: 'has an unterminated ${...} interpolation' };
    let text = '';
    const refs = new Map<string, ResolvedRef>();
    let problem: string | undefined;
    let allFromModules = true;
    for (const part of parts) {
      if (part.literal !== undefined) {
        text += part.literal;
      } else {
        const r = this.resolveExpression(part.expression!.trim(), depth);
        text += r.text;
        // Each block once: a local used a thousand times names the same blocks.
        for (const ref of r.refs) if (!refs.has(`${ref.address}.${ref.attribute}`)) refs.set(`${ref.address}.${ref.attribute}`, ref);
        problem = problem ?? r.problem;
        if (r.problem !== undefined && !r.fromModule) allFromModules = false;
      }
      if (text.length > MAX_TEXT_LENGTH) return { text: value, refs: [...refs.values()], problem: `grows past ${MAX_TEXT_LENGTH} characters once its references are resolved` };
    }
    return { text, refs: [...refs.values()], problem, ...(problem !== undefined && allFromModules ? { fromModule: true as const } : {}) };
  }

  /** Resolve a list argument: a JSON list of strings, or one interpolation that yields a list. */
  public resolveList(value: unknown): Resolved[] {
    if (value === undefined || value === null) return [];
    if (Array.isArray(value)) return value.map((v) => this.resolve(v)).filter((r): r is Resolved => r !== undefined);
    if (typeof value === 'string') {
      const whole = /^\$\{(.*)\}$/s.exec(value);
      const expr = whole?.[1].trim();
      const v = expr ? VARIABLE.exec(expr) : null;
      const def = v ? this.variableDefault(v[1]) : undefined;
      if (Array.isArray(def)) return this.resolveList(def);
      const local = expr ? LOCAL.exec(expr) : null;
      const localValue = local ? own(this.locals, local[1]) : undefined;
      if (Array.isArray(localValue)) return this.resolveList(localValue);
      const ref = expr ? REFERENCE.exec(expr) : null;
      if (ref && !ref[6]) {
        const block = this.byAddress.get(`${ref[1] ?? ''}${ref[2]}.${ref[3]}${ref[4] ?? ''}`);
        const attribute = block ? own(block.body, ref[5]) : undefined;
        if (Array.isArray(attribute)) return this.resolveList(attribute);
      }
      const r = this.resolve(value);
      return r ? [{ ...r, problem: r.problem ?? 'is a list only known after apply' }] : [];
    }
    return [{ text: JSON.stringify(value), refs: [], problem: 'is not a list' }];
  }

  /**
   * The literal collection a `for_each` names, or undefined when it is not known offline: a JSON list or object,
   * `${toset([…])}` with a JSON-compatible list, or a variable's default / a local (optionally inside
   * `toset(…)`/`tomap(…)`/`tolist(…)`). Elements are returned as written (references in them resolve later).
   */
  public collection(value: unknown, depth = 0): unknown[] | Record<string, unknown> | undefined {
    if (Array.isArray(value) || isObject(value)) return value;
    if (typeof value !== 'string' || depth > MAX_DEPTH) return undefined;
    const whole = /^\$\{(.*)\}$/s.exec(value);
    if (!whole) return undefined;
    let expr = whole[1].trim();
    // A few conversions at most (`toset(tolist(…))`): each unwrap rescans the text.
    for (let i = 0, m = CONVERSION.exec(expr); m && i < 4; i++, m = CONVERSION.exec(expr)) expr = m[1].trim();
    const v = VARIABLE.exec(expr);
    if (v) return this.collection(this.variableDefault(v[1]), depth + 1);
    const l = LOCAL.exec(expr);
    if (l) return hasOwn(this.locals, l[1]) ? this.collection(own(this.locals, l[1]), depth + 1) : undefined;
    if (!expr.startsWith('[') && !expr.startsWith('{')) return undefined;
    try {
      const parsed: unknown = JSON.parse(expr);
      return Array.isArray(parsed) || isObject(parsed) ? parsed : undefined;
    } catch {
      return undefined; // HCL syntax JSON cannot read (`{ a = 1 }`, a for expression): not known here.
    }
  }

  /**
   * A `count` known offline: a whole number, a variable's default or a local that is one, or `length(…)` of a
   * collection `collection` knows. Undefined otherwise.
   */
  public count(value: unknown): number | undefined {
    const whole = typeof value === 'string' ? /^\$\{\s*length\((.*)\)\s*\}$/s.exec(value) : null;
    if (whole) {
      const c = this.collection(`\${${whole[1]}}`);
      return c === undefined ? undefined : Array.isArray(c) ? c.length : Object.keys(c).length;
    }
    const r = this.resolve(value);
    const n = r && !r.problem && /^\d{1,6}$/.test(r.text) ? Number(r.text) : undefined;
    return n;
  }

  private resolveExpression(expr: string, depth: number): Resolved {
    const raw = '${' + expr + '}';
    if (++this.expressions > MAX_EXPRESSIONS) return { text: raw, refs: [], problem: `is past the budget of ${MAX_EXPRESSIONS} references resolved per configuration` };
    const v = VARIABLE.exec(expr);
    if (v) {
      const def = this.variableDefault(v[1]);
      if (def === undefined) return { text: raw, refs: [], problem: `uses variable ${v[1]}, which has no default` };
      return this.resolve(def, depth + 1) ?? { text: raw, refs: [], problem: `uses variable ${v[1]}, whose default is null` };
    }
    const l = LOCAL.exec(expr);
    if (l) {
      if (!hasOwn(this.locals, l[1])) return { text: raw, refs: [], problem: `uses local ${l[1]}, which is not defined` };
      return this.local(l[1], depth) ?? { text: raw, refs: [], problem: `uses local ${l[1]}, which is null` };
    }
    const ix = INDEXED.exec(expr);
    if (ix) {
      const base = ix[1] === 'var' ? this.variableDefault(ix[2]) : own(this.locals, ix[2]);
      const element = elementAt(base, ix[3]);
      if (element === undefined) return { text: raw, refs: [], problem: `uses ${ix[1]}.${ix[2]}${ix[3]}, an element not known offline` };
      return this.resolve(element, depth + 1) ?? { text: raw, refs: [], problem: `uses ${ix[1]}.${ix[2]}${ix[3]}, which is null` };
    }
    const m = REFERENCE.exec(expr);
    if (m) {
      const address = `${m[1] ?? ''}${m[2]}.${m[3]}${m[4] ?? ''}`;
      const attribute = m[5];
      const ref: ResolvedRef = { address, type: m[2], attribute };
      const block = this.byAddress.get(address);
      if (!block && m[1] === undefined && m[2] === 'module') {
        return { text: raw, refs: [ref], problem: `uses an output of module.${m[3]}, whose resources are not in this configuration`, fromModule: true };
      }
      if (!block) return { text: raw, refs: [ref], problem: `references ${address}, which is not in this configuration` };
      if (m[6]) return { text: raw, refs: [ref] }; // an element of a nested attribute: names the block, value only known after apply
      const literal = own(block.body, attribute);
      if (literal !== undefined && (typeof literal === 'string' || typeof literal === 'number' || typeof literal === 'boolean')) {
        const inner = this.resolve(literal, depth + 1)!;
        return { text: inner.text, refs: [ref, ...inner.refs], problem: inner.problem };
      }
      const computed = this.computed(block, attribute, this);
      return { text: computed ?? raw, refs: [ref] };
    }
    return { text: raw, refs: [], problem: `uses the expression ${raw}, which cannot be evaluated offline` };
  }

  /** A local's value, resolved once (locals referencing each other fan out exponentially otherwise). */
  private local(name: string, depth: number): Resolved | undefined {
    if (this.localCache.has(name)) return this.localCache.get(name);
    // A cycle ends at the depth guard with a problem, which is then the local's value everywhere (a finding).
    const r = this.resolve(this.locals[name], depth + 1);
    this.localCache.set(name, r);
    return r;
  }

  /** A local's value as written (a collection stays one), or undefined when it is not defined. */
  public localValue(name: string): unknown {
    return own(this.locals, name);
  }

  /** A variable's default as written, or undefined when it has none. */
  public variableDefault(name: string): unknown {
    const decl = own(this.variables, name);
    return isObject(decl) ? decl.default : undefined;
  }
}

/** The element of a JSON value at indexes such as `[1]["k"]`, or undefined. */
function elementAt(base: unknown, indexes: string): unknown {
  let v = base;
  for (const m of indexes.matchAll(INDEX)) {
    if (m[1] !== undefined && Array.isArray(v)) v = v[Number(m[1])];
    else if (m[2] !== undefined && isObject(v)) v = own(v, m[2]);
    else if (m[1] !== undefined && isObject(v)) v = own(v, m[1]);
    else return undefined;
  }
  return v;
}

interface Part { readonly literal?: string; readonly expression?: string }

/** Split `a${x}b${f("}")}` into literals and expressions, honouring nested braces and quoted strings. */
function splitInterpolations(value: string): Part[] | undefined {
  const parts: Part[] = [];
  let i = 0;
  let literal = '';
  while (i < value.length) {
    // Literal text runs to the next "${" (found natively, not character by character); "$${" is an escaped, literal "${".
    const next = value.indexOf('${', i);
    if (next === -1) {
      literal += value.slice(i);
      break;
    }
    if (next > i && value.charCodeAt(next - 1) === 36 /* $ */) {
      literal += `${value.slice(i, next - 1)}\${`;
      i = next + 2;
      continue;
    }
    literal += value.slice(i, next);
    i = next;
    if (literal) parts.push({ literal });
    literal = '';
    let j = i + 2;
    let braces = 1;
    let quoted = false;
    for (; j < value.length && braces > 0; j++) {
      const c = value[j];
      if (quoted) {
        if (c === '\\') j++;
        else if (c === '"') quoted = false;
      } else if (c === '"') quoted = true;
      else if (c === '{') braces++;
      else if (c === '}') braces--;
    }
    if (braces > 0) return undefined;
    parts.push({ expression: value.slice(i + 2, j - 1) });
    i = j;
  }
  if (literal) parts.push({ literal });
  return parts;
}
