import { GcpIamEvaluator } from './gcp-iam-evaluator';

/** The evaluator's own semantics, on hand-written Terraform JSON. */
const P = 'acme-prod';
const SA = `tool@${P}.iam.gserviceaccount.com`;
const OTHER = `other@${P}.iam.gserviceaccount.com`;
const SERVICE = `projects/${P}/locations/europe-west1/services/api`;
const MONDAY_10_UTC = new Date('2026-11-23T10:00:00Z');
const SATURDAY = new Date('2026-11-28T10:00:00Z');
const principal = (email: string) => `principal://iam.googleapis.com/projects/-/serviceAccounts/${email}`;

function stack(resources: Record<string, Record<string, unknown>>): any {
  return { resource: resources };
}

/** The Cloud Run Developer permissions these cases use (the catalog lists only its security-relevant ones). */
const RUN_DEVELOPER: Record<string, string[]> = { 'roles/run.developer': ['run.services.get', 'run.services.list', 'run.services.create', 'run.services.update', 'run.services.delete'] };

const base = stack({
  google_project_iam_custom_role: { r: { project: P, role_id: 'deploy', permissions: ['run.services.get', 'run.services.update'] } },
  google_cloud_run_v2_service_iam_member: { m: { project: P, location: 'europe-west1', name: 'api', role: `projects/${P}/roles/deploy`, member: `serviceAccount:${SA}`, condition: { title: 't', expression: 'request.time.getDayOfWeek("Europe/Berlin") >= 1 && request.time.getDayOfWeek("Europe/Berlin") <= 5' } } },
  google_project_iam_member: { v: { project: P, role: 'roles/run.developer', member: `serviceAccount:${OTHER}` } },
  google_iam_deny_policy: { d: { parent: encodeURIComponent(`cloudresourcemanager.googleapis.com/projects/${P}`), name: 'd', rules: [
    { deny_rule: { denied_principals: [principal(SA), principal(OTHER)], denied_permissions: ['iam.googleapis.com/serviceAccounts.actAs', 'cloudresourcemanager.googleapis.com/projects.setIamPolicy'], exception_principals: [principal(OTHER)] } },
    { deny_rule: { denied_principals: ['principalSet://goog/public:all'], denied_permissions: ['secretmanager.googleapis.com/*.*'], exception_permissions: ['secretmanager.googleapis.com/secrets.get'] } },
  ] } },
});

describe('GcpIamEvaluator: allow bindings', () => {
  const ev = GcpIamEvaluator.fromTerraform(base, { roles: RUN_DEVELOPER });
  test('a resource binding covers the resource and names under it, not a sibling sharing its prefix', () => {
    expect(ev.decide({ principal: SA, permission: 'run.services.update', resource: SERVICE, time: MONDAY_10_UTC })).toBe('Allowed');
    expect(ev.decide({ principal: SA, permission: 'run.services.get', resource: `${SERVICE}/revisions/r1`, time: MONDAY_10_UTC })).toBe('Allowed');
    expect(ev.decide({ principal: SA, permission: 'run.services.update', resource: `${SERVICE}-2`, time: MONDAY_10_UTC })).toBe('NotGranted');
  });
  test('the role must hold the permission (custom roles from the stack, predefined ones with their permissions)', () => {
    expect(ev.decide({ principal: SA, permission: 'run.services.delete', resource: SERVICE, time: MONDAY_10_UTC })).toBe('NotGranted');
    expect(ev.decide({ principal: OTHER, permission: 'run.services.get', resource: SERVICE, time: SATURDAY })).toBe('Allowed');
    expect(ev.decide({ principal: OTHER, permission: 'run.services.setIamPolicy', resource: SERVICE, time: SATURDAY })).toBe('NotGranted');
  });
  test('a project binding covers that project only', () => {
    expect(ev.decide({ principal: OTHER, permission: 'run.services.get', resource: 'projects/acme-staging/locations/europe-west1/services/api', time: SATURDAY })).toBe('NotGranted');
  });
  test('conditions are evaluated with CEL on request.time', () => {
    expect(ev.decide({ principal: SA, permission: 'run.services.update', resource: SERVICE, time: SATURDAY })).toBe('NotGranted');
  });
  test('another member is not the caller', () => {
    expect(ev.decide({ principal: `x@${P}.iam.gserviceaccount.com`, permission: 'run.services.get', resource: SERVICE, time: MONDAY_10_UTC })).toBe('NotGranted');
  });
});

describe('GcpIamEvaluator: deny policies', () => {
  const everything = ['resourcemanager.projects.setIamPolicy', 'iam.serviceAccounts.actAs', 'secretmanager.versions.access', 'secretmanager.secrets.get'];
  const widened = GcpIamEvaluator.fromTerraform(base, {
    roles: { ...RUN_DEVELOPER, 'roles/widened': everything },
    bindings: [
      { member: `serviceAccount:${SA}`, role: 'roles/widened', resource: `projects/${P}` },
      { member: `serviceAccount:${OTHER}`, role: 'roles/widened', resource: `projects/${P}` },
    ],
  });
  test('deny wins over any allow', () => {
    expect(widened.decide({ principal: SA, permission: 'resourcemanager.projects.setIamPolicy', resource: `projects/${P}`, time: MONDAY_10_UTC })).toBe('Denied');
    expect(widened.decide({ principal: SA, permission: 'iam.serviceAccounts.actAs', resource: `projects/${P}/serviceAccounts/${OTHER}`, time: MONDAY_10_UTC })).toBe('Denied');
  });
  test('exception principals are not denied by the rule', () => {
    expect(widened.decide({ principal: OTHER, permission: 'iam.serviceAccounts.actAs', resource: `projects/${P}/serviceAccounts/${SA}`, time: MONDAY_10_UTC })).toBe('Allowed');
  });
  test('"*" stands for a segment; exception permissions are not denied; public:all is everyone', () => {
    expect(widened.decide({ principal: SA, permission: 'secretmanager.versions.access', resource: `projects/${P}/secrets/s/versions/1`, time: MONDAY_10_UTC })).toBe('Denied');
    expect(widened.decide({ principal: SA, permission: 'secretmanager.secrets.get', resource: `projects/${P}/secrets/s`, time: MONDAY_10_UTC })).toBe('Allowed');
  });
  test('a deny policy applies to its own project only', () => {
    expect(widened.decide({ principal: SA, permission: 'resourcemanager.projects.setIamPolicy', resource: 'projects/acme-staging', time: MONDAY_10_UTC })).toBe('NotGranted');
  });
});

describe('GcpIamEvaluator: claims no more than it models', () => {
  test('a deny rule with a denial condition, an unresolved reference, an unknown role or another attribute throws', () => {
    const conditional = stack({ google_iam_deny_policy: { d: { parent: `cloudresourcemanager.googleapis.com/projects/${P}`, rules: [{ deny_rule: { denied_principals: [principal(SA)], denied_permissions: ['iam.googleapis.com/roles.update'], denial_condition: { expression: 'resource.matchTag("p/k", "v")' } } }] } } });
    expect(() => GcpIamEvaluator.fromTerraform(conditional)).toThrow(/denial condition/);
    const unresolved = stack({ google_project_iam_member: { m: { project: '${var.project}', role: 'roles/run.developer', member: `serviceAccount:${SA}` } } });
    expect(() => GcpIamEvaluator.fromTerraform(unresolved)).toThrow(/unresolved/);
    const unknownRole = GcpIamEvaluator.fromTerraform(stack({ google_project_iam_member: { m: { project: P, role: 'roles/made.up', member: `serviceAccount:${SA}` } } }));
    expect(() => unknownRole.decide({ principal: SA, permission: 'run.services.get', resource: SERVICE, time: MONDAY_10_UTC })).toThrow(/not modelled/);
    const typed = GcpIamEvaluator.fromTerraform(stack({ google_project_iam_member: { m: { project: P, role: 'roles/run.developer', member: `serviceAccount:${SA}`, condition: { expression: 'resource.type == "run.googleapis.com/Service"' } } } }), { roles: RUN_DEVELOPER });
    expect(() => typed.decide({ principal: SA, permission: 'run.services.get', resource: SERVICE, time: MONDAY_10_UTC })).toThrow(/CEL error/);
  });
});
