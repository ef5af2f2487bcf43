import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CliIo, main } from '../../../lib/cli/main';
import { DataPullPorts } from '../../../lib/cli/data-pull';
import { compactRoleData } from '../../../lib/role-data/compact-role-data';
import { httpsFetchJson, pullAzureRoles, pullGcpRoles, readJsonBody } from '../../../lib/role-data/pull-role-data';
import { readRoleDataFile, useRoleData } from '../../../lib/role-data/role-data';
import { PROJECT, ref, SUBSCRIPTION, tf } from '../../fixtures/tf/tf-builder';

/** Recorded API answers: the pull never touches the network in tests. */
const ANSWERS: Record<string, unknown> = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'role-data', 'recorded-answers.json'), 'utf8'));
const requested: string[] = [];
const ports: DataPullPorts = {
  fetchJson: async (url, token) => {
    expect(token).toBe('recorded-token');
    requested.push(url);
    if (!(url in ANSWERS)) throw new Error(`no recorded answer for ${url}`);
    return ANSWERS[url];
  },
  gcpToken: async () => 'recorded-token',
  azureToken: async () => 'recorded-token',
  now: () => new Date('2026-12-02T10:00:00Z'),
};

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (s: string) => { stdout += s; }, isTTY: false }, stderr: { write: (s: string) => { stderr += s; } }, env: {} };
  const code = await main(argv, io, ports);
  return { code, stdout, stderr };
}

describe('agent-guardrails data pull', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-pull-')); requested.length = 0; });
  afterEach(() => { useRoleData(undefined); fs.rmSync(dir, { recursive: true, force: true }); });

  test('gcp: predefined roles over every page and the project\'s custom roles, deleted ones left out, in a dated file', async () => {
    const r = await run(['data', 'pull', 'gcp', '--project', PROJECT, '--out', dir]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/wrote 3 roles/);
    expect(requested).toHaveLength(3);
    const doc = readRoleDataFile(path.join(dir, 'gcp-roles.json'), 'gcp');
    expect(Object.keys(doc.roles as object).sort()).toEqual(['projects/prod-proj/roles/deployer', 'roles/deploymentmanager.editor', 'roles/run.viewer']);
    expect(doc).toMatchObject({ id: 'gcp-roles', retrieved: '2026-12-02T10:00:00.000Z' });
    expect(fs.existsSync(path.join(dir, 'gcp-roles.2026-12-02.json'))).toBe(true);
  });

  test('check --role-data judges a role the shipped catalog does not know by its pulled permissions', async () => {
    await run(['data', 'pull', 'gcp', '--project', PROJECT, '--out', dir]);
    const file = path.join(dir, 'cdk.tf.json');
    // The project's custom role, granted without being defined in the configuration: only the pulled data knows it.
    const role = `projects/${PROJECT}/roles/deployer`;
    fs.writeFileSync(file, JSON.stringify(tf().agentServiceAccount('tool')
      .resource('google_project_iam_member', 'dm', { project: PROJECT, role, member: ref('google_service_account.tool', 'member') }).build()));
    const ruleIds = async (argv: string[]) => (JSON.parse((await run(argv)).stdout).findings as { ruleId: string; detail?: string }[]).filter((f) => f.ruleId.startsWith('GCP')).map((f) => `${f.ruleId}[${f.detail}]`);
    // Without the data: unknown, failing closed.
    expect(await ruleIds(['check', file, '--format', 'json'])).toContain(`GCP-013[${role}]`);
    // With it: judged by iam.serviceAccounts.actAs.
    const withData = await ruleIds(['check', file, '--format', 'json', '--role-data', dir]);
    expect(withData).not.toContain(`GCP-013[${role}]`);
    expect(withData).toContain(`GCP-002[${role}]`);
  });

  test('azure: every page at the scope; a definition with several permission blocks keeps only common not-actions (never widens)', async () => {
    const r = await run(['data', 'pull', 'azure', '--scope', `/subscriptions/${SUBSCRIPTION}`, '--out', dir]);
    expect(r.code).toBe(0);
    const roles = readRoleDataFile(path.join(dir, 'azure-builtin-roles.json'), 'azure').roles as { name: string }[];
    expect(roles.map((x) => x.name)).toEqual(['Storage Account Contributor', 'Split Role']);
    expect(roles[1]).toMatchObject({ custom: true, notActions: [], actions: ['Microsoft.Compute/virtualMachines/*', 'Microsoft.Compute/virtualMachines/runCommand/action'] });
  });

  test('a pulled Azure role at subscription scope is judged, no longer unknown', async () => {
    await run(['data', 'pull', 'azure', '--scope', `/subscriptions/${SUBSCRIPTION}`, '--out', dir]);
    const file = path.join(dir, 'cdk.tf.json');
    fs.writeFileSync(file, JSON.stringify(tf().resource('azurerm_user_assigned_identity', 'ops', { name: 'ops', location: 'westeurope', resource_group_name: 'rg' })
      .resource('azurerm_role_assignment', 'a', { scope: `/subscriptions/${SUBSCRIPTION}`, role_definition_name: 'Split Role', principal_id: ref('azurerm_user_assigned_identity.ops', 'principal_id') }).build()));
    const findings = async (argv: string[]) => (JSON.parse((await run(argv)).stdout).findings as { ruleId: string; severity: string }[]).filter((f) => f.ruleId.startsWith('AZ')).map((f) => `${f.ruleId} ${f.severity}`);
    expect(await findings(['check', file, '--format', 'json'])).toContain('AZ-008 warning'); // not an agent, and the name reads like no admin role
    const withData = await findings(['check', file, '--format', 'json', '--role-data', dir]);
    expect(withData).not.toContain('AZ-008 warning');
    expect(withData).toContain('AZ-005 error'); // the pulled custom role's run command at subscription scope (the shipped catalog knows the built-in roles)
  });

  test('bad input: azure without --scope, an unknown cloud, a missing --role-data folder: exit 2, one line', async () => {
    expect((await run(['data', 'pull', 'azure', '--out', dir])).code).toBe(2);
    expect((await run(['data', 'pull', 'aws', '--out', dir])).code).toBe(2);
    const r = await run(['check', dir, '--role-data', path.join(dir, 'nope')]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  test('a pulled file that is not role data is refused with a clear error', async () => {
    fs.writeFileSync(path.join(dir, 'gcp-roles.json'), JSON.stringify({ id: 'gcp-roles', roles: 'all' }));
    fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify(tf().agentServiceAccount('t').build()));
    const r = await run(['check', path.join(dir, 'cdk.tf.json'), '--role-data', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/does not match gcp-roles\.schema\.json/);
  });
  describe('the compact format (2) the pull writes', () => {
    const pulled = async () => ({
      gcp: await pullGcpRoles({ project: PROJECT }, ports.fetchJson, ports.gcpToken, ports.now!()),
      azure: await pullAzureRoles(`/subscriptions/${SUBSCRIPTION}`, ports.fetchJson, ports.azureToken, ports.now!()),
    });

    test('each permission once in a sorted table, roles as delta-encoded positions; read back, it equals what was pulled', async () => {
      const { gcp, azure } = await pulled();
      await run(['data', 'pull', 'gcp', '--project', PROJECT, '--out', dir]);
      await run(['data', 'pull', 'azure', '--scope', `/subscriptions/${SUBSCRIPTION}`, '--out', dir]);
      const written = JSON.parse(fs.readFileSync(path.join(dir, 'gcp-roles.json'), 'utf8'));
      expect(written).toMatchObject({ format: 2, $schema: './gcp-roles.compact.schema.json' });
      expect(written.permissions).toEqual([...new Set<string>(written.permissions)].sort());
      expect(written.roles['roles/run.viewer'].p).toHaveLength(3);
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'gcp-roles.2026-12-02.json'), 'utf8')).format).toBe(2);
      const { $schema: _g, ...gcpBody } = gcp;
      const { $schema: _a, ...azureBody } = azure;
      expect(readRoleDataFile(path.join(dir, 'gcp-roles.json'), 'gcp')).toMatchObject(gcpBody);
      expect(readRoleDataFile(path.join(dir, 'azure-builtin-roles.json'), 'azure')).toMatchObject(azureBody);
    });

    test('a format-1 file (written by an earlier version) is still read and judged', async () => {
      const { gcp } = await pulled();
      fs.writeFileSync(path.join(dir, 'gcp-roles.json'), JSON.stringify(gcp));
      const role = `projects/${PROJECT}/roles/deployer`;
      const file = path.join(dir, 'cdk.tf.json');
      fs.writeFileSync(file, JSON.stringify(tf().agentServiceAccount('tool')
        .resource('google_project_iam_member', 'dm', { project: PROJECT, role, member: ref('google_service_account.tool', 'member') }).build()));
      const findings = (JSON.parse((await run(['check', file, '--format', 'json', '--role-data', dir])).stdout).findings as { ruleId: string; detail?: string }[]).map((f) => `${f.ruleId}[${f.detail}]`);
      expect(findings).toContain(`GCP-002[${role}]`);
      expect(findings).not.toContain(`GCP-013[${role}]`);
    });

    const refused = async (name: string, doc: unknown): Promise<string> => {
      fs.writeFileSync(path.join(dir, name), JSON.stringify(doc));
      fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify(tf().agentServiceAccount('t').build()));
      const r = await run(['check', path.join(dir, 'cdk.tf.json'), '--role-data', dir]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      return r.stderr;
    };

    test('an unknown format is refused with what to do, not read as something else', async () => {
      const { gcp } = await pulled();
      expect(await refused('gcp-roles.json', { ...compactRoleData('gcp', gcp), format: 3 })).toMatch(/has format 3; this agent-guardrails reads formats 1 and 2\. Upgrade agent-guardrails, or pull the data again/);
      expect(await refused('gcp-roles.json', { ...gcp, format: '2' })).toMatch(/has format "2"/);
    });

    test('positions past the table, repeated positions, an unsorted table or a wrong shape are refused, naming the field', async () => {
      const { gcp, azure } = await pulled();
      const c = compactRoleData('gcp', gcp) as { permissions: string[]; roles: Record<string, { p: number[] }> };
      const past = { ...c, roles: { ...c.roles, 'roles/run.viewer': { title: 'x', p: [0, c.permissions.length] } } };
      expect(await refused('gcp-roles.json', past)).toMatch(/roles\["roles\/run\.viewer"\]\.p\[1\] points to position \d+, past the \d+-entry table/);
      expect(await refused('gcp-roles.json', { ...c, roles: { 'roles/run.viewer': { title: 'x', p: [1, 0] } } })).toMatch(/p\[1\] is 0: after the first position, gaps must be at least 1/);
      expect(await refused('gcp-roles.json', { ...c, permissions: [...c.permissions].reverse() })).toMatch(/must be sorted and distinct/);
      expect(await refused('gcp-roles.json', { ...c, roles: { 'roles/run.viewer': { title: 'x', p: [-1] } } })).toMatch(/does not match gcp-roles\.compact\.schema\.json/);
      fs.rmSync(path.join(dir, 'gcp-roles.json'));
      const a = compactRoleData('azure', azure) as { roles: { a: number[] }[] };
      expect(await refused('azure-builtin-roles.json', { ...a, roles: [{ ...a.roles[0], a: [10 ** 6] }] })).toMatch(/roles\[0\]\.a\[0\] points to position 1000000/);
    });
  });
});

describe('data pull: hostile HTTP answers are read within a bound', () => {
  /** A body that never ends: 1 MiB chunks for as long as they are pulled. */
  function endlessBody(pulled: { chunks: number }): ReadableStream<Uint8Array> {
    const chunk = new Uint8Array(2 ** 20).fill(0x20);
    return new ReadableStream({ pull(controller) { pulled.chunks++; controller.enqueue(chunk); } });
  }

  test('an endless page is refused once past 32 MiB, naming the limit (res.json() would read it all)', async () => {
    const pulled = { chunks: 0 };
    const spy = jest.spyOn(global, 'fetch').mockResolvedValue(new Response(endlessBody(pulled), { status: 200 }));
    try {
      await expect(httpsFetchJson('https://iam.googleapis.com/v1/roles?view=FULL', 't')).rejects.toThrow(/more than 33554432 bytes/);
      expect(pulled.chunks).toBeLessThanOrEqual(34);
    } finally {
      spy.mockRestore();
    }
  });

  test('a declared Content-Length past the limit is refused before the body is read', async () => {
    const pulled = { chunks: 0 };
    const res = new Response(endlessBody(pulled), { status: 200, headers: { 'content-length': String(2 ** 40) } });
    await expect(readJsonBody(res, 'https://x', 2 ** 20)).rejects.toThrow(/more than 1048576 bytes/);
    expect(pulled.chunks).toBeLessThanOrEqual(1);
  });

  test('an endless nextPageToken (or nextLink) stops at 100 pages with one clear error', async () => {
    let calls = 0;
    const gcp = async () => ({ roles: [], nextPageToken: `t${++calls}` });
    await expect(pullGcpRoles({}, gcp, async () => 't')).rejects.toThrow(/more than 100 pages/);
    expect(calls).toBe(100);
    calls = 0;
    const azure = async () => ({ value: [], nextLink: `https://management.azure.com/next?${++calls}` });
    await expect(pullAzureRoles('/subscriptions/00000000-0000-0000-0000-000000000000', azure, async () => 't')).rejects.toThrow(/more than 100 pages/);
    expect(calls).toBe(100);
  });

  test('a page within the limit is read; one that is not JSON is one clear error', async () => {
    await expect(readJsonBody(new Response('{"roles": []}'), 'https://x', 100)).resolves.toEqual({ roles: [] });
    await expect(readJsonBody(new Response('<html>'), 'https://x', 100)).rejects.toThrow(/not JSON/);
  });
});
