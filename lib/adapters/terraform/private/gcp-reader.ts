import { Grant, Identity, PolicyDocumentEntry } from '../../../inventory/inventory';
import { gcpPredefinedRolePermissions } from '../gcp-roles';
import { BuildContext } from './build-context';
import { crossAccountIfAny, declarationOfBlock, isAgentIdentity, labelsIfAny, labelsOfBlock } from './labels';
import { isObject, nestedBlock, nestedBlocks, TerraformBlock } from './terraform-blocks';
import { Resolved, TerraformReferences } from './terraform-references';
import { attachOnce } from './attach-once';
import { datasetAccessMember, datasetAccessRole } from './bigquery-dataset-access';
import { trailingEmail } from '../../../private/linear-scans';

const IAM_GRANT = /^google_(.+)_iam_(member|binding|policy)$/;
const CUSTOM_ROLE_TYPES = ['google_project_iam_custom_role', 'google_organization_iam_custom_role'];

/** The default project of the configuration's google provider, when written literally. */
function providerProject(doc: Record<string, unknown>): string | undefined {
  const provider = isObject(doc.provider) ? doc.provider.google ?? doc.provider['google-beta'] : undefined;
  const first = nestedBlock(provider);
  return typeof first?.project === 'string' && !first.project.includes('${') ? first.project : undefined;
}

/** Attributes of google resources that only exist after apply but follow from the arguments. */
export function gcpComputed(doc: Record<string, unknown>) {
  const defaultProject = providerProject(doc);
  return (block: TerraformBlock, attribute: string, refs: TerraformReferences): string | undefined => {
    const arg = (k: string) => {
      const r = refs.resolve(block.body[k]);
      return r && !r.problem ? r.text : undefined;
    };
    const project = () => arg('project') ?? defaultProject ?? '{project}';
    switch (block.type) {
      case 'google_service_account': {
        const accountId = arg('account_id');
        if (!accountId) return undefined;
        const email = `${accountId}@${project()}.iam.gserviceaccount.com`;
        if (attribute === 'email') return email;
        if (attribute === 'member') return `serviceAccount:${email}`;
        if (attribute === 'name' || attribute === 'id') return `projects/${project()}/serviceAccounts/${email}`;
        return undefined;
      }
      case 'google_project_iam_custom_role':
        return attribute === 'id' || attribute === 'name' ? `projects/${project()}/roles/${arg('role_id') ?? '{role}'}` : undefined;
      case 'google_organization_iam_custom_role':
        return attribute === 'id' || attribute === 'name' ? `organizations/${arg('org_id') ?? '{org}'}/roles/${arg('role_id') ?? '{role}'}` : undefined;
      case 'google_project':
        return attribute === 'project_id' || attribute === 'id' ? arg('project_id') : undefined;
      default:
        return undefined;
    }
  };
}

/** Where a `google_<x>_iam_*` grant applies: its resource name and level. */
function grantTarget(ctx: BuildContext, block: TerraformBlock, kind: string, defaultProject: string | undefined): { resource: string; level: Grant['scopeLevel'] } {
  const arg = (k: string) => ctx.refs.resolve(block.body[k])?.text;
  const project = () => arg('project') ?? defaultProject ?? '{project}';
  switch (kind) {
    case 'project': return { resource: `projects/${project()}`, level: 'project' };
    case 'organization': return { resource: `organizations/${arg('org_id') ?? '{org}'}`, level: 'organization' };
    case 'folder': {
      const folder = arg('folder') ?? '{folder}';
      return { resource: folder.startsWith('folders/') ? folder : `folders/${folder}`, level: 'folder' };
    }
    case 'billing_account': return { resource: `billingAccounts/${arg('billing_account_id') ?? '{billing}'}`, level: 'organization' };
    case 'service_account': return { resource: arg('service_account_id') ?? '{service-account}', level: 'resource' };
    case 'storage_bucket': {
      const bucket = arg('bucket') ?? '{bucket}';
      return { resource: bucket.startsWith('b/') ? `projects/_/buckets/${bucket.slice(2)}` : `projects/_/buckets/${bucket}`, level: 'resource' };
    }
    case 'pubsub_topic': return { resource: qualify(arg('topic'), `projects/${project()}/topics/`), level: 'resource' };
    case 'pubsub_subscription': return { resource: qualify(arg('subscription'), `projects/${project()}/subscriptions/`), level: 'resource' };
    case 'secret_manager_secret': return { resource: qualify(arg('secret_id'), `projects/${project()}/secrets/`), level: 'resource' };
    case 'bigquery_dataset': return { resource: qualify(arg('dataset_id'), `projects/${project()}/datasets/`), level: 'resource' };
    case 'bigquery_table': return { resource: `projects/${project()}/datasets/${arg('dataset_id')}/tables/${arg('table_id')}`, level: 'resource' };
    case 'cloud_run_service':
    case 'cloud_run_v2_service': return { resource: `projects/${project()}/locations/${arg('location')}/services/${arg('service') ?? arg('name')}`, level: 'resource' };
    case 'cloud_run_v2_job': return { resource: `projects/${project()}/locations/${arg('location')}/jobs/${arg('name')}`, level: 'resource' };
    case 'cloudfunctions_function': return { resource: `projects/${project()}/locations/${arg('region')}/functions/${arg('cloud_function')}`, level: 'resource' };
    case 'cloudfunctions2_function': return { resource: `projects/${project()}/locations/${arg('location')}/functions/${arg('cloud_function')}`, level: 'resource' };
    case 'artifact_registry_repository': return { resource: `projects/${project()}/locations/${arg('location')}/repositories/${arg('repository')}`, level: 'resource' };
    case 'kms_crypto_key': return { resource: arg('crypto_key_id') ?? '{crypto-key}', level: 'resource' };
    case 'kms_key_ring': return { resource: arg('key_ring_id') ?? '{key-ring}', level: 'resource' };
    case 'compute_instance': return { resource: `projects/${project()}/zones/${arg('zone')}/instances/${arg('instance_name')}`, level: 'resource' };
    default: {
      // Any other resource-level IAM: name it by its identifying arguments, under its location when it has one.
      const skip = new Set(['role', 'member', 'members', 'condition', 'policy_data', 'project', 'etag', 'location', 'region', 'zone', ...META_ARGUMENTS]);
      const ids = Object.keys(block.body).filter((k) => !skip.has(k)).sort().map((k) => arg(k)).filter((v): v is string => v !== undefined);
      const where = arg('location') ?? arg('region') ?? arg('zone');
      return { resource: `projects/${project()}/${where ? `locations/${where}/` : ''}${kind}/${ids.join('/')}`, level: 'resource' };
    }
  }
}

/**
 * Members whose kind is written literally and can be neither the public (`allUsers`, `allAuthenticatedUsers`,
 * `principalSet://goog/public:all`, a whole domain) nor, when only a module's output, one of our agent identities
 * (those are this configuration's service accounts): one user, group, service account or workload identity principal.
 */
const TYPED_MEMBER_PREFIXES = ['serviceAccount:', 'user:', 'group:', 'principal://', 'principalSet://iam.googleapis.com/'];

function isTypedMember(text: string): boolean {
  return TYPED_MEMBER_PREFIXES.some((p) => text.startsWith(p));
}

/** Terraform meta-arguments: never part of a resource's identity. */
const META_ARGUMENTS = ['depends_on', 'count', 'for_each', 'provider', 'lifecycle', 'timeouts'];

function qualify(value: string | undefined, prefix: string): string {
  if (value === undefined) return `${prefix}{unknown}`;
  return value.startsWith('projects/') ? value : `${prefix}${value}`;
}

/** Read the google_* blocks of one configuration into the inventory. */
export function readGcp(ctx: BuildContext, doc: Record<string, unknown>): void {
  const defaultProject = providerProject(doc);
  const blocks = ctx.blocks.filter((b) => b.mode === 'resource' && b.type.startsWith('google_'));
  const emails = new Map<string, Identity>();
  const customRoles = new Map<string, PolicyDocumentEntry & { attachedTo: string[] }>();
  const customRoleNames = new Map<string, PolicyDocumentEntry & { attachedTo: string[] }>();

  // 1. Identities and custom roles first: grants refer to them.
  for (const block of blocks) {
    if (block.type === 'google_service_account') {
      const labels = labelsOfBlock(block);
      const declaration = declarationOfBlock(block);
      if (declaration === 'malformed') ctx.unresolved('gcp', block, '"//".agent-guardrails.declaration', 'is not a readable declaration');
      // Names are not IAM-critical (members and assignments find the account by reference too): no unresolved entry.
      const accountId = ctx.refs.resolve(block.body.account_id)?.text;
      const identity: Identity = {
        id: ctx.identityId('gcp', block), cloud: 'gcp', kind: 'gcp-service-account', name: accountId,
        labels, isAgent: isAgentIdentity(labels), declaration: declaration === 'malformed' ? undefined : declaration,
        trust: [], federations: [], longLivedKeys: [], source: ctx.source(block),
      };
      ctx.inventory.identities.push(identity);
      ctx.identitiesByAddress.set(block.address, identity);
      const email = ctx.refs.resolve(`\${${block.address}.email}`)?.text;
      if (email && !email.includes('${')) emails.set(email.toLowerCase(), identity);
    } else if (CUSTOM_ROLE_TYPES.includes(block.type)) {
      const permissions = ctx.resolveList('gcp', block, 'permissions', block.body.permissions).map((r) => r.text);
      const name = ctx.refs.resolve(`\${${block.address}.name}`)?.text ?? block.address;
      const entry = {
        id: `gcp:${ctx.stack ?? ''}/${block.address}`, cloud: 'gcp' as const, kind: 'gcp-custom-role' as const, name,
        statements: [{ effect: 'Allow' as const, actions: permissions }], permissions,
        attachedTo: [] as string[], boundaryOf: [], labels: labelsOfBlock(block), source: ctx.source(block),
      };
      ctx.inventory.policies.push(entry);
      customRoles.set(block.address, entry);
      customRoleNames.set(name, entry);
    }
  }

  const identityOfMember = (member: Resolved): Identity | undefined => {
    const byRef = ctx.identityReferenced(member);
    if (byRef) return byRef;
    const email = /^(?:serviceAccount:|principal:\/\/iam\.googleapis\.com\/projects\/-\/serviceAccounts\/)(.+)$/.exec(member.text)?.[1];
    return email ? emails.get(email.toLowerCase()) : undefined;
  };

  const roleOf = (role: Resolved | undefined): { role: string; actions: string[]; custom?: PolicyDocumentEntry & { attachedTo: string[] } } => {
    const text = role?.text ?? '';
    for (const ref of role?.refs ?? []) {
      const custom = customRoles.get(ref.address);
      if (custom) return { role: custom.name ?? text, actions: [...(custom.permissions ?? [])], custom };
    }
    const custom = customRoleNames.get(text);
    if (custom) return { role: text, actions: [...(custom.permissions ?? [])], custom };
    return { role: text, actions: [...(gcpPredefinedRolePermissions(text) ?? [])] };
  };

  // Built on first use, once every identity of the configuration's google blocks is known (step 1).
  let byName: GcpIdentitiesByName | undefined;
  const identitiesByName = () => (byName ??= new GcpIdentitiesByName(ctx.identitiesByAddress.values()));

  let grantCount = 0;
  const onServiceAccounts: { grant: Grant; target: Identity; pool: string | undefined }[] = [];
  /**
   * The workload identity pool id a value names: through a reference to a pool of the configuration (a member written
   * `principalSet://…/${google_iam_workload_identity_pool.p.name}/…`, whose name is only known after apply, or a
   * provider's `…p.workload_identity_pool_id`), else by `/workloadIdentityPools/<id>/` in the text.
   */
  const poolIdOf = (value: Resolved | undefined): string | undefined => {
    for (const ref of value?.refs ?? []) {
      const pool = ctx.refs.block(ref.address);
      if (pool?.type === 'google_iam_workload_identity_pool') return ctx.refs.resolve(pool.body.workload_identity_pool_id)?.text;
    }
    return /\/workloadIdentityPools\/([^/]+)(?:\/|$)/.exec(value?.text ?? '')?.[1];
  };
  const federationsByPool = new Map<string, { issuer?: string; attributeCondition?: string; pool?: string }>();
  const addGrant = (block: TerraformBlock, via: Grant['via'], roleValue: Resolved | undefined, member: Resolved, condition: string | undefined, path: string,
    kind = IAM_GRANT.exec(block.type)![1]) => {
    const target = grantTarget(ctx, block, kind, defaultProject);
    const identity = identityOfMember(member);
    const { role, actions, custom } = roleOf(roleValue);
    if (custom && identity) attachOnce(custom, identity.id);
    const grant: Grant = {
      id: `gcp:${ctx.stack ?? ''}/${block.address}#${grantCount++}`, cloud: 'gcp', identityId: identity?.id, principal: member.text,
      effect: 'Allow', actions, resources: [target.resource], role, scopeLevel: target.level,
      ...(condition !== undefined ? { condition } : {}), via, ...labelsIfAny(block), ...crossAccountIfAny(block), source: ctx.source(block, path),
    };
    ctx.inventory.grants.push(grant);
    if (kind === 'service_account') {
      const sa = ctx.refs.resolve(block.body.service_account_id);
      const email = /serviceAccounts\/([^/]+)$/.exec(sa?.text ?? '')?.[1];
      const target = ctx.identityReferenced(sa) ?? (email ? emails.get(email.toLowerCase()) : undefined);
      if (target) onServiceAccounts.push({ grant, target, pool: member.text.startsWith('principal') ? poolIdOf(member) : undefined });
    }
  };

  // 2. Grants, keys, federation and the rest.
  for (const block of blocks) {
    const m = IAM_GRANT.exec(block.type);
    if (m) {
      const kind = m[2];
      if (kind === 'member' || kind === 'binding') {
        const role = ctx.resolve('gcp', block, 'role', block.body.role);
        const cond = nestedBlock(block.body.condition);
        const condition = cond ? ctx.resolve('gcp', block, 'condition.expression', cond.expression)?.text ?? '' : undefined;
        const members = kind === 'member'
          ? [ctx.resolvePrincipal('gcp', block, 'member', block.body.member, isTypedMember)].filter((r): r is Resolved => r !== undefined)
          : ctx.resolvePrincipalList('gcp', block, 'members', block.body.members, isTypedMember);
        if (members.length === 0) ctx.unresolved('gcp', block, kind === 'member' ? 'member' : 'members', 'is missing');
        for (const member of members) addGrant(block, kind === 'member' ? 'iam-member' : 'iam-binding', role, member, condition, block.constructPath ?? block.address);
      } else {
        readPolicyData(ctx, block, (role, member, condition, path) => addGrant(block, 'iam-policy', role, member, condition, path));
      }
      continue;
    }
    if (block.type === 'google_bigquery_dataset' || block.type === 'google_bigquery_dataset_access') {
      // Access entries are grants on the dataset (the dataset block's are authoritative, like an IAM policy).
      const entries = block.type === 'google_bigquery_dataset' ? nestedBlocks(block.body.access) : [block.body];
      const project = ctx.refs.resolve(block.body.project)?.text ?? defaultProject ?? '{project}';
      entries.forEach((entry, i) => {
        const at = block.type === 'google_bigquery_dataset' ? `access[${i}].` : '';
        const named = datasetAccessMember(entry, (field, value) => ctx.resolve('gcp', block, `${at}${field}`, value), project);
        if (named === undefined) return;
        const role = ctx.resolve('gcp', block, `${at}role`, entry.role);
        if (role === undefined) ctx.unresolved('gcp', block, `${at}role`, 'is missing');
        const via = block.type === 'google_bigquery_dataset' ? 'iam-policy' : 'iam-member';
        addGrant(block, via, role && datasetAccessRole(role), named.member, undefined, block.constructPath ?? block.address, 'bigquery_dataset');
      });
      if (block.type === 'google_bigquery_dataset_access') continue;
    }
    if (CUSTOM_ROLE_TYPES.includes(block.type) || block.type === 'google_service_account') continue;
    if (block.type === 'google_service_account_key') {
      const sa = ctx.resolve('gcp', block, 'service_account_id', block.body.service_account_id);
      const email = trailingEmail(sa?.text ?? '');
      const identity = ctx.identityReferenced(sa) ?? (email ? emails.get(email.toLowerCase()) : undefined);
      if (identity) identity.longLivedKeys.push(ctx.source(block));
    } else if (block.type === 'google_iam_deny_policy') {
      readDenyPolicy(ctx, block, identitiesByName);
    } else if (block.type === 'google_iam_workload_identity_pool_provider') {
      const condition = ctx.resolve('gcp', block, 'attribute_condition', block.body.attribute_condition);
      const oidc = nestedBlock(block.body.oidc);
      const issuer = oidc ? ctx.resolve('gcp', block, 'oidc.issuer_uri', oidc.issuer_uri)?.text : undefined;
      // The provider belongs to a pool, not to one service account: identities that pool members may impersonate get it below.
      const pool = ctx.refs.resolve(block.body.workload_identity_pool_id);
      federationsByPool.set(block.address, { issuer, attributeCondition: condition?.text, pool: poolIdOf(pool) ?? pool?.text });
      // The rules judge the condition, and the AWS account an AWS provider trusts, as resolved (a variable's default), not as written.
      const aws = nestedBlock(block.body.aws);
      const account = aws ? ctx.refs.resolve(aws.account_id) : undefined;
      const properties = {
        ...block.body,
        ...(condition && !condition.problem ? { attribute_condition: condition.text } : {}),
        ...(aws && account && !account.problem ? { aws: { ...aws, account_id: account.text } } : {}),
      };
      ctx.inventory.others.push({ cloud: 'gcp', type: block.type, properties, labels: labelsOfBlock(block), source: ctx.source(block) });
      continue;
    }
    ctx.inventory.others.push({ cloud: 'gcp', type: block.type, properties: block.body, labels: labelsOfBlock(block), source: ctx.source(block) });
  }

  // 3. Federation: a pool's providers apply to the service accounts the pool's principals may impersonate.
  for (const { grant, target, pool } of onServiceAccounts) {
    if (pool === undefined) continue;
    for (const [address, f] of federationsByPool) {
      if (f.pool === pool) {
        target.federations.push({ issuer: f.issuer, attributeCondition: f.attributeCondition, source: { ...grant.source, resource: address } });
      }
    }
  }
}

/** Bindings of an authoritative `*_iam_policy`: from a `data.google_iam_policy` it references, or a literal JSON policy. */
function readPolicyData(ctx: BuildContext, block: TerraformBlock, add: (role: Resolved | undefined, member: Resolved, condition: string | undefined, path: string) => void): void {
  const raw = block.body.policy_data;
  const data = ctx.refs.resolve(raw);
  const dataBlock = data?.refs.map((r) => ctx.refs.block(r.address)).find((b) => b?.type === 'google_iam_policy' && b.mode === 'data');
  if (dataBlock) {
    nestedBlocks(dataBlock.body.binding).forEach((binding, i) => {
      const role = ctx.resolve('gcp', dataBlock, `binding[${i}].role`, binding.role);
      const cond = nestedBlock(binding.condition);
      const condition = cond ? ctx.resolve('gcp', dataBlock, `binding[${i}].condition.expression`, cond.expression)?.text ?? '' : undefined;
      for (const member of ctx.resolvePrincipalList('gcp', dataBlock, `binding[${i}].members`, binding.members, isTypedMember)) add(role, member, condition, block.constructPath ?? block.address);
    });
    return;
  }
  if (!data || data.problem) {
    ctx.unresolved('gcp', block, 'policy_data', data?.problem ?? 'is missing');
    return;
  }
  let policy: unknown;
  try {
    policy = JSON.parse(data.text);
  } catch {
    ctx.unresolved('gcp', block, 'policy_data', 'is neither a data.google_iam_policy reference nor JSON');
    return;
  }
  const bindings = isObject(policy) && Array.isArray(policy.bindings) ? policy.bindings : [];
  bindings.filter(isObject).forEach((binding) => {
    const role = ctx.refs.resolve(binding.role);
    const cond = isObject(binding.condition) && typeof binding.condition.expression === 'string' ? binding.condition.expression : undefined;
    for (const member of ctx.refs.resolveList(binding.members)) add(role, member, cond, block.constructPath ?? block.address);
  });
}

/**
 * Deny policies name permissions in the v2 form (`iam.googleapis.com/serviceAccounts.actAs`); grants
 * and roles use the v1 form (`iam.serviceAccounts.actAs`). Keep one form in the inventory.
 */
export function allowPolicyPermission(denyPermission: string): string {
  const m = /^([a-z0-9]+)\.googleapis\.com\/(.+)$/.exec(denyPermission);
  if (!m) return denyPermission;
  const service = m[1] === 'cloudresourcemanager' ? 'resourcemanager' : m[1];
  return `${service}.${m[2]}`;
}

/**
 * A deny policy: policy entries (denied permissions) attached to the identities they deny. A rule
 * applies to its denied principals minus its exception principals, so rules with exceptions go into
 * entries of their own (`<address>#<n>`), attached to the identities they still deny.
 */
function readDenyPolicy(ctx: BuildContext, block: TerraformBlock, byName: () => GcpIdentitiesByName): void {
  const identityOf = (p: Resolved) => {
    const email = /serviceAccounts\/([^/]+)$/.exec(p.text)?.[1];
    return ctx.identityReferenced(p) ?? (email !== undefined ? byName().accountOf(email) : undefined);
  };
  const rules = nestedBlocks(block.body.rules).map((rule, i) => {
    const deny = nestedBlock(rule.deny_rule) ?? {};
    const denied = ctx.resolveList('gcp', block, `rules[${i}].deny_rule.denied_permissions`, deny.denied_permissions).map((r) => allowPolicyPermission(r.text));
    // An exception keeps a permission allowed: it is read under both names (IAM's own permissions for workload and
    // workforce pools and OAuth clients keep the `iam.googleapis.com/` prefix in their allow-policy name), never
    // under one that could miss the permission it excepts.
    const except = [...new Set(ctx.refs.resolveList(deny.exception_permissions).flatMap((r) => [allowPolicyPermission(r.text), r.text]))];
    const excepted = new Set(ctx.refs.resolveList(deny.exception_principals).map(identityOf).filter((x) => x !== undefined).map((x) => x.id));
    const attached = ctx.resolveList('gcp', block, `rules[${i}].deny_rule.denied_principals`, deny.denied_principals)
      .map(identityOf).filter((x) => x !== undefined).map((x) => x.id).filter((id) => !excepted.has(id));
    return { statement: { effect: 'Deny' as const, actions: denied, ...(except.length ? { notActions: except } : {}) }, attached: [...new Set(attached)], hasExceptions: excepted.size > 0 };
  });
  const plain = rules.filter((r) => !r.hasExceptions);
  const groups = [
    { statements: plain.map((r) => r.statement), attachedTo: [...new Set(plain.flatMap((r) => r.attached))] },
    ...rules.filter((r) => r.hasExceptions).map((r) => ({ statements: [r.statement], attachedTo: r.attached })),
  ];
  groups.forEach((g, n) => {
    if (n > 0 && g.attachedTo.length === 0) return;
    ctx.inventory.policies.push({
      id: `gcp:${ctx.stack ?? ''}/${block.address}${n === 0 ? '' : `#${n}`}`, cloud: 'gcp', kind: 'gcp-deny-policy', name: ctx.refs.resolve(block.body.name)?.text,
      statements: g.statements, attachedTo: g.attachedTo, boundaryOf: [],
      permissions: g.statements.flatMap((s) => s.actions), labels: labelsOfBlock(block), source: ctx.source(block),
    });
  });
}

/**
 * The service account an email names, by the account's name (its `account_id`): the first GCP
 * identity, in the order they were read, whose name followed by `@` begins the email. One lookup
 * per email instead of a scan of every identity (deny policies list many principals). Names that
 * hold an `@` themselves (not valid account ids, but input) keep the scan.
 */
class GcpIdentitiesByName {
  private readonly first = new Map<string, { identity: Identity; order: number }>();
  private readonly withAt: { identity: Identity; order: number }[] = [];

  constructor(identities: Iterable<Identity>) {
    let order = 0;
    for (const identity of identities) {
      if (identity.cloud !== 'gcp') continue;
      const name = `${identity.name}`;
      const entry = { identity, order: order++ };
      if (name.includes('@')) this.withAt.push(entry);
      else if (!this.first.has(name)) this.first.set(name, entry);
    }
  }

  public accountOf(email: string): Identity | undefined {
    const at = email.indexOf('@');
    const plain = at === -1 ? undefined : this.first.get(email.slice(0, at));
    const other = this.withAt.find((e) => email.startsWith(`${e.identity.name}@`));
    if (plain === undefined || other === undefined) return (plain ?? other)?.identity;
    return (plain.order < other.order ? plain : other).identity;
  }
}
