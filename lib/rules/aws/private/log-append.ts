import { Component } from '../../../model/tags';
import { Grant, Identity, Inventory } from '../../../inventory/inventory';
import { awsAllowGrants, statementKey } from './grant-findings';
import { actionMatches, isAgentIdentity } from './effective-permissions';

/**
 * Appending to CloudWatch Logs: creating a group or stream and putting events. On `"*"` (or every
 * log group of an account) it reaches every log group, audit and alarm groups included, and only
 * writes lines: no read, no delete, no permission change. AWS's own execution policies
 * (`AWSLambdaBasicExecutionRole`, `AmazonEC2ContainerServiceforEC2Role`) grant exactly this, so it is
 * judged by who holds it, the same inline or AWS-managed: a warning for an ordinary identity, an error
 * for an agent's tool or broker role (an agent that can write any log group can forge audit lines).
 */
const LOG_APPEND = new Set(['logs:createloggroup', 'logs:createlogstream', 'logs:putlogevents']);

export function isLogAppend(action: string): boolean {
  return LOG_APPEND.has(action.toLowerCase());
}

/** Whether an action pattern as written matches a log append (checked before expanding a large AWS-managed policy). */
export function matchesLogAppend(pattern: string): boolean {
  // Most patterns of a large AWS-managed policy name another service: their first character already says so.
  const first = pattern.charAt(0);
  if (first !== 'l' && first !== 'L' && first !== '*' && first !== '?') return false;
  for (const action of LOG_APPEND) if (actionMatches(pattern, action)) return true;
  return false;
}

/** The narrower resource the message names: one log group and its streams. */
export const LOG_GROUP_ARN = 'arn:aws:logs:REGION:ACCOUNT:log-group:NAME:*';

/** Whether the identity is an agent's tool role or its credential broker (what the AGENT-* rules guard). */
export function isAgentOrBroker(identity: Identity): boolean {
  return isAgentIdentity(identity) || identity.labels.component === Component.BROKER;
}

const AGENT_HELD = new WeakMap<Inventory, ReadonlySet<string>>();

/** Whether any holder of the grant's statement (a policy may be attached to several) is an agent or broker role. */
export function heldByAgent(grant: Grant, inventory: Inventory): boolean {
  let keys = AGENT_HELD.get(inventory);
  if (!keys) {
    const agents = new Set(inventory.identities.filter((i) => i.cloud === 'aws' && isAgentOrBroker(i)).map((i) => i.id));
    keys = new Set(agents.size === 0 ? [] : awsAllowGrants(inventory).filter((g) => g.identityId !== undefined && agents.has(g.identityId)).map(statementKey));
    AGENT_HELD.set(inventory, keys);
  }
  return keys.has(statementKey(grant));
}
