import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { adminForm } from './private/admin';
import { narrowingEntries } from '../../aws/condition-narrowing';
import { awsAllowStatements, allowsAction, grantFinding, grantOrigin, requiredValues } from './private/grant-findings';
import { AS_AWS_DESIGNED, AWS_DESIGNED_EXPLANATION, grantHeldAsAwsDesigned } from './private/aws-designed';

/** A role ARN without wildcards (the account may be the `${AWS::AccountId}` placeholder). */
const ROLE_ARN = /^arn:[a-z-]+:iam::(\d*|\$\{AWS::AccountId\}):role\/[^*?]+$/;

/**
 * AWS-005: `iam:PassRole` names role ARNs and carries `iam:PassedToService`. Applies to every
 * Allow that lets PassRole through, written as `iam:PassRole`, a pattern, `*`, or NotAction. An
 * error when any role can be passed to any service (a PassedToService that narrows nothing, such
 * as `StringEqualsIfExists` or `"*"`, does not count); a warning when only one of the two holds.
 */
export const PASS_ROLE_SCOPE: Rule = {
  id: 'AWS-005',
  cloud: 'aws',
  severity: 'error',
  reason: 'iam:PassRole is granted on unnamed roles or without an iam:PassedToService condition.',
  explanation: 'PassRole lets the holder hand a role to a service (Lambda, EC2, ECS, Glue, …) that then runs with that role\'s '
    + 'permissions. On `*` or a role pattern, any role in the account can be passed, including admin ones: the classic '
    + 'privilege-escalation step. Without `iam:PassedToService` the role can be passed to any service, including ones that run '
    + 'the caller\'s code. Role ARNs are required to be exact (no `*` or `?`).' + AWS_DESIGNED_EXPLANATION,
  fix: 'Scope iam:PassRole to the exact role ARNs and add a condition { "StringEquals": { "iam:PassedToService": "<service>.amazonaws.com" } }.',
  controls: ['Access Analyzer PASS_ROLE_WITH_STAR_IN_RESOURCE', 'cfn_nag F38', 'Parliament'],
  evaluate(inventory: Inventory): RawFinding[] {
    const findings: RawFinding[] = [];
    for (const grant of awsAllowStatements(inventory)) {
      // Admin statements are AWS-001's (hard); repeating them here adds noise, not safety.
      if (adminForm(grant) || !allowsAction(grant, 'iam:PassRole')) continue;
      const loose = grant.notResources ? ['NotResource'] : grant.resources.filter((r) => !namesRoles(r));
      const services = narrowingEntries(grant.condition, 'route').filter((e) => e.key.toLowerCase() === 'iam:passedtoservice');
      const written = requiredValues(grant.condition, 'iam:PassedToService');
      const serviceProblem = services.length > 0 ? undefined
        : written && written.length > 0 ? `with an iam:PassedToService condition that narrows nothing (${JSON.stringify(grant.condition)})` : 'without an iam:PassedToService condition';
      if (loose.length === 0 && !serviceProblem) continue;
      const problems = [
        ...(loose.length > 0 ? [`on ${loose.map((r) => JSON.stringify(r)).join(', ')}, which ${loose.length > 1 ? 'are' : 'is'} not an exact role ARN`] : []),
        ...(serviceProblem ? [serviceProblem] : []),
      ];
      // Any role, to any service: the escalation step itself. Named roles (whose own trust decides the service),
      // or any role but only to a named service, are a warning; AWS-004 judges the paths they complete.
      const asDesigned = loose.length > 0 && serviceProblem !== undefined && grantHeldAsAwsDesigned(grant, inventory);
      const severity = loose.length > 0 && serviceProblem && !asDesigned ? undefined : 'warning';
      findings.push(grantFinding(grant, 'iam:PassRole', `${grantOrigin(grant)} grants iam:PassRole ${problems.join(' and ')}${asDesigned ? AS_AWS_DESIGNED : ''}.`,
        'Grant iam:PassRole only on the exact role ARNs to pass, with { "StringEquals": { "iam:PassedToService": "<service>.amazonaws.com" } }.', severity));
    }
    return findings;
  },
};

/**
 * A resource that names roles: an exact role ARN, a role of this template (`${Role.Arn}`), or the
 * service-linked roles of one service (`role/aws-service-role/<service>/…`: AWS defines their trust
 * and permissions, so passing them hands nothing over).
 */
function namesRoles(resource: string): boolean {
  if (ROLE_ARN.test(resource) || /^\$\{(?!AWS::)[A-Za-z0-9]+\.Arn\}$/.test(resource)) return true;
  return /^arn:[a-z-]+:iam::[^:]*:role\/aws-service-role\/[a-z0-9.-]+\.amazonaws\.com\//.test(resource);
}
