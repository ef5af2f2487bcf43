import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, NestedStack, Stack, Stage, Tags } from 'aws-cdk-lib/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import { inventoryFromPaths } from '../../../../lib/adapters';
import { inventoryFromCdkOut } from '../../../../lib/adapters/cloudformation/inventory-from-cdk-out';
import { inventoryFromConstructTree } from '../../../../constructs/aws/inventory-from-construct-tree';

/** A small app: a tagged tool role with a boundary, a nested stack whose role gets a parent value, a stage. */
function buildApp(outdir: string): App {
  // The CDK CLI turns on path and asset metadata; a test app must ask for them.
  const app = new App({ outdir, context: { 'aws:cdk:enable-path-metadata': true, 'aws:cdk:enable-asset-metadata': true } });
  const stack = new Stack(app, 'AgentStack');
  const boundary = new iam.ManagedPolicy(stack, 'Boundary', {
    statements: [new iam.PolicyStatement({ actions: ['*'], resources: ['*'] })],
  });
  const role = new iam.Role(stack, 'ToolRole', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    permissionsBoundary: boundary,
    managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaBasicExecutionRole')],
  });
  role.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::reports/daily/*'] }));
  Tags.of(role).add('agent-guardrails:agent', 'ops-bot');
  Tags.of(role).add('agent-guardrails:tool', 'read-reports');

  const nested = new NestedStack(stack, 'Inner');
  const inner = new iam.Role(nested, 'InnerRole', { assumedBy: new iam.AccountRootPrincipal() });
  inner.addToPolicy(new iam.PolicyStatement({ actions: ['iam:PassRole'], resources: [role.roleArn] }));
  // The parent uses a value the nested stack outputs.
  role.addToPolicy(new iam.PolicyStatement({ actions: ['iam:GetRole'], resources: [inner.roleArn] }));

  // A second stack referencing the first one's role: CDK turns it into Export / Fn::ImportValue.
  const consumer = new Stack(app, 'ConsumerStack');
  new iam.Role(consumer, 'Consumer', { assumedBy: new iam.ArnPrincipal(role.roleArn) });

  const stage = new Stage(app, 'Prod');
  const staged = new Stack(stage, 'StagedStack');
  new iam.Role(staged, 'StagedRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'), maxSessionDuration: undefined });
  return app;
}

describe('inventoryFromCdkOut: a synthesized app', () => {
  let outdir: string;
  let app: App;
  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-cdkout-'));
    app = buildApp(outdir);
    app.synth();
  });
  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('finds nested stack templates through the asset manifest when metadata is off', () => {
    const plain = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-cdkout-plain-'));
    try {
      const app2 = new App({ outdir: plain });
      const parent = new Stack(app2, 'Parent');
      new iam.Role(new NestedStack(parent, 'Child'), 'ChildRole', { assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com') });
      app2.synth();
      const inv = inventoryFromCdkOut(plain);
      expect(inv.unresolved).toEqual([]);
      expect(inv.identities.map((i) => i.id)).toEqual([expect.stringMatching(/^aws:Parent\/ChildNestedStack\w+\/ChildRole\w+$/)]);
    } finally {
      fs.rmSync(plain, { recursive: true, force: true });
    }
  });

  test('reads every stack, nested assemblies and nested stacks, with construct paths', () => {
    const inv = inventoryFromCdkOut(outdir);
    const roles = inv.identities.map((i) => i.source.path);
    expect(roles).toEqual(expect.arrayContaining(['AgentStack/ToolRole/Resource', 'Prod/StagedStack/StagedRole/Resource']));
    const inner = inv.identities.find((i) => i.id.includes('InnerRole'))!;
    expect(inner.id).toMatch(/^aws:AgentStack\/Inner\w+\/InnerRole\w+$/);
    expect(Object.keys(inv.stackResourceCounts)).toEqual(expect.arrayContaining(['AgentStack', 'Prod-StagedStack']));
  });

  test('the tool role: tags as labels, boundary, AWS-managed policy, its own statement', () => {
    const inv = inventoryFromCdkOut(outdir);
    const tool = inv.identities.find((i) => i.source.path === 'AgentStack/ToolRole/Resource')!;
    expect(tool).toMatchObject({ isAgent: true, labels: { agent: 'ops-bot', tool: 'read-reports' }, maxSessionSeconds: 3600 });
    expect(inv.policies.find((p) => p.id === tool.boundary)!.source.path).toBe('AgentStack/Boundary/Resource');
    const actions = inv.grants.filter((g) => g.identityId === tool.id).flatMap((g) => g.actions);
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject', 'logs:PutLogEvents']));
  });

  test('a nested stack gets the parent value it is passed (no false unresolved)', () => {
    const inv = inventoryFromCdkOut(outdir);
    expect(inv.unresolved).toEqual([]);
    const pass = inv.grants.find((g) => g.actions.includes('iam:PassRole'))!;
    expect(pass.resources).toEqual([expect.stringMatching(/^arn:aws:iam::\$\{AWS::AccountId\}:role\/ToolRole/)]);
  });

  test('a cross-stack reference (Fn::ImportValue of an export in the same app) reads as the value', () => {
    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'ConsumerStack.template.json'), 'utf8'));
    expect(JSON.stringify(template)).toContain('Fn::ImportValue');
    const consumer = inventoryFromCdkOut(outdir).identities.find((i) => i.id.startsWith('aws:ConsumerStack/'))!;
    expect(consumer.trust[0].principals).toEqual([expect.stringMatching(/^arn:aws:iam::\$\{AWS::AccountId\}:role\/ToolRole/)]);
  });

  test('a parent reads the outputs of its nested stacks', () => {
    const inv = inventoryFromCdkOut(outdir);
    const get = inv.grants.find((g) => g.actions.includes('iam:GetRole'))!;
    expect(get.resources).toEqual([expect.stringMatching(/^arn:aws:iam::\$\{AWS::AccountId\}:role\/InnerRole/)]);
  });

  test('inventoryFromPaths dispatches a cdk.out folder and a template file', () => {
    expect(inventoryFromPaths([outdir]).identities).toHaveLength(4);
    const inv = inventoryFromPaths([path.join(outdir, 'AgentStack.template.json')]);
    expect(inv.identities.map((i) => i.id)).toEqual([expect.stringMatching(/^aws:AgentStack\/ToolRole/)]);
    expect(inv.unresolved).toEqual([expect.objectContaining({ what: expect.stringMatching(/nested stack/) })]);
  });

  test('construct paths also come from a stack\'s additionalMetadataFile (where CDK writes big stacks\' metadata)', () => {
    // GIVEN a copy of the assembly whose AgentStack metadata lives in AgentStack.metadata.json, not the manifest
    const moved = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-cdkout-meta-'));
    try {
      fs.cpSync(outdir, moved, { recursive: true });
      const manifestFile = path.join(moved, 'manifest.json');
      const manifest = JSON.parse(fs.readFileSync(manifestFile, 'utf8'));
      const artifact = manifest.artifacts.AgentStack;
      const metadata = { ...artifact.metadata };
      if (artifact.additionalMetadataFile) Object.assign(metadata, JSON.parse(fs.readFileSync(path.join(moved, artifact.additionalMetadataFile), 'utf8')));
      fs.writeFileSync(path.join(moved, 'AgentStack.metadata.json'), JSON.stringify(metadata));
      delete artifact.metadata;
      artifact.additionalMetadataFile = 'AgentStack.metadata.json';
      fs.writeFileSync(manifestFile, JSON.stringify(manifest));
      // WHEN
      const inv = inventoryFromCdkOut(moved);
      // THEN
      expect(inv.identities.map((i) => i.source.path)).toContain('AgentStack/ToolRole/Resource');
      expect(inv.policies.map((p) => p.source.path)).toContain('AgentStack/Boundary/Resource');
      // An unreadable metadata file is bad input, not silently fewer paths.
      fs.writeFileSync(path.join(moved, 'AgentStack.metadata.json'), '{ not json');
      expect(() => inventoryFromCdkOut(moved)).toThrow(/^\[AG_INPUT_INVALID\] cloud assembly metadata file cannot be read as JSON/);
    } finally {
      fs.rmSync(moved, { recursive: true, force: true });
    }
  });

  test('inventoryFromPaths: separate template files share their exports (a cross-stack reference reads as the value)', () => {
    const files = ['AgentStack.template.json', 'ConsumerStack.template.json'].map((f) => path.join(outdir, f));
    const together = inventoryFromPaths(files);
    const consumer = together.identities.find((i) => i.id.startsWith('aws:ConsumerStack/'))!;
    expect(consumer.trust[0].principals).toEqual([expect.stringMatching(/^arn:aws:iam::\$\{AWS::AccountId\}:role\/ToolRole/)]);
    expect(together.unresolved.map((u) => u.what)).not.toContainEqual(expect.stringMatching(/ImportValue/));
    // Alone, the consumer's import names nothing it can read: reported, not assumed safe.
    const alone = inventoryFromPaths([files[1]]);
    expect(alone.unresolved.map((u) => u.what)).toContainEqual(expect.stringMatching(/Fn::ImportValue/));
  });

  test('the construct tree gives the same inventory as the synthesized templates (file names aside)', () => {
    const fromTree = inventoryFromConstructTree(app);
    const fromFiles = inventoryFromCdkOut(outdir);
    const stripFiles = (x: unknown) => JSON.parse(JSON.stringify(x, (k, v) => (k === 'file' ? undefined : v)));
    const byId = <T extends { id: string }>(xs: T[]) => [...xs].sort((a, b) => a.id.localeCompare(b.id));
    expect(stripFiles(byId(fromTree.identities))).toEqual(stripFiles(byId(fromFiles.identities)));
    expect(stripFiles(byId(fromTree.grants))).toEqual(stripFiles(byId(fromFiles.grants)));
    expect(stripFiles(byId(fromTree.policies))).toEqual(stripFiles(byId(fromFiles.policies)));
  });
});

describe('inventoryFromPaths: input errors', () => {
  let dir: string;
  beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-paths-')); });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('missing, unparsable or unknown input is AG_INPUT_INVALID with a one-line reason', () => {
    fs.mkdirSync(path.join(dir, 'empty'));
    fs.writeFileSync(path.join(dir, 'bad.yaml'), 'Resources: [unclosed');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'hello');
    for (const p of [path.join(dir, 'nope.json'), path.join(dir, 'bad.yaml'), path.join(dir, 'notes.txt'), path.join(dir, 'empty')]) {
      let message = '';
      try { inventoryFromPaths([p]); } catch (e) { message = (e as Error).message; }
      expect(message).toMatch(/^\[AG_INPUT_INVALID\] [^\n]+$/);
    }
    expect(() => inventoryFromPaths([])).toThrow(/AG_INPUT_INVALID/);
  });
});

describe('inventoryFromCdkOut: Service Catalog product stacks', () => {
  test('a *.product.template.json beside the stacks is checked as a stack of its own', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-cdkout-product-'));
    try {
      const role = (principal: unknown) => ({ Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: { Statement: [{ Effect: 'Allow', Principal: principal, Action: 'sts:AssumeRole' }] } } });
      fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify({ version: '36.0.0', artifacts: { S: { type: 'aws:cloudformation:stack', properties: { templateFile: 'S.template.json' } } } }));
      fs.writeFileSync(path.join(dir, 'S.template.json'), JSON.stringify({ Resources: { R: role({ Service: 'lambda.amazonaws.com' }) } }));
      fs.writeFileSync(path.join(dir, 'SProduct1234.product.template.json'), JSON.stringify({ Resources: { Open: role('*') } }));
      const inv = inventoryFromCdkOut(dir);
      expect(inv.identities.map((i) => i.id).sort()).toEqual(['aws:S/R', 'aws:SProduct1234/Open']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
