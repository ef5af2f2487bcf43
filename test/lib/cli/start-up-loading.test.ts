import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { CliIo } from '../../../lib/cli/main';

/**
 * What a `check` loads: only the check's own code and what the input needs. No schema is compiled
 * at run time (ajv's compiler is never loaded): user-supplied files are validated by generated
 * validators, the package's own data by test/policies; the other commands' modules load only when
 * they run. Each module below throws if it is required.
 */
jest.mock('ajv', () => { throw new Error('ajv was loaded'); });
jest.mock('../../../lib/cli/drift', () => { throw new Error('the drift command was loaded'); });
jest.mock('../../../lib/cli/map-command', () => { throw new Error('the map command was loaded'); });
jest.mock('../../../lib/cli/data-pull', () => { throw new Error('the data command was loaded'); });
jest.mock('../../../lib/cli/rules-command', () => { throw new Error('the rules command was loaded'); });
// Each adapter loads only for the inputs that need it: a test names the ones its input must not load.
const mockForbidden = new Set<string>();
const ADAPTERS = {
  terraform: '../../../lib/adapters/terraform/inventory-from-terraform',
  cloudFormation: '../../../lib/adapters/cloudformation/inventory-from-cdk-out',
  template: '../../../lib/adapters/cloudformation/inventory-from-template',
};
jest.mock('../../../lib/adapters/terraform/inventory-from-terraform', () => mockAdapter('../../../lib/adapters/terraform/inventory-from-terraform'));
jest.mock('../../../lib/adapters/cloudformation/inventory-from-cdk-out', () => mockAdapter('../../../lib/adapters/cloudformation/inventory-from-cdk-out'));
jest.mock('../../../lib/adapters/cloudformation/inventory-from-template', () => mockAdapter('../../../lib/adapters/cloudformation/inventory-from-template'));
jest.mock('jsonc-parser', () => mockAdapter('jsonc-parser'));
function mockAdapter(module: string): unknown {
  if (mockForbidden.has(module)) throw new Error(`${module} was loaded`);
  return jest.requireActual(module);
}

/** Run the CLI from freshly loaded modules, with `forbidden` modules throwing when required. */
async function run(argv: string[], forbidden: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  jest.resetModules();
  mockForbidden.clear();
  for (const f of forbidden) mockForbidden.add(f);
  const { main } = require('../../../lib/cli/main') as typeof import('../../../lib/cli/main');
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (s: string) => { stdout += s; } }, stderr: { write: (s: string) => { stderr += s; } }, env: {} };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');

describe('agent-guardrails check loads only what the input needs', () => {
  test.each([
    ['a CloudFormation template: no Terraform reader', path.join(FIXTURES, 'cfn', 'least-privilege.json'), [ADAPTERS.terraform, 'jsonc-parser', ADAPTERS.cloudFormation]],
    ['a cdktf.out folder (GCP and Azure, with the shipped role data): no CloudFormation reader', path.join(FIXTURES, 'tf', 'disguised-synth'), [ADAPTERS.cloudFormation, ADAPTERS.template]],
  ])('%s, no schema compiler, no other command', async (_name, input, forbidden) => {
    const r = await run(['check', input, '--format', 'json'], forbidden);
    expect(r.stderr).toBe('');
    expect([0, 1]).toContain(r.code);
    expect(JSON.parse(r.stdout).summary.identities).toBeGreaterThan(0);
  });

  test('user-supplied data is still validated against its schema (by the generated validators, without ajv\'s compiler)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-startup-'));
    try {
      const baseline = path.join(dir, 'team.json');
      fs.writeFileSync(baseline, JSON.stringify({ id: 'team', version: '1.0.0', unknownKey: true }));
      const r = await run(['check', path.join(FIXTURES, 'cfn', 'least-privilege.json'), '--baseline', baseline]);
      expect(r).toMatchObject({ code: 2, stderr: expect.stringMatching(/AG_BASELINE_INVALID.*unknownKey/) });
      const roleData = path.join(dir, 'role-data');
      fs.mkdirSync(roleData);
      fs.writeFileSync(path.join(roleData, 'gcp-roles.json'), JSON.stringify({ id: 'gcp-roles', version: '1.0.0', roles: { 'roles/x': { title: 1 } } }));
      const pulled = await run(['check', path.join(FIXTURES, 'tf', 'disguised-synth'), '--role-data', roleData]);
      expect(pulled).toMatchObject({ code: 2, stderr: expect.stringMatching(/AG_ROLE_DATA_INVALID/) });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
