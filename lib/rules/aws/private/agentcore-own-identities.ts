import { Inventory } from '../../../inventory/inventory';

/**
 * The workload identities Amazon Bedrock AgentCore creates for a runtime or gateway of the input.
 *
 * AgentCore Identity keeps every workload identity of an account in one directory
 * (`workload-identity-directory/default`). A runtime or gateway gets its own workload identity,
 * named after the runtime or gateway with a suffix the service generates, so the AgentCore
 * Developer Guide scopes a runtime's token actions to `workload-identity/<agentName>-*` (and CDK's
 * gateway outbound auth writes `workload-identity/<gatewayName>-*`). Like a Secrets Manager ARN
 * ending in `-??????`, such a pattern names one resource's identities whose full name cannot be
 * known before deployment: it counts as named when the name is a runtime's or gateway's of the input,
 * in a fixed region and account, and no other runtime or gateway of the input is named `<name>-…`
 * (whose identities the pattern would reach too). `workload-identity/*`, or a prefix no runtime or
 * gateway of the input carries, still reaches every agent's identities.
 */

const RUNTIME = 'AWS::BedrockAgentCore::Runtime';
const GATEWAY = 'AWS::BedrockAgentCore::Gateway';

/**
 * `arn:<partition>:bedrock-agentcore:<region>:<account>:workload-identity-directory/default/workload-identity/<name>-*`,
 * region and account fixed (literal, or the stack's own as the adapter writes it).
 */
const OWN_IDENTITY_PATTERN = /^arn:[a-z-]+:bedrock-agentcore:(?:[a-z0-9-]+|\$\{AWS::Region\}):(?:[0-9]{12}|\$\{AWS::AccountId\}):workload-identity-directory\/default\/workload-identity\/([A-Za-z0-9_.]+(?:-[A-Za-z0-9_.]+)*)-\*$/;

/** The names of the input's AgentCore runtimes and gateways (literal names only). */
function agentCoreNames(inventory: Inventory): Set<string> {
  const names = new Set<string>();
  for (const o of inventory.others) {
    const name = o.type === RUNTIME ? o.properties.AgentRuntimeName : o.type === GATEWAY ? o.properties.Name : undefined;
    if (typeof name === 'string' && name.length > 0) names.add(name);
  }
  return names;
}

/**
 * A test of whether a resource pattern names the workload identities of one AgentCore runtime or
 * gateway of `inventory`; the input's names are read on the first pattern of that shape only.
 */
export function ownWorkloadIdentities(inventory: Inventory): (resource: string) => boolean {
  let names: Set<string> | undefined;
  return (resource) => {
    const name = OWN_IDENTITY_PATTERN.exec(resource)?.[1];
    if (name === undefined) return false;
    names ??= agentCoreNames(inventory);
    // `gw-*` also reaches the identities of a gateway `gw-prod` of the input: then it names more than one resource's.
    return names.has(name) && ![...names].some((other) => other !== name && other.startsWith(`${name}-`));
  };
}
