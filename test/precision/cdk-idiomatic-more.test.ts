import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Validations } from 'aws-cdk-lib/core';
import { AgentGuardrailsChecks } from '../../constructs/aws/agent-guardrails-checks';
import { cliErrors, ErrorFinding, packErrors, unexplained } from './error-findings';
import { buildIdiomaticMoreApp, MORE_EXPECTED_ERRORS, MORE_RECALL } from './cdk-idiomatic-more-app';

/**
 * More idiomatic CDK: the constructs that create roles and policies without a grant method call
 * pass the pack and the CLI with no error but the listed over-broad ones, and each disguised
 * over-broad variant (`Careless*`) is caught by the rule named for it.
 */

let dir: string;
let outdir: string;
const label = <T extends { construct: string }>(xs: readonly T[]) => xs.map((x) => ({ ...x, label: x.construct }));
/** A careless variant's resource may raise other errors besides the one its entry requires (dynamodb:* is AWS-002 and AWS-003). */
const onCareless = (e: ErrorFinding) => MORE_RECALL.some((x) => e.resource.startsWith(x.resourcePrefix) && (x.detail === undefined || e.text.startsWith(`${x.rule}[${x.detail}`)));
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-idiom-more-'));
  const app = buildIdiomaticMoreApp(dir, { '@aws-cdk/core:failSynthOnValidationErrors': false });
  Validations.of(app).addPlugins(new AgentGuardrailsChecks(app));
  app.synth();
  outdir = app.outdir;
}, 300000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function verdicts(errors: ErrorFinding[]): { precision: { extra: string[]; missed: string[] }; recall: string[] } {
  return {
    precision: unexplained(errors.filter((e) => !onCareless(e)), label(MORE_EXPECTED_ERRORS)),
    recall: unexplained(errors, label(MORE_RECALL)).missed,
  };
}

describe('precision and recall: more idiomatic CDK constructs', () => {
  test('every expected error says why', () => {
    for (const x of [...MORE_EXPECTED_ERRORS, ...MORE_RECALL]) expect(x.why.length).toBeGreaterThan(40);
  });

  test('the pack reports each careless variant by its rule, and no other error but the listed ones', () => {
    expect(verdicts(packErrors(outdir))).toEqual({ precision: { extra: [], missed: [] }, recall: [] });
  });

  test('the CLI reports the same on the cloud assembly', async () => {
    expect(verdicts(await cliErrors(outdir))).toEqual({ precision: { extra: [], missed: [] }, recall: [] });
  }, 120000);
});
