import * as fs from 'fs';
import { Glob } from '../../../lib/private/glob-match';
import { samFunctions } from '../../fixtures/hostile/generators';
import { expectContract, hostileDir, runCli, writeInput } from '../../fixtures/hostile/hostile-cli';

let dir: string;
beforeAll(() => {
  dir = hostileDir();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Pattern matches (`Glob.test` calls) of one check of `n` SAM functions with the same `Policies`, and its findings. */
async function matchesFor(n: number, policies: unknown[]): Promise<{ matches: number; findings: number }> {
  const file = writeInput(dir, `sam-${n}.json`, samFunctions(n, policies));
  const spy = jest.spyOn(Glob.prototype, 'test');
  try {
    const r = await runCli(['check', '--format', 'json', file]);
    expectContract(r);
    return { matches: spy.mock.calls.length, findings: (JSON.parse(r.stdout) as { findings: unknown[] }).findings.length };
  } finally {
    spy.mockRestore();
  }
}

describe('hostile input: thousands of SAM functions sharing an AWS-managed policy', () => {
  // Each function's role holds the same statements of AWSLambdaBasicExecutionRole and ReadOnlyAccess (hundreds of
  // patterns): matching them against the catalog once per role made the check cost ~30 ms per function.
  test('the shared policy\'s patterns are matched once, not once per function', async () => {
    const policies = ['ReadOnlyAccess'];
    const small = await matchesFor(10, policies);
    const large = await matchesFor(40, policies);
    // Same findings per function, and four times the functions add only the per-role work (none of it per pattern).
    expect(large.findings).toBe(small.findings * 4);
    expect(large.matches).toBeLessThan(small.matches * 1.5);
  });
});
