import * as fs from 'fs';
import * as path from 'path';
import { checkPaths } from '../../lib/cli/check';
import { evaluateCondition } from '../helpers/gcp-cel';

/**
 * Precision and recall on Terraform as people write it (not our constructs' output): each fixture in
 * test/fixtures/tf-plain is a small configuration with a reviewed verdict under its top-level "//".review:
 * the exact error findings (`RULE@address`), warnings it must include, and why. Least-privilege cases
 * expect no error; over-broad ones name the rule that must catch them. GCP conditions the verdict rests
 * on are evaluated with CEL, so "narrows to one bucket" or "matches every bucket" is shown, not assumed.
 */

interface Review {
  readonly errors: string[];
  readonly warnings?: string[];
  readonly why: string;
  readonly cel?: { expression: string; allows?: string[]; denies?: string[]; before?: string; after?: string };
}

const DIR = path.join(__dirname, '..', 'fixtures', 'tf-plain');
const CASES = fs.readdirSync(DIR).filter((f) => f.endsWith('.tf.json')).sort().map((f) => {
  const file = path.join(DIR, f);
  const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { '//': { review: Review } };
  return { name: f.replace(/\.tf\.json$/, ''), file, review: doc['//'].review, text: fs.readFileSync(file, 'utf8') };
});

describe('plain Terraform: reviewed verdicts', () => {
  test('the corpus holds least-privilege and over-broad cases of both clouds', () => {
    const pass = CASES.filter((c) => c.review.errors.length === 0).map((c) => c.name.split('-')[0]);
    const fail = CASES.filter((c) => c.review.errors.length > 0).map((c) => c.name.split('-')[0]);
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    for (const cloud of ['gcp', 'az']) {
      expect(pass.filter((x) => x === cloud).length).toBeGreaterThanOrEqual(10);
      expect(fail.filter((x) => x === cloud).length).toBeGreaterThanOrEqual(10);
    }
  });

  test.each(CASES.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const report = checkPaths([c.file]);
    const key = (f: { ruleId: string; resource?: string }) => `${f.ruleId}@${f.resource ?? ''}`;
    const errors = report.findings.filter((f) => f.severity === 'error');
    const shown = (fs: typeof errors) => fs.map((f) => `${key(f)}: ${f.message}`);
    expect({ errors: [...new Set(errors.map(key))].sort(), detail: shown(errors) }).toEqual({ errors: [...c.review.errors].sort(), detail: expect.anything() });
    const warnings = report.findings.filter((f) => f.severity === 'warning').map(key);
    expect(warnings).toEqual(expect.arrayContaining(c.review.warnings ?? []));
  });

  test.each(CASES.filter((c) => c.review.cel).map((c) => [c.name, c] as const))('%s: its condition evaluates as reviewed (CEL)', (_name, c) => {
    const cel = c.review.cel!;
    // The expression under review is the one the configuration binds.
    expect(c.text).toContain(JSON.stringify(cel.expression).slice(1, -1));
    const at = new Date('2026-12-03T12:00:00Z');
    for (const name of cel.allows ?? []) expect(evaluateCondition(cel.expression, at, name)).toBe(true);
    for (const name of cel.denies ?? []) expect(evaluateCondition(cel.expression, at, name)).toBe(false);
    if (cel.before) expect(evaluateCondition(cel.expression, new Date(cel.before))).toBe(true);
    if (cel.after) expect(evaluateCondition(cel.expression, new Date(cel.after))).toBe(false);
  });
});
