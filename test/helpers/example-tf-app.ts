import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { GuardrailChecks } from '../../constructs/tf';
import { AzureAgentsStack, GcpAgentsStack } from '../../examples/tf/agents';

/** Synthesize the example CDKTF app (both agents on GCP and Azure, as examples/tf/main.ts does) into a temporary cdktf.out; removed after the file's tests. */
export function synthesizeExampleTfApp(prefix: string): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));
  const app = new App({ outdir });
  new GcpAgentsStack(app, 'agents-gcp');
  new AzureAgentsStack(app, 'agents-azure');
  GuardrailChecks.of(app).apply();
  app.synth();
  return outdir;
}
