/**
 * Writes RULES.md from the metadata every rule publishes (ALL_RULES), so the rule catalogue can
 * never drift from the code. `--check` only compares and exits 1 when RULES.md is stale.
 *
 *   npx ts-node --transpile-only scripts/generate-rules-md.ts          # regenerate
 *   npx ts-node --transpile-only scripts/generate-rules-md.ts --check  # CI: fail when stale
 */
import * as fs from 'fs';
import * as path from 'path';
import { renderRulesMd } from '../lib/report/rules-markdown';
import { ALL_RULES } from '../lib/rules';
import { RuleMetadata } from '../lib/rules/rule';

export { renderRulesMd };

/** Where RULES.md lives (the package root). */
export const RULES_MD_PATH = path.join(__dirname, '..', 'RULES.md');

/** Whether `file` holds exactly what `renderRulesMd` would write now. */
export function isRulesMdCurrent(file: string = RULES_MD_PATH, rules: readonly RuleMetadata[] = ALL_RULES): boolean {
  return fs.existsSync(file) && fs.readFileSync(file, 'utf8') === renderRulesMd(rules);
}

/** The command line: write RULES.md, or with `--check` report whether it is current. Returns the exit code. */
export function runGenerateRulesMd(args: readonly string[], file: string = RULES_MD_PATH, rules: readonly RuleMetadata[] = ALL_RULES): number {
  const unknown = args.filter((a) => a !== '--check');
  if (unknown.length > 0) {
    process.stderr.write(`generate-rules-md: unknown argument ${unknown[0]}; use --check or no argument.\n`);
    return 2;
  }
  if (args.includes('--check')) {
    if (isRulesMdCurrent(file, rules)) return 0;
    process.stderr.write(`${path.basename(file)} is stale: it does not match the rules' metadata. Run npx ts-node --transpile-only scripts/generate-rules-md.ts and commit the result.\n`);
    return 1;
  }
  fs.writeFileSync(file, renderRulesMd(rules));
  process.stdout.write(`wrote ${file} (${rules.length} rules)\n`);
  return 0;
}

if (require.main === module) {
  process.exitCode = runGenerateRulesMd(process.argv.slice(2));
}
