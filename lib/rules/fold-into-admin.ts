import { Finding } from './rule';

/** The rule whose error findings say an identity is an administrator. */
const ADMIN_RULE = 'AWS-001';

/**
 * Findings that judge what an identity may do (a wildcard, an escalation path, a credential
 * read, ...): on an administrator each is one more way of saying "it can do everything". By rule,
 * the detail prefixes that are about permissions (`undefined`: every finding of the rule). Trust,
 * boundary, session, quota and declaration findings are other causes and stay.
 */
export const PERMISSION_FINDINGS: Readonly<Record<string, readonly string[] | undefined>> = {
  'AWS-002': undefined,
  'AWS-003': undefined,
  'AWS-004': undefined,
  'AWS-005': undefined,
  'AWS-006': undefined,
  'AWS-007': undefined,
  'AWS-008': undefined,
  'AWS-012': undefined,
  'AWS-015': undefined,
  'AGENT-001': ['action:', 'not-action', 'resource:'],
  'AGENT-003': ['observer:', 'advisor:', 'operator-undeclared:', 'support-tickets:'],
  'AGENT-004': ['destructive:'],
  'AGENT-005': ['can-modify:'],
  'AGENT-008': ['placement:', 'named:'],
};

function isPermissionFinding(f: Finding): boolean {
  if (!(f.ruleId in PERMISSION_FINDINGS)) return false;
  const prefixes = PERMISSION_FINDINGS[f.ruleId];
  return prefixes === undefined || prefixes.some((p) => (f.detail ?? '').startsWith(p));
}

/**
 * One finding per cause: an identity reported as admin (an AWS-001 error) gets nothing more from
 * the rules that judge its permissions. The identity-level ones (AWS-004/006/007/008/012/015) skip
 * it (`judgedSubjects`); what the others found on it is folded into its admin finding, whose
 * message counts them by rule. Fail closed: the admin finding becomes hard when a folded finding
 * was, or when `skippedHard` says a rule that skipped it is hard, so folding never lets an
 * acknowledgement hide what the baseline says cannot be hidden. An identity with several admin
 * findings (an inline `*` and AdministratorAccess) keeps them all; the note goes on the first.
 */
export function foldIntoAdminFindings(findings: readonly Finding[], skippedHard = false): Finding[] {
  const admins = new Map<string, number>();
  findings.forEach((f, i) => {
    if (f.ruleId === ADMIN_RULE && f.severity === 'error' && f.identity !== undefined && !admins.has(f.identity)) admins.set(f.identity, i);
  });
  if (admins.size === 0) return [...findings];
  const folded = new Map<number, { byRule: Map<string, number>; hard: boolean }>([...admins.values()].map((i) => [i, { byRule: new Map(), hard: skippedHard }]));
  const kept: (Finding | undefined)[] = [...findings];
  findings.forEach((f, i) => {
    const target = f.identity === undefined ? undefined : admins.get(f.identity);
    if (target === undefined || !isPermissionFinding(f)) return;
    const into = folded.get(target)!;
    into.byRule.set(f.ruleId, (into.byRule.get(f.ruleId) ?? 0) + 1);
    into.hard ||= f.hard;
    kept[i] = undefined;
  });
  for (const [i, { byRule, hard }] of folded) {
    const admin = findings[i];
    const counts = [...byRule].sort(([a], [b]) => a.localeCompare(b)).map(([rule, n]) => `${rule} ×${n}`).join(', ');
    kept[i] = {
      ...admin, hard: admin.hard || hard,
      message: `${admin.message} An administrator holds every escalation path, credential and data read, so the permission rules report nothing more on it${counts ? ` (folded into this finding: ${counts})` : ''}.`,
    };
  }
  return kept.filter((f): f is Finding => f !== undefined);
}
