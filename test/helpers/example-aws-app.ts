import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib/core';
import { DeployOperatorStack, SupportObserverStack } from '../../examples/aws/agents';
import { ensureHandlerBundles } from '../../examples/aws/handler-bundles';

/** Synthesize the example AWS app (both agents, as examples/aws/app.ts does) into a temporary cdk.out; removed after the file's tests. */
export function synthesizeExampleAwsApp(prefix: string): string {
  ensureHandlerBundles();
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
  const app = new App({ outdir });
  new SupportObserverStack(app, 'SupportObserverStaging');
  new DeployOperatorStack(app, 'DeployOperatorProd');
  app.synth();
  return outdir;
}
