import { AwsActionInfo, awsActions } from '../../../aws/action-catalog';
import { createShape } from '../../../aws/create-actions';
import { namesResourceType, wideResourceTypes } from '../../../aws/resource-scope';
import { loadCatalog } from '../../../catalogs/catalog';
import { expandPattern, globCovers, globsOverlap } from './effective-permissions';
import { catalogedDangerous, dataReadActions, destructiveActions, isPermissionsManagement } from './grant-effect';

/**
 * A statement that creates resources, judged by what it allows on them (RULES.md, AWS-003
 * "Creating resources"). Only grants on ARNs that name a resource type count (`…:subnet/*`, never
 * `"*"`), and only for actions no catalog marks as dangerous:
 * - a `Create…` action on the type it creates (`instance-connect-endpoint/*`): nothing, the new
 *   resource can only be named that way (`createShape`);
 * - the same action on the types it is created in or attached to (`subnet/*`, `security-group/*`):
 *   a warning, it may use any of them;
 * - other writes of the statement confined to the types it creates (the delete of what it
 *   created): a warning naming the tag condition that confines them, unless the write is
 *   destructive on a type that holds data (a data-read action reads it);
 * - tagging confined to the types the statement creates or references (tag-on-create, which AWS
 *   authorizes as `ec2:CreateTags`): a warning naming `ec2:CreateAction` / `aws:RequestTag`.
 */
export type CreateVerdict =
  | { readonly kind: 'creates' }
  | { readonly kind: 'references' | 'lifecycle' | 'tag-on-create'; readonly types: string[] };

/** The statement parts the judgement reads. */
export interface CreatingStatement {
  readonly actions: string[];
  readonly resources?: string[];
  readonly notResources?: string[];
}

/** Judges the actions of one statement against what its `Create…` actions create and reference. */
export class StatementCreates {
  /** What the statement creates and references, read on first use: most statements are never judged (their reach is not wide). */
  private shapes?: { readonly created: Set<string>; readonly referenced: Set<string> };

  constructor(private readonly statement: CreatingStatement) {}

  private get created(): Set<string> {
    return (this.shapes ??= this.readShapes()).created;
  }

  private get referenced(): Set<string> {
    return (this.shapes ??= this.readShapes()).referenced;
  }

  private readShapes(): { created: Set<string>; referenced: Set<string> } {
    const created = new Set<string>();
    const referenced = new Set<string>();
    for (const written of this.statement.actions) {
      for (const info of expandPattern(written)) {
        const shape = createShape(info);
        if (!shape || !mayBeExempt(info)) continue;
        shape.created.forEach((t) => created.add(key(info.service, t)));
        shape.referenced.forEach((t) => referenced.add(key(info.service, t)));
      }
    }
    return { created, referenced };
  }

  /** Whether the statement creates anything a verdict can rest on. */
  public get createsAnything(): boolean {
    return this.created.size > 0;
  }

  /**
   * The verdict for `info`, whose reach over `wideResources` (the statement's resources that cover
   * every resource of a type) is wide; undefined when it is judged like any write.
   */
  public judge(info: AwsActionInfo, wideResources: string[]): CreateVerdict | undefined {
    if (this.created.size === 0 || this.statement.notResources || !mayBeExempt(info)) return undefined;
    if (wideResources.length === 0 || !wideResources.every(namesResourceType)) return undefined;
    const types = [...new Set(wideResources.flatMap((r) => wideResourceTypes(info, r, globsOverlap, globCovers)))];
    if (types.length === 0) return undefined;
    const shape = createShape(info);
    if (shape) {
      const rest = types.filter((t) => !shape.created.includes(t));
      return rest.length === 0 ? { kind: 'creates' } : { kind: 'references', types: rest };
    }
    const keys = types.map((t) => key(info.service, t));
    if (keys.every((k) => this.created.has(k))) {
      const lower = info.action.toLowerCase();
      if (destructiveActions().has(lower) && types.some((t) => holdsData(info.service, t))) return undefined;
      return { kind: 'lifecycle', types };
    }
    if (info.accessLevels.includes('Tagging') && keys.every((k) => this.created.has(k) || this.referenced.has(k))) {
      return { kind: 'tag-on-create', types };
    }
    return undefined;
  }
}

/**
 * Whether an action may get a create verdict at all: catalogs win always. Permissions management,
 * any IAM / Organizations / RAM write, guardrail tamper, escalation (any path it takes part in),
 * credential returns and data reads are judged as today.
 */
function mayBeExempt(info: AwsActionInfo): boolean {
  const lower = info.action.toLowerCase();
  if (isPermissionsManagement(info) || IDENTITY_SERVICES.has(info.service)) return false;
  return !catalogedDangerous().has(lower) && !escalationActions().has(lower) && !credentialActions().has(lower) && !dataReadActions().has(lower);
}

const IDENTITY_SERVICES = new Set(['iam', 'organizations', 'ram', 'sts', 'sso', 'identitystore']);

function key(service: string, type: string): string {
  return `${service}:${type}`.toLowerCase();
}

let ESCALATION: Set<string> | undefined;
let CREDENTIAL: Set<string> | undefined;
let DATA_STORES: Set<string> | undefined;

/** Every action of every escalation path (multi-step ones too), lower case. */
function escalationActions(): ReadonlySet<string> {
  ESCALATION ??= new Set((loadCatalog('aws-escalation-paths').paths ?? []).filter((p) => p.cloud === 'aws')
    .flatMap((p) => p.actions.flatMap(expandPattern)).map((a) => a.action.toLowerCase()));
  return ESCALATION;
}

function credentialActions(): ReadonlySet<string> {
  CREDENTIAL ??= new Set((loadCatalog('aws-credential-returning').aws ?? []).flatMap(expandPattern).map((a) => a.action.toLowerCase()));
  return CREDENTIAL;
}

/**
 * Whether a resource type holds data: a data-read action (policies/catalogs/aws-data-read.json)
 * reads from it (`dynamodb:table`, `s3:object`, `ec2:volume`, …), or the service snapshots or backs
 * it up (`rds:CreateDBSnapshot` on `db`, `redshift:CreateClusterSnapshot` on `cluster`): a database
 * read over its own protocol holds data as much as a table read through the API.
 */
function holdsData(service: string, type: string): boolean {
  return dataStoreTypes().has(key(service, type)) || snapshottedTypes(service).has(type.toLowerCase());
}

function dataStoreTypes(): ReadonlySet<string> {
  if (!DATA_STORES) {
    DATA_STORES = new Set();
    for (const written of loadCatalog('aws-data-read').aws ?? []) {
      for (const info of expandPattern(written)) info.resourceTypes.forEach((t) => DATA_STORES!.add(key(info.service, t)));
    }
  }
  return DATA_STORES;
}

/** The types a service's `Create…Snapshot` / `Create…Backup` actions (on a snapshot or backup type) copy, lower case. */
function snapshottedTypes(service: string): ReadonlySet<string> {
  let hit = SNAPSHOTTED.get(service);
  if (!hit) {
    hit = new Set();
    for (const info of awsActions().actionsOf(service)?.values() ?? []) {
      if (!info.accessLevels.includes('Write') || !/:Create\w*(Snapshot|Backup)/.test(info.action)) continue;
      const copies = info.resourceTypes.filter((t) => /snapshot|backup/i.test(t));
      if (copies.length > 0) info.resourceTypes.filter((t) => !copies.includes(t)).forEach((t) => hit!.add(t.toLowerCase()));
    }
    SNAPSHOTTED.set(service, hit);
  }
  return hit;
}

const SNAPSHOTTED = new Map<string, Set<string>>();
