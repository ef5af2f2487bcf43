#!/usr/bin/env node
/**
 * Builds the CLI as one file with a V8 code cache beside it (`npm run build` runs it after tsc):
 *   dist/lib/cli/main.bundle.js        lib/cli/main.ts and every module of ours it reaches (esbuild;
 *                                      packages in node_modules stay external: no runtime dependency added)
 *   dist/lib/cli/main.bundle.js.cache  the bundle's SHA-256, then V8's code cache, written after checking
 *                                      the repository's own Terraform and CloudFormation fixtures, so it
 *                                      holds the functions a check runs (a cache taken before running holds
 *                                      only the top level)
 * bin/agent-guardrails.js loads them through bin/load-cli-bundle.js (which uses the cache only for this
 * bundle, and V8 only for its own Node version and flags). The bundle sits where dist/lib/cli/main.js
 * does, so every path the code finds from __dirname (policies/, package.json) is the same.
 * bench/shared/measure-cli.ts builds the same way, so the benches measure what the bin loads.
 * Offline (esbuild only).
 *   node scripts/build-cli-bundle.js                      build into dist/lib/cli
 *   node scripts/build-cli-bundle.js --cache BUNDLE       (internal) run the sample checks, write the cache
 */
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..');
/** Inputs checked before the cache is taken: a check's functions (reader, rules, report) are then compiled. */
const SAMPLES = ['test/fixtures/tf/disguised-synth', 'test/fixtures/cfn/least-privilege.json'];

/** Bundle `lib/cli/main.ts` of the sources at `sourceRoot` into `outfile`, then write `${outfile}.cache`. */
function buildCliBundle(sourceRoot, outfile) {
  require('esbuild').buildSync({
    entryPoints: [path.join(sourceRoot, 'lib', 'cli', 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  fs.rmSync(`${outfile}.cache`, { force: true });
  // In a fresh process with Node's default flags, as the bin runs: V8 accepts a cache only for the flags it was made with.
  execFileSync(process.execPath, [__filename, '--cache', outfile], { stdio: ['ignore', 'ignore', 'inherit'] });
}

async function writeCache(bundle) {
  const { loadCliBundle, cacheFileContent } = require('../bin/load-cli-bundle');
  const { exports: cli, script } = loadCliBundle(bundle, { cache: false });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-guardrails-cache-'));
  try {
    for (const sample of SAMPLES.map((s) => path.join(root, s)).filter((s) => fs.existsSync(s))) {
      await cli.main(['check', sample, '--format', 'json', '--output', path.join(work, 'report.json')], { stdout: { write() {} }, stderr: { write() {} }, env: {} });
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  fs.writeFileSync(`${bundle}.cache`, cacheFileContent(fs.readFileSync(bundle, 'utf8'), script));
}

if (require.main === module) {
  if (process.argv[2] === '--cache') {
    writeCache(process.argv[3]).catch((e) => {
      process.stderr.write(`build-cli-bundle: ${e && e.stack ? e.stack : e}\n`);
      process.exitCode = 1;
    });
  } else {
    buildCliBundle(root, path.join(root, 'dist', 'lib', 'cli', 'main.bundle.js'));
  }
}

module.exports = { buildCliBundle };
