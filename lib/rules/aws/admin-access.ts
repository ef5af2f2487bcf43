import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { adminForm, NOT_ACTION_ADMIN_SHARE } from './private/admin';
import { awsAllowGrants, grantFinding, grantOrigin, policyFinding } from './private/grant-findings';

/**
 * AWS-001: no Allow of every action on every resource, in any form: literal `*`, an Allow with a
 * short `NotAction` list on `*`, the AWS-managed AdministratorAccess (however its ARN is written),
 * or a permissions boundary that is itself admin (a ceiling that caps nothing).
 */
export const ADMIN_ACCESS: Rule = {
  id: 'AWS-001',
  cloud: 'aws',
  severity: 'error',
  reason: 'An identity is granted administrator access (every action on every resource), or its permissions boundary allows everything.',
  explanation: 'Admin access makes every other guardrail moot: the holder can change its own policies, boundary, trust and the logs. '
    + 'It hides in several forms: `Action: "*"` on `Resource: "*"`, an Allow with `NotAction` that excludes only a few services '
    + `(more than ${NOT_ACTION_ADMIN_SHARE * 100}% of AWS actions left, e.g. PowerUserAccess), the AWS-managed AdministratorAccess policy `
    + '(also when its ARN is built with Fn::Join or Fn::Sub), and a permissions boundary that allows everything, which caps nothing. '
    + 'A condition on the statement does not make it less than admin.',
  fix: 'Grant the specific actions on the specific resources the identity needs; for a boundary, allow only the agent\'s declared actions.',
  controls: ['CKV_AWS_1', 'CKV_AWS_62', 'IAMPolicyNoStatementsWithAdminAccess', 'AwsSolutions-IAM4'],
  evaluate(inventory: Inventory): RawFinding[] {
    const findings: RawFinding[] = [];
    for (const grant of awsAllowGrants(inventory)) {
      const form = adminForm(grant);
      if (!form) continue;
      const who = grant.identityId ? grant.identityId.split('/').pop() : grant.principal;
      const managed = grant.via === 'aws-managed-policy' ? grant.policyId?.split('/aws-managed/')[1] : undefined;
      findings.push(grantFinding(grant, managed ?? form,
        `${grantOrigin(grant)} grants ${who} administrator access (${form === '*' ? 'every action' : `NotAction ${JSON.stringify(grant.notActions)}, which leaves nearly every action`} on every resource).`,
        managed
          ? `Detach ${managed} from ${who} and attach a policy with the specific actions and resources it needs.`
          : 'Replace the statement with the specific actions and resource ARNs the identity needs.'));
    }
    for (const policy of inventory.policies) {
      if (policy.cloud !== 'aws' || policy.boundaryOf.length === 0) continue;
      const form = policy.statements.map(adminForm).find((f) => f !== undefined);
      if (!form) continue;
      findings.push(policyFinding(policy, 'boundary',
        `permissions boundary ${policy.name ?? policy.source.resource} allows ${form === '*' ? 'every action' : 'nearly every action (NotAction)'} on every resource, so it caps nothing for ${policy.boundaryOf.map((i) => i.split('/').pop()).join(', ')}.`,
        'Make the boundary allow only the actions the agent\'s tools declare (the AgentIdentity construct builds one), keeping its Deny statements.'));
    }
    return findings;
  },
};
