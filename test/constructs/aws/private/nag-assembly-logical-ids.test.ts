import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, IPolicyValidationContext, IPolicyValidationPlugin, Stack, Stage, Validations } from 'aws-cdk-lib/core';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { assemblyLogicalIds } from '../../../../constructs/aws/private/nag-assembly-logical-ids';

describe('assemblyLogicalIds', () => {
  let dir: string;
  beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-logical-ids-')); });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('gives the logical id the tree resolves to for every resource, overrides and stages included', () => {
    // GIVEN an app with a stack, an overridden logical id and a stack inside a stage
    const app = new App({ outdir: dir });
    let context: IPolicyValidationContext | undefined;
    const capture: IPolicyValidationPlugin = { name: 'capture', validate: (c) => { context = c as IPolicyValidationContext; return { success: true, violations: [] }; } };
    Validations.of(app).addPlugins(capture);
    const stack = new Stack(app, 'Top');
    new Role(stack, 'A', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    const b = new Role(stack, 'B', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    (b.node.defaultChild as CfnResource).overrideLogicalId('RenamedB');
    const staged = new Stack(new Stage(app, 'Prod'), 'Inner');
    new Role(staged, 'C', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    // WHEN
    app.synth();
    const ids = assemblyLogicalIds(context!);
    // THEN
    const resources = app.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c));
    expect(resources.length).toBe(3);
    for (const r of resources) expect(ids.get(r.node.path)).toBe(Stack.of(r).resolve(r.logicalId));
    expect(ids.get('Top/B/Resource')).toBe('RenamedB');
  });

  test('a missing assembly gives nothing (the caller resolves from the tree)', () => {
    const context = { stackTemplates: [{ stackConstructPath: 'X', templatePath: path.join(dir, 'nowhere', 'X.template.json') }] } as unknown as IPolicyValidationContext;
    expect(assemblyLogicalIds(context).size).toBe(0);
  });
});
