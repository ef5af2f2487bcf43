import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import fc from 'fast-check';
import { HostileCase, hostileSamTemplate, hostileTemplate, hostileTerraform } from '../../fixtures/hostile/arbitraries';
import { expectContract, hostileDir, runCli } from '../../fixtures/hostile/hostile-cli';

/**
 * The CLI's contract under generated hostile input: exit 0, 1 or 2; one line on stderr and no
 * stack trace; a generated dangerous grant never exits 0. Time is bounded by the work budgets in
 * the code, not asserted here (a regression shows as the suite's timeout). `bench/fuzz` runs the
 * same properties for many more cases.
 */
const FUZZ_RUNS = Number(process.env.AG_FUZZ_RUNS ?? 40);
const SEED = Number(process.env.AG_FUZZ_SEED ?? 1301);

let dir: string;
beforeAll(() => {
  dir = hostileDir();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
async function holdsContract(c: HostileCase): Promise<void> {
  const file = path.join(dir, `case${n++}${c.extension}`);
  fs.writeFileSync(file, JSON.stringify(c.content));
  const r = await runCli(['check', file, '--format', 'json']);
  expectContract(r);
  if (c.dangerous) expect(r.code).not.toBe(0);
}

describe('fuzz: the check CLI keeps its contract on hostile input', () => {
  test('CloudFormation templates', async () => {
    await fc.assert(fc.asyncProperty(hostileTemplate, holdsContract), { numRuns: FUZZ_RUNS, seed: SEED });
  });

  test('SAM templates (every Policies form, Globals, event sources)', async () => {
    await fc.assert(fc.asyncProperty(hostileSamTemplate, holdsContract), { numRuns: FUZZ_RUNS, seed: SEED + 4 });
  });

  test('Terraform JSON', async () => {
    await fc.assert(fc.asyncProperty(hostileTerraform, holdsContract), { numRuns: FUZZ_RUNS, seed: SEED + 1 });
  });

  test('the real command (a spawned process) on a few generated cases', () => {
    const bin = path.join(__dirname, '..', '..', '..', 'bin', 'agent-guardrails.js');
    const cases = [...fc.sample(hostileTemplate, { numRuns: 1, seed: SEED + 2 }), ...fc.sample(hostileTerraform, { numRuns: 1, seed: SEED + 3 })];
    cases.forEach((c, i) => {
      const file = path.join(dir, `spawned${i}${c.extension}`);
      fs.writeFileSync(file, JSON.stringify(c.content));
      const r = spawnSync(process.execPath, [bin, 'check', file], { encoding: 'utf8', env: { ...process.env, AGENT_GUARDRAILS_FROM_SOURCE: '1' } });
      expectContract({ code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr });
      if (c.dangerous) expect(r.status).not.toBe(0);
    });
  });
});
