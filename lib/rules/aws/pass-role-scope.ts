import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { adminForm } from './private/admin';
import { awsAllowGrants, allowsAction, grantFinding, grantOrigin, requiredValues } from './private/grant-findings';

/** A role ARN without wildcards (the account may be the `${AWS::AccountId}` placeholder). */
const ROLE_ARN = /^arn:[a-z-]+:iam::(\d*|\$\{AWS::AccountId\}):role\/[^*?]+$/;

/**
 * AWS-005: `iam:PassRole` names role ARNs and carries `iam:PassedToService`. Applies to every
 * Allow that lets PassRole through, written as `iam:PassRole`, a pattern, `*`, or NotAction.
 */
export const PASS_ROLE_SCOPE: Rule = {
  id: 'AWS-005',
  cloud: 'aws',
  severity: 'error',
  reason: 'iam:PassRole is granted on unnamed roles or without an iam:PassedToService condition.',
  explanation: 'PassRole lets the holder hand a role to a service (Lambda, EC2, ECS, Glue, …) that then runs with that role\'s '
    + 'permissions. On `*` or a role pattern, any role in the account can be passed, including admin ones: the classic '
    + 'privilege-escalation step. Without `iam:PassedToService` the role can be passed to any service, including ones that run '
    + 'the caller\'s code. Role ARNs are required to be exact (no `*` or `?`).',
  fix: 'Scope iam:PassRole to the exact role ARNs and add a condition { "StringEquals": { "iam:PassedToService": "<service>.amazonaws.com" } }.',
  controls: ['Access Analyzer PASS_ROLE_WITH_STAR_IN_RESOURCE', 'cfn_nag F38', 'Parliament'],
  evaluate(inventory: Inventory): RawFinding[] {
    const findings: RawFinding[] = [];
    for (const grant of awsAllowGrants(inventory)) {
      // Admin statements are AWS-001's (hard); repeating them here adds noise, not safety.
      if (adminForm(grant) || !allowsAction(grant, 'iam:PassRole')) continue;
      const problems: string[] = [];
      const loose = grant.notResources ? ['NotResource'] : grant.resources.filter((r) => !ROLE_ARN.test(r));
      if (loose.length > 0) problems.push(`on ${loose.map((r) => JSON.stringify(r)).join(', ')}, which ${loose.length > 1 ? 'are' : 'is'} not an exact role ARN`);
      const services = requiredValues(grant.condition, 'iam:PassedToService');
      if (!services || services.length === 0) problems.push('without an iam:PassedToService condition');
      else if (services.some((s) => s === '*' || /^[*?]/.test(s))) problems.push(`with iam:PassedToService ${JSON.stringify(services)}, which matches any service`);
      if (problems.length === 0) continue;
      findings.push(grantFinding(grant, 'iam:PassRole', `${grantOrigin(grant)} grants iam:PassRole ${problems.join(' and ')}.`,
        'Grant iam:PassRole only on the exact role ARNs to pass, with { "StringEquals": { "iam:PassedToService": "<service>.amazonaws.com" } }.'));
    }
    return findings;
  },
};
