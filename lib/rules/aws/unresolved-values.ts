import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule, RuleContext } from '../rule';

/**
 * AWS-014: values the adapter could not resolve in IAM resources (a parameter without default,
 * `Fn::ImportValue`, an `Fn::If` on a deploy-time condition, an AWS-managed or external policy
 * ARN whose statements are unknown, a nested stack template it could not read). The other rules
 * see a placeholder there; this rule makes the gap visible, so the check fails closed.
 */
export const UNRESOLVED_VALUES: Rule = {
  id: 'AWS-014',
  cloud: 'aws',
  severity: 'error',
  reason: 'An IAM value cannot be resolved before deploy, so it cannot be checked.',
  explanation: 'The checks run on the synthesized template, offline. A value that is only known at deploy time (a parameter without '
    + 'default, an import from another stack, a condition on the region or account) may grant anything. Rather than assume it is '
    + 'safe, the check reports it. An AWS-managed policy is read from the managed-policy data; one the data lacks is an error (a typo '
    + 'or a policy newer than the data). A customer-managed policy defined outside the template is a warning (its grants are unknown; '
    + 'a baseline with `aws.unresolvedReferences: error` makes it an error), and so is a value chosen outside the template (an import '
    + 'from another stack, a parameter without default) that only names the resources of Allow statements: the other rules still judge '
    + 'it as an unknown resource (a credential return or an escalation on it stays an error). An attached policy ARN the template '
    + 'leaves open (`ManagedPolicyArns` by Fn::ImportValue, a parameter without default, any value that cannot be resolved) is that '
    + 'same external-policy warning; when the open value could also be an AWS-managed ARN, the message says it cannot then be checked '
    + 'against the managed-policy data. A permissions boundary defined outside the template can '
    + 'only narrow: it is analysed as absent and not reported here. Values that are known but account- or region-specific '
    + '(`AWS::AccountId`, `AWS::Region`) are kept as `${AWS::AccountId}` placeholders and are not reported. A SAM template '
    + '(`Transform: AWS::Serverless-2016-10-31`) is read as SAM deploys it: each function or state machine without `Role` gets the '
    + 'role SAM generates, with its managed policies by name, inline documents and policy templates (policies/aws-sam-policy-templates.json); '
    + 'an unknown policy template, a nested application, and any other macro are reported.',
  fix: 'Write the value into the template (a literal, or a reference to a resource of the same stack), or, when it truly comes from '
    + 'elsewhere, review it there and acknowledge this finding with a reason.',
  controls: [],
  evaluate(inventory: Inventory, context: RuleContext): RawFinding[] {
    // A reference that can only hide grants defined elsewhere is a warning unless the baseline says otherwise.
    const referenceSeverity = context.baseline.unresolvedReferenceSeverity('aws');
    return inventory.unresolved.filter((u) => u.cloud === 'aws').map((u) => {
      const [where, ...rest] = u.what.split(': ');
      return {
        ...(u.severity === 'warning' && referenceSeverity === 'warning' ? { severity: 'warning' as const } : {}),
        // The property path (`ManagedPolicyArns[1]`) is stable and short; never the value itself.
        detail: where.replace(/^Properties\./, '').replace(/::/g, ':'),
        cloud: 'aws', resource: u.source.resource, stack: u.source.stack, file: u.source.file, path: u.source.path,
        message: `${u.source.resource} ${where}: ${rest.join(': ') || 'a value that cannot be resolved'}.`,
        fix: 'Resolve the value in the template, or review it where it is defined and acknowledge with a reason.',
      } as RawFinding;
    });
  },
};
