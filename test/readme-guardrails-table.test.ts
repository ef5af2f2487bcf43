import * as fs from 'fs';
import { escalationDenyPatterns } from '../constructs/aws/private/guardrail-denies';
import { BOUNDARY_DENIED_PERMISSIONS } from '../constructs/gcp/private/permissions';
import { Baseline } from '../lib/baseline/baseline';
import { isTableCurrent, README_PATH, renderGuardrailsTable, withTable } from '../scripts/generate-guardrails-table';

describe('README: the table of what the guardrails allow each tier, and never allow, is generated from the constructs\' data', () => {
  test('README.md holds the current table (regenerate with: npx ts-node --transpile-only scripts/generate-guardrails-table.ts)', () => {
    expect(isTableCurrent()).toBe(true);
  });

  test('the cells come from the baseline and the deny lists the constructs use', () => {
    const table = renderGuardrailsTable();
    expect(table).toContain(`(${escalationDenyPatterns().length} verb patterns)`);
    expect(table).toContain(`the deny policy's ${BOUNDARY_DENIED_PERMISSIONS.length} permissions`);
    expect(table).toContain('approval at most 900 s old');
    // A baseline with other numbers gives another table: nothing in it is hand-written.
    const strict = Baseline.fromObject({ id: 'strict', version: '1.0.0', extends: 'agent-guardrails', session: { maxSessionSeconds: 3600, brokerSessionSeconds: 900 }, approval: { maxAgeSeconds: 300 } });
    const other = renderGuardrailsTable(strict);
    expect(other).toContain('broker sessions 900 s');
    expect(other).toContain('approval at most 300 s old');
  });

  test('a README without the markers is refused, not silently left stale', () => {
    expect(() => withTable('# no table here', renderGuardrailsTable())).toThrow(/lacks the/);
    expect(fs.readFileSync(README_PATH, 'utf8')).toContain('## What the guardrails allow each tier, and what they never allow');
  });
});
