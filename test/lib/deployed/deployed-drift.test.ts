import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { synthesizeExampleAwsApp } from '../../helpers/example-aws-app';
import { synthesizeExampleTfApp } from '../../helpers/example-tf-app';
import { runCli } from '../../helpers/run-cli';
import { inventoryFromPaths } from '../../../lib/adapters';
import { Grant, Identity, Inventory } from '../../../lib/inventory/inventory';
import { TAG_KEYS } from '../../../lib/model/tags';

/**
 * `drift --deployed`: exports in the shapes the clouds' CLIs document (see lib/deployed/deployed-iam.ts),
 * built from the example apps' synthesized output as a faithful deployment would leave them
 * (synthesis placeholders filled with deployed values), then changed out of band one way at a time.
 */
const awsOut = synthesizeExampleAwsApp('ag-deployed-aws-');
const tfOut = synthesizeExampleTfApp('ag-deployed-tf-');
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-deployed-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

let n = 0;
function write(doc: unknown, name = `export-${n++}.json`): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc, null, 2));
  return file;
}

/** A deployed value for a synthesized one: placeholders filled as CloudFormation would. */
function deployed(value: string, account: string): string {
  return value.replace(/\$\{AWS::AccountId\}/g, account).replace(/\$\{AWS::Region\}/g, 'eu-west-1').replace(/\$\{([^}]*)\}/g, (_, ref: string) => `deployed-${ref.replace(/[^A-Za-z0-9]/g, '')}`);
}

function tags(i: Identity): { Key: string; Value: string }[] {
  const l = i.labels;
  return [[TAG_KEYS.agent, l.agent], [TAG_KEYS.tool, l.tool], [TAG_KEYS.component, l.component], [TAG_KEYS.environment, l.environment], [TAG_KEYS.tier, l.tier]]
    .filter((t): t is [string, string] => !!t[1]).map(([Key, Value]) => ({ Key, Value }));
}

/** `aws iam get-account-authorization-details` of the account, as deployed from the inventory. */
function awsExport(inventory: Inventory): any {
  const grantsOf = (id: string) => inventory.grants.filter((g) => g.identityId === id && g.via !== 'aws-managed-policy');
  const roles = inventory.identities.filter((i) => i.cloud === 'aws' && i.kind === 'aws-iam-role' && i.labels.agent).map((i) => {
    const account = i.declaration?.placement?.aws?.account ?? '333333333333';
    const name = `${i.source.stack}-${i.source.resource}-ABC123`;
    return {
      Path: '/', RoleName: name, RoleId: `AROA${i.source.resource.slice(0, 12).toUpperCase()}`, Arn: `arn:aws:iam::${account}:role/${name}`, CreateDate: '2026-11-30T10:00:00Z',
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: i.trust.map((t) => ({ Effect: t.effect, Principal: { AWS: t.principals.map((p) => deployed(p, account)) }, Action: t.actions })),
      },
      InstanceProfileList: [],
      RolePolicyList: [{
        PolicyName: 'DefaultPolicy',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: grantsOf(i.id).map((g: Grant) => ({
            Effect: g.effect,
            ...(g.notActions?.length ? { NotAction: g.notActions } : { Action: g.actions }),
            ...(g.notResources?.length ? { NotResource: g.notResources.map((r) => deployed(r, account)) } : { Resource: g.resources.map((r) => deployed(r, account)) }),
            ...(typeof g.condition === 'object' ? { Condition: JSON.parse(deployed(JSON.stringify(g.condition), account)) } : {}),
          })),
        },
      }],
      AttachedManagedPolicies: inventory.policies.filter((p) => p.kind === 'aws-managed-policy' && p.attachedTo.includes(i.id))
        .map((p) => ({ PolicyName: p.name, PolicyArn: `arn:aws:iam::aws:policy/${p.name}` })),
      ...(i.boundary ? { PermissionsBoundary: { PermissionsBoundaryType: 'Policy', PermissionsBoundaryArn: `arn:aws:iam::${account}:policy/agent-boundary` } } : {}),
      Tags: tags(i),
    };
  });
  return { UserDetailList: [], GroupDetailList: [], RoleDetailList: roles, Policies: [], IsTruncated: false };
}

function role(doc: any, tool: string): any {
  return doc.RoleDetailList.find((r: any) => r.Tags.some((t: any) => t.Key === TAG_KEYS.tool && t.Value === tool));
}

async function drift(paths: string[], files: string[], ...args: string[]) {
  const r = await runCli(['drift', ...paths, '--deployed', ...files, ...args]);
  return { ...r, json: r.stdout.startsWith('{') ? JSON.parse(r.stdout) : undefined };
}

const items = (json: any) => json.agents.flatMap((a: any) => a.items.map((i: any) => ({ agent: a.agent, ...i })));

describe('drift --deployed, AWS (aws iam get-account-authorization-details)', () => {
  const inventory = inventoryFromPaths([awsOut]);
  const unchanged = () => JSON.parse(JSON.stringify(awsExport(inventory)));

  test('deployed as synthesized: no drift, exit 0, every agent role compared', async () => {
    const r = await drift([awsOut], [write(unchanged())], '--format', 'json');
    expect(r.code).toBe(0);
    expect(items(r.json)).toEqual([]);
    expect(r.json.summary).toMatchObject({ trip: 0, alert: 0, result: 'pass' });
    expect(r.json.compared.aws).toBe(inventory.identities.filter((i) => i.cloud === 'aws' && i.labels.agent).length);
    expect(r.json.agents.map((a: any) => a.agent)).toEqual(['deploy-operator', 'support-observer']);
  });

  test('a permission added out of band trips; one removed alerts; a resource widened trips', async () => {
    const doc = unchanged();
    role(doc, 'restart-service').RolePolicyList.push({ PolicyName: 'Hotfix', PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iam:PassRole', Resource: '*' }] } });
    role(doc, 'read-service').RolePolicyList = [];
    const rollback = role(doc, 'rollback-deployment').RolePolicyList[0].PolicyDocument.Statement;
    rollback.find((s: any) => [s.Action].flat().includes('ecs:StopServiceDeployment')).Resource = '*';
    const r = await drift([awsOut], [write(doc)], '--format', 'json');
    expect(r.code).toBe(1);
    const found = items(r.json);
    expect(found).toEqual(expect.arrayContaining([
      expect.objectContaining({ identity: 'restart-service', what: 'permission', change: 'added', severity: 'trip', detail: 'Allow iam:passrole on *' }),
      expect.objectContaining({ identity: 'read-service', what: 'permission', change: 'removed', severity: 'alert', detail: expect.stringContaining('ecs:describeservices') }),
      expect.objectContaining({ identity: 'rollback-deployment', what: 'permission', change: 'changed', severity: 'trip', detail: 'Allow ecs:stopservicedeployment now also on *' }),
    ]));
    expect(found).toHaveLength(3);
  });

  test('a boundary removed, a trust principal added and a role tagged as a new tool are each reported', async () => {
    const doc = unchanged();
    const boundaried = doc.RoleDetailList.find((r: any) => r.PermissionsBoundary);
    delete boundaried.PermissionsBoundary;
    role(doc, 'read-service').AssumeRolePolicyDocument.Statement.push({ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::999988887777:root' }, Action: 'sts:AssumeRole' });
    const shadow = JSON.parse(JSON.stringify(role(doc, 'read-service')));
    shadow.RoleName = 'shadow-tool-role';
    shadow.Arn = 'arn:aws:iam::333333333333:role/shadow-tool-role';
    shadow.Tags = shadow.Tags.map((t: any) => (t.Key === TAG_KEYS.tool ? { ...t, Value: 'shadow-tool' } : t));
    doc.RoleDetailList.push(shadow);
    const found = items((await drift([awsOut], [write(doc)], '--format', 'json')).json);
    expect(found).toEqual(expect.arrayContaining([
      expect.objectContaining({ what: 'boundary', change: 'removed', severity: 'trip' }),
      expect.objectContaining({ identity: 'read-service', what: 'trust', change: 'added', severity: 'trip', detail: expect.stringContaining('arn:aws:iam::999988887777:root') }),
      expect.objectContaining({ agent: 'deploy-operator', identity: 'shadow-tool', what: 'identity', change: 'added', severity: 'trip' }),
    ]));
  });

  test('a condition removed or loosened out of band trips (the revocation role may attach any policy)', async () => {
    for (const loosen of [(c: any) => delete c.Condition, (c: any) => { c.Condition = { ArnLike: { 'iam:PolicyARN': '*' } }; }, (c: any) => { c.Condition.ArnEquals['iam:PolicyARN'] = 'arn:aws:iam::aws:policy/AdministratorAccess'; }]) {
      const doc = unchanged();
      const revocation = doc.RoleDetailList.find((r: any) => r.Tags.some((t: any) => t.Value === 'revocation') && r.Tags.some((t: any) => t.Value === 'deploy-operator'));
      loosen(revocation.RolePolicyList[0].PolicyDocument.Statement.find((s: any) => s.Condition));
      const found = items((await drift([awsOut], [write(doc)], '--format', 'json')).json);
      expect(found).toEqual([expect.objectContaining({ agent: 'deploy-operator', what: 'permission', change: 'changed', severity: 'trip', detail: expect.stringMatching(/^Allow iam:attachrolepolicy: condition/) })]);
    }
  });

  test('a role deleted out of band alerts (narrowing); --fail-on trip passes it', async () => {
    const doc = unchanged();
    doc.RoleDetailList = doc.RoleDetailList.filter((r: any) => r !== role(doc, 'read-logs'));
    const r = await drift([awsOut], [write(doc)], '--format', 'json', '--fail-on', 'trip');
    expect(r.code).toBe(0);
    expect(items(r.json)).toEqual([expect.objectContaining({ agent: 'support-observer', identity: 'read-logs', what: 'identity', change: 'removed', severity: 'alert' })]);
    expect((await drift([awsOut], [write(doc)])).code).toBe(1);
  });

  test('policy documents as the raw API returns them (URL-encoded JSON) read the same', async () => {
    const doc = unchanged();
    for (const r of doc.RoleDetailList) {
      r.AssumeRolePolicyDocument = encodeURIComponent(JSON.stringify(r.AssumeRolePolicyDocument));
      for (const p of r.RolePolicyList) p.PolicyDocument = encodeURIComponent(JSON.stringify(p.PolicyDocument));
    }
    const r = await drift([awsOut], [write(doc)], '--format', 'json');
    expect(items(r.json)).toEqual([]);
  });

  test('text and SARIF reports name the agent, the identity and the change', async () => {
    const doc = unchanged();
    role(doc, 'restart-service').RolePolicyList.push({ PolicyName: 'Hotfix', PolicyDocument: { Statement: { Effect: 'Allow', Action: ['s3:GetObject'], Resource: ['*'] } } });
    const file = write(doc);
    const text = await drift([awsOut], [file]);
    expect(text.stdout).toMatch(/^deploy-operator \(aws, prod\)$/m);
    expect(text.stdout).toMatch(/^ {2}TRIP permission added — restart-service \(.+\): Allow s3:getobject on \*$/m);
    expect(text.stdout).toMatch(/drift --deployed: FAIL — 1 widening and 0 other/);
    const sarif = JSON.parse((await drift([awsOut], [file], '--format', 'sarif')).stdout);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results).toEqual([expect.objectContaining({ ruleId: 'deployed-permission-added', level: 'error' })]);
    const rules = sarif.runs[0].tool.driver.rules;
    expect(rules[sarif.runs[0].results[0].ruleIndex].id).toBe('deployed-permission-added');
  });
});

describe('drift --deployed, GCP (gcloud projects get-iam-policy --format=json)', () => {
  const inventory = inventoryFromPaths([tfOut]);
  const readLogs = inventory.grants.find((g) => g.cloud === 'gcp' && g.scopeLevel === 'project' && g.resources.includes('projects/acme-checkout-staging'))!;
  const policy = (bindings: any[]) => ({ bindings, etag: 'BwWWja0YfJA=', version: 3 });
  const unchanged = () => [
    { role: 'roles/owner', members: ['user:alice@example.com'] },
    { role: readLogs.role, members: [readLogs.principal!, 'group:sre@example.com'] },
  ];
  const serviceSa = 'serviceAccount:support-observer-read-service@acme-checkout-staging.iam.gserviceaccount.com';

  test('the synthesized project-level bindings, as deployed: no drift; the project is inferred from the agent accounts named', async () => {
    const r = await drift([tfOut], [write(policy(unchanged()))], '--format', 'json');
    expect(r.code).toBe(0);
    expect(items(r.json)).toEqual([]);
    expect(r.json.sources).toEqual([expect.objectContaining({ kind: 'gcp-project-iam-policy', scope: 'acme-checkout-staging' })]);
    expect(r.json.compared.gcp).toBeGreaterThanOrEqual(2); // the staging tools, and any agent identity of the project (a broker)
  });

  test('a role granted out of band trips; a binding removed alerts; a condition changed trips', async () => {
    const added = await drift([tfOut], [write(policy([...unchanged(), { role: 'roles/editor', members: [serviceSa] }]))], '--format', 'json');
    expect(added.code).toBe(1);
    expect(items(added.json)).toEqual([expect.objectContaining({ identity: 'read-service', what: 'binding', change: 'added', severity: 'trip', detail: 'roles/editor on project acme-checkout-staging' })]);

    const removed = await drift([tfOut], [`acme-checkout-staging=${write(policy([unchanged()[0]]))}`], '--format', 'json');
    expect(items(removed.json)).toEqual([expect.objectContaining({ identity: 'read-logs', what: 'binding', change: 'removed', severity: 'alert' })]);

    const conditioned = unchanged();
    conditioned[1] = { ...conditioned[1], condition: { title: 'x', expression: "request.time < timestamp('2030-01-01T00:00:00Z')" } } as any;
    const changed = await drift([tfOut], [write(policy(conditioned))], '--format', 'json');
    expect(items(changed.json)).toEqual([expect.objectContaining({ identity: 'read-logs', what: 'binding', change: 'changed', severity: 'trip' })]);
  });

  test('a policy that names no agent account, of an app with two projects, asks for PROJECT=FILE instead of guessing', async () => {
    const r = await drift([tfOut], [write(policy([{ role: 'roles/owner', members: ['user:alice@example.com'] }]))], '--format', 'json');
    expect(items(r.json)).toEqual([expect.objectContaining({ severity: 'alert', detail: expect.stringContaining('PROJECT=FILE') })]);
  });
});

describe('drift --deployed, Azure (az role assignment list --all, az identity list)', () => {
  const inventory = inventoryFromPaths([tfOut]);
  const ours = inventory.identities.filter((i) => i.cloud === 'azure' && i.labels.agent);
  const principal = (k: number) => `00000000-0000-4000-8000-${String(100 + k).padStart(12, '0')}`;
  const identities = () => ours.map((i, k) => ({
    clientId: principal(50 + k), id: `/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/${i.declaration?.placement?.azure?.resourceGroup}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/${i.name}`,
    location: 'westeurope', name: i.name, principalId: principal(k), resourceGroup: i.declaration?.placement?.azure?.resourceGroup,
    tags: Object.fromEntries(tags(i).map((t) => [t.Key, t.Value])), tenantId: '00000000-0000-4000-8000-0000000000ff', type: 'Microsoft.ManagedIdentity/userAssignedIdentities',
  }));
  const assignments = () => ours.flatMap((i, k) => inventory.grants.filter((g) => g.identityId === i.id && g.via === 'role-assignment').map((g, m) => ({
    canDelegate: null, condition: typeof g.condition === 'string' ? g.condition : null, conditionVersion: g.condition ? '2.0' : null, description: null,
    id: `${g.resources[0]}/providers/Microsoft.Authorization/roleAssignments/${principal(200 + k * 10 + m)}`, name: principal(200 + k * 10 + m),
    principalId: principal(k), principalName: principal(50 + k), principalType: 'ServicePrincipal',
    roleDefinitionId: '/subscriptions/00000000-0000-4000-8000-000000000001/providers/Microsoft.Authorization/roleDefinitions/aaaaaaaa-0000-4000-8000-000000000000',
    roleDefinitionName: g.role, scope: g.resources[0], type: 'Microsoft.Authorization/roleAssignments',
  })));
  const idOf = (tool: string, agent: string) => principal(ours.findIndex((i) => i.labels.tool === tool && i.labels.agent === agent));

  test('deployed as synthesized: no drift', async () => {
    const r = await drift([tfOut], [write(assignments()), write(identities())], '--format', 'json');
    expect(r.code).toBe(0);
    expect(items(r.json)).toEqual([]);
    expect(r.json.compared.azure).toBe(ours.length);
  });

  test('an assignment added trips; one removed alerts; a condition changed trips; an identity tagged as a new tool trips', async () => {
    const a = assignments();
    const rg = '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg-checkout-prod';
    a.push({ ...a[0], principalId: idOf('read-service', 'deploy-operator'), roleDefinitionName: 'Contributor', scope: rg, name: 'x' });
    const logs = a.findIndex((x) => x.principalId === idOf('read-logs', 'support-observer'));
    const [removed] = a.splice(logs, 1);
    const restart = a.find((x) => x.principalId === idOf('restart-service', 'deploy-operator'))!;
    restart.condition = "@Resource[Microsoft.App/containerApps:name] StringLike '*'";
    const ids = identities();
    ids.push({ ...ids[0], name: 'shadow', principalId: principal(99), tags: { ...ids[0].tags, [TAG_KEYS.tool]: 'shadow-tool' } });
    const r = await drift([tfOut], [write(a), write(ids)], '--format', 'json');
    expect(r.code).toBe(1);
    expect(items(r.json)).toEqual(expect.arrayContaining([
      expect.objectContaining({ agent: 'deploy-operator', identity: 'read-service', what: 'assignment', change: 'added', severity: 'trip', detail: `contributor at ${rg.toLowerCase()}` }),
      expect.objectContaining({ agent: 'support-observer', identity: 'read-logs', what: 'assignment', change: 'removed', severity: 'alert', detail: expect.stringContaining(removed.scope.toLowerCase()) }),
      expect.objectContaining({ agent: 'deploy-operator', identity: 'restart-service', what: 'assignment', change: 'changed', severity: 'trip' }),
      expect.objectContaining({ agent: 'deploy-operator', identity: 'shadow-tool', what: 'identity', change: 'added', severity: 'trip' }),
    ]));
    expect(items(r.json)).toHaveLength(4);
  });

  test('assignments without the identities export: one line, exit 2', async () => {
    const r = await drift([tfOut], [write(assignments())]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/needs both Azure exports.*az identity list/);
  });
});

describe('drift --deployed: bad input is one line and exit 2', () => {
  test.each([
    ['a missing file', () => path.join(dir, 'missing.json'), /--deployed cannot be read/],
    ['not JSON', () => write('{"RoleDetailList": [', 'broken.json'), /--deployed is not valid JSON/],
    ['JSON of another kind', () => write({ Records: [] }), /--deployed is not an export this command reads/],
    ['a folder', () => dir, /--deployed cannot be read/],
    ['deeply nested JSON', () => write(`${'['.repeat(200_000)}${']'.repeat(200_000)}`), /--deployed/],
  ])('%s', async (_, file, message) => {
    const r = await runCli(['drift', awsOut, '--deployed', file()]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  test('neither or both of --activity and --deployed', async () => {
    for (const args of [[], ['--activity', write({ Records: [] }), '--deployed', write({ bindings: [] })]]) {
      const r = await runCli(['drift', awsOut, ...args]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/drift takes one of --activity and --deployed/);
    }
  });

  test('an unwritable --output is one line naming it', async () => {
    const blocker = write({}, 'a-file');
    const r = await runCli(['drift', awsOut, '--deployed', write({ RoleDetailList: [] }), '--output', path.join(blocker, 'report.txt')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--output cannot be written/);
  });
});
