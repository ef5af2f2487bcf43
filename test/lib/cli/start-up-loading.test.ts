import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CliIo, main } from '../../../lib/cli/main';

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

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (s: string) => { stdout += s; } }, stderr: { write: (s: string) => { stderr += s; } }, env: {} };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');

describe('agent-guardrails check loads only what the input needs', () => {
  test.each([
    ['a CloudFormation template', path.join(FIXTURES, 'cfn', 'least-privilege.json')],
    ['a cdktf.out folder (GCP and Azure, with the shipped role data)', path.join(FIXTURES, 'tf', 'disguised-synth')],
  ])('%s: no schema validator, no other command', async (_name, input) => {
    const r = await run(['check', input, '--format', 'json']);
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
