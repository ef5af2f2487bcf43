import { loadCatalog } from '../../catalogs/catalog';
import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule, RuleContext } from '../rule';
import { ActionHit, actionsOf, byWrittenEntry, listActions } from './private/by-written-entry';
import { expandPattern, isWildcardResource, serviceOf } from './private/effective-permissions';
import { judgedSubjects } from './private/admin';
import { holdsAwsStatement } from './private/grant-findings';
import { isCdkHelperStandardGrant } from './private/cdk-framework-roles';
import { ownWorkloadIdentities } from './private/agentcore-own-identities';
import { assumedOnlyByServices, AWS_DESIGNED_EXPLANATION, isServiceRolePolicyGrant } from './private/aws-designed';

/** The catalog of credential-returning actions (`policies/catalogs/aws-credential-returning.json`). */
export const CREDENTIAL_RETURNING_CATALOG = 'aws-credential-returning';

/**
 * Secrets Manager appends `-` and six random characters to every secret ARN; `-??????` is how a
 * policy names one secret without knowing the suffix, so it still counts as a named resource.
 */
const SECRET_SUFFIX = /^arn:[^:*?]+:secretsmanager:[^:*?]*:[^:*?]*:secret:[^*?]+-\?{6}$/;

/**
 * A Parameter Store hierarchy below a named path (`parameter/orders-service/*`,
 * `parameter/app/prod/*`): what GetParametersByPath is scoped to, and how the Systems Manager guide
 * scopes parameter access in IAM. It reaches the parameters one owner keeps under that path, not
 * every parameter of the account: a warning, as AWS-008 accepts a named bucket prefix.
 */
const HIERARCHY_BELOW_NAMED_PATH = /^[^*?/]+(?:\/[^*?/]+)*\/\*$/;
export function isParameterHierarchy(resource: string): boolean {
  const at = resource.indexOf(':parameter/');
  if (at < 0 || !resource.startsWith('arn:') || !resource.slice(0, at).includes(':ssm:') || isWildcardResource(resource.slice(0, at))) return false;
  return HIERARCHY_BELOW_NAMED_PATH.test(resource.slice(at + ':parameter/'.length));
}

/**
 * AWS-007: credential-returning actions (sts:AssumeRole, iam:CreateAccessKey,
 * secretsmanager:GetSecretValue, kms:Decrypt, ...) only on named resources. Actions that support no
 * resource type (ecr:GetAuthorizationToken) cannot be named: they are a warning on agent identities.
 * One finding per identity and policy entry as written.
 */
export const CREDENTIAL_EXPOSURE: Rule = {
  id: 'AWS-007',
  cloud: 'aws',
  severity: 'error',
  reason: 'A credential-returning action (sts:AssumeRole, secretsmanager:GetSecretValue, kms:Decrypt, ...) is granted on a wildcard resource.',
  explanation: 'These actions return a credential, a secret or a decrypted value. On `*` or a wildcard ARN they reach every role, '
    + 'secret or key that exists now or later, so one compromised identity becomes many. The list is '
    + 'policies/catalogs/aws-credential-returning.json (after Cloudsplaining\'s CredentialsExposure). Each must name its resources; '
    + 'a Secrets Manager ARN ending in `-??????` (the random suffix) counts as named, and so does an AgentCore workload identity '
    + '`workload-identity/<name>-*` when <name> is a runtime\'s or gateway\'s of the input and no other is named <name>-… (the identity AgentCore creates for it, '
    + 'named with a generated suffix; the AgentCore Developer Guide scopes a runtime\'s token actions this way). A Parameter Store hierarchy below a named '
    + 'path (`parameter/orders-service/*`, what GetParametersByPath is scoped to) is a warning on identities that are not agents. Actions that support no resource type, such '
    + 'as ecr:GetAuthorizationToken, cannot be narrowed and are reported as a warning on agent identities only. CDK\'s '
    + 'cross-region parameter reader for Lambda@Edge (recognised by the whole shape CDK emits) passes with its ssm:GetParameter '
    + 'on `parameter/cdk/EdgeFunctionArn/*`, where CDK\'s own edge stack writes function version ARNs. A grant of other AWS-managed '
    + 'policies is a warning on identities that are not agents.' + AWS_DESIGNED_EXPLANATION,
  fix: 'Replace `*` or the wildcard ARN with the exact ARNs of the roles, secrets, keys or parameters the identity needs.',
  controls: ['Cloudsplaining CredentialsExposure', 'CKV_AWS_107', 'AwsSolutions-IAM5'],
  evaluate(inventory: Inventory, context: RuleContext): RawFinding[] {
    if (!holdsAwsStatement(inventory)) return [];
    const actions = (loadCatalog(CREDENTIAL_RETURNING_CATALOG).aws ?? []).flatMap(expandPattern);
    const findings: RawFinding[] = [];
    const isOwnWorkloadIdentity = ownWorkloadIdentities(inventory);
    for (const perms of judgedSubjects(inventory, context)) {
      const unscopable: ActionHit<undefined>[] = [];
      const broadHits: ActionHit<string[]>[] = [];
      for (const info of perms.reachable(actions, serviceOf)) {
        const uses = perms.usesOf(info.action);
        if (uses.length === 0) continue;
        if (info.wildcardOnly) {
          if (perms.subject.isAgent) unscopable.push({ info, uses, data: undefined });
          continue;
        }
        // A condition that narrows in IAM semantics (kms:ViaService, a resource tag) confines the statement; a CDK helper
        // role's standard grant (the Lambda@Edge reader's ssm:GetParameter on CDK's own parameter path) is CDK's, not ours.
        const open = uses.filter((u) => !u.narrowed && !(u.statement.grant && isCdkHelperStandardGrant(u.statement.grant, info.action, inventory)));
        // An AgentCore runtime's or gateway's own workload identities (`workload-identity/<its name>-*`) are named like a secret's `-??????`.
        const broad = [...new Set(open.flatMap((u) => u.resources).filter((r) => !isNamedResource(r) && !isOwnWorkloadIdentity(r)))];
        if (broad.length > 0) broadHits.push({ info, uses: open, data: broad });
      }
      if (unscopable.length === 0 && broadHits.length === 0) continue;
      // One finding per policy entry as written (`secretsmanager:*` on `*` is one finding naming what it returns).
      for (const [written, hits] of byWrittenEntry(unscopable)) {
        const what = listActions(hits);
        findings.push(perms.finding(written,
          `agent identity ${perms.subject.resource} holds ${what}, which return${hits.length === 1 ? 's' : ''} a credential and cannot be limited to a resource.`,
          `Remove ${hits.length === 1 ? what : written} from the agent's tool if it is not essential; otherwise acknowledge this warning with a reason.`,
          'warning', actionsOf(hits)));
      }
      for (const [written, hits] of byWrittenEntry(broadHits)) {
        const what = listActions(hits);
        const broad = [...new Set(hits.flatMap((h) => h.data))];
        // A service-role policy (written for the service that assumes the role) earns it only on a role only services assume.
        const byAws = hits.every((h) => h.uses.every((u) => u.statement.grant?.via === 'aws-managed-policy'))
          && (!hits.some((h) => h.uses.some((u) => isServiceRolePolicyGrant(u.statement.grant))) || assumedOnlyByServices(perms.subject.identity));
        const hierarchy = broad.every(isParameterHierarchy);
        findings.push(perms.finding(written,
          `${perms.subject.resource} holds ${what}, which return${hits.length === 1 ? 's' : ''} credentials or secrets, on ${broad.map(describe).join(', ')}${byAws ? ' (through an AWS-managed policy written for its service)' : hierarchy ? ' (every parameter of a hierarchy below a named path)' : ''}.`,
          `Grant ${hits.length === 1 ? what : `the actions ${written} brings in`} on the exact ARNs ${perms.subject.resource} needs, not on a wildcard.`,
          // An AWS-managed policy's reach is AWS's published scope for a service role, a named parameter hierarchy one owner's
          // parameters; on an agent identity either is still an error.
          (byAws || hierarchy) && !perms.subject.isAgent ? 'warning' : undefined, actionsOf(hits)));
      }
    }
    return findings;
  },
};

/** A resource naming one thing: no wildcard (bar a Secrets Manager suffix), nothing left unresolved. */
export function isNamedResource(resource: string): boolean {
  if (resource.includes('{{unresolved:')) return false;
  return !isWildcardResource(resource) || SECRET_SUFFIX.test(resource);
}

function describe(resource: string): string {
  return resource === '*' ? '`*` (every resource)' : `\`${resource}\``;
}
