import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AgentGuardrailsChecks } from '../../constructs/aws/checks';
import { quickStart } from '../../examples/readme/quick-start';

describe("README quick start", () => {
  test('synthesizes with the pack registered and no violation', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-readme-'));
    try {
      process.env.CDK_OUTDIR = outdir;
      const app = quickStart();
      const report = new AgentGuardrailsChecks().validateScope(app);
      expect(report.violations).toEqual([]);
      expect(report.success).toBe(true);
    } finally {
      delete process.env.CDK_OUTDIR;
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
