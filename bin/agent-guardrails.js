#!/usr/bin/env node
'use strict';
// The `agent-guardrails` command. Runs the compiled CLI (dist/, built by `npm run build`, which
// `npm ci` runs through `prepare`): the one-file bundle with its code cache when the build wrote
// it (load-cli-bundle.js: quicker to start), else dist/lib/cli/main.js; in a source checkout without
// dist/ it runs the TypeScript sources through ts-node (transpile only), so `npx agent-guardrails`
// works either way. AGENT_GUARDRAILS_FROM_SOURCE=1 forces the sources (tests, and checkouts with a
// stale dist/).
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const compiled = path.join(root, 'dist', 'lib', 'cli', 'main.js');
const bundle = path.join(root, 'dist', 'lib', 'cli', 'main.bundle.js');
let cli;
const source = path.join(root, 'lib', 'cli', 'main.ts');
const fromSource = process.env.AGENT_GUARDRAILS_FROM_SOURCE && fs.existsSync(source);
// The bundle only when it is not older than main.js: a `tsc` run alone leaves it stale.
if (!fromSource && fs.existsSync(bundle) && !(fs.existsSync(compiled) && fs.statSync(compiled).mtimeMs > fs.statSync(bundle).mtimeMs)) {
  cli = require('./load-cli-bundle').loadCliBundle(bundle).exports;
} else if (fs.existsSync(compiled) && !fromSource) {
  cli = require(compiled);
} else if (fs.existsSync(source)) {
  require('ts-node').register({ transpileOnly: true, swc: true, project: path.join(root, 'tsconfig.json'), compilerOptions: { module: 'commonjs' } });
  cli = require(source);
} else {
  process.stderr.write('agent-guardrails: dist/lib/cli/main.js is missing. Run npm run build.\n');
  process.exit(2);
}
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
}, (e) => {
  process.stderr.write(`agent-guardrails: ${e && e.message ? e.message : e}\n`);
  process.exitCode = 2;
});
