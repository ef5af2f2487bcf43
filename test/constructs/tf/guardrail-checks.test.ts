import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ProjectIamAuditConfig } from '@cdktf/provider-google/lib/project-iam-audit-config';
import { ProjectIamCustomRole } from '@cdktf/provider-google/lib/project-iam-custom-role';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { App, TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import { GuardrailChecks, inventoryFromTfStack } from '../../../constructs/tf';
import { inventoryFromCdktfOut } from '../../../lib/adapters/terraform';
import { Baseline } from '../../../lib/baseline/baseline';
import { GuardrailError } from '../../../lib/errors';
import { AGENT_RULES, AZURE_RULES, GCP_RULES } from '../../../lib/rules';
import { findingId, runRules } from '../../../lib/rules/run-rules';

const LABELS = {
  'agent-guardrails:agent': 'support', 'agent-guardrails:tool': 'read-logs', 'agent-guardrails:tier': 'observer',
  'agent-guardrails:environment': 'prod', 'agent-guardrails:component': 'tool-identity',
};

const DECLARATION = {
  agent: 'support', tool: 'read-logs', tier: 'observer', environment: 'prod', accessLevel: 'read',
  actions: ['roles/storage.objectViewer'], resources: ['projects/_/buckets/logs'], dataSources: [], requiresApproval: false, hasWindow: false,
};

let outdir: string;
beforeEach(() => { outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-cdktf-')); });
afterEach(() => fs.rmSync(outdir, { recursive: true, force: true }));

/** A GCP stack with one observer tool service account and the grants `extra` adds. */
function gcpStack(app: App, extra: (scope: Construct, sa: ServiceAccount) => void): TerraformStack {
  const stack = new TerraformStack(app, 'gcp');
  new GoogleProvider(stack, 'google', { project: 'prod-proj' });
  const tool = new Construct(stack, 'read-logs');
  const sa = new ServiceAccount(tool, 'sa', { accountId: 'support-read-logs' });
  sa.addOverride('//.agent-guardrails', { ...LABELS, 'agent-guardrails:declaration': DECLARATION });
  // What AgentIdentity adds per agent: a kill switch and an audit config (AGENT-005, AGENT-006).
  const perAgent = { 'agent-guardrails:agent': 'support', 'agent-guardrails:tier': 'observer', 'agent-guardrails:environment': 'prod' };
  new ProjectIamCustomRole(stack, 'kill-switch', { roleId: 'supportKillSwitch', title: 'kill switch', permissions: ['iam.serviceAccounts.disable', 'iam.serviceAccounts.get'] })
    .addOverride('//.agent-guardrails', { ...perAgent, 'agent-guardrails:component': 'kill-switch' });
  new ProjectIamAuditConfig(stack, 'audit', { project: 'prod-proj', service: 'storage.googleapis.com', auditLogConfig: [{ logType: 'DATA_READ' }] })
    .addOverride('//.agent-guardrails', { ...perAgent, 'agent-guardrails:component': 'audit' });
  new StorageBucketIamMember(tool, 'read', { bucket: 'logs', role: 'roles/storage.objectViewer', member: sa.member });
  extra(tool, sa);
  return stack;
}

describe('GuardrailChecks on a CDKTF stack', () => {
  test('a least-privilege stack synthesizes', () => {
    const stack = gcpStack(Testing.app(), () => undefined);
    GuardrailChecks.of(stack).apply();
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });

  test('an attack: owner granted to the tool service account fails Testing.synth(stack, true) and app.synth()', () => {
    const app = new App({ outdir });
    const stack = gcpStack(app, (scope, sa) => new ProjectIamMember(scope, 'owner', { project: 'prod-proj', role: 'roles/owner', member: sa.member }));
    GuardrailChecks.of(stack).apply();
    expect(() => Testing.synth(stack, true)).toThrow(/GCP-001\[roles\/owner\] google_project_iam_member\.read-logs_owner_\w+: .*basic role roles\/owner/);
    expect(() => app.synth()).toThrow(/GCP-001\[roles\/owner\]/);
  });

  test('an error acknowledged with a reason on the resource passes; the report records the reason', () => {
    const stack = gcpStack(Testing.app(), (scope, sa) => {
      const admin = new StorageBucketIamMember(scope, 'admin', { bucket: 'scratch', role: 'roles/storage.admin', member: sa.member });
      GuardrailChecks.of(admin).acknowledge({ id: 'GCP-003[roles/storage.admin]', reason: 'scratch bucket owned by this tool, reviewed in SEC-42' });
      GuardrailChecks.of(admin).acknowledge({ id: 'GCP-011', reason: 'scratch bucket owned by this tool, reviewed in SEC-42' });
    });
    GuardrailChecks.of(stack).apply({ rules: GCP_RULES });
    expect(() => Testing.synth(stack, true)).not.toThrow();
    const report = GuardrailChecks.of(stack).check();
    expect(report.errors).toEqual([]);
    expect(report.acknowledged.map((a) => [findingId(a.finding), a.reason])).toEqual([
      ['GCP-003[roles/storage.admin]', 'scratch bucket owned by this tool, reviewed in SEC-42'],
      ['GCP-011[roles/storage.admin]', 'scratch bucket owned by this tool, reviewed in SEC-42'],
    ]);
  });

  test('an acknowledgement elsewhere in the tree does not cover the finding', () => {
    const stack = gcpStack(Testing.app(), (scope, sa) => new StorageBucketIamMember(scope, 'admin', { bucket: 'scratch', role: 'roles/storage.admin', member: sa.member }));
    const other = new Construct(stack, 'other');
    GuardrailChecks.of(other).acknowledge({ id: 'GCP-003', reason: 'belongs to a different construct' });
    GuardrailChecks.of(stack).apply();
    expect(() => Testing.synth(stack, true)).toThrow(/GCP-003\[roles\/storage\.admin\]/);
  });

  test('hard rules cannot be acknowledged away', () => {
    const stack = gcpStack(Testing.app(), (scope, sa) => {
      const owner = new ProjectIamMember(scope, 'owner', { project: 'prod-proj', role: 'roles/owner', member: sa.member });
      GuardrailChecks.of(owner).acknowledge({ id: 'GCP-001[roles/owner]', reason: 'we really want this, trust us' });
    });
    GuardrailChecks.of(stack).apply();
    expect(() => Testing.synth(stack, true)).toThrow(/GCP-001\[roles\/owner\].*hard rule of baseline agent-guardrails\/default and cannot be acknowledged/);
  });

  test('acknowledgements need a finding id and a reason', () => {
    const stack = new TerraformStack(Testing.app(), 's');
    expect(() => GuardrailChecks.of(stack).acknowledge({ id: 'GCP-003', reason: '' })).toThrow(GuardrailError);
    expect(() => GuardrailChecks.of(stack).acknowledge({ id: 'GCP-003', reason: '   ok    ' })).toThrow(/AG_ACK_REASON/);
    expect(() => GuardrailChecks.of(stack).acknowledge({ id: 'Pack::GCP-003', reason: 'a reason long enough' })).toThrow(/AG_ACK_ID/);
  });

  test('the baseline decides severity: a rule turned off no longer fails synth', () => {
    const stack = gcpStack(Testing.app(), (scope, sa) => new StorageBucketIamMember(scope, 'admin', { bucket: 'scratch', role: 'roles/storage.admin', member: sa.member }));
    const baseline = Baseline.fromObject({ id: 'lenient', version: '1.0.0', rules: { 'GCP-003': { severity: 'off' }, 'GCP-011': { severity: 'warning' } } });
    GuardrailChecks.of(stack).apply({ baseline, rules: GCP_RULES });
    expect(() => Testing.synth(stack, true)).not.toThrow();
    expect(GuardrailChecks.of(stack).check().warnings.map(findingId)).toEqual(['GCP-011[roles/storage.admin]']);
  });

  test('applied on the App, app.synth() checks every stack (Azure: Owner by GUID at subscription scope)', () => {
    const app = new App({ outdir });
    const stack = new TerraformStack(app, 'azure');
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    const id = new UserAssignedIdentity(stack, 'tool', { name: 'support-restart', location: 'westeurope', resourceGroupName: 'agents-prod', tags: LABELS });
    new RoleAssignment(stack, 'owner', { scope: '/subscriptions/11111111-2222-3333-4444-555555555555', roleDefinitionId: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', principalId: id.principalId });
    GuardrailChecks.of(app).apply();
    expect(() => app.synth()).toThrow(/AZ-001\[Owner\][\s\S]*AZ-005\[subscription\]/);
  });

  test('the stack inventory and the cdktf.out inventory give the same findings (validation = CLI)', () => {
    const app = new App({ outdir, skipValidation: true });
    const stack = gcpStack(app, (scope, sa) => new ProjectIamMember(scope, 'editor', { project: 'prod-proj', role: 'roles/editor', member: sa.member }));
    app.synth();
    const rules = [...GCP_RULES, ...AZURE_RULES, ...AGENT_RULES];
    const key = (f: { ruleId: string; detail?: string; resource: string; message: string }) => `${findingId(f)}@${f.resource}: ${f.message}`;
    const fromTree = runRules(inventoryFromTfStack(stack), rules, Baseline.default()).map(key);
    const fromFiles = runRules(inventoryFromCdktfOut(outdir), rules, Baseline.default()).map(key);
    expect(fromTree.length).toBeGreaterThan(0);
    expect(fromFiles).toEqual(fromTree);
  });
});

describe('GuardrailChecks acknowledgements are audited by AGENT-007', () => {
  test('a namespaced acknowledgement on the resource is accepted and recorded with its Terraform address', () => {
    const stack = gcpStack(Testing.app(), (scope, sa) => {
      const extra = new StorageBucketIamMember(scope, 'extra', { bucket: 'logs', role: 'roles/storage.objectViewer', member: sa.member, condition: { title: 'all', expression: 'true' } });
      GuardrailChecks.of(extra).acknowledge({ id: 'AgentGuardrailsChecks::GCP-010[roles/storage.objectViewer]', reason: 'bucket-level binding, condition kept for the audit trail' });
    });
    GuardrailChecks.of(stack).apply();
    expect(() => Testing.synth(stack, true)).not.toThrow();
    expect(GuardrailChecks.of(stack).check().acknowledged.map((a) => findingId(a.finding))).toEqual(['GCP-010[roles/storage.objectViewer]']);
  });

  test('a stack-wide acknowledgement of an IAM rule fails synth', () => {
    const stack = gcpStack(Testing.app(), () => undefined);
    GuardrailChecks.of(stack).acknowledge({ id: 'GCP-003', reason: 'we never use admin roles anyway' });
    GuardrailChecks.of(stack).apply();
    expect(() => Testing.synth(stack, true)).toThrow(/AGENT-007\[wide-scope:GCP-003\]/);
  });
});
