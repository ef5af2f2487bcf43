import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AgentIdentity } from '../../../../constructs/aws/agent-identity';
import { inventoryFromConstructTree } from '../../../../constructs/aws/inventory-from-construct-tree';
import { Baseline } from '../../../../lib/baseline/baseline';
import { AgentTier, Environment, Tool } from '../../../../lib/model';
import { AIBOM_DRIFT } from '../../../../lib/rules/agent/aibom-drift';
import { runRules } from '../../../../lib/rules/run-rules';

describe('CloudFormation adapter: declarations that hold CDK references', () => {
  test('a declared bucket.arnForObjects() resolves like the grant does, so AGENT-001 sees no drift', () => {
    // GIVEN a tool whose declared resource is a reference to a bucket of the same stack
    const app = new App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'ag-decl-app-')) });
    const stack = new Stack(app, 'Data', { env: { account: '111111111111', region: 'eu-west-1' } });
    const bucket = new s3.Bucket(stack, 'Reports');
    new AgentIdentity(stack, 'Reader', {
      agentName: 'report-reader',
      tier: AgentTier.OBSERVER,
      environment: Environment.of({ name: 'prod', aws: { account: '111111111111', regions: ['eu-west-1'] } }),
      tools: [Tool.read('read-reports', { aws: { actions: ['s3:GetObject'], resources: [bucket.arnForObjects('*')] } })],
      broker: iam.Role.fromRoleArn(stack, 'Broker', 'arn:aws:iam::111111111111:role/broker', { mutable: false }),
      revocationPrincipals: [new iam.ArnPrincipal('arn:aws:iam::111111111111:role/incident-response')],
    });

    // WHEN (after synth, as the pack sees it: tags are applied by aspects during synth)
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-decl-'));
    let inventory;
    try {
      app.synth({ force: true });
      inventory = inventoryFromConstructTree(app);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
    const tool = inventory.identities.find((i) => i.labels.tool === 'read-reports');

    // THEN the declaration carries the resolved ARN, not nothing
    expect(tool?.declaration?.resources).toHaveLength(1);
    expect(tool?.declaration?.resources[0]).toMatch(/\/\*$/);
    expect(runRules(inventory, [AIBOM_DRIFT], Baseline.default())).toEqual([]);
  });
});
