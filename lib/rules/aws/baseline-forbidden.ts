import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule, RuleContext } from '../rule';
import { expandPattern } from './private/effective-permissions';
import { judgedSubjects } from './private/admin';

/**
 * AWS-015: no agent identity may still be allowed an action its baseline's `forbidden.aws.actions`
 * lists. Wildcards count both ways: a forbidden `ecs:*` catches `ecs:UpdateService`, and a granted
 * `ecs:*` catches a forbidden `ecs:UpdateService`. Judged by effect (after Deny statements and the
 * permissions boundary, which the constructs give a Deny of the forbidden list).
 */
export const BASELINE_FORBIDDEN_ACTIONS: Rule = {
  id: 'AWS-015',
  cloud: 'aws',
  severity: 'error',
  reason: 'An agent identity is allowed an action the baseline forbids (forbidden.aws.actions).',
  explanation: 'A security team lists, in its baseline, actions no agent may hold. The list is checked against what each agent '
    + 'identity is still allowed after its Deny statements and permissions boundary, with wildcards on either side: a forbidden '
    + '`ecs:*` covers every ECS action, and a granted `ecs:*` or `ecs:Update*` holds a forbidden `ecs:UpdateService`. '
    + 'The constructs refuse such a tool at construction; this rule catches grants added later and templates written by hand.',
  fix: 'Remove the forbidden action from the identity\'s policies (narrow a wildcard so that it no longer covers it), or deny it.',
  controls: [],
  evaluate(inventory: Inventory, context: RuleContext): RawFinding[] {
    const { baseline } = context;
    const forbidden = baseline.forbiddenAwsActions;
    if (forbidden.length === 0) return [];
    // Each entry as the real actions it names; an entry the catalog does not know is tested as written.
    const named = forbidden.map((entry) => {
      const known = expandPattern(entry).map((info) => info.action);
      return { entry, actions: known.length > 0 ? known : [entry] };
    });
    const findings: RawFinding[] = [];
    for (const perms of judgedSubjects(inventory, context)) {
      if (!perms.subject.isAgent) continue;
      for (const { entry, actions } of named) {
        const held = actions.filter((a) => perms.isAllowed(a));
        if (held.length === 0) continue;
        const shown = held.length > 5 ? `${held.slice(0, 5).join(', ')} and ${held.length - 5} more` : held.join(', ');
        findings.push(perms.finding(entry,
          `agent identity ${perms.subject.resource} is allowed ${shown}, which baseline ${baseline.id} ${baseline.version} forbids (forbidden.aws.actions: ${entry}).`,
          `Remove ${held.length === 1 ? held[0] : 'these actions'} from ${perms.subject.resource}'s policies, or narrow the wildcard that grants ${held.length === 1 ? 'it' : 'them'}.`));
      }
    }
    return findings;
  },
};
