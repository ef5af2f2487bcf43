import { Grant, Identity, Inventory } from '../../../inventory/inventory';
import { isAgentOrBroker } from './log-append';

/**
 * AWS-managed policies under the `service-role/` path (`AWSGlueServiceRole`, `AmazonElasticMapReduceRole`,
 * `AmazonSSMAutomationRole`, …) are written by AWS for the service that assumes the role: the service acts
 * with them, not a person or code of ours. Held by a role whose trust admits only AWS service principals, their
 * findings are judged as AWS designed them, at most warnings, on every rule; held by an agent's tool or broker
 * role they stay errors, and a role a person or another account can assume gets no such allowance.
 */
export function isServiceRolePolicyGrant(grant: Grant | undefined): boolean {
  return grant?.via === 'aws-managed-policy' && (grant.policyId ?? '').includes('/aws-managed/service-role/');
}

/** Whether only AWS services can assume the role (every Allow of its trust names service principals only), and it is not an agent's. */
export function assumedOnlyByServices(identity: Identity | undefined): boolean {
  if (!identity || identity.kind !== 'aws-iam-role' || isAgentOrBroker(identity)) return false;
  const allows = identity.trust.filter((t) => t.effect === 'Allow');
  return allows.length > 0 && allows.every((t) => !t.notPrincipal && t.principalKinds.length > 0 && t.principalKinds.every((k) => k === 'Service'));
}

/** Whether every grant is of an AWS-managed service-role policy held as AWS designed it (see above). */
export function heldAsAwsDesigned(identity: Identity | undefined, grants: readonly (Grant | undefined)[]): boolean {
  return grants.length > 0 && grants.every(isServiceRolePolicyGrant) && assumedOnlyByServices(identity);
}

/** The same for one statement-level grant: its holder is the identity the AWS-managed policy is attached to. */
export function grantHeldAsAwsDesigned(grant: Grant, inventory: Inventory): boolean {
  if (!isServiceRolePolicyGrant(grant) || grant.identityId === undefined) return false;
  let byId = IDENTITIES.get(inventory);
  if (!byId) IDENTITIES.set(inventory, (byId = new Map(inventory.identities.map((i) => [i.id, i]))));
  return heldAsAwsDesigned(byId.get(grant.identityId), [grant]);
}

const IDENTITIES = new WeakMap<Inventory, ReadonlyMap<string, Identity>>();

/** The sentence each rule's explanation ends with (RULES.md). */
export const AWS_DESIGNED_EXPLANATION = ' An AWS-managed policy under the `service-role/` path (AWSGlueServiceRole, AmazonElasticMapReduceRole, …) '
  + 'on a role whose trust admits only AWS service principals is judged as AWS designed it for that service: a warning. On an agent\'s '
  + 'tool or broker role, on a role a person or another account can assume, or with a statement of ours in the same finding, it is an error.';

/** The words a downgraded finding ends with. */
export const AS_AWS_DESIGNED = ' (an AWS-managed service-role policy on a role only AWS services assume: a warning, as AWS designed it for the service)';
