import { loadCatalog } from '../../../lib/catalogs/catalog';
import { Tool } from '../../../lib/model/tool';
import { gcpRoles } from './gcp-roles';

/** The role a deploy tool gets on its declared runtime service account: actAs (plus get/list of that account). */
export const ACT_AS_ROLE = 'roles/iam.serviceAccountUser';

/**
 * The tool's permissions (declared, or in its known predefined roles) whose use needs
 * `iam.serviceAccounts.actAs` on the declared resource's runtime service account
 * (`policies/catalogs/gcp-act-as-permissions.json`, with its sources).
 */
export function actAsPermissionsOf(tool: Tool): string[] {
  const needs = new Set(loadCatalog('gcp-act-as-permissions').gcp ?? []);
  const roles = gcpRoles();
  const held = [...(tool.gcp?.permissions ?? []), ...(tool.gcp?.roles ?? []).flatMap((r) => roles[r]?.permissions ?? [])];
  return [...new Set(held.filter((p) => needs.has(p)))].sort();
}

/** A user-managed service account of `project`: `<id>@<project>.iam.gserviceaccount.com`. */
const USER_MANAGED = /^([a-z][a-z0-9-]{4,28}[a-z0-9])@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/;

/**
 * Service accounts no agent tool may act as, with the reason (https://cloud.google.com/iam/docs/service-account-types):
 * the Compute Engine and App Engine default accounts (often Editor on the project, and shared by
 * every workload that names no account) and Google-managed service agents.
 */
const FORBIDDEN: Array<[RegExp, string]> = [
  [/^[0-9]+-compute@developer\.gserviceaccount\.com$/, 'the Compute Engine default service account (what Cloud Run uses when a service names no account; often Editor on the project)'],
  [/@appspot\.gserviceaccount\.com$/, 'the App Engine default service account (often Editor on the project)'],
  [/@(gcp-sa-[a-z0-9-]+\.iam\.gserviceaccount\.com|cloudservices\.gserviceaccount\.com|cloudbuild\.gserviceaccount\.com|serverless-robot-prod\.iam\.gserviceaccount\.com)$/, 'a Google-managed service agent'],
];

/** Why `email` may not be a tool's runtime account, or undefined when it may. */
export function forbiddenRuntimeAccount(email: string, project: string, agentAccounts: ReadonlySet<string>): string | undefined {
  for (const [pattern, why] of FORBIDDEN) if (pattern.test(email)) return why;
  if (agentAccounts.has(email)) return 'a service account of the agent itself (acting as another tool\'s account merges two tools\' permissions)';
  const m = USER_MANAGED.exec(email);
  if (!m) return 'not a user-managed service account email (<id>@<project>.iam.gserviceaccount.com)';
  if (m[2] !== project) return `an account of project ${m[2]}, not of the environment's project ${project}`;
  return undefined;
}
