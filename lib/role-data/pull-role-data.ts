import * as fs from 'fs';
import * as path from 'path';
import { GuardrailError } from '../errors';
import { compactRoleData } from './compact-role-data';
import { AZURE_ROLE_DATA_FILE, GCP_ROLE_DATA_FILE } from './role-data';
import { withoutTrailingSlashes } from '../private/linear-scans';

/** The one HTTP call the pull makes: GET a JSON page with a bearer token (tests pass recorded answers). */
export type FetchJson = (url: string, token: string) => Promise<unknown>;
/** A bearer token for the cloud's management API, from the user's own credentials. */
export type TokenSource = () => Promise<string>;

/** Where a GCP pull reads from: predefined roles always, plus the custom roles of a project and/or organization. */
export interface GcpPullOptions {
  readonly project?: string;
  readonly organization?: string;
}

/** Upper bound on pages (1,000 roles each): a misbehaving endpoint cannot make the pull loop forever. */
const MAX_PAGES = 100;

const GCP_IAM = 'https://iam.googleapis.com/v1';
const ARM = 'https://management.azure.com';

interface GcpRoleResponse { name?: unknown; title?: unknown; stage?: unknown; includedPermissions?: unknown; deleted?: unknown }

function strings(x: unknown): string[] {
  return Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : [];
}

function object(x: unknown, what: string): Record<string, unknown> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) throw new GuardrailError('AG_ROLE_DATA_PULL', `${what} answered with something that is not a JSON object. Check the credentials and the scope.`);
  return x as Record<string, unknown>;
}

/** Follow a list's pages (GCP `nextPageToken`, Azure `nextLink`). */
async function pages(first: string, next: (page: Record<string, unknown>) => string | undefined, fetchJson: FetchJson, token: string): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  let url: string | undefined = first;
  while (url !== undefined) {
    if (out.length >= MAX_PAGES) throw new GuardrailError('AG_ROLE_DATA_PULL', `${first} returned more than ${MAX_PAGES} pages; refusing to go on.`);
    const page = object(await fetchJson(url, token), url);
    out.push(page);
    url = next(page);
  }
  return out;
}

/**
 * Read every GCP predefined role (IAM `roles.list`, `view=FULL`) and the custom roles of the given
 * project and organization, as a role-data document (`policies/gcp-roles.schema.json`).
 */
export async function pullGcpRoles(options: GcpPullOptions, fetchJson: FetchJson, token: TokenSource, now: Date = new Date()): Promise<Record<string, unknown>> {
  const bearer = await token();
  const parents = ['', ...(options.project ? [`projects/${encodeURIComponent(options.project)}/`] : []), ...(options.organization ? [`organizations/${encodeURIComponent(options.organization)}/`] : [])];
  const roles: Record<string, unknown> = {};
  const sources: string[] = [];
  for (const parent of parents) {
    const base = `${GCP_IAM}/${parent}roles?view=FULL&pageSize=1000`;
    sources.push(`${GCP_IAM}/${parent}roles?view=FULL (IAM roles.list)`);
    const next = (p: Record<string, unknown>) => (typeof p.nextPageToken === 'string' && p.nextPageToken !== '' ? `${base}&pageToken=${encodeURIComponent(p.nextPageToken)}` : undefined);
    for (const page of await pages(base, next, fetchJson, bearer)) {
      for (const r of (Array.isArray(page.roles) ? page.roles : []) as GcpRoleResponse[]) {
        if (typeof r?.name !== 'string' || r.deleted === true) continue;
        roles[r.name] = {
          title: typeof r.title === 'string' ? r.title : r.name,
          ...(typeof r.stage === 'string' ? { stage: r.stage } : {}),
          flags: [],
          permissionsComplete: true,
          permissions: [...new Set(strings(r.includedPermissions))].sort(),
        };
      }
    }
  }
  return {
    $schema: './gcp-roles.schema.json', id: 'gcp-roles', version: '1.0.0',
    description: `GCP roles read with the user's credentials by agent-guardrails data pull gcp (${Object.keys(roles).length} roles).`,
    sources, retrieved: now.toISOString(), roles,
  };
}

/**
 * Read the Azure role definitions visible at `scope` (built-in and custom), as a role-data document
 * (`policies/azure-builtin-roles.schema.json`). A definition with several permission blocks is merged
 * into one (the union of its actions; only not-actions common to every block are kept, so nothing widens silently).
 */
export async function pullAzureRoles(scope: string, fetchJson: FetchJson, token: TokenSource, now: Date = new Date()): Promise<Record<string, unknown>> {
  if (!scope.startsWith('/')) throw new GuardrailError('AG_ROLE_DATA_PULL', GuardrailError.format('--scope', 'must be an Azure scope', scope, 'Pass e.g. /subscriptions/<id> or /providers/Microsoft.Management/managementGroups/<name>.'));
  const bearer = await token();
  const first = `${ARM}${withoutTrailingSlashes(scope)}/providers/Microsoft.Authorization/roleDefinitions?api-version=2022-04-01`;
  const next = (p: Record<string, unknown>) => (typeof p.nextLink === 'string' && p.nextLink.startsWith(`${ARM}/`) ? p.nextLink : undefined);
  const roles: Record<string, unknown>[] = [];
  const seen = new Set<string>();
  for (const page of await pages(first, next, fetchJson, bearer)) {
    for (const d of (Array.isArray(page.value) ? page.value : []) as Record<string, unknown>[]) {
      const props = typeof d?.properties === 'object' && d.properties !== null ? d.properties as Record<string, unknown> : {};
      const id = typeof d?.name === 'string' ? d.name.toLowerCase() : '';
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id) || typeof props.roleName !== 'string' || props.roleName === '' || seen.has(id)) continue;
      seen.add(id);
      const blocks = (Array.isArray(props.permissions) ? props.permissions : []) as Record<string, unknown>[];
      // Sorted, as GCP permissions are: the lists are sets, and the compact file stores them so.
      const union = (k: string) => [...new Set(blocks.flatMap((b) => strings(b?.[k])))].sort();
      const common = (k: string) => (blocks.length === 0 ? [] : [...new Set(strings(blocks[0]?.[k]).filter((a) => blocks.every((b) => strings(b?.[k]).includes(a))))].sort());
      roles.push({
        name: props.roleName, id, flags: [], ...(props.type === 'CustomRole' ? { custom: true } : {}),
        actions: union('actions'), notActions: common('notActions'), dataActions: union('dataActions'), notDataActions: common('notDataActions'),
      });
    }
  }
  return {
    $schema: './azure-builtin-roles.schema.json', id: 'azure-builtin-roles', version: '1.0.0',
    description: `Azure role definitions at ${scope} read with the user's credentials by agent-guardrails data pull azure (${roles.length} definitions).`,
    sources: [`${first} (ARM role definitions)`], retrieved: now.toISOString(), roles,
  };
}

/**
 * Write a pulled document into `dir` under the name the checks read (and a dated copy beside it), in the
 * compact format 2 (each permission once in a table, roles as positions: about a seventh of the size).
 */
export function writeRoleData(dir: string, cloud: 'gcp' | 'azure', doc: Record<string, unknown>): string {
  fs.mkdirSync(dir, { recursive: true });
  const name = cloud === 'gcp' ? GCP_ROLE_DATA_FILE : AZURE_ROLE_DATA_FILE;
  const text = `${JSON.stringify(compactRoleData(cloud, doc))}\n`;
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  const day = String(doc.retrieved ?? '').slice(0, 10);
  if (/^\d{4}-\d{2}-\d{2}$/.test(day)) fs.writeFileSync(path.join(dir, name.replace(/\.json$/, `.${day}.json`)), text);
  return file;
}

/** GET with `fetch` (Node 18+), as the pull's real transport. */
export const httpsFetchJson: FetchJson = async (url, token) => {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  if (!res.ok) throw new GuardrailError('AG_ROLE_DATA_PULL', `${url.split('?')[0]} answered HTTP ${res.status}. Check that your credentials may list roles there.`);
  return readJsonBody(res, url.split('?')[0], MAX_PAGE_BYTES);
};

/** Bytes one page of roles may have (a full page of GCP predefined roles with every permission is a few MB). */
const MAX_PAGE_BYTES = 32 * 2 ** 20;

/**
 * A response's JSON, read as it streams and refused past `limit` bytes: `res.json()` holds whatever the endpoint
 * sends (an endless or huge body would take the process's memory before failing).
 */
export async function readJsonBody(res: Response, where: string, limit: number): Promise<unknown> {
  const refuse = () => new GuardrailError('AG_ROLE_DATA_PULL', `${where} answered with a page of more than ${limit} bytes; refusing to read it.`);
  if (Number(res.headers.get('content-length') ?? 0) > limit) throw refuse();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (res.body) {
    const reader = res.body.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      size += r.value.byteLength;
      if (size > limit) {
        await reader.cancel();
        throw refuse();
      }
      chunks.push(r.value);
    }
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new GuardrailError('AG_ROLE_DATA_PULL', `${where} answered with a page that is not JSON. Check the credentials and the scope.`);
  }
}

/** Load an optional client package, or say how to install it. */
function optional<T>(name: string): T {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(name) as T;
  } catch {
    throw new GuardrailError('AG_ROLE_DATA_CLIENT_MISSING', `data pull needs the optional package ${name}; got none installed. Run \`npm install ${name}\` next to agent-guardrails.`);
  }
}

/** A GCP access token from Application Default Credentials (google-auth-library, loaded only here). */
export const gcpDefaultToken: TokenSource = async () => {
  const { GoogleAuth } = optional<{ GoogleAuth: new (o: { scopes: string[] }) => { getAccessToken(): Promise<string | null | undefined> } }>('google-auth-library');
  const token = await new GoogleAuth({ scopes: ['https://www.googleapis.com/auth/cloud-platform'] }).getAccessToken();
  if (!token) throw new GuardrailError('AG_ROLE_DATA_PULL', 'Application Default Credentials gave no access token. Run `gcloud auth application-default login`.');
  return token;
};

/** An ARM access token from DefaultAzureCredential (@azure/identity, loaded only here). */
export const azureDefaultToken: TokenSource = async () => {
  const { DefaultAzureCredential } = optional<{ DefaultAzureCredential: new () => { getToken(scope: string): Promise<{ token: string } | null> } }>('@azure/identity');
  const token = await new DefaultAzureCredential().getToken(`${ARM}/.default`);
  if (!token) throw new GuardrailError('AG_ROLE_DATA_PULL', 'DefaultAzureCredential gave no token. Run `az login`.');
  return token.token;
};
