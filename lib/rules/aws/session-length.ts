import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule, RuleContext } from '../rule';
import { awsIdentities, identityFinding } from './private/grant-findings';

/**
 * AWS-011: a role's `MaxSessionDuration` (3600 s when absent, as AWS applies) is within the
 * baseline's `session.maxSessionSeconds`. A value the adapter could not resolve is AWS-014's.
 */
export const SESSION_LENGTH: Rule = {
  id: 'AWS-011',
  cloud: 'aws',
  severity: 'error',
  reason: 'A role allows sessions longer than the baseline\'s maximum.',
  explanation: 'Credentials of a role session stay valid until they expire, even after the role is changed or the agent is stopped '
    + '(revoking needs a deny on old sessions). The shorter the maximum, the smaller the window a leaked or misused credential gives. '
    + 'MaxSessionDuration is the longest session anyone can request; AWS applies 3600 seconds when it is absent.',
  fix: 'Set MaxSessionDuration to the baseline\'s maximum or less (the broker requests 15-minute sessions).',
  controls: [],
  evaluate(inventory: Inventory, context: RuleContext): RawFinding[] {
    const max = context.baseline.maxSessionSeconds;
    return awsIdentities(inventory)
      .filter((r) => r.kind === 'aws-iam-role' && r.maxSessionSeconds !== undefined && r.maxSessionSeconds > max)
      .map((r) => identityFinding(r, 'MaxSessionDuration',
        `role ${r.source.resource} allows sessions of ${r.maxSessionSeconds} s; the baseline allows at most ${max} s.`,
        `Set MaxSessionDuration to ${max} or less.`));
  },
};
