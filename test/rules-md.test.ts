import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ALL_RULES } from '../lib/rules';
import { RuleMetadata } from '../lib/rules/rule';
import { isRulesMdCurrent, renderRulesMd, RULES_MD_PATH, runGenerateRulesMd } from '../scripts/generate-rules-md';

const RULE: RuleMetadata = {
  id: 'AGENT-999', cloud: 'all', severity: 'warning', reason: 'A | pipe in the reason.', explanation: 'Why it matters.', fix: 'Do this.', controls: ['CKV_X_1'],
};

describe('RULES.md is generated from the rules\' metadata', () => {
  test('RULES.md is current (regenerate with: npx ts-node --transpile-only scripts/generate-rules-md.ts)', () => {
    expect(isRulesMdCurrent(RULES_MD_PATH, ALL_RULES)).toBe(true);
  });

  test('every rule appears with id, severity, hardness, reason, explanation, fix and controls', () => {
    const md = renderRulesMd(ALL_RULES);
    for (const rule of ALL_RULES) {
      expect(md).toContain(`### ${rule.id}\n`);
      expect(md).toContain(rule.explanation);
      expect(md).toContain(`**Fix:** ${rule.fix}`);
    }
    expect(md).toMatch(/\| \[AGENT-005\]\(#agent-005\) \| error \| yes \|/);
    const one = renderRulesMd([RULE], () => false);
    expect(one).toContain('| [AGENT-999](#agent-999) | warning | no | A \\| pipe in the reason. |');
    expect(one).toContain('- covers: CKV_X_1');
  });

  test('--check exits 1 on a stale file and 0 on a current one; without it the file is written', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rules-md-'));
    const file = path.join(dir, 'RULES.md');
    const stderr = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(runGenerateRulesMd(['--check'], file, [RULE])).toBe(1); // missing
      fs.writeFileSync(file, '# Rules\n\nedited by hand\n');
      expect(runGenerateRulesMd(['--check'], file, [RULE])).toBe(1);
      expect(stderr).toHaveBeenCalledWith(expect.stringContaining('RULES.md is stale'));
      expect(runGenerateRulesMd([], file, [RULE])).toBe(0);
      expect(runGenerateRulesMd(['--check'], file, [RULE])).toBe(0);
      expect(fs.readFileSync(file, 'utf8')).toContain('### AGENT-999');
      expect(runGenerateRulesMd(['--chek'], file, [RULE])).toBe(2);
    } finally {
      stderr.mockRestore();
      stdout.mockRestore();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
