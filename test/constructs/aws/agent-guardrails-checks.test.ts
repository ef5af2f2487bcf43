import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnResource, NestedStack, Stack, Stage, Validations } from 'aws-cdk-lib/core';
import { ArnPrincipal, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { AgentGuardrailsChecks } from '../../../constructs/aws/agent-guardrails-checks';
import { FindingNodes } from '../../../constructs/aws/private/nag-finding-nodes';
import { inventoryFromSynthesizedTemplates } from '../../../constructs/aws/private/nag-synthesized-inventory';
import { Baseline } from '../../../lib/baseline/baseline';
import { CliIo, main } from '../../../lib/cli/main';
import { ALL_RULES } from '../../../lib/rules';

const SECRET = 'AWS-007[secretsmanager:GetSecretValue]';
const ACK_ID = `AgentGuardrailsChecks::${SECRET}`;

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-pack-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Fixture { app: App; stack: Stack; reader: Role; outdir: string }
/** A stack with one clean role and one that reads every secret (AWS-007 error). */
function fixture(name: string, options: { baseline?: Baseline; keepGoing?: boolean } = {}): Fixture {
  const outdir = path.join(dir, name);
  const app = new App({ outdir, context: options.keepGoing ? { '@aws-cdk/core:failSynthOnValidationErrors': false } : {} });
  Validations.of(app).addPlugins(new AgentGuardrailsChecks(app, { baseline: options.baseline }));
  const stack = new Stack(app, 'AgentStack');
  const clean = new Role(stack, 'Logs', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  clean.addToPolicy(new PolicyStatement({ actions: ['logs:GetLogEvents'], resources: ['arn:aws:logs:eu-west-1:111122223333:log-group:/app:*'] }));
  const reader = new Role(stack, 'Reader', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  reader.addToPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }));
  return { app, stack, reader, outdir };
}
function validationReport(outdir: string): { pluginReports: { pluginName: string; violations: any[]; suppressedViolations?: any[] }[] } {
  return JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
}
function ours(outdir: string) {
  const report = validationReport(outdir).pluginReports.find((r) => r.pluginName === 'AgentGuardrailsChecks');
  return { violations: report?.violations ?? [], suppressed: report?.suppressedViolations ?? [] };
}
async function cliJson(outdir: string): Promise<{ findings: any[]; acknowledged: any[] }> {
  let stdout = '';
  const io: CliIo = { stdout: { write: (s: string) => { stdout += s; } }, stderr: { write: () => undefined }, env: {} };
  await main(['check', outdir, '--format', 'json'], io);
  return JSON.parse(stdout);
}

describe('AgentGuardrailsChecks', () => {
  test('runs exactly the engine\'s rules', () => {
    const pack = new AgentGuardrailsChecks();
    expect(pack.name).toBe('AgentGuardrailsChecks');
    expect(pack.ruleIds).toEqual(ALL_RULES.map((r) => r.id));
    expect(new Set(pack.ruleIds).size).toBe(pack.ruleIds.length);
    expect(pack.ruleIds).toEqual(expect.arrayContaining(['AWS-001', 'AWS-002', 'AWS-004', 'AWS-009', 'AGENT-004', 'AGENT-007']));
    expect(AgentGuardrailsChecks.isAgentGuardrailsChecks(pack)).toBe(true);
    expect(AgentGuardrailsChecks.isAgentGuardrailsChecks({ name: 'AgentGuardrailsChecks' })).toBe(false);
  });

  test('reports a finding on the resource whose logical id it names, with reason, fix and severity', () => {
    // GIVEN
    const { app, stack } = fixture('direct');
    // WHEN
    const report = new AgentGuardrailsChecks().validateScope(app);
    // THEN
    const secret = report.violations.find((v) => v.ruleName === SECRET);
    expect(secret).toMatchObject({ severity: 'error', fix: expect.any(String), violatingResources: [{ constructPath: 'AgentStack/Reader/Resource' }] });
    expect(secret?.description).toMatch(/secretsmanager:GetSecretValue/);
    expect(report.violations.every((v) => !v.ruleName.includes('::'))).toBe(true);
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => r.constructPath))).not.toContain('AgentStack/Logs/Resource');
    expect(report.success).toBe(false);
    expect(stack.node.path).toBe('AgentStack');
  });

  test('an error fails synth; acknowledged with a reason, it is recorded under suppressedViolations', () => {
    expect(() => fixture('fails').app.synth()).toThrow(/ERROR .*secretsmanager:GetSecretValue[\s\S]*Acknowledge with 'AgentGuardrailsChecks::AWS-007\[secretsmanager:GetSecretValue\]'/);

    const { app, reader, outdir } = fixture('acknowledged', { keepGoing: true });
    Validations.of(reader).acknowledge({ id: ACK_ID, reason: 'the broker reads one rotated secret per run [owner: platform]' });
    app.synth();
    const { violations, suppressed } = ours(outdir);
    expect(violations.map((v) => v.ruleName)).not.toContain(SECRET);
    expect(suppressed).toEqual(expect.arrayContaining([expect.objectContaining({
      ruleName: SECRET, acknowledgedId: ACK_ID, reason: 'the broker reads one rotated secret per run [owner: platform]', acknowledgedAt: 'AgentStack/Reader',
    })]));
  });

  test('a clean synth leaves a trace in validation-report.json: the pack, its version, the baseline, and nothing printed', () => {
    // GIVEN an app whose only role is clean
    const outdir = path.join(dir, 'clean');
    const app = new App({ outdir });
    Validations.of(app).addPlugins(new AgentGuardrailsChecks(app));
    const stack = new Stack(app, 'CleanStack');
    const role = new Role(stack, 'Logs', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new PolicyStatement({ actions: ['logs:GetLogEvents'], resources: ['arn:aws:logs:eu-west-1:111122223333:log-group:/app:*'] }));
    const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    // WHEN
    try {
      app.synth();
    } finally {
      printed.mockRestore();
    }
    // THEN CDK kept our report (it drops a successful report without violations) and printed nothing
    expect(printed).not.toHaveBeenCalled();
    const report = (validationReport(outdir).pluginReports as any[]).find((r) => r.pluginName === 'AgentGuardrailsChecks');
    expect(report).toMatchObject({
      conclusion: 'success',
      pluginVersion: JSON.parse(fs.readFileSync(path.join(__dirname, '../../../package.json'), 'utf8')).version,
      metadata: { baseline: expect.stringMatching(/^agent-guardrails\/default 1\.0\.0 /), rules: String(ALL_RULES.length) },
      violations: [{ ruleName: 'checks-ran', severity: 'info', violatingConstructs: [], description: expect.stringMatching(/checked 1 stack .*: no findings/) }],
    });
  });

  test('an acknowledgement without a reason is an AGENT-007 error that cannot itself be acknowledged', () => {
    const { app, reader, stack, outdir } = fixture('no-reason', { keepGoing: true });
    Validations.of(reader).acknowledge({ id: ACK_ID, reason: '' });
    Validations.of(stack).acknowledge({ id: `AgentGuardrailsChecks::AGENT-007[no-reason:${SECRET}]`, reason: 'silence it' });
    app.synth();
    const { violations } = ours(outdir);
    expect(violations).toEqual(expect.arrayContaining([expect.objectContaining({ ruleName: `AGENT-007[no-reason:${SECRET}]`, severity: 'fatal' })]));
  });

  test('a hard rule\'s finding cannot be acknowledged: it stays (fatal) and AGENT-007 reports the attempt', () => {
    const baseline = Baseline.fromObject({ id: 'team', version: '1.0.0', extends: 'agent-guardrails', rules: { 'AWS-007': { hard: true } } });
    const { app, reader, outdir } = fixture('hard', { baseline, keepGoing: true });
    Validations.of(reader).acknowledge({ id: ACK_ID, reason: 'we really need it' });
    app.synth();
    const { violations, suppressed } = ours(outdir);
    expect(suppressed.map((v) => v.ruleName)).not.toContain(SECRET);
    expect(violations).toEqual(expect.arrayContaining([
      expect.objectContaining({ ruleName: SECRET, severity: 'fatal' }),
      expect.objectContaining({ ruleName: `AGENT-007[hard-rule:${SECRET}]`, severity: 'fatal' }),
    ]));
    expect(() => fixture('hard-throws', { baseline }).app.synth()).toThrow(/FATAL .*secretsmanager:GetSecretValue/);
  });

  test('a stack-wide acknowledgement of an IAM rule is an AGENT-007 error on the stack', () => {
    const { app, stack, outdir } = fixture('stack-wide', { keepGoing: true });
    Validations.of(stack).acknowledge({ id: ACK_ID, reason: 'whole stack is fine' });
    app.synth();
    const wide = ours(outdir).violations.find((v) => v.ruleName === `AGENT-007[wide-scope:${SECRET}]`);
    expect(wide?.violatingConstructs.map((c: { constructPath: string }) => c.constructPath)).toEqual(['AgentStack']);
  });

  test('an app-wide acknowledgement that suppresses nothing still reaches the CLI (recorded on each stack)', async () => {
    const { app, outdir } = fixture('app-wide', { keepGoing: true });
    Validations.of(app).acknowledge({ id: 'AgentGuardrailsChecks::AWS-002[s3:*]', reason: 'nothing matches' });
    app.synth();
    expect(ours(outdir).suppressed).toEqual([]);
    const cli = await cliJson(outdir);
    expect(cli.findings).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'AGENT-007[wide-scope:AWS-002[s3:*]]', path: '' })]));
    expect(ours(outdir).violations).toEqual(expect.arrayContaining([expect.objectContaining({ ruleName: 'AGENT-007[wide-scope:AWS-002[s3:*]]' })]));
  });

  test('at synth it checks the written templates and reports what validateScope reports on the tree', () => {
    const { app, outdir } = fixture('synth-vs-tree', { keepGoing: true });
    app.synth();
    const atSynth = ours(outdir).violations.flatMap((v) => v.violatingConstructs.map((c: { constructPath: string }) => `${v.ruleName} @ ${c.constructPath}`)).sort();
    const onTree = new AgentGuardrailsChecks().validateScope(fixture('synth-vs-tree-2').app).violations
      .flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} @ ${r.constructPath}`)).sort();
    expect(atSynth.length).toBeGreaterThan(0);
    expect(atSynth).toEqual(onTree);
    const templatePath = path.join(outdir, 'AgentStack.template.json');
    const fromFiles = inventoryFromSynthesizedTemplates(new FindingNodes(app), { templatePaths: [templatePath], stackTemplates: [{ stackConstructPath: 'AgentStack', templatePath, accountId: undefined, region: undefined }] } as never);
    expect(fromFiles?.identities.map((i) => i.source.path).sort()).toEqual(['AgentStack/Logs/Resource', 'AgentStack/Reader/Resource']);
  });

  test('nested stacks are checked too (rendered from the tree)', () => {
    const { app, stack, outdir } = fixture('nested', { keepGoing: true });
    const nested = new NestedStack(stack, 'Tools');
    new Role(nested, 'NestedReader', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') })
      .addToPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }));
    app.synth();
    const paths = ours(outdir).violations.filter((v) => v.ruleName === SECRET).flatMap((v) => v.violatingConstructs.map((c: { constructPath: string }) => c.constructPath));
    expect(paths).toEqual(expect.arrayContaining(['AgentStack/Reader/Resource', 'AgentStack/Tools/NestedReader/Resource']));
  });

  test('stacks inside a stage: the pack and the CLI agree, stage-wide IAM acknowledgements included', async () => {
    const outdir = path.join(dir, 'stage');
    const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
    Validations.of(app).addPlugins(new AgentGuardrailsChecks(app));
    const prod = new Stage(app, 'Prod');
    const stack = new Stack(prod, 'AgentStack');
    const reader = new Role(stack, 'Reader', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    reader.addToPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }));
    Validations.of(reader).acknowledge({ id: 'AgentGuardrailsChecks::AWS-008[secretsmanager:GetSecretValue]', reason: 'reviewed' });
    Validations.of(prod).acknowledge({ id: 'AgentGuardrailsChecks::AWS-003[secretsmanager:GetSecretValue]', reason: 'stage-wide' });
    app.synth();
    const pack = ours(outdir);
    const cli = await cliJson(outdir);
    const fromPack = (vs: any[]) => vs.flatMap((v) => v.violatingConstructs.map((c: { constructPath: string }) => `${v.ruleName} @ ${c.constructPath}`)).sort();
    const fromCli = (xs: any[]) => xs.map((f) => `${f.id} @ ${f.path}`).sort();
    expect(fromPack(pack.violations)).toContain('AGENT-007[wide-scope:AWS-003[secretsmanager:GetSecretValue]] @ Prod');
    expect(fromCli(cli.findings)).toEqual(fromPack(pack.violations));
    expect(fromCli(cli.acknowledged)).toEqual(fromPack(pack.suppressed));
  });

  test('registered on a stage, it checks that stage\'s stacks only', () => {
    const outdir = path.join(dir, 'stage-plugin');
    const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
    const prod = new Stage(app, 'Prod');
    Validations.of(prod).addPlugins(new AgentGuardrailsChecks(prod));
    for (const [scope, id] of [[prod, 'Inside'], [app, 'Outside']] as const) {
      const stack = new Stack(scope, id);
      new Role(stack, 'Reader', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') })
        .addToPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }));
      Validations.of(stack).acknowledge({ id: 'AgentGuardrailsChecks::AWS-003', reason: '' });
    }
    app.synth();
    const paths = ours(outdir).violations.flatMap((v) => v.violatingConstructs.map((c: { constructPath: string }) => c.constructPath));
    expect(paths.length).toBeGreaterThan(0);
    expect(paths.every((p) => p.startsWith('Prod/Inside'))).toBe(true);
  });

  test('findings that name no node are reported on their stack, or on the app', () => {
    const { app } = fixture('nodes');
    const nodes = new FindingNodes(app);
    const base = { ruleId: 'AWS-014', severity: 'error' as const, cloud: 'aws' as const, message: 'm', fix: 'f', hard: false };
    expect(nodes.nodeOf({ ...base, resource: '(engine)', stack: 'AgentStack' }).constructPath).toBe('AgentStack');
    expect(nodes.nodeOf({ ...base, resource: '(engine)' }).constructPath).toBe('');
    expect(nodes.nodeOf({ ...base, resource: 'Nope', stack: 'AgentStack', path: 'AgentStack/Reader' }).constructPath).toBe('AgentStack/Reader');
  });

  test('a cross-stack reference reads as its value in the pack as in the CLI (exports shared across templates)', async () => {
    // GIVEN two stacks: the consumer's role trusts the producer's role (CDK writes Export / Fn::ImportValue)
    const outdir = path.join(dir, 'cross-stack');
    const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
    Validations.of(app).addPlugins(new AgentGuardrailsChecks(app));
    const producer = new Stack(app, 'Producer');
    const reader = new Role(producer, 'Reader', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    reader.addToPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }));
    const consumer = new Stack(app, 'Consumer');
    new Role(consumer, 'Assumer', { assumedBy: new ArnPrincipal(reader.roleArn) });
    // WHEN
    app.synth();
    // THEN the import is read, not reported as an unresolved value, and both front doors agree
    expect(fs.readFileSync(path.join(outdir, 'Consumer.template.json'), 'utf8')).toContain('Fn::ImportValue');
    const fromPack = ours(outdir).violations.flatMap((v) => v.violatingConstructs.map((c: { constructPath: string }) =>
      `${v.ruleName} @ ${c.constructPath} (${v.severity === 'fatal' ? 'error' : v.severity})`)).sort();
    const cli = await cliJson(outdir);
    expect(fromPack).toContain(`${SECRET} @ Producer/Reader/Resource (error)`);
    expect(fromPack.filter((v) => v.startsWith('AWS-014'))).toEqual([]);
    expect(cli.findings.map((f) => `${f.id} @ ${f.path} (${f.severity})`).sort()).toEqual(fromPack);
  });

  test('the pack and the CLI give the same findings and acknowledgements for the same app', async () => {
    // GIVEN an app with errors, warnings and one acknowledged finding, synthesized with the pack
    const { app, reader, stack, outdir } = fixture('same', { keepGoing: true });
    Validations.of(reader).acknowledge({ id: 'AgentGuardrailsChecks::AWS-008[secretsmanager:GetSecretValue]', reason: 'reviewed' });
    const extra = new Role(stack, 'Writer', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    extra.addToPolicy(new PolicyStatement({ actions: ['s3:Get*', 'iam:PassRole'], resources: ['*'] }));
    Validations.of(extra).acknowledge({ id: 'AgentGuardrailsChecks::AWS-005[iam:PassRole]', reason: '' });
    // App-wide: suppresses the warning everywhere (in both), and is itself an AGENT-007 error on the app.
    Validations.of(app).acknowledge({ id: 'AgentGuardrailsChecks::AWS-008[s3:Get*]', reason: 'app-wide' });
    app.synth();
    // WHEN
    const pack = ours(outdir);
    const cli = await cliJson(outdir);
    // THEN
    const fromPack = (vs: any[]) => vs.flatMap((v) => v.violatingConstructs.map((c: { constructPath: string }) =>
      `${v.ruleName} @ ${c.constructPath} (${v.severity === 'fatal' ? 'error' : v.severity})`)).sort();
    const fromCli = (fs_: any[]) => fs_.map((f) => `${f.id} @ ${f.path} (${f.severity})`).sort();
    expect(fromPack(pack.violations).length).toBeGreaterThan(2);
    expect(fromCli(cli.findings)).toEqual(fromPack(pack.violations));
    expect(fromCli(cli.acknowledged)).toEqual(fromPack(pack.suppressed));
    expect(cli.acknowledged.map((f) => f.acknowledged)).toEqual(expect.arrayContaining([
      { id: 'AgentGuardrailsChecks::AWS-008[secretsmanager:GetSecretValue]', reason: 'reviewed', at: 'AgentStack/Reader' },
      { id: 'AgentGuardrailsChecks::AWS-008[s3:Get*]', reason: 'app-wide', at: '' },
    ]));
    expect(fromCli(cli.findings)).toContain('AGENT-007[wide-scope:AWS-008[s3:Get*]] @  (error)');
  });

  test('acknowledgements that cannot drift: stale, rule-only and template (cdk_nag) ones, the same in the pack and the CLI', async () => {
    // GIVEN a stale acknowledgement, one naming the rule without a detail, and a cdk-nag-style one in the template
    const { app, stack, reader, outdir } = fixture('drift', { keepGoing: true });
    Validations.of(reader).acknowledge({ id: 'AgentGuardrailsChecks::AWS-002[s3:*]', reason: 'granted once, gone now' });
    Validations.of(reader).acknowledge({ id: 'AgentGuardrailsChecks::AWS-007', reason: 'the whole rule' });
    const writer = new Role(stack, 'Writer', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    writer.addToPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }));
    (writer.node.defaultChild as CfnResource).addMetadata('cdk_nag', { rules_to_suppress: [
      { id: SECRET, reason: 'migrated from cdk-nag' }, { id: 'AwsSolutions-IAM5', reason: 'another pack' },
    ] });
    app.synth();
    // WHEN
    const pack = ours(outdir);
    const cli = await cliJson(outdir);
    // THEN both report the drift as warnings on the acknowledgements' constructs
    const fromPack = pack.violations.flatMap((v: any) => v.violatingConstructs.map((c: { constructPath: string }) =>
      `${v.ruleName} @ ${c.constructPath} (${v.severity === 'fatal' ? 'error' : v.severity})`)).sort();
    const fromCli = cli.findings.map((f) => `${f.id} @ ${f.path} (${f.severity})`).sort();
    expect(fromCli).toEqual(fromPack);
    expect(fromCli).toEqual(expect.arrayContaining([
      'AGENT-007[unmatched:AWS-002[s3:*]] @ AgentStack/Reader/Resource (warning)',
      'AGENT-007[no-detail:AWS-007] @ AgentStack/Reader/Resource (warning)',
      `${SECRET} @ AgentStack/Reader/Resource (error)`,
    ]));
    expect(cli.findings.find((f) => f.id === 'AGENT-007[no-detail:AWS-007]').message).toContain(SECRET);
    // The template's acknowledgement covers the Writer's finding: acknowledged in the CLI, left out by the pack.
    expect(fromCli.filter((f) => f.startsWith(SECRET) && f.includes('Writer'))).toEqual([]);
    expect(cli.acknowledged).toEqual([expect.objectContaining({
      id: SECRET, path: 'AgentStack/Writer/Resource',
      acknowledged: { id: ACK_ID, reason: 'migrated from cdk-nag', at: 'AgentStack/Writer/Resource', origin: 'template-metadata' },
    })]);
  });

  test('cdk-nag\'s copies of CDK acknowledgements into template metadata are not read twice', async () => {
    const outdir = path.join(dir, 'copies');
    const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
    Validations.of(app).addPlugins(new AgentGuardrailsChecks(app, { writeSuppressionsToCloudFormation: true }));
    const stack = new Stack(app, 'AgentStack');
    const reader = new Role(stack, 'Reader', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    reader.addToPolicy(new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: ['*'] }));
    Validations.of(reader).acknowledge({ id: ACK_ID, reason: '' });
    app.synth();
    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'AgentStack.template.json'), 'utf8'));
    expect(JSON.stringify(template)).toContain('rules_to_suppress');
    const cli = await cliJson(outdir);
    // One AGENT-007 finding for the one acknowledgement: its copy in the template is neither a second one nor unmatched.
    expect(cli.findings.map((f) => f.id).filter((id) => id.startsWith('AGENT-007'))).toEqual([`AGENT-007[no-reason:${SECRET}]`]);
    expect(ours(outdir).violations.map((v: any) => v.ruleName).filter((id: string) => id.startsWith('AGENT-007'))).toEqual([`AGENT-007[no-reason:${SECRET}]`]);
  });
});
