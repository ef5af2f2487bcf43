import * as fs from 'fs';
import * as path from 'path';

let cached: string | undefined;

/** This package's version (from lib/ sources and from dist/lib alike); `0.0.0` when its package.json cannot be read. */
export function packageVersion(): string {
  cached ??= readVersion();
  return cached;
}

function readVersion(): string {
  for (const candidate of [path.join(__dirname, '..', '..', 'package.json'), path.join(__dirname, '..', '..', '..', 'package.json')]) {
    try {
      const pkg = JSON.parse(fs.readFileSync(candidate, 'utf8'));
      if (pkg.name === 'agent-guardrails') return String(pkg.version);
    } catch {
      // try the next candidate
    }
  }
  return '0.0.0';
}
