import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { otherLocation, stringsOf } from './private/resource-documents';

/**
 * AWS-018: resources the checks cannot see into, said out loud rather than skipped: custom
 * resources (a Lambda function does whatever it does at deploy, IAM included), and instance
 * profiles that hand an EC2 instance a role defined elsewhere.
 */
export const UNCHECKED_RESOURCES: Rule = {
  id: 'AWS-018',
  cloud: 'aws',
  severity: 'warning',
  reason: 'A resource may grant access at deploy time in a way the checks cannot see.',
  explanation: 'A custom resource (`Custom::*`, `AWS::CloudFormation::CustomResource`) runs code at deploy time, and that code may '
    + 'create or change IAM principals and policies. An instance profile for a role that is not in the checked templates gives '
    + 'instances permissions the checks never read. Neither is necessarily wrong, but a reviewer should know they were not checked.',
  fix: 'Review what the custom resource\'s function does, or the external role, and acknowledge this warning with a reason.',
  controls: [],
  evaluate(inventory: Inventory): RawFinding[] {
    const out: RawFinding[] = [];
    const known = new Set<string>();
    for (const i of inventory.identities) {
      if (i.cloud !== 'aws') continue;
      known.add(i.source.resource);
      if (i.name) known.add(i.name);
    }
    for (const r of inventory.others) {
      if (r.cloud !== 'aws') continue;
      if (r.type.startsWith('Custom::') || r.type === 'AWS::CloudFormation::CustomResource') {
        out.push({
          ...otherLocation(r), detail: 'custom-resource',
          message: `${r.source.resource} (${r.type}) runs code at deploy time that may create or change IAM access; it is not checked.`,
          fix: 'Review the function behind its ServiceToken, and acknowledge this warning with a reason.',
        });
      } else if (r.type === 'AWS::IAM::InstanceProfile') {
        const external = stringsOf(r.properties.Roles).filter((name) => !known.has(placeholderId(name) ?? name));
        if (external.length > 0) {
          out.push({
            ...otherLocation(r), detail: 'instance-profile-external-role',
            message: `${r.source.resource} (AWS::IAM::InstanceProfile) hands instances role ${external.join(', ')}, which is not in the checked templates; its permissions are not checked.`,
            fix: 'Check the template that defines the role, or acknowledge this warning with a reason.',
          });
        }
      }
    }
    return out;
  },
};

/** `${LogicalId}` (how the adapter writes a reference to a resource of the same template) → `LogicalId`. */
function placeholderId(value: string): string | undefined {
  return /^\$\{([A-Za-z0-9]+)\}$/.exec(value)?.[1];
}
