import * as fs from 'fs';
import { GuardrailError } from '../../errors';

/** Keys under which exports hold their records: CloudTrail `Records`, Azure `value`/`records`, Lake `QueryResultRows`, GCP `entries`. */
const RECORD_ARRAY_KEYS = new Set(['records', 'value', 'queryresultrows', 'entries', 'events']);
/** Files up to this size are parsed whole (memory stays bounded by it); larger ones are streamed. */
const WHOLE_FILE_MAX_BYTES = 16 * 2 ** 20;
/** The largest single record read; a bigger one is hostile or not a log record. */
export const MAX_RECORD_CHARS = 1 << 20;

/**
 * Streams the records of a JSON export without holding the file: a `{"Records": [...]}` CloudTrail
 * file, a JSON array (GCP `gcloud logging read --format=json`, `az monitor activity-log list`),
 * a `{"value": [...]}` / `{"records": [...]}` Azure export, CloudTrail Lake `QueryResultRows`, Athena
 * `get-query-results` (`ResultSet.Rows`), or JSON Lines (Athena UNLOAD, Lake exports). A file up to 16 MiB (CloudTrail's own files are far smaller)
 * is parsed whole; a larger one is streamed and each record parsed on its own, so memory stays at
 * one record (≤ `MAX_RECORD_CHARS`) plus one read buffer. Throws a GuardrailError for text that is
 * not JSON of these shapes.
 */
export async function* readJsonRecords(file: string, wholeFileMaxBytes = WHOLE_FILE_MAX_BYTES): AsyncGenerator<unknown> {
  for await (const batch of readJsonRecordBatches(file, wholeFileMaxBytes)) yield* batch;
}

/**
 * `readJsonRecords` in batches (a whole file's records, or those of one read buffer): what a
 * caller that handles millions of records iterates, since every step of an async iterator costs a
 * promise, and that cost per record was a large part of `drift`'s time.
 */
export async function* readJsonRecordBatches(file: string, wholeFileMaxBytes = WHOLE_FILE_MAX_BYTES): AsyncGenerator<readonly unknown[]> {
  const size = fs.statSync(file, { throwIfNoEntry: false })?.size;
  if (size !== undefined && size <= wholeFileMaxBytes) {
    // Log files are small (CloudTrail delivers one every few minutes): the native parser is fastest.
    const whole = parseWhole(fs.readFileSync(file, 'utf8'));
    if (whole) {
      yield whole;
      return;
    }
  }
  const stream = fs.createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 16 });
  const scanner = new RecordScanner(file);
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const out = scanner.push(chunk);
      if (out.length > 0) yield out;
    }
  } catch (e) {
    if (GuardrailError.isGuardrailError(e)) throw e;
    throw new GuardrailError('AG_ACTIVITY_UNREADABLE', `activity file cannot be read; got ${file} (${(e as Error).message}). Check the path.`);
  }
  scanner.end();
}

/** The records of a whole JSON document (array, wrapper object, or one record), or undefined when it is not one document (JSON Lines). */
function parseWhole(text: string): unknown[] | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined; // JSON Lines, or broken: the scanner reads it and reports where it breaks
  }
  if (Array.isArray(doc)) return doc;
  if (typeof doc === 'object' && doc !== null) {
    const athena = athenaResultRows(doc as Record<string, unknown>);
    if (athena) return athena;
    for (const [k, v] of Object.entries(doc)) if (RECORD_ARRAY_KEYS.has(k.toLowerCase()) && Array.isArray(v)) return v;
    return [doc];
  }
  return undefined;
}

/**
 * The rows of `aws athena get-query-results` output (`ResultSet.Rows[].Data[].VarCharValue`, the
 * first row repeating the column names) as records keyed by column name; undefined for other documents.
 * Struct columns arrive as Athena renders them, not JSON: the normalizer counts such rows unreadable.
 */
function athenaResultRows(doc: Record<string, unknown>): unknown[] | undefined {
  const set = doc.ResultSet as { Rows?: unknown; ResultSetMetadata?: { ColumnInfo?: unknown } } | undefined;
  if (typeof set !== 'object' || set === null || !Array.isArray(set.Rows)) return undefined;
  const cells = (row: unknown): (string | undefined)[] => {
    const data = (row as { Data?: unknown } | null)?.Data;
    return Array.isArray(data) ? data.map((d) => (typeof d?.VarCharValue === 'string' ? d.VarCharValue as string : undefined)) : [];
  };
  const info = set.ResultSetMetadata?.ColumnInfo;
  const names = Array.isArray(info) ? info.map((c) => String((c as { Name?: unknown })?.Name ?? '')) : cells(set.Rows[0]).map((n) => n ?? '');
  const rows = set.Rows.map(cells);
  const isHeader = (row: (string | undefined)[]) => row.length === names.length && row.every((v, i) => v === names[i]);
  return rows.filter((row, i) => !(i === 0 && isHeader(row))).map((row) => {
    const record: Record<string, string> = {};
    row.forEach((v, i) => { if (v !== undefined && names[i]) record[names[i]] = v; });
    return record;
  });
}

/**
 * A character-level scanner: tracks strings, escapes and nesting, and cuts out each value that
 * stands where records stand (elements of a top-level array, of a record array under a known key
 * of a top-level object, or top-level objects one after another).
 */
class RecordScanner {
  private depth = 0;
  private inString = false;
  private escape = false;
  /** Container kinds from the top: `{` or `[`. */
  private readonly stack: string[] = [];
  /** The last key read at depth 1 of a top-level object (lowercased), and whether we are reading one. */
  private key = '';
  private keyText: string[] | undefined;
  private expectingKey = false;
  /** Depth at which records start (1: top-level array; 2: array under a record key), or 0 when top-level objects are the records. */
  private recordDepth = -1;
  private capture: string[] | undefined;
  private captureChars = 0;
  private seenAny = false;

  constructor(private readonly file: string) {}

  public push(chunk: string): unknown[] {
    const out: unknown[] = [];
    let start = this.capture ? 0 : -1;
    for (let i = 0; i < chunk.length; i++) {
      if (this.inString && !this.escape && !this.keyText) {
        // Jump to the next quote or backslash: string bodies are most of a log record.
        const q = chunk.indexOf('"', i);
        const b = chunk.indexOf('\\', i);
        const next = q < 0 ? b : b < 0 ? q : Math.min(q, b);
        if (next < 0) break;
        i = next;
      }
      const c = chunk[i];
      if (this.inString) {
        if (this.keyText) this.keyText.push(c);
        if (this.escape) this.escape = false;
        else if (c === '\\') this.escape = true;
        else if (c === '"') {
          this.inString = false;
          if (this.keyText) {
            this.keyText.pop();
            this.key = this.keyText.join('').toLowerCase();
            this.keyText = undefined;
          }
        }
        continue;
      }
      if (c === ' ' || c === '\n' || c === '\r' || c === '\t') continue;
      if (c === '"') {
        this.inString = true;
        if (this.depth === 1 && this.stack[0] === '{' && this.expectingKey) this.keyText = [];
        continue;
      }
      if (c === '{' || c === '[') {
        if (this.depth === 0) {
          this.seenAny = true;
          this.recordDepth = c === '[' ? 1 : 0;
        }
        if (!this.capture && this.isRecordStart(c)) {
          this.capture = [];
          this.captureChars = 0;
          start = i;
        }
        this.stack.push(c);
        this.depth++;
        if (this.depth === 1 && c === '{') this.expectingKey = true;
        if (this.depth === 2 && c === '[' && this.stack[0] === '{' && RECORD_ARRAY_KEYS.has(this.key)) {
          // The top-level object is a wrapper, not a record: drop what was captured of it and read its records.
          this.recordDepth = 2;
          this.capture = undefined;
          start = -1;
        }
        continue;
      }
      if (c === '}' || c === ']') {
        const open = this.stack.pop();
        if (open === undefined || (open === '{') !== (c === '}')) this.fail('unbalanced brackets');
        this.depth--;
        if (this.depth === 1 && this.recordDepth === 2 && c === ']') this.recordDepth = 0;
        if (this.capture && this.depth === this.captureDepth()) {
          this.capture.push(chunk.slice(start, i + 1));
          out.push(this.parse(this.capture.join('')));
          this.capture = undefined;
          start = -1;
        }
        continue;
      }
      if (this.depth === 1 && this.stack[0] === '{') {
        if (c === ',') this.expectingKey = true;
        else if (c === ':') this.expectingKey = false;
      }
      if (this.depth === 0) this.fail(`unexpected ${JSON.stringify(c)} between records`);
    }
    if (this.capture && start >= 0) {
      const part = chunk.slice(start);
      this.captureChars += part.length;
      if (this.captureChars > MAX_RECORD_CHARS) this.fail(`a record longer than ${MAX_RECORD_CHARS} characters`);
      this.capture.push(part);
    }
    return out;
  }

  public end(): void {
    if (this.inString || this.depth !== 0) this.fail('it ends inside a value (truncated?)');
    if (!this.seenAny) this.fail('it holds no JSON records');
  }

  /** Top-level objects (JSON Lines) when no record array was found, else elements at the record depth. */
  private isRecordStart(c: string): boolean {
    if (c !== '{' && !(c === '[' && this.recordDepth === 2)) return false;
    if (this.recordDepth === 0 && this.depth === 0) return true;
    return this.recordDepth > 0 && this.depth === this.recordDepth;
  }

  private captureDepth(): number {
    return this.recordDepth > 0 ? this.recordDepth : 0;
  }

  private parse(text: string): unknown {
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      return this.fail((e as Error).message);
    }
  }

  private fail(why: string): never {
    throw new GuardrailError('AG_ACTIVITY_UNREADABLE', `activity file is not a JSON export of log records; got ${this.file} (${why}). Pass CloudTrail Records files, Lake/Athena JSON exports, GCP audit log JSON or Azure activity log JSON.`);
  }
}
