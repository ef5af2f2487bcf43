import * as fs from 'fs';

/**
 * Finds the line where a resource is defined in a synthesized file, so that a SARIF location
 * points at the resource and not at line 1. Reads each file once.
 */
export class TemplateLines {
  private readonly cache = new Map<string, FileLines | undefined>();

  /**
   * 1-based line of `resource` under `Resources` (CloudFormation JSON or YAML) or, for a
   * Terraform address `type.name`, of `"name"` under `"type"`; 1 when it cannot be found.
   */
  public lineOf(file: string, resource: string): number {
    const lines = this.read(file);
    if (!lines) return 1;
    const dot = resource.indexOf('.');
    if (dot > 0 && !/^[A-Za-z0-9]+$/.test(resource)) {
      const typeLine = lines.findKey(resource.slice(0, dot), 0);
      return typeLine === undefined ? 1 : (lines.findKey(resource.slice(dot + 1), typeLine) ?? typeLine) + 1;
    }
    const resourcesLine = lines.findKey('Resources', 0) ?? 0;
    const at = lines.findKey(resource, resourcesLine);
    return at === undefined ? 1 : at + 1;
  }

  private read(file: string): FileLines | undefined {
    if (!this.cache.has(file)) {
      let lines: FileLines | undefined;
      try {
        lines = new FileLines(fs.readFileSync(file, 'utf8').split(/\r?\n/));
      } catch {
        lines = undefined;
      }
      this.cache.set(file, lines);
    }
    return this.cache.get(file);
  }
}

/**
 * A file's lines, and the lines each plain key opens (indexed on first use): a report with thousands
 * of findings in one large file looked each one up with a scan of the file.
 */
class FileLines {
  private index: Map<string, number[]> | undefined;

  constructor(private readonly lines: string[]) {}

  /** 0-based index of the first line from `from` that opens key `key` (`"key":` in JSON, `key:` in YAML). */
  public findKey(key: string, from: number): number | undefined {
    if (!PLAIN_KEY.test(key)) return findKeyByScan(this.lines, key, from);
    const at = this.keyLines().get(key);
    if (!at) return undefined;
    // The first of the key's lines at or after `from` (lines ascending): binary search.
    let lo = 0;
    let hi = at.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (at[mid] < from) lo = mid + 1;
      else hi = mid;
    }
    return lo < at.length ? at[lo] : undefined;
  }

  /**
   * Which plain keys each line opens. A plain key holds no whitespace, colon or quote, so a line opens it
   * exactly when the line, after leading whitespace, is the key (bare or in either quotes) then `:`;
   * the three patterns below read that one candidate per form.
   */
  private keyLines(): Map<string, number[]> {
    if (this.index) return this.index;
    const index = new Map<string, number[]>();
    this.lines.forEach((line, i) => {
      for (const pattern of OPENED_KEY) {
        const key = pattern.exec(line)?.[1];
        if (key === undefined) continue;
        const list = index.get(key);
        if (list === undefined) index.set(key, [i]);
        else if (list[list.length - 1] !== i) list.push(i);
      }
    });
    this.index = index;
    return index;
  }
}

/** Keys the index answers for; others (whitespace, colons or quotes in them) are looked up by a scan. */
const PLAIN_KEY = /^[^\s:"']+$/;
/** The key a line opens, per form: `"key":`, `'key':`, `key:` (no backtracking: each class excludes what ends it). */
const OPENED_KEY: readonly RegExp[] = [/^\s*"([^"]*)"\s*:/, /^\s*'([^']*)'\s*:/, /^\s*([^\s:]+)\s*:/];

function findKeyByScan(lines: string[], key: string, from: number): number | undefined {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^\\s*(?:"${escaped}"|'${escaped}'|${escaped})\\s*:`);
  for (let i = from; i < lines.length; i++) {
    if (pattern.test(lines[i])) return i;
  }
  return undefined;
}
