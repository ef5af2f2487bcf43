import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { inventoryFromPaths } from '../../../../lib/adapters';
import { runCli as run } from '../../../helpers/run-cli';
import { PROJECT, ref, tf } from '../../../fixtures/tf/tf-builder';

/** A synthesized cdktf.out (manifest + stacks/gcp, stacks/azure) with disguised grants. */
const FIXTURE = path.join(__dirname, '..', '..', '..', 'fixtures', 'tf', 'disguised-synth');

describe('agent-guardrails check on Terraform input', () => {
  let dir: string;
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-tf-cli-')); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a cdktf.out folder: JSON findings name the Terraform address, exit 1', async () => {
    const r = await run(['check', FIXTURE, '--format', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    const errors = report.findings.filter((f: { severity: string }) => f.severity === 'error').map((f: { ruleId: string; resource: string }) => `${f.ruleId}@${f.resource}`);
    expect(errors).toEqual(expect.arrayContaining([
      'GCP-001@google_project_iam_policy.authoritative',
      'GCP-004@google_service_account_key.key',
      'AZ-001@azurerm_role_assignment.owner_by_guid',
      'AZ-002@azurerm_role_definition.almost_owner',
    ]));
    const owner = report.findings.find((f: { ruleId: string }) => f.ruleId === 'GCP-001');
    expect(owner).toMatchObject({ cloud: 'gcp', file: expect.stringContaining(path.join('stacks', 'gcp', 'cdk.tf.json')), message: expect.stringContaining('roles/owner'), fix: expect.any(String) });
  });

  test('SARIF 2.1.0 for a cdk.tf.json file', async () => {
    const r = await run(['check', path.join(FIXTURE, 'stacks', 'azure', 'cdk.tf.json'), '--format', 'sarif']);
    expect(r.code).toBe(1);
    const sarif = JSON.parse(r.stdout);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results.map((x: { ruleId: string }) => x.ruleId)).toEqual(expect.arrayContaining(['AZ-001', 'AZ-002']));
  });

  test('a clean configuration exits 0; unreadable Terraform JSON exits 2 with one line', async () => {
    const clean = path.join(dir, 'cdk.tf.json');
    fs.writeFileSync(clean, JSON.stringify(tf()
      .resource('google_service_account', 'human_tool', { account_id: 'human-tool' })
      .resource('google_storage_bucket_iam_member', 'm', { bucket: 'logs', role: 'roles/storage.objectViewer', member: ref('google_service_account.human_tool', 'member') })
      .resource('google_project_iam_member', 'logs', { project: PROJECT, role: 'roles/logging.logWriter', member: ref('google_service_account.human_tool', 'member') })
      .build()));
    expect((await run(['check', clean])).code).toBe(0);
    const broken = path.join(dir, 'broken.tf.json');
    fs.writeFileSync(broken, '{ "resource": ');
    const r = await run(['check', broken]);
    expect([r.code, r.stderr.trim().split('\n').length]).toEqual([2, 1]);
    expect(r.stderr).toMatch(/AG_TF_UNREADABLE/);
  });

  test('a CDKTF project folder (holding cdktf.out) and a bare stacks/ folder are read too', () => {
    fs.cpSync(FIXTURE, path.join(dir, 'project', 'cdktf.out'), { recursive: true });
    expect(inventoryFromPaths([path.join(dir, 'project')]).identities).toHaveLength(2);
    fs.cpSync(path.join(FIXTURE, 'stacks'), path.join(dir, 'bare', 'stacks'), { recursive: true });
    expect(inventoryFromPaths([path.join(dir, 'bare')]).identities.map((i) => i.id).sort()).toEqual(['azure:azure/azurerm_user_assigned_identity.restart', 'gcp:gcp/google_service_account.read_logs']);
  });
});
