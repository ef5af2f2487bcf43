import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const ROOT = path.join(__dirname, '..', '..');

/**
 * The example runs from a source checkout, where the credential broker's Lambda handlers may not
 * be built yet (a fresh clone): build them once with the package's own script (esbuild, offline,
 * about a second). An installed package ships them prebuilt, so apps using it never need this.
 */
export function ensureHandlerBundles(): void {
  const missing = ['broker', 'approve', 'monitor'].some((name) => !fs.existsSync(path.join(ROOT, 'dist-handler', name, 'index.js')));
  if (missing) execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build-broker-handler.js')], { stdio: 'inherit' });
}
