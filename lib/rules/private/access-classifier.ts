import { awsActions, hasWildcard } from '../../aws/action-catalog';
import { BoundedCache } from '../../private/bounded-cache';
import { globMatch } from '../../private/glob-match';
import { Cloud } from '../../inventory/inventory';
import { AzureRoleRecord, azureRoleRecords, gcpRoleRecords, onRoleDataChange } from '../../role-data/role-data';

/**
 * What an action (or a role) can do, cloud-neutral. `unknown` means we could not tell; every
 * rule treats it as a write (fail closed).
 */
export type ActionClass = 'list' | 'read' | 'write' | 'permissions' | 'tagging' | 'unknown';

/** From harmless to dangerous: a wildcard or a role takes the highest class of what it holds. */
const RANK: Record<ActionClass, number> = { list: 0, read: 1, tagging: 2, write: 3, unknown: 4, permissions: 5 };

/** Negative when `a` is less dangerous than `b`, positive when more, 0 when equal. */
export function compareClass(a: ActionClass, b: ActionClass): number {
  return RANK[a] - RANK[b];
}

/** True for the classes an observer may hold. */
export function isReadClass(c: ActionClass): boolean {
  return c === 'list' || c === 'read';
}

/**
 * Channels out of the tenant that Azure bundles into its built-in reader roles. They change nothing in
 * the tenant, so the agent rules report them as warnings instead of as writes, and only when they come
 * with a built-in role (a custom role can leave them out):
 * - `Microsoft.Support/*` (Cost Management Reader, Monitoring Reader, Log Analytics Reader, …): open and
 *   update support tickets with Microsoft;
 * - `…/blobServices/generateUserDelegationKey/action` (Storage Blob Data Reader and Contributor): sign
 *   user-delegation SAS tokens, which carry at most the holder's own blob permissions but are bearer
 *   tokens that outlive its session.
 */
const AZURE_BUNDLED_CHANNELS: readonly { readonly kind: string; readonly pattern: RegExp; readonly what: string }[] = [
  { kind: 'support-tickets', pattern: /^Microsoft\.Support\//i, what: 'it can open support tickets with Microsoft, a channel out of the tenant' },
  { kind: 'delegation-key', pattern: /^Microsoft\.Storage\/storageAccounts\/blobServices\/generateUserDelegationKey\/action$/i, what: 'it can sign user-delegation SAS tokens (capped at its own blob permissions) that outlive its session' },
];

/** The bundled reader-role channel an action of a built-in Azure role is, if any (see AZURE_BUNDLED_CHANNELS). */
export function bundledReaderChannel(cloud: Cloud, action: string, role: string | undefined): { readonly kind: string; readonly what: string } | undefined {
  if (cloud !== 'azure' || role === undefined) return undefined;
  return AZURE_BUNDLED_CHANNELS.find((c) => c.pattern.test(action));
}

/** Whether an action is a channel Azure bundles into its built-in reader roles (a warning, not a write). */
export function isBundledReaderChannel(cloud: Cloud, action: string, role: string | undefined): boolean {
  return bundledReaderChannel(cloud, action, role) !== undefined;
}

/** The more dangerous of several classes (`list` for none). */
export function maxClass(classes: Iterable<ActionClass>): ActionClass {
  let out: ActionClass = 'list';
  for (const c of classes) if (RANK[c] > RANK[out]) out = c;
  return out;
}

/**
 * Classify one action, permission or role of a cloud.
 *
 * - AWS: the access level of the Service Authorization Reference; a wildcard takes the highest
 *   level of the real actions it matches (and `unknown` when it matches none).
 * - GCP: permissions by their verb; roles by their permissions when `policies/gcp-roles.json`
 *   knows them, else by name (`*viewer`/`*reader` read, `*admin` permissions, else write).
 * - Azure: actions by their last segment; `Microsoft.Authorization` writes are permissions.
 */
export function classifyAction(cloud: Cloud, action: string): ActionClass {
  switch (cloud) {
    case 'aws': return classifyAws(action);
    case 'gcp': return classifyGcp(action);
    case 'azure': return classifyAzure(action);
    default: return 'unknown';
  }
}

/**
 * The class of a predefined GCP role (`roles/…`) or a built-in Azure role (name or GUID), or
 * undefined for custom roles, whose permissions the adapters expand instead. Lets a rule see
 * what a role with an incomplete permission list may still do.
 */
export function classifyKnownRole(cloud: Cloud, role: string): ActionClass | undefined {
  if (cloud === 'gcp') return role.startsWith('roles/') ? classifyGcpRole(role) : undefined;
  if (cloud === 'azure') {
    const guid = role.split('/').pop() ?? role;
    return azureRoleClass(role.toLowerCase()) ?? azureRoleClass(guid.toLowerCase()) ?? AZURE_ROLE_GUIDS[guid.toLowerCase()];
  }
  return undefined;
}

const AWS_LEVELS: Record<string, ActionClass> = {
  'List': 'list', 'Read': 'read', 'Write': 'write', 'Permissions management': 'permissions', 'Tagging': 'tagging',
};

function classifyAws(action: string): ActionClass {
  // The action data never changes in a process, and thousands of roles hold the same few actions.
  // Bounded: the action strings come from the input, and hostile input may hold millions of them.
  return AWS_CLASSES.get(action) ?? AWS_CLASSES.set(action, classifyAwsUncached(action));
}

const AWS_CLASSES = new BoundedCache<string, ActionClass>(50_000, 4_000_000, (action) => action.length);

function classifyAwsUncached(action: string): ActionClass {
  if (hasWildcard(action)) {
    const matched = awsActions().expand(action);
    return matched.length === 0 ? 'unknown' : maxClass(matched.map((a) => awsLevel(a.accessLevel)));
  }
  const info = awsActions().action(action);
  return info ? awsLevel(info.accessLevel) : 'unknown';
}

/** iam-data writes combined levels (`Permissions management, Write`): the most dangerous part counts. */
function awsLevel(level: string): ActionClass {
  return maxClass(level.split(',').map((l) => AWS_LEVELS[l.trim()] ?? 'unknown'));
}

/** GCP permissions that mint or borrow credentials: as dangerous as changing IAM. */
const GCP_IDENTITY_VERBS = new Set(['getAccessToken', 'getOpenIdToken', 'signBlob', 'signJwt', 'actAs', 'implicitDelegation']);
/** GCP read verbs besides `get*`/`list*`. */
const GCP_READ_VERBS = new Set(['access', 'read', 'search', 'query', 'lookup', 'view', 'check']);

function classifyGcp(action: string): ActionClass {
  if (isGcpRole(action)) return classifyGcpRole(action);
  if (hasWildcard(action)) return 'unknown';
  const parts = action.split('.');
  if (parts.length < 3) return 'unknown';
  const verb = parts[parts.length - 1];
  if (verb === 'setIamPolicy' || GCP_IDENTITY_VERBS.has(verb)) return 'permissions';
  if (verb === 'list' || /^list[A-Z]/.test(verb)) return 'list';
  if (verb === 'get' || /^get[A-Z]/.test(verb) || GCP_READ_VERBS.has(verb) || /^search[A-Z]/.test(verb)) return 'read';
  // Everything else in the IAM service changes identities, roles or keys.
  if (parts[0] === 'iam' || parts[1] === 'tagBindings' || parts[1] === 'tagValueBindings') return parts[0] === 'iam' ? 'permissions' : 'tagging';
  return 'write';
}

function isGcpRole(s: string): boolean {
  return s.startsWith('roles/') || /^(projects|organizations)\/[^/]+\/roles\/[^/]+$/.test(s);
}

function classifyGcpRole(role: string): ActionClass {
  const known = gcpRoles().get(role);
  if (!known) return classifyGcpRoleByName(role);
  // Memoized per role of the role data (bounded by it): thousands of bindings name the same few roles.
  let hit = gcpRoleClasses.get(known);
  if (hit === undefined) {
    hit = classifyKnownGcpRole(role, known);
    gcpRoleClasses.set(known, hit);
  }
  return hit;
}

function classifyKnownGcpRole(role: string, known: KnownGcpRole): ActionClass {
  const byName = classifyGcpRoleByName(role);
  if (known.flags.some((f) => f === 'admin' || f === 'escalation' || f === 'impersonation' || f === 'key-management')) return 'permissions';
  const byPermissions = maxClass(known.permissions.map(classifyGcp));
  // An incomplete list may miss the role's worst permission: its name still counts.
  if (!known.permissionsComplete || known.permissions.length === 0) return maxClass([byPermissions, byName]);
  return byPermissions;
}

function classifyGcpRoleByName(role: string): ActionClass {
  if (!role.startsWith('roles/')) return 'unknown'; // a custom role whose permissions we do not know
  const name = role.slice('roles/'.length);
  if (name === 'owner') return 'permissions';
  if (name === 'viewer' || name === 'browser') return 'read';
  if (name === 'editor') return 'write';
  if (/(\.viewer|Viewer|\.reader|Reader)$/.test(name)) return 'read';
  if (/(\.admin|Admin)$/.test(name) || name.startsWith('iam.')) return 'permissions';
  return 'write';
}

interface KnownGcpRole {
  readonly permissions: string[];
  readonly permissionsComplete: boolean;
  readonly flags: string[];
}

let gcpRoleCache: Map<string, KnownGcpRole> | undefined;
/** Classes of the GCP roles of the role data in force, computed when first asked for. */
let gcpRoleClasses = new WeakMap<KnownGcpRole, ActionClass>();
onRoleDataChange(() => { gcpRoleCache = undefined; gcpRoleClasses = new WeakMap(); azureRoleCache = undefined; });

/** GCP roles with their permissions, from the role data in force (shipped catalog, overlaid by pulled data). */
function gcpRoles(): Map<string, KnownGcpRole> {
  gcpRoleCache ??= new Map(gcpRoleRecords());
  return gcpRoleCache;
}

/** An Azure role of the role data in force, and its class once a rule has asked for it. */
interface KnownAzureRole {
  readonly record: AzureRoleRecord;
  cls?: ActionClass;
  classifying?: boolean;
}

let azureRoleCache: Map<string, KnownAzureRole> | undefined;

/** Azure roles by lower-case name and GUID, from the role data in force (classified when first asked for: a check names few of them). */
function azureRoles(): Map<string, KnownAzureRole> {
  if (azureRoleCache) return azureRoleCache;
  azureRoleCache = new Map();
  for (const record of azureRoleRecords()) {
    const known: KnownAzureRole = { record };
    azureRoleCache.set(record.name.toLowerCase(), known);
    azureRoleCache.set(record.id.toLowerCase(), known);
  }
  return azureRoleCache;
}

/** The class of the Azure role with this lower-case name or GUID in the role data in force. */
function azureRoleClass(key: string): ActionClass | undefined {
  const known = azureRoles().get(key);
  if (!known || known.classifying) return undefined; // a role data action naming a role being classified: not by itself
  if (known.cls === undefined) {
    known.classifying = true;
    known.cls = classifyAzureRoleRecord(known.record);
    known.classifying = false;
  }
  return known.cls;
}

function classifyAzureRoleRecord(r: AzureRoleRecord): ActionClass {
  const cls = maxClass([...(r.actions ?? []), ...(r.dataActions ?? [])].map(classifyAzure));
  const authorizationWritesExcluded = (r.notActions ?? []).some((a) => /^Microsoft\.Authorization\/\*\/write$/i.test(a));
  return cls === 'permissions' && !(r.flags ?? []).includes('role-assignment') && authorizationWritesExcluded ? 'write' : cls;
}

/** Built-in Azure roles by definition GUID, for assignments that name the GUID. */
const AZURE_ROLE_GUIDS: Record<string, ActionClass> = {
  'acdd72a7-3385-48ef-bd42-f606fba81ae7': 'read', // Reader
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': 'permissions', // Owner
  'b24988ac-6180-42a0-ab88-20f7382dd24c': 'write', // Contributor
  '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9': 'permissions', // User Access Administrator
  'f58310d9-a9f6-439a-9e8d-f62e7b41a168': 'permissions', // Role Based Access Control Administrator
  '2a2b9908-6ea1-4ae2-8e65-a410df84e7d1': 'read', // Storage Blob Data Reader
  'ba92f5b4-2d11-453d-a403-e96b0029c9fe': 'write', // Storage Blob Data Contributor
  '4633458b-17de-408a-b874-0445c86b69e6': 'read', // Key Vault Secrets User
  '73c42c96-874c-492b-b04d-ab87d138a893': 'read', // Log Analytics Reader
  '43d0d8ad-25c7-4714-9337-8ba259a9fe05': 'read', // Monitoring Reader
};

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function classifyAzure(action: string): ActionClass {
  if (!action.includes('/')) return classifyAzureRole(action);
  const guid = action.split('/').pop() ?? '';
  if (action.toLowerCase().includes('/roledefinitions/') && GUID.test(guid)) return classifyAzureRole(guid);
  const lower = action.toLowerCase();
  const provider = lower.split('/')[0];
  const touchesAuthorization = globMatch(provider, 'microsoft.authorization');
  if (lower.endsWith('/read')) return 'read';
  if (touchesAuthorization) return 'permissions';
  if (isAzureReadStyleAction(action)) return 'read';
  if (lower.endsWith('/write') || lower.endsWith('/delete') || lower.endsWith('/action') || lower.endsWith('/*') || lower === '*') return 'write';
  return 'unknown';
}

/**
 * Azure actions that read although they end in `/action`: Key Vault's `secrets/getSecret/action` and
 * `secrets/readMetadata/action`, and other `…/get…/action` / `…/read…/action` data reads. Actions that
 * return tokens, credentials, passwords or keys (`getssotoken/action`) stay writes: AZ-004 and the
 * tier rules must see them.
 */
export function isAzureReadStyleAction(action: string): boolean {
  return /\/(get|read)[A-Za-z]*\/action$/i.test(action) && !/(token|credentials?|password|keys?)\/action$/i.test(action);
}

function classifyAzureRole(role: string): ActionClass {
  const known = azureRoleClass(role.toLowerCase());
  if (known) return known;
  if (GUID.test(role)) return AZURE_ROLE_GUIDS[role.toLowerCase()] ?? 'unknown';
  if (role === '*') return 'permissions';
  if (/^(Owner|User Access Administrator|Role Based Access Control Administrator)$/i.test(role)) return 'permissions';
  if (/\b(Reader|Viewer)$/i.test(role) || /^Key Vault Secrets User$/i.test(role)) return 'read';
  return 'write';
}
