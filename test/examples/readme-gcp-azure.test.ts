import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'cdktf';
import { gcpAndAzure } from '../../examples/readme/gcp-azure';

describe('README GCP and Azure examples', () => {
  test('synthesize with GuardrailChecks applied and no error finding', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-readme-tf-'));
    try {
      const app = new App({ outdir, skipValidation: false });
      const stacks = gcpAndAzure(app);
      expect(() => app.synth()).not.toThrow();
      for (const stack of stacks) {
        const tf = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack.node.id, 'cdk.tf.json'), 'utf8'));
        expect(Object.keys(tf.resource ?? {}).length).toBeGreaterThan(0);
      }
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
