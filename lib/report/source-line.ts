import * as path from 'path';

/** A line of the user's source code (absolute file, 1-based line and column). */
export interface SourceLine {
  readonly file: string;
  readonly line: number;
  readonly column?: number;
}

/**
 * Construct metadata our constructs record with the user's line that created them. CDK's own
 * `aws:cdk:creationStack` is cut after 10 frames, which construct-in-construct creation often
 * exhausts inside aws-cdk-lib and this package before reaching the user's code.
 */
export const SOURCE_LINE_METADATA_KEY = 'agent-guardrails:source-line';

/** This package's own code (sources or `dist/`): never the line a reviewer should look at. */
const OWN_DIRS = [path.resolve(__dirname, '..'), path.resolve(__dirname, '..', '..', 'constructs')].map((d) => `${d}${path.sep}`);
const STACK_DEPTH = 40;

/**
 * The first frame of the current call stack that is the user's code: not this package, not
 * `node_modules`, not Node's internals. Cost: one captured stack of at most 40 frames.
 */
export function callerSourceLine(): SourceLine | undefined {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = STACK_DEPTH;
  try {
    Error.captureStackTrace(holder, callerSourceLine);
  } finally {
    Error.stackTraceLimit = limit;
  }
  return userSourceLine((holder.stack ?? '').split('\n').slice(1));
}

/**
 * The first frame of `frames` (Node's `at f (file:line:col)` lines, or the rendered ones CDK
 * writes to `aws:cdk:creationStack`) that is the user's code.
 */
export function userSourceLine(frames: readonly string[]): SourceLine | undefined {
  for (const frame of frames) {
    const location = parseStackFrame(frame);
    if (location && isUserFile(location.file)) return location;
  }
  return undefined;
}

/** `new X (/a/b.ts:12:5)`, `at /a/b.ts:12:5`, `file:///a/b.js:12:5` → the location; else undefined. */
export function parseStackFrame(frame: string): SourceLine | undefined {
  let text = frame.trim();
  if (text.endsWith(')')) {
    const open = text.lastIndexOf('(');
    if (open < 0) return undefined;
    text = text.slice(open + 1, -1);
  } else if (text.startsWith('at ')) {
    text = text.slice(3);
  }
  const lastColon = text.lastIndexOf(':');
  const secondColon = lastColon > 0 ? text.lastIndexOf(':', lastColon - 1) : -1;
  if (secondColon <= 0) return undefined;
  const line = Number(text.slice(secondColon + 1, lastColon));
  const column = Number(text.slice(lastColon + 1));
  let file = text.slice(0, secondColon);
  if (file.startsWith('file://')) file = decodeURIComponent(file.slice('file://'.length));
  if (!Number.isInteger(line) || line < 1 || !Number.isInteger(column) || !path.isAbsolute(file)) return undefined;
  return { file, line, column };
}

/** Whether a location can be trusted as the user's: a plain object with an absolute file and a positive line. */
export function asSourceLine(value: unknown): SourceLine | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { file, line, column } = value as Record<string, unknown>;
  if (typeof file !== 'string' || !path.isAbsolute(file) || !Number.isInteger(line) || (line as number) < 1) return undefined;
  return { file, line: line as number, ...(Number.isInteger(column) && (column as number) > 0 ? { column: column as number } : {}) };
}

function isUserFile(file: string): boolean {
  if (file.includes(`${path.sep}node_modules${path.sep}`) || file.startsWith('node:')) return false;
  return !OWN_DIRS.some((d) => file.startsWith(d));
}
