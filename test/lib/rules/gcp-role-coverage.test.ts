import * as fs from 'fs';
import * as path from 'path';
import { policiesDir } from '../../../lib/baseline/baseline';
import { loadCatalog } from '../../../lib/catalogs/catalog';
import { GCP_IMPERSONATION_PERMISSIONS, isSecurityRelevantGcpPermission } from '../../../lib/rules/gcp/private/gcp-role-knowledge';
import { fullRoleDataAvailable, readFullRoleData, SHARED_ROLE_DATA } from '../../helpers/full-role-data';

/**
 * How much of GCP's security-relevant role set the shipped catalog covers, measured against the full
 * role definitions (../shared/data: tests and measurement only, never shipped). A role is
 * security-relevant when it holds a permission the GCP rules judge a role by (impersonation, the
 * escalation catalog and its paths, secret and key access: isSecurityRelevantGcpPermission). The
 * proof that each entry is right is role-catalog-proof.test.ts; this file measures coverage and
 * keeps the entries that list no permissions from hiding what the rules judge for every principal.
 */
const suite = fullRoleDataAvailable() ? describe : describe.skip;

suite('GCP role catalog coverage of the security-relevant roles (../shared/data)', () => {
  const real = fullRoleDataAvailable() ? readFullRoleData(SHARED_ROLE_DATA).gcp.roles : {};
  const shipped = JSON.parse(fs.readFileSync(path.join(policiesDir(), 'gcp-roles.json'), 'utf8')).roles as Record<string, { permissionsComplete: boolean; permissions: string[]; flags: string[] }>;

  test('security-relevant roles covered (measured, never fewer than the catalog covered when this was written)', () => {
    const relevant = Object.entries(real).filter(([, r]) => r.permissions.some(isSecurityRelevantGcpPermission)).map(([name]) => name);
    const covered = relevant.filter((name) => shipped[name] !== undefined);
    // Admin entries may list none of their permissions (judged by their flag; the next test keeps that safe).
    const byFlagOnly = covered.filter((name) => !shipped[name].permissionsComplete && shipped[name].permissions.length === 0).length;
    const byService = new Map<string, number>();
    for (const name of relevant.filter((n) => shipped[n] === undefined)) {
      const service = name.replace(/^roles\//, '').split('.')[0];
      byService.set(service, (byService.get(service) ?? 0) + 1);
    }
    const top = [...byService].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([s, n]) => `${s} ${n}`).join(', ');
    // eslint-disable-next-line no-console
    console.log(`security-relevant roles covered: ${covered.length} of ${relevant.length} (${covered.length - byFlagOnly} listing their security-relevant permissions, ${byFlagOnly} admin roles judged by their flag; catalog ${Object.keys(shipped).length} roles); not covered, by service: ${top}, …`);
    expect(covered.length).toBeGreaterThanOrEqual(327);
  });

  test('an entry that lists no permissions holds none the rules judge for every principal (impersonation, secret and key access, escalation-path steps)', () => {
    // GCP-002, GCP-014 and the escalation paths of GCP-006 read a role's listed permissions for every
    // principal, not only agents: an admin entry listing none would pass what the full data reports.
    const credential = loadCatalog('gcp-credential-access').gcp ?? [];
    const pathSteps = (loadCatalog('gcp-escalation-permissions').paths ?? []).flatMap((p) => p.actions).filter((a) => a !== 'iam.serviceAccounts.actAs');
    const judgedForAll = new Set([...GCP_IMPERSONATION_PERMISSIONS, ...credential, ...pathSteps]);
    const hidden = Object.entries(shipped)
      .filter(([name, e]) => !e.permissionsComplete && e.permissions.length === 0 && !e.flags.includes('basic') && real[name] !== undefined)
      .filter(([name]) => real[name].permissions.some((p) => judgedForAll.has(p)))
      .map(([name]) => name);
    // eslint-disable-next-line no-console
    if (hidden.length > 0) console.log(`entries listing no permissions that hold impersonation, secret/key access or a path step: ${hidden.join(', ')}`);
    expect(hidden.filter((name) => !LISTING_NONE_KNOWN.has(name))).toEqual([]);
  });
});

/**
 * Admin entries from before this check that list no permissions although the role holds one judged
 * for every principal. Reported on every run; to be replaced by their security-relevant permissions
 * as written on their documentation page.
 */
const LISTING_NONE_KNOWN = new Set<string>([]);
