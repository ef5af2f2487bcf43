#!/usr/bin/env node
/**
 * Builds the credential broker's Lambda handlers into self-contained bundles that ship with the
 * package, so that `cdk synth` never bundles, downloads or runs Docker:
 *   dist-handler/broker/index.js   (constructs/aws/broker-runtime/broker-handler.ts)
 *   dist-handler/approve/index.js  (constructs/aws/broker-runtime/approve-handler.ts)
 * `@aws-sdk/*` stays external: the Lambda Node.js 20/22 runtimes ship the AWS SDK v3.
 * Runs in `npm run prepare`; offline (esbuild only).
 */
'use strict';
const path = require('path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
const entries = {
  broker: 'constructs/aws/broker-runtime/broker-handler.ts',
  approve: 'constructs/aws/broker-runtime/approve-handler.ts',
};

async function main() {
  for (const [name, entry] of Object.entries(entries)) {
    const outfile = path.join(root, 'dist-handler', name, 'index.js');
    await esbuild.build({
      entryPoints: [path.join(root, entry)],
      outfile,
      bundle: true,
      platform: 'node',
      target: 'node20',
      format: 'cjs',
      external: ['@aws-sdk/*'],
      // Readable output: reviewers can audit exactly what runs in the broker.
      minify: false,
      legalComments: 'inline',
      logLevel: 'warning',
      banner: { js: `// agent-guardrails ${name} handler, built from ${entry} by scripts/build-broker-handler.js. Do not edit.` },
    });
    process.stdout.write(`built ${path.relative(root, outfile)}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`build-broker-handler failed: ${e.message}\n`);
  process.exit(1);
});
