import * as fs from 'fs';

/**
 * Finds the line where a resource is defined in a synthesized file, so that a SARIF location
 * points at the resource and not at line 1. Reads each file once.
 */
export class TemplateLines {
  private readonly cache = new Map<string, string[] | undefined>();

  /**
   * 1-based line of `resource` under `Resources` (CloudFormation JSON or YAML) or, for a
   * Terraform address `type.name`, of `"name"` under `"type"`; 1 when it cannot be found.
   */
  public lineOf(file: string, resource: string): number {
    const lines = this.read(file);
    if (!lines) return 1;
    const dot = resource.indexOf('.');
    if (dot > 0 && !/^[A-Za-z0-9]+$/.test(resource)) {
      const typeLine = findKey(lines, resource.slice(0, dot), 0);
      return typeLine === undefined ? 1 : (findKey(lines, resource.slice(dot + 1), typeLine) ?? typeLine) + 1;
    }
    const resourcesLine = findKey(lines, 'Resources', 0) ?? 0;
    const at = findKey(lines, resource, resourcesLine);
    return at === undefined ? 1 : at + 1;
  }

  private read(file: string): string[] | undefined {
    if (!this.cache.has(file)) {
      let lines: string[] | undefined;
      try {
        lines = fs.readFileSync(file, 'utf8').split(/\r?\n/);
      } catch {
        lines = undefined;
      }
      this.cache.set(file, lines);
    }
    return this.cache.get(file);
  }
}

/** 0-based index of the first line from `from` that opens key `key` (`"key":` in JSON, `key:` in YAML). */
function findKey(lines: string[], key: string, from: number): number | undefined {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const pattern = new RegExp(`^\\s*(?:"${escaped}"|'${escaped}'|${escaped})\\s*:`);
  for (let i = from; i < lines.length; i++) {
    if (pattern.test(lines[i])) return i;
  }
  return undefined;
}
