import { forbiddenEntryFor } from '../baseline/forbidden';
import { Baseline } from '../baseline/baseline';
import { loadCatalog } from '../catalogs/catalog';
import { GuardrailError } from '../errors';
import { AccessLevel } from '../model/access-level';
import { AwsEnvironmentProps } from '../model/environment';
import { codedTierContractViolations } from '../model/tier-contract';
import { AgentTier } from '../model/tier';
import { AwsToolPermissions, Tool } from '../model/tool';
import { looksUnresolved } from '../private/tokens';
import { awsActions, hasWildcard } from './action-catalog';
import { pushAll } from '../private/push-all';

/** One broken rule: a stable code plus the standard message (`<field> <rule>; got <value>. <fix>`). */
export interface AwsToolViolation {
  readonly code: string;
  readonly message: string;
}

/** What a tool is checked against. */
export interface AwsToolContext {
  readonly agentName: string;
  readonly environmentName: string;
  /** The environment's AWS placement (account and regions). */
  readonly environment: AwsEnvironmentProps;
  readonly baseline: Baseline;
  /**
   * Other accounts whose resources a tool may declare: the environment's stated cross-account opt-in.
   * @default - none
   */
  readonly otherAccounts?: readonly string[];
}

/** Access levels a read tool may hold: anything else changes state. */
const READ_ONLY_LEVELS = new Set(['List', 'Read']);

/**
 * Construct-time checks of one tool's AWS permissions (cloud-specific; the tier contract is
 * `awsAgentViolations`). Returns every violation, not just the first, with a stable code.
 */
export function awsToolViolations(tool: Tool, ctx: AwsToolContext): AwsToolViolation[] {
  return awsPermissionViolations(tool.name, tool.accessLevel, tool.aws, ctx);
}

/**
 * The same checks over a tool's parts, e.g. with token values resolved at synth.
 */
export function awsPermissionViolations(toolName: string, accessLevel: AccessLevel, permissions: AwsToolPermissions | undefined, ctx: AwsToolContext): AwsToolViolation[] {
  const out: AwsToolViolation[] = [];
  const field = `Agent(${ctx.agentName}).tools[${toolName}].aws`;
  const add = (code: string, f: string, rule: string, value: unknown, fix: string) => out.push({ code, message: GuardrailError.format(f, rule, value, fix) });

  if (!permissions) {
    add('AG_TOOL_NO_AWS', field, 'must be set for an AWS agent identity', undefined, 'Declare aws: { actions, resources } on the tool.');
    return out;
  }
  const { actions, resources } = permissions;
  if (actions.length === 0) add('AG_TOOL_NO_ACTIONS', `${field}.actions`, 'must hold at least one action', actions, 'List the exact IAM actions the tool calls, e.g. ["ecs:DescribeServices"].');
  if (resources.length === 0) add('AG_TOOL_NO_RESOURCES', `${field}.resources`, 'must hold at least one resource', resources, 'List the exact resource ARNs, or ["*"] for actions that support no resource type.');

  const resourceLevel: string[] = [];
  for (const action of actions) {
    if (looksUnresolved(action)) continue; // tokens: checked by the construct at synth
    if (action === '*' || hasWildcard(action)) {
      add('AG_TOOL_WILDCARD_ACTION', `${field}.actions`, 'must not hold wildcards', action, 'Name each action exactly (service:Action); a wildcard grants actions AWS adds later.');
      continue;
    }
    const info = awsActions().action(action);
    if (!info) {
      add('AG_TOOL_UNKNOWN_ACTION', `${field}.actions`, 'must hold real IAM actions (service:Action)', action, 'Check the spelling against the AWS Service Authorization Reference.');
      continue;
    }
    const forbiddenBy = forbiddenEntryFor(ctx.baseline.forbiddenAwsActions, info.action);
    if (forbiddenBy) {
      add('AG_TOOL_FORBIDDEN_ACTION', `${field}.actions`, `holds an action baseline ${ctx.baseline.id} forbids (forbidden.aws.actions: ${forbiddenBy})`, action,
        'Remove the action; the baseline forbids it for every agent (a tool holding it would deploy and always be denied by the boundary).');
    }
    if (accessLevel === AccessLevel.READ && !READ_ONLY_LEVELS.has(info.accessLevel)) {
      add('AG_TOOL_READ_WRITES', `${field}.actions`, `must be List/Read actions in a read tool (${info.action} is ${info.accessLevel})`, action, 'Move the action to a Tool.write or Tool.destructive tool: read and write never share an identity.');
    }
    if (!info.wildcardOnly) resourceLevel.push(info.action);
  }
  if (resources.includes('*') && resourceLevel.length > 0) {
    add('AG_TOOL_WILDCARD_RESOURCE', `${field}.resources`, `must not be "*" for actions that support resource-level permissions (${resourceLevel.join(', ')})`, '*',
      'Name the resource ARNs; put wildcard-only actions (e.g. xray:PutTraceSegments) in a tool of their own if they need "*".');
  }
  for (const arn of resources) {
    if (looksUnresolved(arn) || arn === '*') continue;
    pushAll(out, arnEnvironmentViolations(arn, `${field}.resources`, ctx));
  }
  return out;
}

/**
 * Environment isolation of one declared ARN: a concrete account or region that is not the
 * environment's is refused, and so is a wildcard there (it reaches every account or region).
 */
export function arnEnvironmentViolations(arn: string, field: string, ctx: AwsToolContext): AwsToolViolation[] {
  const out: AwsToolViolation[] = [];
  const parts = arn.split(':');
  if (parts.length < 6 || parts[0] !== 'arn') {
    return [{ code: 'AG_TOOL_BAD_ARN', message: GuardrailError.format(field, 'must hold ARNs (arn:partition:service:region:account:resource) or "*"', arn, 'Write the full ARN of the resource.') }];
  }
  const [, , , region, account] = parts;
  const env = ctx.environment;
  if (hasWildcard(account) || hasWildcard(region)) {
    out.push({ code: 'AG_TOOL_OTHER_ENVIRONMENT', message: GuardrailError.format(field, `must not use a wildcard account or region (environment ${ctx.environmentName})`, arn,
      `Write the account ${env.account} and one of the regions ${env.regions.join(', ')}.`) });
    return out;
  }
  if (account && !looksUnresolved(env.account) && account !== env.account && !(ctx.otherAccounts ?? []).includes(account)) {
    out.push({ code: 'AG_TOOL_OTHER_ENVIRONMENT', message: GuardrailError.format(field, `must name resources of environment ${ctx.environmentName} (account ${env.account})`, arn,
      'Declare this environment\'s resource; an identity of one environment never reaches another\'s (a deliberate cross-account resource needs the environment\'s crossAccount opt-in).') });
  }
  if (region && !env.regions.some(looksUnresolved) && !env.regions.includes(region)) {
    out.push({ code: 'AG_TOOL_OTHER_ENVIRONMENT', message: GuardrailError.format(field, `must name resources in the regions of environment ${ctx.environmentName} (${env.regions.join(', ')})`, arn,
      'Use one of the environment\'s regions, or add the region to Environment.aws.regions.') });
  }
  return out;
}

/**
 * The tier contract of an AWS agent (tier ceilings, advisor writes = proposal actions only,
 * duplicates, approvals, windows), with stable codes.
 */
export function awsAgentViolations(agentName: string, tier: AgentTier, tools: readonly Tool[], baseline: Baseline): AwsToolViolation[] {
  const proposals = new Set((loadCatalog('proposal-actions').aws ?? []).map((a) => a.toLowerCase()));
  const isProposalOnly = (tool: Tool) => (tool.aws?.actions ?? []).every((a) => proposals.has(a.toLowerCase()));
  return codedTierContractViolations(agentName, tier, tools, baseline, isProposalOnly);
}

/** The violations of one tool, as messages (for construct validations, nag rules and the CLI). */
export function validateAwsTool(tool: Tool, ctx: AwsToolContext): string[] {
  return awsToolViolations(tool, ctx).map((v) => v.message);
}
