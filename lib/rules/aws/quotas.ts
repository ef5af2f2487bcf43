import { Inventory, PolicyDocumentEntry } from '../../inventory/inventory';
import { RawFinding, Rule, RuleContext } from '../rule';
import { awsIdentities, identityFinding, policyFinding } from './private/grant-findings';
import { appendTo } from '../../private/append-to';

/**
 * AWS-013: IAM and CloudFormation quotas, checked before deploy (a deploy that fails halfway
 * leaves a stack to roll back). Limits come from the baseline (`quotas.aws.*`), so an account
 * with raised quotas can say so.
 */
export const QUOTAS: Rule = {
  id: 'AWS-013',
  cloud: 'aws',
  severity: 'error',
  reason: 'A policy, role or stack exceeds an AWS quota and would fail to deploy.',
  explanation: 'AWS rejects a managed policy over 6,144 characters, inline policies of one role over 10,240 characters together, a trust '
    + 'policy over 2,048 (raisable to 4,096), more than 10 managed policies on a role (raisable to 20), and a stack of more than 500 '
    + 'resources; whitespace is not counted. Generated least-privilege policies for many tools hit these limits. The limits are '
    + 'read from the baseline (quotas `aws.managedPolicyChars`, `aws.inlinePolicyCharsPerRole`, `aws.trustPolicyChars`, '
    + '`aws.managedPoliciesPerRole`, `aws.resourcesPerStack`). Sizes are measured on the template, with unresolved references '
    + 'counted at their placeholder length, so a policy close to the limit may still differ slightly at deploy.',
  fix: 'Split the policy or the role (one tool per role), merge statements on the same resources, or move resources to another stack; '
    + 'if the account\'s quota was raised, set it in the baseline.',
  controls: ['aws-cdk #19276'],
  evaluate(inventory: Inventory, context: RuleContext): RawFinding[] {
    const q = (key: string) => context.baseline.quota(key);
    const findings: RawFinding[] = [];
    const managedMax = q('aws.managedPolicyChars');
    for (const p of inventory.policies) {
      if (p.cloud === 'aws' && p.kind === 'aws-customer-managed-policy' && (p.sizeChars ?? 0) > managedMax) {
        findings.push(policyFinding(p, 'managed-policy-size', `managed policy ${p.name ?? p.source.resource} is ${p.sizeChars} characters; AWS allows ${managedMax}.`,
          'Split it into two managed policies, or merge statements that share resources.'));
      }
    }
    const inlineMax = q('aws.inlinePolicyCharsPerRole');
    const trustMax = q('aws.trustPolicyChars');
    const managedCountMax = q('aws.managedPoliciesPerRole');
    const attachedTo = new Map<string, PolicyDocumentEntry[]>();
    for (const p of inventory.policies) {
      if (p.cloud !== 'aws') continue;
      for (const id of p.attachedTo) appendTo(attachedTo, id, p);
    }
    for (const role of awsIdentities(inventory).filter((i) => i.kind === 'aws-iam-role')) {
      // Inline characters and managed policies counted in one pass over what is attached.
      let inline = 0;
      let managedCount = 0;
      for (const p of attachedTo.get(role.id) ?? []) {
        if (p.kind === 'aws-inline-policy') inline += p.sizeChars ?? 0;
        else managedCount++;
      }
      const name = role.source.resource;
      if (inline > inlineMax) {
        findings.push(identityFinding(role, 'inline-policy-size', `inline policies of role ${name} total ${inline} characters; AWS allows ${inlineMax} per role.`,
          'Move statements into a customer-managed policy, or split the role.'));
      }
      if ((role.trustPolicyChars ?? 0) > trustMax) {
        findings.push(identityFinding(role, 'trust-policy-size', `trust policy of role ${name} is ${role.trustPolicyChars} characters; the quota is ${trustMax}.`,
          'Trust fewer principals (one broker), or raise the quota (up to 4,096) and set it in the baseline.'));
      }
      if (managedCount > managedCountMax) {
        findings.push(identityFinding(role, 'managed-policy-count', `role ${name} has ${managedCount} managed policies attached; the quota is ${managedCountMax}.`,
          'Merge managed policies or split the role, or raise the quota (up to 20) and set it in the baseline.'));
      }
    }
    const stackMax = q('aws.resourcesPerStack');
    for (const [stack, count] of Object.entries(inventory.stackResourceCounts)) {
      if (count > stackMax) {
        findings.push({ detail: 'stack-resources', cloud: 'aws', resource: stack, stack, message: `stack ${stack} has ${count} resources; CloudFormation allows ${stackMax}.`,
          fix: 'Move resources into another stack or a nested stack.' });
      }
    }
    return findings;
  },
};
