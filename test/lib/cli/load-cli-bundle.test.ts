import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vm from 'vm';

/** bin/load-cli-bundle.js: the bin's loader of the CLI bundle and its build-time code cache. */
const { loadCliBundle, cacheFileContent } = require('../../../bin/load-cli-bundle') as {
  loadCliBundle(file: string, options?: { cache?: boolean }): { exports: Record<string, unknown>; script: vm.Script; cacheUsed: boolean };
  cacheFileContent(source: string, script: vm.Script): Buffer;
};

const LOADER = path.join(__dirname, '..', '..', '..', 'bin', 'load-cli-bundle.js');

/** Load in a fresh process, as the bin does: V8 compiles the bundle for the first time there (no in-memory cache). */
function loadInChild(file: string): { exports: Record<string, unknown>; cacheUsed: boolean } {
  const script = `const l = require(${JSON.stringify(LOADER)}).loadCliBundle(${JSON.stringify(file)}); process.stdout.write(JSON.stringify({ exports: l.exports, cacheUsed: l.cacheUsed }));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { exports: Record<string, unknown>; cacheUsed: boolean };
}

describe('loadCliBundle', () => {
  let dir: string;
  let bundle: string;
  const source = [
    "const path = require('path');",
    'function twice(x) { return 2 * x; }',
    'module.exports = { answer: twice(21), base: path.basename(__filename), dir: __dirname };',
  ].join('\n');

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-bundle-'));
    bundle = path.join(dir, 'main.bundle.js');
    fs.writeFileSync(bundle, source);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('runs the bundle as a CommonJS module without a cache', () => {
    const loaded = loadCliBundle(bundle);
    expect(loaded.exports).toEqual({ answer: 42, base: 'main.bundle.js', dir });
    expect(loaded.cacheUsed).toBe(false);
  });

  test('uses a cache written for this bundle', () => {
    const first = loadCliBundle(bundle, { cache: false });
    fs.writeFileSync(`${bundle}.cache`, cacheFileContent(source, first.script));
    const loaded = loadInChild(bundle);
    expect(loaded.cacheUsed).toBe(true);
    expect(loaded.exports).toEqual({ answer: 42, base: 'main.bundle.js', dir });
  });

  test('ignores a cache written for another bundle (the digest differs), and runs the bundle as it is', () => {
    const other = 'module.exports = { answer: 0 };';
    fs.writeFileSync(bundle, other);
    const stale = loadCliBundle(bundle, { cache: false });
    fs.writeFileSync(`${bundle}.cache`, cacheFileContent(other, stale.script));
    fs.writeFileSync(bundle, source);
    const loaded = loadInChild(bundle);
    expect(loaded.cacheUsed).toBe(false);
    expect(loaded.exports.answer).toBe(42);
  });

  test('falls back to compiling when V8 rejects the cache (another Node version, flags, or damage)', () => {
    const first = loadCliBundle(bundle, { cache: false });
    const good = cacheFileContent(source, first.script);
    // The right digest, then data V8 cannot use.
    fs.writeFileSync(`${bundle}.cache`, Buffer.concat([good.subarray(0, 32), Buffer.alloc(good.length - 32, 7)]));
    const loaded = loadInChild(bundle);
    expect(loaded.cacheUsed).toBe(false);
    expect(loaded.exports.answer).toBe(42);
  });
});
