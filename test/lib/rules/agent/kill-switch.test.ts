import { KILL_SWITCH } from '../../../../lib/rules/agent/kill-switch';
import { check, ids, InventoryBuilder } from './inventory-builder';

const TABLE = 'arn:aws:dynamodb:eu-west-1:111111111111:table/jobs';

describe('AGENT-005: kill switch present for every agent, and no agent identity can modify it', () => {
  test('compliant: AWS deny-all policy and revocation role for the agent; tools hold no IAM writes on them', () => {
    const b = new InventoryBuilder().awsKillSwitch('triage');
    const role = b.tool({ name: 'put-item' });
    b.grant(role, ['dynamodb:PutItem', 'iam:GetRole'], [TABLE, 'arn:aws:iam::111111111111:role/triage-revocation']);
    expect(check(KILL_SWITCH, b.inventory)).toEqual([]);
  });

  test('non-compliant: an agent without a kill switch (AWS needs both parts)', () => {
    const b = new InventoryBuilder();
    b.tool({ name: 'put-item', agent: 'triage' });
    b.policy({ id: 'aws:Stack/Ks', name: 'triage-kill-switch', labels: { agent: 'triage', component: 'kill-switch' } });
    b.tool({ name: 'other-tool', agent: 'billing' });
    const findings = check(KILL_SWITCH, b.inventory);
    expect(ids(findings)).toEqual(['AGENT-005[missing:triage]', 'AGENT-005[missing:billing]']);
    expect(findings[0].message).toContain('component revocation');
    expect(findings[1].message).toContain('kill-switch and revocation');
    expect(findings[0].hard).toBe(true);
  });

  test('non-compliant (attack): a tool that could detach the deny-all policy or rewrite the revocation role', () => {
    const b = new InventoryBuilder().awsKillSwitch('triage');
    const sneaky = b.tool({ name: 'sneaky' });
    b.grant(sneaky, ['iam:CreatePolicyVersion'], ['arn:aws:iam::111111111111:policy/triage-*']);
    b.grant(sneaky, ['iam:UpdateAssumeRolePolicy'], ['arn:aws:iam::111111111111:role/triage-revocation']);
    b.grant(sneaky, ['iam:DetachRolePolicy'], ['*']);
    const findings = check(KILL_SWITCH, b.inventory);
    expect(ids(findings)).toEqual([
      'AGENT-005[can-modify:iam:CreatePolicyVersion]', 'AGENT-005[can-modify:iam:UpdateAssumeRolePolicy]', 'AGENT-005[can-modify:iam:DetachRolePolicy]',
    ]);
    expect(findings[0].message).toContain('kill-switch triage-kill-switch');
    expect(findings[1].message).toContain('revocation triage-revocation');
  });

  test('non-compliant: an IAM wildcard on * reaches the kill switch', () => {
    const b = new InventoryBuilder().awsKillSwitch('triage');
    const sneaky = b.tool({ name: 'sneaky' });
    b.grant(sneaky, ['iam:*'], ['*']);
    expect(ids(check(KILL_SWITCH, b.inventory))).toEqual(['AGENT-005[can-modify:iam:*]']);
  });

  test('same-template ARNs without a name (role/<LogicalId>) are recognised', () => {
    const b = new InventoryBuilder();
    b.policy({ id: 'aws:Stack/KsPolicy', name: 'ks', labels: { agent: 'triage', component: 'kill-switch' } });
    b.guardrail({ name: 'RevocationRole', component: 'revocation' });
    const sneaky = b.tool({ name: 'sneaky' });
    b.grant(sneaky, ['iam:PutRolePolicy'], ['arn:aws:iam::${AWS::AccountId}:role/RevocationRole']);
    expect(ids(check(KILL_SWITCH, b.inventory))).toEqual(['AGENT-005[can-modify:iam:PutRolePolicy]']);
  });

  test('GCP: a revocation custom role is enough; a project-level IAM write by a tool reaches it', () => {
    const b = new InventoryBuilder();
    b.policy({ id: 'gcp:Stack/google_project_iam_custom_role.revoke', cloud: 'gcp', kind: 'gcp-custom-role', name: 'triageRevoke', labels: { agent: 'triage', component: 'revocation' } });
    const sa = b.tool({ cloud: 'gcp', name: 'read-bucket' });
    b.grant(sa, ['storage.objects.get'], ['projects/_/buckets/b'], { scopeLevel: 'resource' });
    expect(check(KILL_SWITCH, b.inventory)).toEqual([]);
    b.grant(sa, ['iam.roles.update'], ['projects/p'], { scopeLevel: 'project' });
    expect(ids(check(KILL_SWITCH, b.inventory))).toEqual(['AGENT-005[can-modify:iam.roles.update]']);
  });

  test('GCP: a revocation binding labelled kill-switch on the tool service account counts', () => {
    const b = new InventoryBuilder();
    const sa = b.tool({ cloud: 'gcp', name: 'read-logs' });
    expect(ids(check(KILL_SWITCH, b.inventory))).toEqual(['AGENT-005[missing:triage]']);
    b.inventory.grants.push({
      id: 'ks', cloud: 'gcp', principal: 'group:oncall@example.com', effect: 'Allow', actions: ['iam.serviceAccounts.disable'], role: 'projects/p/roles/ks',
      resources: [`projects/p/serviceAccounts/${sa.name}@p.iam.gserviceaccount.com`], scopeLevel: 'resource', via: 'iam-member',
      labels: { agent: 'triage', component: 'kill-switch' }, source: { resource: 'google_service_account_iam_member.ks' },
    });
    expect(check(KILL_SWITCH, b.inventory)).toEqual([]);
  });

  test('Azure: no kill-switch resource for the agent is reported; an assignment-writing role at the resource group reaches it', () => {
    const b = new InventoryBuilder();
    const mi = b.tool({ cloud: 'azure', name: 'restart-app' });
    expect(ids(check(KILL_SWITCH, b.inventory))).toEqual(['AGENT-005[missing:triage]']);
    b.other({ cloud: 'azure', type: 'azurerm_role_definition', labels: { agent: 'triage', component: 'kill-switch' }, properties: { name: 'triage-revoke' } });
    b.grant(mi, ['Microsoft.Authorization/roleAssignments/delete'], ['/subscriptions/s/resourceGroups/rg'], { scopeLevel: 'resource-group' });
    expect(ids(check(KILL_SWITCH, b.inventory))).toEqual(['AGENT-005[can-modify:Microsoft.Authorization/roleAssignments/delete]']);
  });

  test('Azure and GCP roles that manage access reach the kill switch from a wide scope; narrow data roles do not', () => {
    const b = new InventoryBuilder();
    b.other({ cloud: 'azure', type: 'azurerm_role_definition', labels: { agent: 'triage', component: 'kill-switch' } });
    const mi = b.tool({ cloud: 'azure', name: 'restart-app' });
    b.grant(mi, [], ['/subscriptions/s/resourceGroups/rg'], { role: 'Storage Blob Data Reader', scopeLevel: 'resource-group' });
    expect(check(KILL_SWITCH, b.inventory)).toEqual([]);
    b.grant(mi, [], ['/subscriptions/s/resourceGroups/rg'], { role: 'User Access Administrator', scopeLevel: 'resource-group' });
    b.policy({ id: 'gcp:ks', cloud: 'gcp', kind: 'gcp-custom-role', labels: { agent: 'triage', component: 'kill-switch' } });
    const sa = b.tool({ cloud: 'gcp', name: 'read-bucket' });
    b.grant(sa, [], ['projects/p'], { role: 'roles/resourcemanager.projectIamAdmin', scopeLevel: 'project' });
    expect(ids(check(KILL_SWITCH, b.inventory))).toEqual([
      'AGENT-005[can-modify:User Access Administrator]', 'AGENT-005[can-modify:roles/resourcemanager.projectIamAdmin]',
    ]);
  });
});
