import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App } from 'aws-cdk-lib/core';
import { inventoryFromConstructTree } from '../../../../constructs/aws/inventory-from-construct-tree';
import { DeployOperatorStack, SupportObserverStack } from '../../../../examples/aws/agents';
import { inventoryFromCdkOut, inventoryFromPaths } from '../../../../lib/adapters';
import { Baseline } from '../../../../lib/baseline/baseline';
import { AWS_RULES, findingId, runRules } from '../../../../lib/rules';

/**
 * Precision: least-privilege infrastructure passes every AWS rule with no finding (the peers'
 * noise is the reason this product exists).
 */
describe('AWS rules: least-privilege input passes clean', () => {
  test('the least-privilege fixture: bucket/prefix/* ARNs, X-Ray and PutMetricData on *, scoped PassRole, AWSLambdaBasicExecutionRole, an unattached admin policy', () => {
    const inv = inventoryFromPaths([path.join(__dirname, '../../../fixtures/cfn/least-privilege.json')]);
    // The one finding: AWSLambdaBasicExecutionRole's log appends on "*", on the worker, a Lambda's role and not an agent's: a warning (AWS-003).
    expect(runRules(inv, AWS_RULES, Baseline.default()).map((f) => `${findingId(f)} ${f.severity}`))
      .toEqual([expect.stringMatching(/^AWS-003\[logs:CreateLogGroup,logs:CreateLogStream,logs:PutLogEvents\].* warning$/)]);
  });

  test('the example app\'s agents, read from cdk.out and from the construct tree', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-precision-'));
    try {
      const app = new App({ outdir });
      new SupportObserverStack(app, 'SupportObserverStaging');
      new DeployOperatorStack(app, 'DeployOperatorProd');
      app.synth();
      const fromFiles = inventoryFromCdkOut(outdir);
      expect(fromFiles.identities.filter((i) => i.isAgent).length).toBeGreaterThanOrEqual(5);
      expect(runRules(fromFiles, AWS_RULES, Baseline.default()).map(findingId)).toEqual([]);
      expect(runRules(inventoryFromConstructTree(app), AWS_RULES, Baseline.default()).map(findingId)).toEqual([]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
