import { AwsActionInfo } from '../../../aws/action-catalog';
import { narrowsResources } from '../../../aws/condition-narrowing';
import { mayReachWideProbed, ResourceReach, resourceReach, wideReachProbe } from '../../../aws/resource-scope';
import { loadCatalog } from '../../../catalogs/catalog';
import { expandPattern, globCovers, globsOverlap } from './effective-permissions';

/**
 * What one Allow statement really allows, action by action: the rules that judge a grant by its
 * effect (AWS-002 wildcard patterns, AWS-003 resource wildcards) read this instead of its shape.
 */

/** How an action is reached by a statement, after its resources and narrowing conditions. */
export interface ActionReach {
  readonly info: AwsActionInfo;
  /** The widest reach over the statement's resources (`wide` only when no condition narrows it). */
  readonly reach: ResourceReach;
  /** Resources through which the action reaches every resource of its type (empty unless `wide`). */
  readonly wideResources: string[];
  /** Resources that name the action's resource itself (no wildcard): a permission change there changes who can use it. */
  readonly exactResources: string[];
}

/** The parts of a statement or grant that decide what it reaches. */
export interface StatementScope {
  readonly resources?: string[];
  readonly notResources?: string[];
  readonly condition?: unknown;
}

/** How far a statement's resources reach for `info`, conditions taken into account. */
export function actionReach(statement: StatementScope, info: AwsActionInfo): ActionReach {
  const resources = statement.notResources ? ['*'] : statement.resources ?? [];
  let reach: ResourceReach = 'none';
  const wide: string[] = [];
  const exact: string[] = [];
  for (const r of resources) {
    const one = resourceReach(info, r, globsOverlap, globCovers);
    if (one === 'none') continue;
    if (one === 'wide') wide.push(r);
    else if (!/[*?]/.test(r)) exact.push(r);
    if (one === 'wide' || reach === 'none') reach = one;
  }
  if (reach === 'wide' && narrowsResources(statement.condition, info)) return { info, reach: 'named', wideResources: [], exactResources: exact };
  return { info, reach, wideResources: wide, exactResources: exact };
}

/**
 * A test that is false for an action when `actionReach(statement, info).reach` cannot be `wide`: a cheap test first (see
 * `mayReachWideProbed`), for rules that judge only what reaches every resource of a type. Each resource is read once, then
 * asked about each action of the statement.
 */
export function wideReachTest(statement: StatementScope): (info: AwsActionInfo) => boolean {
  if (statement.notResources) return ALWAYS;
  const probes = (statement.resources ?? []).map(wideReachProbe);
  return (info) => {
    for (const p of probes) if (mayReachWideProbed(info, p)) return true;
    return false;
  };
}

const ALWAYS = (): boolean => true;

/** The access levels of an action, one by one. */
export function isPermissionsManagement(info: AwsActionInfo): boolean {
  return info.accessLevels.includes('Permissions management');
}

export function isWriteLevel(info: AwsActionInfo): boolean {
  return info.accessLevels.some((l) => l === 'Write' || l === 'Permissions management' || l === 'Tagging');
}

/** Whether `*` is all an action can be granted on in practice: no resource type, or one that is optional. */
export function takesNoResource(info: AwsActionInfo): boolean {
  return info.resourceTypes.length === 0 || info.optionalResourceOnly === true;
}

/** Actions that tamper with guardrails or are an escalation by themselves (a one-action path), lower case. */
export function catalogedDangerous(): ReadonlySet<string> {
  if (!DANGEROUS) {
    const tamper = (loadCatalog('aws-guardrail-tamper').aws ?? []).flatMap(expandPattern);
    const singleStep = (loadCatalog('aws-escalation-paths').paths ?? []).filter((p) => p.cloud === 'aws' && p.actions.length === 1)
      .flatMap((p) => expandPattern(p.actions[0]));
    DANGEROUS = new Set([...tamper, ...singleStep].map((a) => a.action.toLowerCase()));
  }
  return DANGEROUS;
}

let DANGEROUS: Set<string> | undefined;

/** Actions whose effect AWS bounds whatever resource they name (`policies/catalogs/aws-bounded-actions.json`), lower case. */
export function boundedActions(): ReadonlySet<string> {
  return catalogActions('aws-bounded-actions');
}

/** Data-read actions (`policies/catalogs/aws-data-read.json`), lower case. */
export function dataReadActions(): ReadonlySet<string> {
  return catalogActions('aws-data-read');
}

/** Destructive actions (`policies/catalogs/aws-destructive.json`), lower case. */
export function destructiveActions(): ReadonlySet<string> {
  return catalogActions('aws-destructive');
}

/** The real actions an AWS catalog's entries expand to, lower case; read once per process. */
function catalogActions(id: string): ReadonlySet<string> {
  let hit = CATALOG_ACTIONS.get(id);
  if (!hit) {
    hit = new Set((loadCatalog(id).aws ?? []).flatMap(expandPattern).map((a) => a.action.toLowerCase()));
    CATALOG_ACTIONS.set(id, hit);
  }
  return hit;
}

const CATALOG_ACTIONS = new Map<string, Set<string>>();
