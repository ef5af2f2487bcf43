import { Baseline } from '../baseline/baseline';
import { Inventory } from '../inventory/inventory';
import { foldIntoAdminFindings } from './fold-into-admin';
import { Finding, Rule } from './rule';

/**
 * Run rules over an inventory. Severity and hardness come from the baseline (a severity it states
 * applies to every finding of the rule, warnings included); a rule that throws becomes an error
 * finding (the check fails closed instead of crashing synth). One finding per cause: what the
 * permission rules find on an identity already reported as admin is folded into its admin finding.
 */
export function runRules(inventory: Inventory, rules: readonly Rule[], baseline: Baseline): Finding[] {
  const findings: Finding[] = [];
  for (const rule of rules) {
    const severity = baseline.severityOf(rule.id, rule.severity);
    if (severity === 'off') continue;
    const hard = baseline.isHard(rule.id);
    // A severity the baseline states raises the rule's own warnings too; the rule's default does not.
    const raised = baseline.statesSeverity(rule.id) && severity === 'error';
    try {
      for (const raw of rule.evaluate(inventory, { baseline })) {
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
  return foldIntoAdminFindings(findings);
}

/** The finding id cdk-nag and acknowledgements use: `RuleId[detail]` or `RuleId`. */
export function findingId(f: Pick<Finding, 'ruleId' | 'detail'>): string {
  return f.detail ? `${f.ruleId}[${f.detail.replace(/::/g, ':')}]` : f.ruleId;
}
