import { Baseline } from '../baseline/baseline';
import { Inventory } from '../inventory/inventory';
import { foldIntoAdminFindings } from './fold-into-admin';
import { Finding, Rule } from './rule';

/** Rules that do not judge an identity AWS-001 reports as admin (they use `judgedSubjects`). */
const ADMIN_RULE = 'AWS-001';
const SKIPPING_ADMINS = ['AWS-004', 'AWS-006', 'AWS-007', 'AWS-008', 'AWS-012', 'AWS-015'];

/**
 * Run rules over an inventory. Severity and hardness come from the baseline (a severity it states
 * applies to every finding of the rule, warnings included); a rule that throws becomes an error
 * finding (the check fails closed instead of crashing synth). One finding per cause: what the
 * permission rules find on an identity already reported as admin is folded into its admin finding.
 */
export function runRules(inventory: Inventory, rules: readonly Rule[], baseline: Baseline): Finding[] {
  const findings: Finding[] = [];
  const adminReported = rules.some((r) => r.id === ADMIN_RULE) && baseline.severityOf(ADMIN_RULE, 'error') === 'error';
  for (const rule of rules) {
    const severity = baseline.severityOf(rule.id, rule.severity);
    if (severity === 'off') continue;
    const hard = baseline.isHard(rule.id);
    // A severity the baseline states raises the rule's own warnings too; the rule's default does not.
    const raised = baseline.statesSeverity(rule.id) && severity === 'error';
    try {
      for (const raw of rule.evaluate(inventory, { baseline, adminReported })) {
        findings.push({ ...raw, ruleId: rule.id, severity: raw.severity === 'warning' && !raised ? 'warning' : severity, hard });
      }
    } catch (e) {
      findings.push({
        ruleId: rule.id, detail: 'rule-error', severity: 'error', hard: false, cloud: rule.cloud === 'all' ? 'aws' : rule.cloud,
        resource: '(engine)', message: `rule ${rule.id} failed: ${(e as Error).message}`,
        fix: 'Report this as a bug; the check fails closed until it is fixed.',
      });
    }
  }
  // The identity-level permission rules skip admins (`judgedSubjects`): a hard one among them makes the admin finding hard.
  const skippedHard = SKIPPING_ADMINS.some((id) => rules.some((r) => r.id === id) && baseline.severityOf(id, 'error') !== 'off' && baseline.isHard(id));
  return foldIntoAdminFindings(findings, skippedHard);
}

/** The finding id cdk-nag and acknowledgements use: `RuleId[detail]` or `RuleId`. */
export function findingId(f: Pick<Finding, 'ruleId' | 'detail'>): string {
  return f.detail ? `${f.ruleId}[${f.detail.replace(/::/g, ':')}]` : f.ruleId;
}
