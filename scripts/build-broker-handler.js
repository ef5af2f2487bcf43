#!/usr/bin/env node
/**
 * Builds the credential broker's Lambda handlers into self-contained bundles that ship with the
 * package, so that `cdk synth` never bundles, downloads or runs Docker:
 *   dist-handler/broker/index.js   (constructs/aws/broker-runtime/broker-handler.ts)
 *   dist-handler/approve/index.js  (constructs/aws/broker-runtime/approve-handler.ts)
 *   dist-handler/monitor/index.js  (constructs/aws/monitor-runtime/monitor-handler.ts, the activity monitor)
 *   dist-handler/gcp-broker/index.js   (constructs/gcp/broker-runtime/broker-server.ts, Cloud Run)
 *   dist-handler/gcp-monitor/index.js  (constructs/gcp/monitor-runtime/monitor-server.ts, the GCP activity monitor)
 *   dist-handler/azure-broker/index.js (constructs/azure/broker-runtime/broker-server.ts, Functions custom handler)
 *   dist-handler/azure-monitor/index.js (constructs/azure/monitor-runtime/monitor-server.ts, Functions custom handler, Event Grid trigger)
 * `@aws-sdk/*` stays external: the Lambda Node.js 20/22 runtimes ship the AWS SDK v3. The Google
 * and Azure clients are bundled into their handlers (their runtimes ship none), so the package's
 * construct code never imports them.
 * Runs in `npm run prepare`; offline (esbuild only).
 */
'use strict';
const fs = require('fs');
const path = require('path');
const esbuild = require('esbuild');

const root = path.join(__dirname, '..');
const entries = {
  broker: 'constructs/aws/broker-runtime/broker-handler.ts',
  approve: 'constructs/aws/broker-runtime/approve-handler.ts',
  monitor: 'constructs/aws/monitor-runtime/monitor-handler.ts',
  'gcp-broker': 'constructs/gcp/broker-runtime/broker-server.ts',
  'gcp-monitor': 'constructs/gcp/monitor-runtime/monitor-server.ts',
  'azure-broker': 'constructs/azure/broker-runtime/broker-server.ts',
  'azure-monitor': 'constructs/azure/monitor-runtime/monitor-server.ts',
};
/** Files an entry needs next to its bundle (the Azure Functions host reads these). */
const companions = {
  'azure-broker': {
    'host.json': JSON.stringify({
      version: '2.0',
      customHandler: { description: { defaultExecutablePath: 'node', arguments: ['index.js'] }, enableForwardingHttpRequest: true },
      extensionBundle: { id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' },
    }, null, 2),
    'broker/function.json': JSON.stringify({
      bindings: [
        { type: 'httpTrigger', direction: 'in', name: 'req', methods: ['post'], authLevel: 'anonymous', route: 'broker' },
        { type: 'http', direction: 'out', name: 'res' },
      ],
    }, null, 2),
    // The approve route (POST /api/approve), served by the same custom handler: approvers only.
    'approve/function.json': JSON.stringify({
      bindings: [
        { type: 'httpTrigger', direction: 'in', name: 'req', methods: ['post'], authLevel: 'anonymous', route: 'approve' },
        { type: 'http', direction: 'out', name: 'res' },
      ],
    }, null, 2),
  },
  'azure-monitor': {
    'host.json': JSON.stringify({
      version: '2.0',
      customHandler: { description: { defaultExecutablePath: 'node', arguments: ['index.js'] } },
      extensionBundle: { id: 'Microsoft.Azure.Functions.ExtensionBundle', version: '[4.*, 5.0.0)' },
    }, null, 2),
    'monitor/function.json': JSON.stringify({ bindings: [{ type: 'eventGridTrigger', direction: 'in', name: 'event' }] }, null, 2),
  },
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
      external: name === 'broker' || name === 'approve' || name === 'monitor' ? ['@aws-sdk/*'] : [],
      // Readable output: reviewers can audit exactly what runs in the broker.
      minify: false,
      legalComments: 'inline',
      logLevel: 'warning',
      banner: { js: `// agent-guardrails ${name} handler, built from ${entry} by scripts/build-broker-handler.js. Do not edit.` },
    });
    for (const [file, text] of Object.entries(companions[name] ?? {})) {
      const target = path.join(root, 'dist-handler', name, file);
      fs.mkdirSync(path.dirname(target), { recursive: true });
      fs.writeFileSync(target, `${text}\n`);
    }
    process.stdout.write(`built ${path.relative(root, outfile)}\n`);
  }
}

main().catch((e) => {
  process.stderr.write(`build-broker-handler failed: ${e.message}\n`);
  process.exit(1);
});
