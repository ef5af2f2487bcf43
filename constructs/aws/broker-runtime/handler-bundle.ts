/**
 * Where the prebuilt handler bundles are (used at synth by the constructs; not part of the bundles).
 * The bundles are built by `scripts/build-broker-handler.js` (run by `npm run prepare`) into
 * `dist-handler/<name>/index.js` at the package root; synth only points at them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { GuardrailError } from '../../../lib/errors';

/** The handler bundles the package ships. */
export type HandlerBundleName = 'broker' | 'approve' | 'monitor' | 'gcp-broker' | 'gcp-monitor' | 'azure-broker' | 'azure-monitor';

/** Package roots to look in: from `constructs/aws/broker-runtime` (sources) or `dist/constructs/aws/broker-runtime`. */
export function defaultPackageRoots(): string[] {
  return [path.join(__dirname, '..', '..', '..'), path.join(__dirname, '..', '..', '..', '..')];
}

/** The folder holding `index.js` of a bundle; throws `AG_BROKER_BUNDLE_MISSING` when it is not built. */
export function handlerBundleDir(name: HandlerBundleName, roots: readonly string[] = defaultPackageRoots()): string {
  for (const root of roots) {
    const dir = path.join(root, 'dist-handler', name);
    if (fs.existsSync(path.join(dir, 'index.js'))) return dir;
  }
  throw new GuardrailError('AG_BROKER_BUNDLE_MISSING', GuardrailError.format(
    `handler bundle dist-handler/${name}/index.js`, 'must be built before synth', roots.map((r) => path.join(r, 'dist-handler', name)),
    'Run `node scripts/build-broker-handler.js` (part of `npm run prepare`) in the agent-guardrails package; synth never bundles.'));
}
