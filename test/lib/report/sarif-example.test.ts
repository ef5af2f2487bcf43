import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { synthesizeExampleAwsApp } from '../../helpers/example-aws-app';
import { Baseline } from '../../../lib/baseline/baseline';
import { checkPaths } from '../../../lib/cli/check';
import { buildSarif } from '../../../lib/report/sarif-report';
import { renderText } from '../../../lib/report/text-report';

/** The official SARIF 2.1.0 schema (JSON Schema draft-04), as Microsoft's SARIF tooling ships it. */
const SCHEMA = require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json');
const REPO = path.resolve(__dirname, '..', '..', '..');

function validator() {
  // The schema's language pattern is not valid with the `u` flag (a stray `]`): compile its patterns without it.
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  return ajv.compile(JSON.parse(fs.readFileSync(SCHEMA, 'utf8')));
}

const outdir = synthesizeExampleAwsApp('ag-sarif-ex-');

// The example is clean under the default baseline; a team baseline with 30-minute role sessions
// makes every tool role a finding (AWS-011), located where the example declares its agents.
const defaults = JSON.parse(fs.readFileSync(path.join(REPO, 'policies', 'baseline.default.json'), 'utf8'));
const strict = Baseline.fromObject({ ...defaults, $schema: undefined, id: 'test/short-sessions', session: { ...defaults.session, maxSessionSeconds: 1800 } });

describe('SARIF of the example app', () => {
  test('clean under the default baseline, and valid against the official SARIF 2.1.0 schema', () => {
    const log = buildSarif(checkPaths([outdir]), { basePath: REPO });
    const validate = validator();
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    expect(log.runs[0].results).toEqual([]);
  });

  test('findings point at the .ts line that declared the agent, the template is a related location', () => {
    const log = buildSarif(checkPaths([outdir], { baseline: strict }), { basePath: REPO, toolVersion: '1.2.3' });
    const validate = validator();
    expect(validate(log) ? [] : validate.errors).toEqual([]);
    const results = log.runs[0].results!;
    expect(results.length).toBeGreaterThan(0);
    const agents = fs.readFileSync(path.join(REPO, 'examples', 'aws', 'agents.ts'), 'utf8').split('\n');
    for (const r of results.filter((x) => x.ruleId === 'AWS-011')) {
      const physical = r.locations![0].physicalLocation!;
      expect(physical.artifactLocation).toEqual({ uri: 'examples/aws/agents.ts', uriBaseId: 'SRCROOT' });
      // Tool and kill-switch roles are made by `new AgentIdentity(...)`, the broker's by `new CredentialBroker(...)`, …
      const made = String(r.properties!.constructPath).split('/')[1];
      const construct = { Broker: 'CredentialBroker', ApprovalGate: 'ApprovalGate', ActivityMonitor: 'AgentActivityMonitor' }[made] ?? 'AgentIdentity';
      expect(agents[physical.region!.startLine! - 1]).toContain(`= new ${construct}(`);
      expect(r.relatedLocations![0].physicalLocation!.artifactLocation!.uri).toMatch(/\.template\.json$/);
      expect(r.message.text).not.toMatch(/\.\./);
    }
    expect(log.runs[0].originalUriBaseIds).toEqual({ SRCROOT: { uri: `file://${REPO}/` } });
    const rule = log.runs[0].tool.driver.rules!.find((x) => x.id === 'AWS-011')!;
    expect(rule.helpUri).toMatch(/RULES\.md#aws-011$/);
    expect(`${rule.shortDescription!.text} ${rule.help!.text}`).not.toMatch(/\.\./);
  });

  test('the text report names the construct path and the source line', () => {
    const text = renderText(checkPaths([outdir], { baseline: strict }), { basePath: REPO });
    expect(text).toMatch(/construct: DeployOperatorProd\/DeployOperator\/Tool-restart-service\/Resource/);
    expect(text).toMatch(/source: examples\/aws\/agents\.ts:\d+:\d+/);
  });
});
