import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ProjectIamCustomRole } from '@cdktf/provider-google/lib/project-iam-custom-role';
import { ProjectIamMember } from '@cdktf/provider-google/lib/project-iam-member';
import { GoogleProvider } from '@cdktf/provider-google/lib/provider';
import { ServiceAccount } from '@cdktf/provider-google/lib/service-account';
import { StorageBucketIamMember } from '@cdktf/provider-google/lib/storage-bucket-iam-member';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { App, TerraformStack } from 'cdktf';
import { GuardrailChecks } from '../../../constructs/tf';
import { Baseline } from '../../../lib/baseline/baseline';
import { checkPaths } from '../../../lib/cli/check';
import { findingId } from '../../../lib/rules/run-rules';

/**
 * `forbidden` lists on GCP and Azure, wildcards both ways, with the baseline set once per app:
 * the CDKTF validation and the CLI (which reads the baseline the app embedded) report the same.
 */
let dir: string;
beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ag-forbidden-')); });
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const BASELINE = {
  id: 'acme/forbidden', version: '1.0.0', extends: 'agent-guardrails/default',
  forbidden: {
    gcp: { permissions: ['storage.buckets.*', 'storage.objects.create', 'compute.instances.delete'], roles: ['roles/pubsub.*'] },
    azure: { actions: ['Microsoft.Compute/virtualMachines/*', 'Microsoft.Sql/servers/delete'] },
  },
};
const RG = '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/rg';

/** Ids of the findings of `rule`, from the CDKTF validation and from the CLI over the synthesized output. */
function bothFrontDoors(name: string, build: (stack: TerraformStack) => void, rule: string): { validation: string[]; cli: string[] } {
  const outdir = path.join(dir, name);
  const app = new App({ outdir, skipValidation: true });
  Baseline.setForApp(app, Baseline.fromObject(BASELINE));
  const stack = new TerraformStack(app, name);
  build(stack);
  GuardrailChecks.of(stack).apply();
  const validation = GuardrailChecks.of(stack).check().findings.map(findingId).filter((id) => id.startsWith(`${rule}[`)).sort();
  app.synth();
  const report = checkPaths([outdir]);
  expect(report.summary.baseline).toMatchObject({ id: 'acme/forbidden', origin: expect.stringMatching(/^embedded by the app/) });
  const cli = [...report.findings, ...report.acknowledged].map(findingId).filter((id) => id.startsWith(`${rule}[`)).sort();
  return { validation, cli };
}

function gcp(stack: TerraformStack): ServiceAccount {
  new GoogleProvider(stack, 'google', { project: 'prod-proj' });
  return new ServiceAccount(stack, 'sa', { accountId: 'deployer-tool' });
}

describe('GCP-006: forbidden.gcp.permissions, wildcards both ways', () => {
  test('a forbidden storage.buckets.* catches a granted storage.buckets.delete', () => {
    const r = bothFrontDoors('gcp-forbidden-wildcard', (stack) => {
      const sa = gcp(stack);
      const role = new ProjectIamCustomRole(stack, 'role', { roleId: 'bucketJanitor', title: 'janitor', permissions: ['storage.buckets.delete', 'storage.buckets.get'] });
      new ProjectIamMember(stack, 'grant', { project: 'prod-proj', role: role.name, member: sa.member });
    }, 'GCP-006');
    expect(r.validation).toEqual(['GCP-006[storage.buckets.delete]', 'GCP-006[storage.buckets.get]']);
    expect(r.cli).toEqual(r.validation);
  });

  test('a granted custom-role wildcard compute.instances.* catches a forbidden compute.instances.delete', () => {
    const r = bothFrontDoors('gcp-granted-wildcard', (stack) => {
      const sa = gcp(stack);
      const role = new ProjectIamCustomRole(stack, 'role', { roleId: 'vmAll', title: 'vm', permissions: ['compute.instances.*'] });
      new ProjectIamMember(stack, 'grant', { project: 'prod-proj', role: role.name, member: sa.member });
    }, 'GCP-006');
    expect(r.validation).toEqual(['GCP-006[compute.instances.*]']);
    expect(r.cli).toEqual(r.validation);
  });

  test('a predefined role whose permissions (role data) include a forbidden one is caught; one without is not', () => {
    const r = bothFrontDoors('gcp-role-data', (stack) => {
      const sa = gcp(stack);
      new StorageBucketIamMember(stack, 'creator', { bucket: 'prod-logs', role: 'roles/storage.objectCreator', member: sa.member });
      new StorageBucketIamMember(stack, 'viewer', { bucket: 'prod-logs', role: 'roles/storage.objectViewer', member: sa.member });
    }, 'GCP-006');
    expect(r.validation).toEqual(['GCP-006[storage.objects.create]']);
    expect(r.cli).toEqual(r.validation);
  });
});

describe('GCP-001: forbidden.gcp.roles, patterns included', () => {
  test('a forbidden roles/pubsub.* catches a granted roles/pubsub.publisher', () => {
    const r = bothFrontDoors('gcp-role-pattern', (stack) => {
      const sa = gcp(stack);
      new ProjectIamMember(stack, 'grant', { project: 'prod-proj', role: 'roles/pubsub.publisher', member: sa.member });
      new ProjectIamMember(stack, 'logs', { project: 'prod-proj', role: 'roles/logging.viewer', member: sa.member });
    }, 'GCP-001');
    expect(r.validation).toEqual(['GCP-001[roles/pubsub.publisher]']);
    expect(r.cli).toEqual(r.validation);
  });
});

describe('AZ-001: forbidden.azure.actions, wildcards both ways, actions minus notActions', () => {
  function azure(stack: TerraformStack, actions: string[], notActions: string[] = []): void {
    new AzurermProvider(stack, 'azurerm', { features: [{}] });
    const id = new UserAssignedIdentity(stack, 'id', { name: 'deployer-tool', resourceGroupName: 'rg', location: 'westeurope' });
    const role = new RoleDefinition(stack, 'role', { name: 'deployer', scope: RG, permissions: [{ actions, notActions }], assignableScopes: [RG] });
    new RoleAssignment(stack, 'grant', { scope: RG, roleDefinitionId: role.roleDefinitionResourceId, principalId: id.principalId });
  }

  test('a forbidden Microsoft.Compute/virtualMachines/* catches a granted .../virtualMachines/delete', () => {
    const r = bothFrontDoors('az-forbidden-wildcard', (stack) => azure(stack, ['Microsoft.Compute/virtualMachines/delete']), 'AZ-001');
    expect(r.validation).toEqual(['AZ-001[Microsoft.Compute/virtualMachines/*]']);
    expect(r.cli).toEqual(r.validation);
  });

  test('a granted Microsoft.Sql/* catches a forbidden Microsoft.Sql/servers/delete, unless notActions removes it', () => {
    const r = bothFrontDoors('az-granted-wildcard', (stack) => azure(stack, ['Microsoft.Sql/*']), 'AZ-001');
    expect(r.validation).toEqual(['AZ-001[Microsoft.Sql/servers/delete]']);
    expect(r.cli).toEqual(r.validation);
    const minus = bothFrontDoors('az-not-actions', (stack) => azure(stack, ['Microsoft.Sql/*'], ['Microsoft.Sql/servers/delete']), 'AZ-001');
    expect(minus).toEqual({ validation: [], cli: [] });
  });
});
