import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Validations } from 'aws-cdk-lib/core';
import { AgentGuardrailsChecks } from '../../constructs/aws/agent-guardrails-checks';
import { cliErrors, packErrors, unexplained } from './error-findings';
import { buildIdiomaticApp, IDIOMATIC_EXPECTED_ERRORS } from './cdk-idiomatic-app';

/**
 * Idiomatic CDK beyond grant methods: the constructs whose own roles a normal app gets pass the
 * pack and the CLI with no error, but the grants CDK makes over-broad by design (each listed with
 * its reason in IDIOMATIC_EXPECTED_ERRORS, and each must still be reported).
 */

let dir: string;
let outdir: string;
const expected = IDIOMATIC_EXPECTED_ERRORS.map((x) => ({ ...x, label: x.construct }));
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-idiom-'));
  const app = buildIdiomaticApp(dir, { '@aws-cdk/core:failSynthOnValidationErrors': false });
  Validations.of(app).addPlugins(new AgentGuardrailsChecks(app));
  app.synth();
  outdir = app.outdir;
}, 300000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('precision: idiomatic CDK constructs\' own roles pass clean', () => {
  test('every expected error says why', () => {
    for (const x of IDIOMATIC_EXPECTED_ERRORS) expect(x.why.length).toBeGreaterThan(40);
  });

  test('the pack reports no error inside cdk synth but the listed ones', () => {
    expect(unexplained(packErrors(outdir), expected)).toEqual({ extra: [], missed: [] });
  });

  test('the CLI reports no error on the cloud assembly but the listed ones', async () => {
    expect(unexplained(await cliErrors(outdir), expected)).toEqual({ extra: [], missed: [] });
  }, 120000);
});
