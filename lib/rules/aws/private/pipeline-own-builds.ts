import { hasWildcard } from '../../../aws/action-catalog';
import { arnParts } from '../../../aws/arn-parts';
import { Identity, Inventory, OtherResource } from '../../../inventory/inventory';
import { roleNameOf } from '../../../private/linear-scans';

/**
 * CodePipeline starting the CodeBuild projects of its own stages.
 *
 * `codebuild:StartBuild` can override a project's buildspec, so its holder can run commands as the
 * project's role: escalation when that role is stronger than the holder. A pipeline's build action
 * role holds it on the projects of its stages, whose roles are usually stronger (they deploy). But
 * only the pipeline can act as that role, and the pipeline cannot override anything: CodePipeline's
 * CodeBuild action configuration holds the project name, primary source, batch switch, environment
 * variables and artifact merge only (AWS CodePipeline User Guide, "AWS CodeBuild build and test
 * action reference"). Starting the builds it is configured to run is the pipeline doing its job;
 * whoever controls the pipeline's definition or source already controls what those builds run.
 *
 * So a StartBuild grant is the pipeline's own when, from the template:
 * - the holder is a pipeline role: trusted only by `codepipeline.amazonaws.com`, or only by roles of
 *   its stack that are (a CDK action role trusts its pipeline's role), never by an account, a user
 *   or a service that runs code;
 * - a pipeline of the stack names the project in a CodeBuild action that runs as the holder (its
 *   `RoleArn`, or the pipeline's when the action has none);
 * - that pipeline has no `Commands` action, which runs shell commands as a pipeline role (and from
 *   there could assume the holder and override the buildspec).
 * Anything else (a wildcard, a project no stage names, a role anyone else can assume) is judged as
 * escalation as before.
 */

const PIPELINE_TYPE = 'AWS::CodePipeline::Pipeline';
const CODEPIPELINE = 'codepipeline.amazonaws.com';

interface PipelineAction {
  readonly ActionTypeId?: { readonly Category?: unknown; readonly Provider?: unknown };
  readonly Configuration?: { readonly ProjectName?: unknown };
  readonly RoleArn?: unknown;
}

/**
 * The role of `stack` a role ARN (as the adapter resolves it: `${Logical.Arn}` or an ARN of the
 * stack's own account) names, or undefined for a pattern, another account's role or an unknown role.
 */
export function stackRoleNamed(inventory: Inventory, stack: string | undefined, roleArn: string): Identity | undefined {
  // Role names are per account: only an ARN of the stack's own account (as CloudFormation writes it) names a role of the stack.
  if (hasWildcard(roleArn) || !(/^\$\{[A-Za-z0-9]+\.Arn\}$/.test(roleArn) || arnParts(roleArn)[4] === '${AWS::AccountId}')) return undefined;
  const roleName = roleNameOf(roleArn) ?? /^\$\{([A-Za-z0-9]+)\.Arn\}$/.exec(roleArn)?.[1];
  return roleName === undefined ? undefined
    : inventory.identities.find((i) => i.kind === 'aws-iam-role' && i.source.stack === stack && (i.name === roleName || (i.name === undefined && i.source.resource === roleName)));
}

/** Whether `resource` (a StartBuild resource) names a project a pipeline of the holder's stack starts as the holder. */
export function isPipelineOwnBuild(holder: Identity, resource: string, inventory: Inventory): boolean {
  const logicalId = /^\$\{([A-Za-z0-9]+)(?:\.Arn)?\}$/.exec(resource)?.[1];
  if (!logicalId || !isPipelineRole(holder, inventory, 0)) return false;
  const stack = holder.source.stack;
  const project = inventory.others.find((o) => o.type === 'AWS::CodeBuild::Project' && o.source.resource === logicalId && o.source.stack === stack);
  if (!project) return false;
  const names = new Set([`\${${logicalId}}`, ...(typeof project.properties.Name === 'string' ? [project.properties.Name] : [])]);
  return inventory.others.some((o) => o.type === PIPELINE_TYPE && o.source.stack === stack && startsAs(o, names, holder, inventory));
}

/** Whether the pipeline has no Commands action and a CodeBuild action on one of `names` that runs as `holder`. */
function startsAs(pipeline: OtherResource, names: Set<string>, holder: Identity, inventory: Inventory): boolean {
  const actions = actionsOf(pipeline);
  if (actions.some((a) => a.ActionTypeId?.Provider === 'Commands')) return false;
  const pipelineRole = pipeline.properties.RoleArn;
  return actions.some((a) => {
    if (a.ActionTypeId?.Provider !== 'CodeBuild' || typeof a.Configuration?.ProjectName !== 'string' || !names.has(a.Configuration.ProjectName)) return false;
    const runsAs = a.RoleArn ?? pipelineRole;
    return typeof runsAs === 'string' && stackRoleNamed(inventory, holder.source.stack, runsAs)?.id === holder.id;
  });
}

function actionsOf(pipeline: OtherResource): PipelineAction[] {
  const stages = pipeline.properties.Stages;
  if (!Array.isArray(stages)) return [];
  return stages.flatMap((s: { Actions?: unknown }) => (Array.isArray(s?.Actions) ? s.Actions as PipelineAction[] : []));
}

/** Trusted only by CodePipeline, directly or through roles of its stack that are (depth-bounded). */
function isPipelineRole(role: Identity, inventory: Inventory, depth: number): boolean {
  const allows = role.trust.filter((t) => t.effect === 'Allow');
  if (depth > 2 || allows.length === 0) return false;
  return allows.every((t) => !t.notPrincipal && t.principals.length > 0 && t.principals.every((p, i) => {
    const kind = t.principalKinds[i];
    if (kind === 'Service') return p === CODEPIPELINE;
    if (kind !== 'AWS') return false;
    const assumer = stackRoleNamed(inventory, role.source.stack, p);
    return assumer !== undefined && assumer.id !== role.id && isPipelineRole(assumer, inventory, depth + 1);
  }));
}
