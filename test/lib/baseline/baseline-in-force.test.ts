import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack, Tags, Validations } from 'aws-cdk-lib/core';
import { ArnPrincipal, PolicyStatement, Role } from 'aws-cdk-lib/aws-iam';
import { App as TfApp, TerraformStack } from 'cdktf';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { AgentGuardrailsChecks } from '../../../constructs/aws/checks';
import { GuardrailChecks } from '../../../constructs/tf';
import { Baseline } from '../../../lib/baseline/baseline';
import { baselineDigest, EMBEDDED_BASELINE_KEY } from '../../../lib/baseline/embedded-baseline';
import { CliIo, main } from '../../../lib/cli/main';
import { Component, TAG_KEYS } from '../../../lib/model/tags';

/**
 * One baseline, set once per app, reaches the CLI: the pack and the CDKTF validation record it in
 * the synthesized output, `agent-guardrails check` applies it without --baseline and names it, and
 * a reviewer's --baseline governs whole (the output comes from a pull request).
 */
let dir: string;
let acmeFile: string;
let awsOut: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-baseline-in-force-'));
  acmeFile = path.join(dir, 'guardrails.json');
  fs.writeFileSync(acmeFile, JSON.stringify({
    id: 'acme/agents', version: '1.2.0', extends: 'agent-guardrails/default',
    forbidden: { aws: { actions: ['ecs:UpdateService', 'ecr:*'] }, gcp: { permissions: ['storage.objects.delete'] } },
  }));
  awsOut = awsApp('aws', (app) => Baseline.setForApp(app, Baseline.fromFile(acmeFile)));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** An app whose tool roles hold `ecs:*` (catches a forbidden ecs:UpdateService) and `ecr:BatchGetImage` (caught by ecr:*); synthesized with the pack. */
function awsApp(name: string, setBaseline: (app: App) => void): string {
  const outdir = path.join(dir, name);
  const app = new App({ outdir, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
  setBaseline(app);
  const stack = new Stack(app, 'Agents', { env: { account: '111111111111', region: 'eu-west-1' } });
  for (const [id, action] of [['Deploy', 'ecs:*'], ['Pull', 'ecr:BatchGetImage']]) {
    const role = new Role(stack, id, { assumedBy: new ArnPrincipal('arn:aws:iam::111111111111:role/broker') });
    role.addToPolicy(new PolicyStatement({ actions: [action], resources: ['*'] }));
    for (const [k, v] of [[TAG_KEYS.agent, 'deployer'], [TAG_KEYS.tool, id.toLowerCase()], [TAG_KEYS.tier, 'operator'], [TAG_KEYS.environment, 'prod'], [TAG_KEYS.component, Component.TOOL_IDENTITY]]) Tags.of(role).add(k, v);
  }
  Validations.of(app).addPlugins(new AgentGuardrailsChecks(app));
  app.synth();
  return outdir;
}

interface Run { code: number; stdout: string; stderr: string }
async function cli(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (s: string) => { stdout += s; } }, stderr: { write: (s: string) => { stderr += s; } }, env: {} };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
const forbiddenIds = (r: Run) => (JSON.parse(r.stdout).findings as { id: string }[]).map((f) => f.id).filter((id) => id.startsWith('AWS-015')).sort();

/** A copy of the AWS output whose embedded baseline `edit` changes (digest recomputed unless `keepDigest`). */
function tampered(name: string, edit: (record: any) => void, keepDigest = false): string {
  const out = path.join(dir, name);
  fs.cpSync(awsOut, out, { recursive: true });
  // CDK writes stack metadata to the manifest or to a `<stack>.metadata.json` beside it.
  let found = 0;
  for (const file of fs.readdirSync(out).filter((f) => f === 'manifest.json' || f.endsWith('.metadata.json')).map((f) => path.join(out, f))) {
    const text = fs.readFileSync(file, 'utf8');
    const edited = JSON.parse(text, (_key, value) => {
      if (value?.type !== EMBEDDED_BASELINE_KEY) return value;
      found += 1;
      edit(value.data);
      if (!keepDigest) value.data.digest = baselineDigest(value.data.document);
      return value;
    });
    fs.writeFileSync(file, JSON.stringify(edited));
  }
  expect(found).toBe(1);
  return out;
}

describe('the baseline an app sets once reaches the CLI through the synthesized output', () => {
  test('cdk.out: the pack records it on each stack; check without --baseline applies it (forbidden both ways) and every format names it', async () => {
    // The default baseline forbids nothing: the two AWS-015 findings come from the embedded one.
    const json = await cli('check', awsOut, '--format', 'json');
    expect(forbiddenIds(json)).toEqual(['AWS-015[ecr:*]', 'AWS-015[ecs:UpdateService]']);
    const acme = Baseline.fromFile(acmeFile);
    expect(JSON.parse(json.stdout).summary.baseline).toMatchObject({
      id: 'acme/agents', version: '1.2.0', lineage: ['agent-guardrails/default', 'acme/agents'], digest: acme.digest,
      origin: expect.stringMatching(/^embedded by the app in .*manifest\.json \(stack Agents\), read from guardrails\.json$/), notApplied: [],
    });
    expect(json.stderr).toBe('');
    const text = await cli('check', awsOut);
    expect(text.stdout).toMatch(/^baseline acme\/agents 1\.2\.0 \(agent-guardrails\/default > acme\/agents\) — embedded by the app in /m);
    const sarif = JSON.parse((await cli('check', awsOut, '--format', 'sarif')).stdout);
    expect(sarif.runs[0].properties.baseline).toMatchObject({ id: 'acme/agents', digest: acme.digest, origin: expect.stringMatching(/^embedded by the app/) });
  });

  test('the package default is not recorded (the CLI has it)', async () => {
    const out = awsApp('aws-default', () => undefined);
    expect(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')).not.toContain(EMBEDDED_BASELINE_KEY);
    const r = await cli('check', out, '--format', 'json');
    expect(JSON.parse(r.stdout).summary.baseline).toMatchObject({ id: 'agent-guardrails/default', origin: 'package default' });
  });

  test('cdktf.out: GuardrailChecks records it under "//" of each cdk.tf.json; the CLI applies and names it', async () => {
    const outdir = path.join(dir, 'tf');
    const app = new TfApp({ outdir });
    Baseline.setForApp(app, Baseline.fromFile(acmeFile));
    new GoogleProvider(new TerraformStack(app, 'gcp'), 'google', { project: 'prod-proj' });
    GuardrailChecks.of(app).apply();
    app.synth();
    const tf = JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', 'gcp', 'cdk.tf.json'), 'utf8'));
    expect(tf['//'][EMBEDDED_BASELINE_KEY]).toMatchObject({ id: 'acme/agents', version: '1.2.0', digest: Baseline.fromFile(acmeFile).digest });
    const r = await cli('check', outdir, '--format', 'json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).summary.baseline).toMatchObject({ id: 'acme/agents', origin: expect.stringMatching(/^embedded by the app in .*cdk\.tf\.json/) });
  });
});

describe("a reviewer's --baseline governs whole: the pull request's output never loosens it", () => {
  test('an embedded baseline that differs is not applied, and the report and stderr say so', async () => {
    // The reviewer's baseline (the package default) forbids nothing: the app's stricter list is not applied either.
    const r = await cli('check', awsOut, '--format', 'json', '--baseline', path.join(__dirname, '../../../policies/baseline.default.json'));
    expect(forbiddenIds(r)).toEqual([]);
    const b = JSON.parse(r.stdout).summary.baseline;
    expect(b).toMatchObject({ id: 'agent-guardrails/default', origin: expect.stringMatching(/^--baseline .*baseline\.default\.json$/) });
    expect(b.notApplied).toEqual([expect.objectContaining({ id: 'acme/agents', version: '1.2.0', where: expect.stringMatching(/manifest\.json/) })]);
    expect(r.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^agent-guardrails: warning: the app's baseline acme\/agents 1\.2\.0 .* differs from --baseline .*; --baseline governs/)]);
  });

  test('the same baseline given and embedded: no warning', async () => {
    const r = await cli('check', awsOut, '--format', 'json', '--baseline', acmeFile);
    expect(forbiddenIds(r)).toEqual(['AWS-015[ecr:*]', 'AWS-015[ecs:UpdateService]']);
    expect(JSON.parse(r.stdout).summary.baseline.notApplied).toEqual([]);
    expect(r.stderr).toBe('');
  });

  test('an embedded baseline that empties the forbidden list (a valid, re-digested edit) cannot loosen --baseline', async () => {
    const out = tampered('looser', (rec) => { rec.document.forbidden.aws.actions = []; });
    expect(forbiddenIds(await cli('check', out, '--format', 'json'))).toEqual([]); // without --baseline the app's own applies
    expect(forbiddenIds(await cli('check', out, '--format', 'json', '--baseline', acmeFile))).toEqual(['AWS-015[ecr:*]', 'AWS-015[ecs:UpdateService]']);
  });
});

describe('an embedded baseline that cannot be validated is exit 2 with one line', () => {
  test.each([
    ['a digest that is not the document\'s', (rec: any) => { rec.document.forbidden.aws.actions = []; }, true, /AG_BASELINE_EMBEDDED.*digest must be the document's/],
    ['a document the schema refuses', (rec: any) => { rec.document.rules = { 'AWS-007': { severity: 'silent' } }; }, false, /AG_BASELINE_EMBEDDED.*must match policies\/baseline\.schema\.json/],
    ['a document that names roleData (a folder on the reviewer\'s machine)', (rec: any) => { rec.document.roleData = '/etc'; }, false, /AG_BASELINE_EMBEDDED.*must not name roleData/],
    ['an id that is not the document\'s', (rec: any) => { rec.id = 'security/strict'; }, false, /AG_BASELINE_EMBEDDED.*id and version must be the document's/],
    ['a loosening reason with terminal control characters', (rec: any) => { rec.loosenings = [{ baseline: 'x', path: 'p', reason: '\u001b[2Jgone', from: 1, to: 2 }]; }, false, /AG_BASELINE_EMBEDDED.*loosenings/],
  ])('%s', async (name, edit, keepDigest, message) => {
    const out = tampered(`bad-${name.replace(/\W+/g, '-')}`, edit, keepDigest);
    for (const argv of [['check', out], ['check', out, '--baseline', acmeFile]]) {
      const r = await cli(...argv);
      expect([r.code, r.stderr.trim().split('\n')]).toEqual([2, [expect.stringMatching(message)]]);
    }
  });

  test('inputs that embed different baselines: exit 2 without --baseline, which then governs', async () => {
    const other = tampered('other', (rec) => { rec.document.version = '1.3.0'; rec.version = '1.3.0'; });
    const r = await cli('check', awsOut, other);
    expect([r.code, r.stderr.trim().split('\n')]).toEqual([2, [expect.stringMatching(/AG_BASELINE_EMBEDDED_CONFLICT.*acme\/agents 1\.2\.0.*acme\/agents 1\.3\.0.*Pass --baseline/)]]);
    const given = await cli('check', awsOut, other, '--format', 'json', '--baseline', acmeFile);
    expect(JSON.parse(given.stdout).summary.baseline.notApplied).toEqual([expect.objectContaining({ version: '1.3.0' })]);
  });
});
