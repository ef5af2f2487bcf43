import { Resolved } from './terraform-references';

/**
 * BigQuery's dataset access entries (`google_bigquery_dataset` `access` blocks, `google_bigquery_dataset_access`) as
 * IAM grants on the dataset. The legacy roles are the predefined dataset roles BigQuery maps them to ("Basic roles
 * for datasets" in the BigQuery access-control docs); any other role is an IAM role name as written.
 */
const LEGACY_ROLES: Readonly<Record<string, string>> = {
  READER: 'roles/bigquery.dataViewer',
  WRITER: 'roles/bigquery.dataEditor',
  OWNER: 'roles/bigquery.dataOwner',
};

/** The member fields of an access entry, each with how its value becomes an IAM member. */
const MEMBER_FIELDS: readonly { field: string; member: (text: string, project: string) => string }[] = [
  { field: 'iam_member', member: (t) => t },
  // A service account may be named by user_by_email too: it is still that account.
  { field: 'user_by_email', member: (t) => (/\.gserviceaccount\.com$/i.test(t) ? `serviceAccount:${t}` : `user:${t}`) },
  { field: 'group_by_email', member: (t) => `group:${t}` },
  { field: 'domain', member: (t) => `domain:${t}` },
  { field: 'special_group', member: (t, project) => SPECIAL_GROUPS[t]?.(project) ?? `specialGroup:${t}` },
];

const SPECIAL_GROUPS: Readonly<Record<string, (project: string) => string>> = {
  allAuthenticatedUsers: () => 'allAuthenticatedUsers',
  projectOwners: (p) => `projectOwner:${p}`,
  projectReaders: (p) => `projectViewer:${p}`,
  projectWriters: (p) => `projectEditor:${p}`,
};

/** The IAM role an access entry's role names. */
export function datasetAccessRole(role: Resolved): Resolved {
  const legacy = Object.prototype.hasOwnProperty.call(LEGACY_ROLES, role.text.toUpperCase()) ? LEGACY_ROLES[role.text.toUpperCase()] : undefined;
  return legacy === undefined ? role : { ...role, text: legacy };
}

/**
 * The member an access entry names, as an IAM member, with the field it came from; undefined for an entry that names
 * no principal (an authorized view, dataset or routine).
 */
export function datasetAccessMember(entry: Record<string, unknown>, resolve: (field: string, value: unknown) => Resolved | undefined, project: string): { field: string; member: Resolved } | undefined {
  for (const { field, member } of MEMBER_FIELDS) {
    if (entry[field] === undefined || entry[field] === null) continue;
    const r = resolve(field, entry[field]);
    if (r === undefined) continue;
    return { field, member: { ...r, text: member(r.text, project) } };
  }
  return undefined;
}
