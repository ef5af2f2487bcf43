import { Token } from 'cdktf';
import { fail } from '../../../lib/errors';
import { Environment } from '../../../lib/model/environment';

/** A user-managed service account's email names its project: `<id>@<project>.iam.gserviceaccount.com`. */
const SERVICE_ACCOUNT_PROJECT = /^serviceAccount:[^@\s]+@([a-z][a-z0-9-]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/;

/**
 * Refuse service accounts of another project than the environment's, unless the environment's
 * `crossAccount` opt-in lists that project. Only service-account emails name their project; users,
 * groups and `principal://` identities (pools are named by project number, not id) are not judged here.
 */
export function otherProjectMembers(field: string, members: readonly string[], environment: Environment, project: string): void {
  if (Token.isUnresolved(project)) return;
  for (const member of members) {
    if (Token.isUnresolved(member)) continue;
    const other = SERVICE_ACCOUNT_PROJECT.exec(member)?.[1];
    if (other === undefined || other === project || environment.crossAccount?.allowsProject(other)) continue;
    fail('AG_PRINCIPAL_OTHER_PROJECT', field, `must name service accounts of environment ${environment.name}'s project ${project}`, `${member} (project ${other})`,
      `Use a service account of ${project}; for a deliberate cross-project set-up, opt in on the environment: `
      + `Environment.of({ ..., crossAccount: CrossAccountAccess.allow({ projects: ['${other}'], reason: '<who they are and why they are trusted>' }) }).`);
  }
}

/** The projects of `members` that the environment's opt-in admits (recorded on the bindings). */
export function optedInProjects(members: readonly string[], environment: Environment, project: string): string[] {
  const out = new Set<string>();
  for (const member of members) {
    const other = Token.isUnresolved(member) ? undefined : SERVICE_ACCOUNT_PROJECT.exec(member)?.[1];
    if (other !== undefined && other !== project && environment.crossAccount?.allowsProject(other)) out.add(other);
  }
  return [...out].sort();
}
