import { GuardrailError } from '../errors';

/**
 * The one wildcard matcher of agent-guardrails (IAM `*` and `?`, GCP and Azure globs).
 *
 * Patterns come from templates and requests an attacker can write, so matching must never
 * backtrack: a RegExp such as `^(.*a){25}.*b$` takes exponential time on `aaaa…`. This matcher
 * splits the pattern at its stars and places each literal segment at its leftmost possible
 * position (which is always optimal for globs), so a match costs at most
 * O(|value| × |pattern|) character comparisons and no recursion — see `GLOB_MAX_LENGTH`.
 */

/** Longest pattern or value the matcher accepts (characters): far above every cloud's own limits. */
export const GLOB_MAX_LENGTH = 16_384;

/** Options of a glob; the defaults are IAM action matching (case-insensitive, `?` is one character). */
export interface GlobOptions {
  /** Compare case-insensitively (IAM actions, GCP permissions, Azure actions). @default true */
  readonly caseInsensitive?: boolean;
  /** Whether `?` is a wildcard for one character (IAM), or a literal `?` (Azure). @default true */
  readonly questionWildcard?: boolean;
  /** Characters a `?` does not match (e.g. `*` when covering a pattern by a pattern). @default '' */
  readonly questionExcludes?: string;
  /**
   * Azure semantics: a `/*\/` segment may also match a single `/`
   * (`userAssignedIdentities/*\/assign/action` covers `userAssignedIdentities/assign/action`).
   * @default false
   */
  readonly slashStarMayBeEmpty?: boolean;
}

/** What a star before a segment may match: any run, or (Azure `/*\/`) nothing or any run ending in `/`. */
type StarKind = 'any' | 'dirs';

interface Segment {
  readonly text: string;
  readonly star: StarKind;
  readonly hasQuestion: boolean;
}

/** A compiled glob: compile once, test many values. */
export class Glob {
  /** Compile `pattern` (throws `AG_GLOB_TOO_LONG` past `GLOB_MAX_LENGTH`). */
  public static compile(pattern: string, options: GlobOptions = {}): Glob {
    return new Glob(pattern, options);
  }

  /** The pattern as written. */
  public readonly pattern: string;
  private readonly caseInsensitive: boolean;
  private readonly question: boolean;
  private readonly questionExcludes: string;
  /** Segment before the first star (must start the value), undefined when the pattern has no star. */
  private readonly head: string;
  /** Segments after each star, in order; the last one must end the value. */
  private readonly rest: readonly Segment[];
  private readonly headHasQuestion: boolean;

  private constructor(pattern: string, options: GlobOptions) {
    checkLength('pattern', pattern);
    this.pattern = pattern;
    this.caseInsensitive = options.caseInsensitive ?? true;
    this.question = options.questionWildcard ?? true;
    this.questionExcludes = options.questionExcludes ?? '';
    const text = this.caseInsensitive ? pattern.toLowerCase() : pattern;
    const { head, rest } = splitAtStars(text, options.slashStarMayBeEmpty ?? false);
    this.head = head;
    this.rest = rest.map((s) => ({ ...s, hasQuestion: this.question && s.text.includes('?') }));
    this.headHasQuestion = this.question && head.includes('?');
  }

  /** Whether the whole `value` matches (throws `AG_GLOB_TOO_LONG` past `GLOB_MAX_LENGTH`). */
  public test(value: string): boolean {
    checkLength('value', value);
    const v = this.caseInsensitive ? value.toLowerCase() : value;
    const head = this.head;
    if (this.rest.length === 0) return v.length === head.length && this.segmentAt(v, 0, head, this.headHasQuestion);
    if (v.length < head.length || !this.segmentAt(v, 0, head, this.headHasQuestion)) return false;
    let cursor = head.length;
    const last = this.rest.length - 1;
    for (let i = 0; i < last; i++) {
      const seg = this.rest[i];
      const at = this.leftmost(v, cursor, v.length, seg);
      if (at < 0) return false;
      cursor = at + seg.text.length;
    }
    // The last segment is anchored at the end of the value.
    const tail = this.rest[last];
    const at = v.length - tail.text.length;
    if (at < cursor || !starCovers(tail.star, v, cursor, at)) return false;
    return this.segmentAt(v, at, tail.text, tail.hasQuestion);
  }

  /** The leftmost position ≥ `from` where `seg` matches and its star may end, or -1. */
  private leftmost(v: string, from: number, end: number, seg: Segment): number {
    const len = seg.text.length;
    if (!seg.hasQuestion && seg.star === 'any') {
      const at = v.indexOf(seg.text, from);
      return at >= 0 && at + len <= end ? at : -1;
    }
    for (let at = from; at + len <= end; at++) {
      if (starCovers(seg.star, v, from, at) && this.segmentAt(v, at, seg.text, seg.hasQuestion)) return at;
    }
    return -1;
  }

  private segmentAt(v: string, at: number, seg: string, hasQuestion: boolean): boolean {
    if (!hasQuestion) return v.startsWith(seg, at);
    for (let i = 0; i < seg.length; i++) {
      const p = seg.charCodeAt(i);
      const c = v.charCodeAt(at + i);
      if (p === QUESTION) {
        if (Number.isNaN(c) || (this.questionExcludes.length > 0 && this.questionExcludes.includes(v[at + i]))) return false;
      } else if (p !== c) {
        return false;
      }
    }
    return true;
  }
}

const QUESTION = '?'.charCodeAt(0);

/**
 * Whether `pattern` matches all of `value` (IAM action semantics by default). Compiled globs are
 * cached per pattern and options, so callers may call this in loops.
 */
export function globMatch(pattern: string, value: string, options: GlobOptions = IAM_ACTIONS): boolean {
  if (pattern === '*' && !options.slashStarMayBeEmpty) {
    checkLength('value', value);
    return true;
  }
  return cachedGlob(pattern, options).test(value);
}

const IAM_ACTIONS: GlobOptions = {};

/** True when a string holds an IAM wildcard (`*` or `?`). */
export function hasGlobWildcard(s: string): boolean {
  return s.includes('*') || s.includes('?');
}

const CACHE_LIMIT = 10_000;
const caches = new Map<string, Map<string, Glob>>();

/** The cache of each options object, for callers that pass a constant one: no key to build per call. */
const cachesByOptions = new WeakMap<GlobOptions, Map<string, Glob>>();

function cachedGlob(pattern: string, options: GlobOptions): Glob {
  let cache = cachesByOptions.get(options);
  if (!cache) {
    const key = `${options.caseInsensitive ?? true}|${options.questionWildcard ?? true}|${options.questionExcludes ?? ''}|${options.slashStarMayBeEmpty ?? false}`;
    cache = caches.get(key);
    if (!cache) {
      cache = new Map();
      caches.set(key, cache);
    }
    cachesByOptions.set(options, cache);
  }
  let glob = cache.get(pattern);
  if (!glob) {
    glob = Glob.compile(pattern, options);
    // Bounded memory on hostile input: start over rather than grow without end.
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(pattern, glob);
  }
  return glob;
}

function starCovers(kind: StarKind, v: string, from: number, to: number): boolean {
  // `dirs` matches nothing, or a run that ends with `/`.
  return kind === 'any' || to === from || v.charCodeAt(to - 1) === SLASH;
}

const SLASH = '/'.charCodeAt(0);

function splitAtStars(text: string, slashStarMayBeEmpty: boolean): { head: string; rest: Array<{ text: string; star: StarKind }> } {
  const rest: Array<{ text: string; star: StarKind }> = [];
  let head: string | undefined;
  let current = '';
  let star: StarKind = 'any';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch !== '*') {
      current += ch;
      continue;
    }
    // `a/*/b` (Azure): the segment before keeps its `/`, and the star with the `/` after it may be empty.
    const dirs = slashStarMayBeEmpty && current.endsWith('/') && text[i + 1] === '/';
    if (head === undefined) head = current;
    else rest.push({ text: current, star });
    current = '';
    star = dirs ? 'dirs' : 'any';
    if (dirs) i++; // the `/` after the star belongs to the star's run
  }
  if (head === undefined) return { head: current, rest };
  rest.push({ text: current, star });
  return { head, rest };
}

function checkLength(field: string, s: string): void {
  if (s.length > GLOB_MAX_LENGTH) {
    throw new GuardrailError('AG_GLOB_TOO_LONG', GuardrailError.format(
      `A wildcard ${field}`, `must be at most ${GLOB_MAX_LENGTH} characters`, `${s.length} characters`,
      'Shorten it: no cloud accepts a pattern or name this long.'));
  }
}
