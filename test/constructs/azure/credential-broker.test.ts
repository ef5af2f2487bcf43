import { App, TerraformStack, Testing } from 'cdktf';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import { AgentIdentity, CredentialBroker, CredentialBrokerProps, KEY_SIGN_ACTION } from '../../../constructs/azure';
import { GUARDRAILS_METADATA_KEY } from '../../../constructs/gcp/private/metadata';
import { inventoryFromTerraformJson } from '../../../lib/adapters/terraform';
import { Baseline } from '../../../lib/baseline/baseline';
import { AGENT_RULES } from '../../../lib/rules/agent';
import { AZURE_RULES } from '../../../lib/rules/azure';
import { runRules } from '../../../lib/rules/run-rules';
import { AgentTier, BROKER_METADATA_KEY, ChangeWindow, Environment, Tool } from '../../../lib/model';

const SUB = '11111111-2222-3333-4444-555555555555';
const RG = `/subscriptions/${SUB}/resourceGroups/rg-prod`;
const APP = `${RG}/providers/Microsoft.App/containerApps/api`;
const TENANT = '99999999-8888-7777-6666-555555555555';
const ONCALL = 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';
const RUNTIME = { clientId: '12121212-3434-5656-7878-909090909090', principalId: '21212121-4343-6565-8787-090909090909' };
const API = '31313131-4242-5353-6464-757575757575';
const prod = Environment.of({ name: 'prod', azure: { subscriptionId: SUB, resourceGroup: 'rg-prod', location: 'westeurope' } });

function brokerProps(overrides: Partial<CredentialBrokerProps> = {}): CredentialBrokerProps {
  return { environment: prod, tenantId: TENANT, runtime: RUNTIME, apiClientId: API, revocationPrincipalIds: [ONCALL], ...overrides };
}

const READ_APP = Tool.read('read-app', { azure: { actions: ['Microsoft.App/containerApps/read'], scope: APP } });
/** Destructive, so it needs an approval (and the broker approvers). */
const RESTART_APP = Tool.destructive('restart-app', {
  azure: { actions: ['Microsoft.App/containerApps/read', 'Microsoft.App/containerApps/revisions/restart/action'], scope: APP },
  window: ChangeWindow.workdays('Europe/Berlin', '09:00', '17:00'),
});
/** A write tool of the same name, needing no approval: an agent a broker without approvers may serve. */
const RESTART_APP_UNGATED = Tool.write('restart-app', {
  azure: { actions: ['Microsoft.App/containerApps/read', 'Microsoft.App/containerApps/write'], scope: APP },
  window: ChangeWindow.workdays('Europe/Berlin', '09:00', '17:00'),
});

function synth(overrides: Partial<CredentialBrokerProps> = {}, tools = [READ_APP, overrides.approverPrincipalIds ? RESTART_APP : RESTART_APP_UNGATED], azuread = false) {
  const stack = new TerraformStack(Testing.app(), 'azure');
  new AzurermProvider(stack, 'azurerm', { features: [{}], subscriptionId: SUB });
  if (azuread) new AzureadProvider(stack, 'azuread', { tenantId: TENANT });
  const broker = new CredentialBroker(stack, 'Broker', brokerProps(overrides));
  const agent = new AgentIdentity(stack, 'Agent', {
    agentName: 'deploy-operator', tier: AgentTier.OPERATOR, environment: prod, broker, revocationPrincipalIds: [ONCALL], tools,
  });
  broker.addAgent(agent);
  const raw = stack.toTerraform();
  return { broker, agent, stack, raw, json: JSON.parse(Testing.synth(stack, true)) };
}

const of = (json: any, type: string): any[] => Object.values(json.resource?.[type] ?? {});
const meta = (r: any) => r['//']?.[GUARDRAILS_METADATA_KEY];

describe('azure.CredentialBroker', () => {
  const { json, raw } = synth();

  test('a Flex Consumption function running the prebuilt bundle under the broker\'s own identity, Entra auth admitting the runtime only', () => {
    const [fn] = of(json, 'azurerm_function_app_flex_consumption');
    expect(fn.runtime_name).toBe('custom');
    expect(fn.zip_deploy_file).toMatch(/assets\/.*\.zip$|\.zip$/);
    expect(fn.identity.type).toBe('UserAssigned');
    expect(fn.identity.identity_ids).toEqual([expect.stringMatching(/^\$\{azurerm_user_assigned_identity\.Broker_Identity_[0-9A-F]+\.id\}$/)]);
    expect(fn.https_only).toBe(true);
    expect(fn.webdeploy_publish_basic_authentication_enabled).toBe(false);
    const auth = fn.auth_settings_v2;
    expect(auth).toMatchObject({ auth_enabled: true, require_authentication: true, unauthenticated_action: 'Return401', require_https: true });
    expect(auth.active_directory_v2).toMatchObject({
      client_id: API, allowed_applications: [RUNTIME.clientId], jwt_allowed_client_applications: [RUNTIME.clientId], allowed_identities: [RUNTIME.principalId],
      tenant_auth_endpoint: `https://login.microsoftonline.com/${TENANT}/v2.0`,
    });
    expect(fn.app_settings.BROKER_ISSUER).toMatch(/^https:\/\/\$\{azurerm_storage_account\.Broker_IssuerAccount_[0-9A-F]+\.primary_web_host\}$/);
  });

  test('no public access: storage without shared keys or public blobs, private deployment container, no client secrets', () => {
    for (const account of of(json, 'azurerm_storage_account')) {
      expect(account).toMatchObject({ allow_nested_items_to_be_public: false, shared_access_key_enabled: false, min_tls_version: 'TLS1_2', https_traffic_only_enabled: true });
    }
    expect(of(json, 'azurerm_storage_container').map((c) => c.container_access_type)).toEqual(['private']);
    expect(JSON.stringify(json)).not.toMatch(/client_secret|_password|storage_access_key/);
    // Only the two issuer documents are served (the static website), and they hold the key's public part only.
    const blobs = of(json, 'azurerm_storage_blob');
    expect(blobs.map((b) => b.name).sort()).toEqual(['.well-known/openid-configuration', 'jwks.json']);
    expect(blobs.every((b) => b.storage_container_name === '$web')).toBe(true);
    const jwks = blobs.find((b) => b.name === 'jwks.json').source_content;
    expect(jwks).toMatch(/\.n\b|\.n}/);
    expect(jwks).not.toMatch(/private|\.d\b/);
  });

  test('the key is an HSM key in a Premium RBAC vault; the broker may only sign with it', () => {
    const [vault] = of(json, 'azurerm_key_vault');
    expect(vault).toMatchObject({ sku_name: 'premium', rbac_authorization_enabled: true, purge_protection_enabled: true });
    const [key] = of(json, 'azurerm_key_vault_key');
    expect(key).toMatchObject({ key_type: 'RSA-HSM', key_opts: ['sign'] });
    const defs = of(json, 'azurerm_role_definition');
    const sign = defs.find((d) => d.permissions[0].data_actions.includes(KEY_SIGN_ACTION));
    expect(sign.permissions).toEqual([{ actions: [], not_actions: [], data_actions: [KEY_SIGN_ACTION], not_data_actions: [] }]);
    // Every Key Vault permission of the broker, anywhere: the sign action on the one key.
    const keyVaultPerms = defs.flatMap((d) => [...d.permissions[0].actions, ...d.permissions[0].data_actions]).filter((a: string) => a.startsWith('Microsoft.KeyVault'));
    expect(keyVaultPerms).toEqual([KEY_SIGN_ACTION]);
    const signAssignments = of(json, 'azurerm_role_assignment').filter((a) => a.role_definition_id.includes('Broker_SignRole'));
    expect(signAssignments.map((a) => a.scope)).toEqual([`${RG}/providers/Microsoft.KeyVault/vaults/${vault.name}/keys/assertion-signing`]);
  });

  test('the tool identities\' federated credentials trust exactly the broker\'s issuer and a subject naming agent, tool and environment', () => {
    const fics = of(json, 'azurerm_federated_identity_credential');
    expect(fics).toHaveLength(2);
    const [fn] = of(json, 'azurerm_function_app_flex_consumption');
    for (const f of fics) expect(f.issuer).toBe(fn.app_settings.BROKER_ISSUER);
    expect(fics.map((f) => f.subject).sort()).toEqual([
      'agent-guardrails:agent:deploy-operator:tool:read-app:environment:prod',
      'agent-guardrails:agent:deploy-operator:tool:restart-app:environment:prod',
    ]);
    expect(fics.every((f) => JSON.stringify(f.audience) === '["api://AzureADTokenExchange"]')).toBe(true);
    expect(JSON.stringify(json)).not.toMatch(/oic\.prod-aks|system:serviceaccount/);
  });

  test('kill switch and approvals in Table Storage: the flag is disengaged; the revocation principals may set it, the broker only read it', () => {
    const [flag] = of(json, 'azurerm_storage_table_entity');
    expect(flag).toMatchObject({ partition_key: 'kill-switch', row_key: 'deploy-operator', entity: { state: 'disengaged' } });
    const assignments = of(json, 'azurerm_role_assignment');
    const onKillTable = assignments.filter((a) => String(a.scope).endsWith('/tables/agkillswitch'));
    expect(onKillTable.map((a) => a.principal_id).filter((p: string) => p === ONCALL)).toHaveLength(1);
    const defs = new Map(Object.entries(json.resource.azurerm_role_definition as Record<string, any>).map(([k, v]) => [k, v]));
    const actionsOf = (a: any) => defs.get(/azurerm_role_definition\.([^.]+)\./.exec(a.role_definition_id)![1])!.permissions[0].data_actions;
    const brokerOnKill = onKillTable.filter((a) => a.principal_id !== ONCALL);
    expect(brokerOnKill.map(actionsOf)).toEqual([['Microsoft.Storage/storageAccounts/tableServices/tables/entities/read']]);
    for (const d of defs.values()) expect(d.permissions[0].data_actions.some((x: string) => x.endsWith('/delete'))).toBe(false);
  });

  test('BROKER_CONFIG: the session is Entra\'s (5,400 s), one scope per tool, tool identities by client id', () => {
    const [fn] = of(json, 'azurerm_function_app_flex_consumption');
    const config = JSON.parse(fn.app_settings.BROKER_CONFIG);
    expect(config.sessionSeconds).toBe(5400);
    expect(config.tools.map((t: any) => [t.name, t.scopes])).toEqual([['read-app', ['https://management.azure.com/.default']], ['restart-app', ['https://management.azure.com/.default']]]);
    expect(config.tools[0].identity).toMatch(/^\$\{azurerm_user_assigned_identity\..*\.client_id\}$/);
  });

  test('the function carries the broker record (agent, environment, identity, issuer)', () => {
    const [fn] = of(raw, 'azurerm_function_app_flex_consumption');
    expect(meta(fn)[BROKER_METADATA_KEY]).toMatchObject({ cloud: 'azure', agent: 'deploy-operator', environment: 'prod', issuer: fn.app_settings.BROKER_ISSUER });
  });

  test('the checks pass on it (Azure and agent rules, no error)', () => {
    const errors = runRules(inventoryFromTerraformJson(raw as any), [...AZURE_RULES, ...AGENT_RULES], Baseline.default())
      .filter((f) => f.severity === 'error').map((f) => `${f.ruleId} ${f.resource}: ${f.message}`);
    expect(errors).toEqual([]);
  });

  test('bad input is refused: a non-GUID runtime, an agent that does not trust the broker, runtime federation next to the broker', () => {
    const stack = () => new TerraformStack(new App(), 's');
    expect(() => new CredentialBroker(stack(), 'B', brokerProps({ runtime: { clientId: '*', principalId: RUNTIME.principalId } }))).toThrow(/AG_AZ_PRINCIPAL_ID/);
    const s = stack();
    const broker = new CredentialBroker(s, 'B', brokerProps());
    const tools = [Tool.read('read-app', { azure: { actions: ['Microsoft.App/containerApps/read'], scope: APP } })];
    const base = { agentName: 'deploy-operator', tier: AgentTier.OPERATOR, environment: prod, revocationPrincipalIds: [ONCALL], tools };
    expect(() => new AgentIdentity(s, 'A1', { ...base, broker, runtimeIssuer: 'https://issuer.example' })).toThrow(/AG_AZ_BROKER_FEDERATION/);
    const direct = new AgentIdentity(s, 'A2', { ...base, runtimeIssuer: 'https://issuer.example', runtimeSubjectTemplate: '{agent}-{tool}' });
    expect(() => broker.addAgent(direct)).toThrow(/AG_AZ_BROKER_NOT_TRUSTED/);
  });

  describe('approvers: the approve route', () => {
    const ALICE = 'a1a1a1a1-0000-4000-8000-000000000001';
    const BOB = 'b0b0b0b0-0000-4000-8000-000000000002';
    const withApprovers = synth({ approverPrincipalIds: [ALICE, BOB] });

    test('Entra authentication admits the approvers (through Azure CLI by default) besides the runtime; APPROVE_CONFIG names them and denies the agent\'s identities', () => {
      const [fn] = of(withApprovers.json, 'azurerm_function_app_flex_consumption');
      expect(fn.auth_settings_v2.active_directory_v2).toMatchObject({
        allowed_identities: [RUNTIME.principalId, ALICE, BOB],
        allowed_applications: [RUNTIME.clientId, '04b07795-8ddb-461a-bbee-02f9e1bf7b46'],
      });
      expect(fn.app_settings.RUNTIME_PRINCIPAL_ID).toBe(RUNTIME.principalId);
      const config = JSON.parse(fn.app_settings.APPROVE_CONFIG);
      expect(config).toMatchObject({ agent: 'deploy-operator', environment: 'prod', approvers: [ALICE, BOB] });
      expect(config.deniedApprovers).toEqual(expect.arrayContaining([RUNTIME.principalId, RUNTIME.clientId]));
      expect(config.deniedApprovers.length).toBeGreaterThanOrEqual(5); // runtime (2), broker, two tool identities
    });

    test('without approvers there is no approve route and Entra admits the runtime only', () => {
      const [fn] = of(json, 'azurerm_function_app_flex_consumption');
      expect(fn.app_settings.APPROVE_CONFIG).toBeUndefined();
      expect(fn.auth_settings_v2.active_directory_v2.allowed_identities).toEqual([RUNTIME.principalId]);
    });

    test('the checks still pass with approvers', () => {
      const errors = runRules(inventoryFromTerraformJson(withApprovers.raw as any), [...AZURE_RULES, ...AGENT_RULES], Baseline.default())
        .filter((f) => f.severity === 'error').map((f) => `${f.ruleId} ${f.resource}: ${f.message}`);
      expect(errors).toEqual([]);
    });

    test.each([
      ['the runtime\'s object id', { approverPrincipalIds: [RUNTIME.principalId] }, /\[AG_APPROVER_IS_AGENT\] azure\.CredentialBroker\.approverPrincipalIds\[0\] must be a person.*got "21212121/],
      ['the runtime\'s client id', { approverPrincipalIds: [RUNTIME.clientId] }, /AG_APPROVER_IS_AGENT/],
      ['a wildcard', { approverPrincipalIds: ['*'] }, /\[AG_AZ_PRINCIPAL_ID\] azure\.CredentialBroker\.approverPrincipalIds\[0\] must be a GUID.*got "\*"/],
      ['a name instead of an id', { approverPrincipalIds: ['alice@example.com'] }, /AG_AZ_PRINCIPAL_ID/],
      ['a duplicate', { approverPrincipalIds: [ALICE, ALICE.toUpperCase()] }, /AG_AZ_APPROVER.*once/],
      ['client ids without approvers', { approverClientIds: [ALICE] }, /AG_AZ_APPROVER.*approverClientIds/],
    ])('an approver that is %s is refused with field, rule, value and fix', (_name, overrides, error) => {
      expect(() => new CredentialBroker(new TerraformStack(new App(), 's'), 'B', brokerProps(overrides as Partial<CredentialBrokerProps>))).toThrow(error);
    });

    test('a tool that needs an approval, on a broker without approvers, is a construct-time error naming the field, the rule, the value and the fix', () => {
      expect(() => synth({}, [READ_APP, RESTART_APP])).toThrow(
        /^\[AG_BROKER_NO_APPROVERS\] azure\.CredentialBroker\.approverPrincipalIds must name at least one approver: agent deploy-operator's tools \["restart-app"\] need an approval.*; got undefined\. Pass approverPrincipalIds: /);
      expect(() => synth({ approverPrincipalIds: [] }, [READ_APP, RESTART_APP])).toThrow(/AG_BROKER_NO_APPROVERS.*got \[\]/);
      expect(() => synth({}, [READ_APP, RESTART_APP_UNGATED])).not.toThrow();
    });
  });

  describe('without apiClientId: the broker\'s API app registration is created, and only the runtime and the approvers can get a token for it', () => {
    const ALICE = 'a1a1a1a1-0000-4000-8000-000000000001';
    const created = synth({ apiClientId: undefined, approverPrincipalIds: [ALICE] }, undefined, true);
    const one = (type: string) => {
      const all = Object.entries(created.json.resource[type] ?? {});
      expect(all).toHaveLength(1);
      return { address: `${type}.${all[0][0]}`, body: all[0][1] as any };
    };

    test('Entra authentication trusts the created app: client id and audiences are its client id, the runtime (and approvers\' client) the only applications', () => {
      const app = one('azuread_application');
      const clientId = `\${${app.address}.client_id}`;
      const [fn] = of(created.json, 'azurerm_function_app_flex_consumption');
      expect(fn.auth_settings_v2.active_directory_v2).toMatchObject({
        client_id: clientId, allowed_audiences: [`api://${clientId}`, clientId],
        allowed_applications: [RUNTIME.clientId, '04b07795-8ddb-461a-bbee-02f9e1bf7b46'], allowed_identities: [RUNTIME.principalId, ALICE],
      });
      expect(created.broker.apiClientId).toMatch(/^\$\{TfToken\[/);
      expect(JSON.stringify(created.json)).not.toContain(API);
    });

    test('v2 tokens, one tenant, identifier URI api://<client id>; the service principal requires an app role assignment', () => {
      const app = one('azuread_application');
      expect(app.body).toMatchObject({ sign_in_audience: 'AzureADMyOrg', api: { requested_access_token_version: 2 }, lifecycle: { ignore_changes: ['identifier_uris'] } });
      expect(app.body.identifier_uris).toBeUndefined();
      expect(one('azuread_application_identifier_uri').body).toEqual(expect.objectContaining({ application_id: `\${${app.address}.id}`, identifier_uri: `api://\${${app.address}.client_id}` }));
      expect(one('azuread_service_principal').body).toMatchObject({ client_id: `\${${app.address}.client_id}`, app_role_assignment_required: true });
      expect(JSON.stringify(created.json)).not.toMatch(/azuread_application_password|azuread_service_principal_password|client_secret/);
    });

    test('the invoke role (applications) is assigned to the runtime only, the approver role (users) to the approvers only; the approvers\' client is pre-authorized for the approve scope only', () => {
      const app = one('azuread_application');
      const roles = Object.fromEntries((app.body.app_role as any[]).map((r) => [r.value, r]));
      expect(Object.keys(roles).sort()).toEqual(['Broker.Approver', 'Broker.Invoke']);
      expect(roles['Broker.Invoke'].allowed_member_types).toEqual(['Application']);
      expect(roles['Broker.Approver'].allowed_member_types).toEqual(['User']);
      const sp = one('azuread_service_principal');
      const assignments = of(created.json, 'azuread_app_role_assignment');
      expect(assignments.map((a) => [a.principal_object_id, a.app_role_id, a.resource_object_id]).sort()).toEqual([
        [RUNTIME.principalId, roles['Broker.Invoke'].id, `\${${sp.address}.object_id}`],
        [ALICE, roles['Broker.Approver'].id, `\${${sp.address}.object_id}`],
      ].sort());
      const [scope] = app.body.api.oauth2_permission_scope;
      expect(scope).toMatchObject({ value: 'Broker.Approve', type: 'Admin', enabled: true });
      expect(one('azuread_application_pre_authorized').body).toMatchObject({ authorized_client_id: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', permission_ids: [scope.id] });
      // Role and scope ids are GUIDs that stay the same across synths (Entra keys assignments by them).
      const again = synth({ apiClientId: undefined, approverPrincipalIds: [ALICE] }, undefined, true).json;
      expect(Object.values(again.resource.azuread_application as Record<string, any>)[0].app_role).toEqual(app.body.app_role);
      for (const id of [scope.id, ...Object.values(roles).map((r: any) => r.id)]) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    });

    test('without approvers: the invoke role only, no scope, no pre-authorized client', () => {
      const { json } = synth({ apiClientId: undefined }, undefined, true);
      const [app] = of(json, 'azuread_application');
      expect(app.app_role.map((r: any) => r.value)).toEqual(['Broker.Invoke']);
      expect(app.api.oauth2_permission_scope ?? []).toEqual([]);
      expect(of(json, 'azuread_app_role_assignment').map((a) => a.principal_object_id)).toEqual([RUNTIME.principalId]);
      expect(of(json, 'azuread_application_pre_authorized')).toEqual([]);
    });

    test('every created resource carries the broker\'s owner labels, and the checks pass on the stack', () => {
      for (const type of ['azuread_application', 'azuread_service_principal', 'azuread_app_role_assignment', 'azuread_application_identifier_uri', 'azuread_application_pre_authorized']) {
        for (const r of of(created.raw, type)) expect(meta(r)).toMatchObject({ 'agent-guardrails:agent': 'deploy-operator', 'agent-guardrails:component': 'broker' });
      }
      const errors = runRules(inventoryFromTerraformJson(created.raw as any), [...AZURE_RULES, ...AGENT_RULES], Baseline.default())
        .filter((f) => f.severity === 'error').map((f) => `${f.ruleId} ${f.resource}: ${f.message}`);
      expect(errors).toEqual([]);
    });

    test('a stack without the azuread provider is refused at synth, naming the fix', () => {
      expect(() => synth({ apiClientId: undefined })).toThrow(/azure\.CredentialBroker\(azure\/Broker\)\.apiClientId is absent, so the broker creates its API's app registration, which needs the azuread provider in the stack; got undefined\. Add `new AzureadProvider/);
    });
  });
});
