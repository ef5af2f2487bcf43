import { AwsActionInfo, hasWildcard } from '../../aws/action-catalog';
import { CatalogPath, loadCatalog } from '../../catalogs/catalog';
import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule, RuleContext } from '../rule';
import { ATTACH_POLICY, attachesDenyOnly } from './private/deny-only-attach';
import { EffectivePermissions, EffectiveUse, expandPattern, globsOverlap } from './private/effective-permissions';
import { adminIdentityIds, judgedSubjects } from './private/admin';
import { catalogedDangerous } from './private/grant-effect';
import { isPipelineOwnBuild, stackRoleNamed } from './private/pipeline-own-builds';
import { holdsAwsStatement, requiredValues } from './private/grant-findings';
import { pushAll } from '../../private/push-all';
import { AWS_DESIGNED_EXPLANATION, heldAsAwsDesigned } from './private/aws-designed';

/** The catalog of escalation paths this rule evaluates (`policies/catalogs/aws-escalation-paths.json`). */
export const ESCALATION_PATHS_CATALOG = 'aws-escalation-paths';

/**
 * Service principals a role must be passed to for a path's compute action to run as it. A PassRole
 * whose `iam:PassedToService` names none of them cannot serve that path. A service missing here
 * means the PassRole always counts (fail closed).
 */
const PASSED_TO: Record<string, string[]> = {
  'ec2': ['ec2.amazonaws.com'],
  'autoscaling': ['ec2.amazonaws.com', 'autoscaling.amazonaws.com'],
  'lambda': ['lambda.amazonaws.com'],
  'glue': ['glue.amazonaws.com'],
  'cloudformation': ['cloudformation.amazonaws.com'],
  'datapipeline': ['datapipeline.amazonaws.com', 'elasticmapreduce.amazonaws.com'],
  'sagemaker': ['sagemaker.amazonaws.com'],
  'ecs': ['ecs-tasks.amazonaws.com', 'ecs.amazonaws.com'],
  'codebuild': ['codebuild.amazonaws.com'],
  'codepipeline': ['codepipeline.amazonaws.com'],
  'codestar': ['codestar.amazonaws.com'],
  'apprunner': ['apprunner.amazonaws.com', 'tasks.apprunner.amazonaws.com', 'build.apprunner.amazonaws.com'],
  'bedrock-agentcore': ['bedrock-agentcore.amazonaws.com'],
};


/**
 * Actions that run code (or change what runs) as the role of the project or function they name,
 * with the CloudFormation type of that resource and the property holding its role.
 */
const RUNS_AS: Record<string, { type: string; roleProperty: string }> = {
  codebuild: { type: 'AWS::CodeBuild::Project', roleProperty: 'ServiceRole' },
  lambda: { type: 'AWS::Lambda::Function', roleProperty: 'Role' },
};
/** Starting a build: what a pipeline does with the projects of its own stages (see `isPipelineOwnBuild`). */
const PIPELINE_STARTS = new Set(['codebuild:startbuild', 'codebuild:startbuildbatch']);
const RUNS_AS_ACTIONS = new Set(['codebuild:startbuild', 'codebuild:startbuildbatch', 'codebuild:updateproject', 'lambda:updatefunctioncode', 'lambda:updatefunctionconfiguration']);

/**
 * Whether `resource` names one project or function of the inventory that runs as the holder
 * itself, or as a known role that holds nothing privileged (no admin, permissions management,
 * iam:PassRole, guardrail tamper or one-step escalation): acting on it reaches no more than the
 * app's own ordinary roles. A wildcard, an external resource or an unknown role is escalation.
 */
function runsAsNoStrongerRole(perms: EffectivePermissions, resource: string, service: string, inventory: Inventory): boolean {
  const logicalId = /^\$\{([A-Za-z0-9]+)(?:\.Arn)?\}$/.exec(resource)?.[1];
  if (!logicalId) return false;
  const { type, roleProperty } = RUNS_AS[service];
  const stack = perms.subject.source.stack;
  const target = inventory.others.find((o) => o.type === type && o.source.resource === logicalId && o.source.stack === stack);
  const roleArn = target?.properties[roleProperty];
  return typeof roleArn === 'string' && isNoStrongerRole(perms, roleArn, inventory);
}

/**
 * Whether `roleArn` names the holder itself or a role of its stack that holds nothing privileged
 * (see `runsAsNoStrongerRole`): running as it, or passing it, reaches nothing the app's ordinary
 * roles do not. An ARN pattern, another account's role or an unknown role is not.
 */
function isNoStrongerRole(perms: EffectivePermissions, roleArn: string, inventory: Inventory): boolean {
  const role = stackRoleNamed(inventory, perms.subject.source.stack, roleArn);
  if (!role) return false;
  if (role.id === perms.subject.id) return true;
  if (adminIdentityIds(inventory).has(role.id)) return false;
  const runAs = EffectivePermissions.all(inventory).find((p) => p.subject.id === role.id);
  return runAs !== undefined && !holdsPrivilege(runAs);
}

/** Whether an identity holds admin, permissions management, iam:PassRole or sts:AssumeRole, or a tamper / one-step escalation action. */
function holdsPrivilege(perms: EffectivePermissions): boolean {
  let hit = PRIVILEGED.get(perms);
  if (hit === undefined) {
    const dangerous = catalogedDangerous();
    hit = [...perms.granted().values()].some((infos) => infos.some((info) =>
      info.accessLevels.includes('Permissions management') || PRIVILEGED_ACTIONS.has(info.action.toLowerCase()) || dangerous.has(info.action.toLowerCase())));
    PRIVILEGED.set(perms, hit);
  }
  return hit;
}

const PRIVILEGED = new WeakMap<EffectivePermissions, boolean>();
/** Actions that hand over another role's permissions. */
const PRIVILEGED_ACTIONS = new Set(['iam:passrole', 'sts:assumerole']);

/**
 * AWS-004: no identity may hold every action of a privilege-escalation path, counted across all
 * its policies (a path split over two policies is still a path), after Deny statements and its
 * permissions boundary (a boundary that does not allow an action breaks the path; one we cannot
 * read does not).
 */
export const PRIVILEGE_ESCALATION: Rule = {
  id: 'AWS-004',
  cloud: 'aws',
  severity: 'error',
  reason: 'An identity holds a privilege-escalation path (e.g. iam:PassRole with lambda:CreateFunction, iam:CreatePolicyVersion, iam:PutRolePolicy).',
  explanation: 'Some combinations of IAM actions let an identity grant itself more than it was given: write a new version of its own '
    + 'policy, attach AdministratorAccess to itself, or pass a more privileged role to compute it controls and read that role\'s '
    + 'credentials. The paths come from Rhino Security Labs\' and pathfinding.cloud\'s research and live in '
    + 'policies/catalogs/aws-escalation-paths.json. They are evaluated per identity across all its inline, managed and '
    + 'separate policies, after Deny statements and the permissions boundary; conditions on Allow statements are assumed to hold. '
    + 'Escalation is reaching more than the identity holds: running code as, passing or re-trusting itself or a role of the stack '
    + 'that holds nothing privileged is not, nor is a CodePipeline role (assumed only by CodePipeline, directly or through its '
    + 'pipeline\'s role) starting the CodeBuild projects its own pipeline\'s stages run as it, since CodePipeline cannot override a '
    + 'build (a pipeline with a Commands action, a project no stage runs, or any other trust still counts).' + AWS_DESIGNED_EXPLANATION,
  fix: 'Remove one action of the path from the identity, deny it in the permissions boundary, or narrow iam:PassRole with an '
    + 'iam:PassedToService condition that excludes the path\'s service (and iam:Attach*Policy with an iam:PolicyARN condition naming a deny-only policy).',
  controls: ['Cloudsplaining PrivilegeEscalation', 'Parliament', 'CKV_AWS_110', 'CKV_AWS_286', 'Rhino Security Labs AWS escalation methods', 'pathfinding.cloud'],
  evaluate(inventory: Inventory, context: RuleContext): RawFinding[] {
    if (!holdsAwsStatement(inventory)) return [];
    const paths = (loadCatalog(ESCALATION_PATHS_CATALOG).paths ?? []).filter((p) => p.cloud === 'aws').map(preparePath);
    const findings: RawFinding[] = [];
    for (const perms of judgedSubjects(inventory, context)) {
      for (const path of perms.reachable(paths, (p) => p.services)) {
        const steps: { action: string; uses: EffectiveUse[] }[] = [];
        for (const step of path.steps) {
          const uses = usesServingPath(perms, step, path.path, inventory);
          if (uses.length === 0) break;
          steps.push({ action: step.action, uses });
        }
        if (steps.length < path.steps.length) continue;
        const held = steps.map((s) => `${s.action} (${[...new Set(s.uses.map((u) => u.statement.source.resource))].join(', ')})`).join(', ');
        const byService = heldAsAwsDesigned(perms.subject.identity, steps.flatMap((s) => s.uses.map((u) => u.statement.grant)));
        findings.push(perms.finding(path.path.id,
          `${perms.subject.resource} can escalate its privileges through ${path.path.id}: ${path.path.description} It holds ${held}.${byService ? ' Every step comes from AWS-managed service-role policies of a role only AWS services assume.' : ''}`,
          `Remove one of ${path.path.actions.join(', ')} from ${perms.subject.resource}, or deny it in its permissions boundary.${path.path.reference ? ` See ${path.path.reference}.` : ''}`,
          byService ? 'warning' : undefined));
      }
    }
    return findings;
  },
};

/** A path with its actions expanded once (catalog entries may be patterns) and the services it needs. */
interface PreparedPath {
  readonly path: CatalogPath;
  readonly steps: { readonly action: string; readonly infos: AwsActionInfo[] }[];
  readonly services: string[];
}

function preparePath(path: CatalogPath): PreparedPath {
  const steps = path.actions.map((action) => ({ action, infos: expandPattern(action) }));
  const services = [...new Set(path.actions.map((a) => a.split(':')[0].toLowerCase()).filter((s) => !hasWildcard(s)))];
  return { path, steps, services };
}

/** Allow statements through which a path's action is held in a way that can serve the path. */
function usesServingPath(perms: EffectivePermissions, step: PreparedPath['steps'][number], path: CatalogPath, inventory: Inventory): EffectiveUse[] {
  const uses = step.infos.length === 1 ? perms.usesOf(step.infos[0].action) : step.infos.flatMap((info) => perms.usesOf(info.action));
  if (uses.length === 0) return uses;
  const name = step.action.toLowerCase();
  // Running code as a project's or function's role is escalation only when that role is stronger than the holder,
  // and a pipeline starting the builds of its own stages is not (it cannot override them).
  if (path.actions.length === 1 && RUNS_AS[name.split(':')[0]] && RUNS_AS_ACTIONS.has(name)) {
    const identity = perms.subject.identity;
    return uses.filter((u) => !u.resources.every((r) => runsAsNoStrongerRole(perms, r, name.split(':')[0], inventory)
      || (identity !== undefined && PIPELINE_STARTS.has(name) && isPipelineOwnBuild(identity, r, inventory))));
  }
  // Rewriting the trust of itself or of a role no stronger than itself reaches nothing it does not hold already.
  if (path.actions.length === 1 && name === 'iam:updateassumerolepolicy') return uses.filter((u) => !u.resources.every((r) => isNoStrongerRole(perms, r, inventory)));
  // Passing a role no stronger than the holder (CodePipeline's CloudFormation action passing its deployment role) gains nothing.
  if (name === 'iam:passrole') return uses.filter((u) => passRoleServes(u, path) && !u.resources.every((r) => isNoStrongerRole(perms, r, inventory)));
  if (ATTACH_POLICY.test(name)) return uses.filter((u) => !attachesDenyOnly(u, inventory));
  return uses;
}

/** False when the PassRole's `iam:PassedToService` names none of the services the path needs. */
function passRoleServes(use: EffectiveUse, path: CatalogPath): boolean {
  const passedTo = requiredValues(use.statement.condition, 'iam:PassedToService');
  if (!passedTo) return true;
  const needed: string[] = [];
  for (const action of path.actions) {
    const service = action.split(':')[0].toLowerCase();
    if (service === 'iam' || service === 'sts') continue;
    const principals = PASSED_TO[service];
    if (!principals) return true;
    pushAll(needed, principals);
  }
  return needed.length === 0 || passedTo.some((v) => needed.some((n) => globsOverlap(v.toLowerCase(), n)));
}
