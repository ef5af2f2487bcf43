import * as fs from 'fs';
import * as path from 'path';
import { policiesDir } from '../baseline/baseline';
import { GuardrailError } from '../errors';
import { COMPACT_ROLE_DATA_FORMAT, expandRoleData, roleDataFormat } from './compact-role-data';
import { RuntimeSchema, schemaValidator } from '../private/json-schema-validator';
import { readTextFile } from '../private/read-text-file';

/**
 * The role data in force: the catalog shipped in `policies/` (written from the clouds' role
 * documentation), overlaid by the full definitions `agent-guardrails data pull` wrote into a
 * folder (CLI `--role-data DIR`, a baseline's `roleData`, or `AGENT_GUARDRAILS_ROLE_DATA`).
 * A pulled role replaces the shipped permissions; the shipped flags (reviewed meanings) stay.
 */

/** The two files a role-data folder holds (the same names and schemas as the shipped catalog). */
export const GCP_ROLE_DATA_FILE = 'gcp-roles.json';
export const AZURE_ROLE_DATA_FILE = 'azure-builtin-roles.json';

/** A GCP role as the rules see it. */
export interface GcpRoleRecord {
  readonly name: string;
  readonly title: string;
  readonly permissions: string[];
  /** Whether `permissions` is the role's full list. */
  readonly permissionsComplete: boolean;
  readonly flags: string[];
}

/** An Azure role definition as the rules see it. */
export interface AzureRoleRecord {
  readonly name: string;
  /** Role definition GUID, lower case. */
  readonly id: string;
  readonly actions: string[];
  readonly notActions: string[];
  readonly dataActions: string[];
  readonly notDataActions: string[];
  readonly flags: string[];
}

let overlay: string | undefined = process.env.AGENT_GUARDRAILS_ROLE_DATA || undefined;
let gcpCache: Map<string, GcpRoleRecord> | undefined;
let azureCache: AzureRoleRecord[] | undefined;
const resets: (() => void)[] = [];

/**
 * Read role data from `dir` (written by `agent-guardrails data pull`) on top of the shipped catalog,
 * for this process; `undefined` goes back to the shipped catalog alone.
 */
export function useRoleData(dir: string | undefined): void {
  const next = dir === undefined ? undefined : path.resolve(dir);
  if (next === overlay) return;
  if (next !== undefined && !fs.existsSync(next)) {
    throw new GuardrailError('AG_ROLE_DATA_MISSING', `role data folder does not exist; got ${next}. Run \`agent-guardrails data pull gcp|azure --out ${dir}\` first.`);
  }
  overlay = next;
  gcpCache = undefined;
  azureCache = undefined;
  resets.forEach((r) => r());
  // Read now, so a broken file is one clear error before any check runs, not a surprise mid-way.
  try {
    if (next !== undefined && fs.existsSync(path.join(next, GCP_ROLE_DATA_FILE))) gcpRoleRecords();
    if (next !== undefined && fs.existsSync(path.join(next, AZURE_ROLE_DATA_FILE))) azureRoleRecords();
  } catch (e) {
    useRoleData(undefined);
    throw e;
  }
}

/** The role-data folder in force, if any. */
export function roleDataDir(): string | undefined {
  return overlay;
}

/** Let a cache built from the role data be dropped when the data in force changes. */
export function onRoleDataChange(reset: () => void): void {
  resets.push(reset);
}

/** A role-data file larger than this is refused before it is read (the full GCP data is about 1 MB compact, 7 MB in format 1). */
const MAX_ROLE_DATA_BYTES = 256 * 2 ** 20;

/**
 * Read a role-data file in either format (1: the shipped catalog's shape; 2: the compact form `data pull`
 * writes, expanded here), validated against its schema; an unknown format is a clear error.
 * `shipped` files (the package's own catalog, which its tests validate) skip the schema check.
 */
function readValidated(file: string, schemaName: string, shipped = false): Record<string, unknown> {
  let doc: Record<string, unknown>;
  try {
    const size = fs.statSync(file).size;
    if (size > MAX_ROLE_DATA_BYTES) throw new Error(`${size} bytes, more than the ${MAX_ROLE_DATA_BYTES} a role-data file may have`);
    doc = JSON.parse(readTextFile(file));
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new Error('not a JSON object');
  } catch (e) {
    throw new GuardrailError('AG_ROLE_DATA_UNREADABLE', `role data file cannot be read as JSON; got ${file} (${(e as Error).message}). Pull it again with \`agent-guardrails data pull\`.`);
  }
  const compact = roleDataFormat(doc, file) === COMPACT_ROLE_DATA_FORMAT;
  const name = (compact ? schemaName.replace(/\.schema\.json$/, '.compact.schema.json') : schemaName) as RuntimeSchema;
  const { format: _format, ...body } = doc;
  if (shipped && !compact) return body;
  const validate = schemaValidator(name);
  if (!validate(compact ? doc : body)) {
    const errors = (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new GuardrailError('AG_ROLE_DATA_INVALID', `role data file ${file} does not match ${name}: ${errors.join('; ')}. Pull it again with \`agent-guardrails data pull\`.`);
  }
  return compact ? expandRoleData(schemaName.startsWith('gcp') ? 'gcp' : 'azure', doc, file) : body;
}

/** A role-data file as the checks read it (either format), for tools and tests that inspect one. */
export function readRoleDataFile(file: string, cloud: 'gcp' | 'azure'): Record<string, unknown> {
  return readValidated(file, cloud === 'gcp' ? 'gcp-roles.schema.json' : 'azure-builtin-roles.schema.json');
}

/** The shipped file, then the pulled one when a folder is in force and holds it. */
function documents(name: string, schemaName: string): Record<string, unknown>[] {
  const docs = [readValidated(path.join(policiesDir(), name), schemaName, true)];
  const pulled = overlay !== undefined ? path.join(overlay, name) : undefined;
  if (pulled !== undefined && fs.existsSync(pulled)) docs.push(readValidated(pulled, schemaName));
  return docs;
}

/** Every GCP role the data in force knows, by name (`roles/run.invoker`). */
export function gcpRoleRecords(): ReadonlyMap<string, GcpRoleRecord> {
  if (gcpCache) return gcpCache;
  const roles = new Map<string, GcpRoleRecord>();
  for (const doc of documents(GCP_ROLE_DATA_FILE, 'gcp-roles.schema.json')) {
    for (const [name, r] of Object.entries(doc.roles as Record<string, GcpRoleRecord>)) {
      const shipped = roles.get(name);
      roles.set(name, { name, title: r.title, permissions: r.permissions, permissionsComplete: r.permissionsComplete, flags: [...new Set([...(shipped?.flags ?? []), ...r.flags])] });
    }
  }
  gcpCache = roles;
  return roles;
}

/** Every Azure role definition the data in force knows. */
export function azureRoleRecords(): readonly AzureRoleRecord[] {
  if (azureCache) return azureCache;
  const byId = new Map<string, AzureRoleRecord>();
  for (const doc of documents(AZURE_ROLE_DATA_FILE, 'azure-builtin-roles.schema.json')) {
    for (const r of doc.roles as AzureRoleRecord[]) {
      const id = r.id.toLowerCase();
      const shipped = byId.get(id);
      byId.set(id, { ...r, id, flags: [...new Set([...(shipped?.flags ?? []), ...r.flags])] });
    }
  }
  azureCache = [...byId.values()];
  return azureCache;
}
