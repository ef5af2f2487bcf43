import { Cloud } from '../../inventory/inventory';

/**
 * How an identity is compared across declarations and logs: AWS role and session ARNs become the
 * role name (IAM names are case-insensitive; paths are not part of a session ARN), GCP service
 * account emails and resource names their account id, Azure principal ids and names lowercased.
 */
export function identityKey(cloud: Cloud, identity: string): string {
  const s = identity.trim();
  if (cloud === 'aws') {
    const session = /^arn:[^:]+:sts::\d{12}:assumed-role\/([^/]+)\//.exec(s);
    if (session) return `aws\u0000${session[1].toLowerCase()}`;
    const name = /^arn:[^:]+:iam::\d{12}:role\//.test(s) ? s.slice(s.lastIndexOf('/') + 1) : s;
    return `aws\u0000${name.toLowerCase()}`;
  }
  if (cloud === 'gcp') {
    const email = s.slice(s.lastIndexOf('/') + 1);
    const at = email.indexOf('@');
    return `gcp\u0000${(at >= 0 ? email.slice(0, at) : email).toLowerCase()}`;
  }
  return `azure\u0000${s.toLowerCase()}`;
}
