import { Inventory } from '../../inventory/inventory';
import { RawFinding, Rule } from '../rule';
import { allowGrants, findingAt } from './private/gcp-rule-helpers';

const ACL_TYPES = ['google_storage_bucket_access_control', 'google_storage_object_access_control', 'google_storage_default_object_access_control', 'google_storage_bucket_acl', 'google_storage_object_acl', 'google_storage_default_object_acl'];
const PUBLIC = /^(allUsers|allAuthenticatedUsers|principalSet:\/\/goog\/public:all)$/;

/** GCP-008: no `allUsers` / `allAuthenticatedUsers` members. */
export const GCP_PUBLIC_MEMBERS_RULE: Rule = {
  id: 'GCP-008',
  cloud: 'gcp',
  severity: 'error',
  reason: 'A role is granted to allUsers or allAuthenticatedUsers (anyone on the internet, or any Google account).',
  explanation: 'allUsers is anyone, signed in or not; allAuthenticatedUsers is any Google account in the world, not just your organization.',
  fix: 'Grant the role to the specific service accounts or groups that need it.',
  controls: ['CKV_GCP_28', 'CKV_GCP_99', 'CKV_GCP_100'],
  evaluate(inventory: Inventory): RawFinding[] {
    const grants = allowGrants(inventory, 'gcp').filter((g) => PUBLIC.test(g.principal ?? '')).map((g) => findingAt('gcp', g.source, {
      detail: g.principal,
      message: `${g.source.resource} grants ${g.role} on ${g.resources.join(', ')} to ${g.principal}.`,
      fix: GCP_PUBLIC_MEMBERS_RULE.fix,
    }));
    // The same exposure through legacy Cloud Storage ACLs (entity "allUsers", role_entity "READER:allUsers").
    const acls = inventory.others.filter((o) => o.cloud === 'gcp' && ACL_TYPES.includes(o.type)).flatMap((o) => {
      const entities = [o.properties.entity, ...(Array.isArray(o.properties.role_entity) ? o.properties.role_entity : [])]
        .filter((e): e is string => typeof e === 'string').map((e) => e.split(':').pop() ?? e);
      const open = entities.find((e) => /^all(Authenticated)?Users$/.test(e));
      return open ? [findingAt('gcp', o.source, {
        detail: open,
        message: `${o.source.resource} (${o.type}) gives ${open} access through a Cloud Storage ACL.`,
        fix: 'Remove the ACL entry; use uniform bucket-level access and IAM grants to named principals.',
      })] : [];
    });
    return [...grants, ...acls];
  },
};
