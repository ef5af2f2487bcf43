import { Construct } from 'constructs';
import { AssetType, Fn, TerraformAsset, TerraformResource, Token } from 'cdktf';
import { ApplicationInsights } from '@cdktf/provider-azurerm/lib/application-insights';
import { FunctionAppFlexConsumption } from '@cdktf/provider-azurerm/lib/function-app-flex-consumption';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { KeyVaultKey } from '@cdktf/provider-azurerm/lib/key-vault-key';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { RoleDefinition } from '@cdktf/provider-azurerm/lib/role-definition';
import { ServicePlan } from '@cdktf/provider-azurerm/lib/service-plan';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageAccountStaticWebsiteA as StorageAccountStaticWebsite } from '@cdktf/provider-azurerm/lib/storage-account-static-website';
import { StorageBlob } from '@cdktf/provider-azurerm/lib/storage-blob';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { StorageTable } from '@cdktf/provider-azurerm/lib/storage-table';
import { StorageTableEntity } from '@cdktf/provider-azurerm/lib/storage-table-entity';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { Baseline } from '../../lib/baseline/baseline';
import { ApproveEndpointConfig } from '../../lib/broker/approve-endpoint';
import { BrokerConfig } from '../../lib/broker/broker-config';
import { requireApproversForGatedTools } from '../../lib/broker/approvers-required';
import { toolBrokerConfig } from '../../lib/broker/tool-broker-config';
import { fail } from '../../lib/errors';
import { AzureEnvironmentProps, Environment } from '../../lib/model/environment';
import { Component } from '../../lib/model/tags';
import { handlerBundleDir } from '../aws/broker-runtime/handler-bundle';
import { attachGuardrailMetadata, attachBrokerRecord, guardrailTags, OwnerLabels } from '../gcp/private/metadata';
import { fitName, shortHash } from '../gcp/private/names';
import { hardenedFunctionAppConfig } from './private/hardened-function-app';
import { AgentIdentity } from './agent-identity';
import { IBrokerIssuer } from './broker-issuer';
import { ENTRA_TOKEN_MAX_SECONDS } from './broker-runtime/assertion-subject';
import { AZURE_APPROVALS_TABLE, AZURE_KILL_SWITCH_DISENGAGED, AZURE_KILL_SWITCH_PARTITION, AZURE_KILL_SWITCH_TABLE } from './broker-runtime/table-layout';

const AZURE_BROKER_SYMBOL = Symbol.for('agent-guardrails.azure.CredentialBroker');
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ARM_SCOPE = 'https://management.azure.com/.default';
/** Microsoft's well-known application id of the Azure CLI. */
export const AZURE_CLI_CLIENT_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';
/** Built-in roles the broker's own identity holds (GUIDs are the same in every tenant). */
const STORAGE_BLOB_DATA_OWNER = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b';
const MONITORING_METRICS_PUBLISHER = '3913510d-42f4-4e42-8a64-420c390055eb';
/** The one Key Vault data action the broker holds on its key. */
export const KEY_SIGN_ACTION = 'Microsoft.KeyVault/vaults/keys/sign/action';
const TABLE_ENTITIES = 'Microsoft.Storage/storageAccounts/tableServices/tables/entities';
/** The container the Flex Consumption plan deploys the prebuilt package from. */
const DEPLOYMENT_CONTAINER = 'broker-package';
const OIDC_DISCOVERY_PATH = '.well-known/openid-configuration';
const JWKS_PATH = 'jwks.json';

export interface CredentialBrokerProps {
  /** The environment the broker serves: its `azure` placement (subscription, resource group, location) holds every broker resource. */
  readonly environment: Environment;
  /** The Microsoft Entra tenant (GUID) of the tool identities: the broker exchanges its assertions at this tenant's token endpoint. */
  readonly tenantId: string;
  /**
   * The agent runtime's identity: the only caller the broker's Entra authentication admits.
   * `clientId` is its application (client) id, `principalId` its object id.
   */
  readonly runtime: { readonly clientId: string; readonly principalId: string };
  /**
   * The application (client) id of an existing app registration that represents the broker's API:
   * the audience of the runtime's tokens (`api://<id>` or the id itself). Pass it when app
   * registrations are made outside Terraform; the construct then needs no azuread provider.
   * @default - the construct creates the app registration and its service principal (needs
   * `@cdktf/provider-azuread` installed and an `AzureadProvider` in the stack): v2 tokens,
   * identifier URI `api://<client id>`, and an app role assignment required for any token, held
   * by the runtime (`Broker.Invoke`) and the approvers (`Broker.Approver`) only
   */
  readonly apiClientId?: string;
  /** The object ids (GUIDs) of who may engage the broker's kill switch (write its Table Storage flag); usually the agent's `revocationPrincipalIds`. */
  readonly revocationPrincipalIds: string[];
  /**
   * The guardrail baseline (approval age). The token lifetime is Entra's (see the class comment).
   * @default Baseline.default()
   */
  readonly baseline?: Baseline;
  /**
   * The one scope per tool a token is requested for.
   * @default - `https://management.azure.com/.default` (the tool identity's role assignments narrow what the token can do)
   */
  readonly scopes?: { readonly [tool: string]: string };
  /**
   * Whether a request without an approval opens a pending approval (an entity in the approvals table).
   * @default true
   */
  readonly openPendingApprovals?: boolean;
  /**
   * The Log Analytics workspace (resource id) behind the broker's Application Insights, which collects its decision records (stdout).
   * @default - a workspace `<agent>-<environment>-broker` is created (365 days retention)
   */
  readonly logAnalyticsWorkspaceId?: string;
  /**
   * The object ids (GUIDs) of the people who may approve this agent's pending requests. Entra
   * authentication admits them besides the runtime; the function's `approve` route
   * (`POST /api/approve` with `{"approvalId": "…"}`) answers them only, recording the approver from
   * the principal Entra validated, and its `broker` route answers the runtime only. Users, not
   * groups (the validated principal is the person). Never the runtime, the broker or a tool identity.
   * @default - no approve route; an agent with a tool that needs an approval is then a construct-time error (`AG_BROKER_NO_APPROVERS`)
   */
  readonly approverPrincipalIds?: string[];
  /**
   * The client applications (application ids) the approvers get their token for the broker's API
   * with. A created app registration pre-authorizes them for its approve scope; an existing one
   * (`apiClientId`) must let them itself (pre-authorize them or grant consent).
   * @default - Azure CLI (`04b07795-8ddb-461a-bbee-02f9e1bf7b46`): `az account get-access-token --resource api://<apiClientId>`
   */
  readonly approverClientIds?: string[];
}

/**
 * The Azure credential broker: the cloud-neutral core as an Azure Function (Flex Consumption plan,
 * Functions custom handler running the prebuilt bundle `dist-handler/azure-broker`; synth only points
 * at it, never bundles) under its own user-assigned managed identity.
 *
 * - **Only the agent runtime may call it.** Entra authentication (App Service authentication v2) on
 *   the function rejects every request without a token for the broker's API, and admits only the
 *   runtime's client id and object id. Without `apiClientId` the construct creates the API's app
 *   registration (azuread provider), whose service principal requires an app role assignment: Entra
 *   issues a token for it to the runtime and the approvers only, before Entra authentication checks.
 * - **The broker is the tools' OIDC issuer.** It signs a 5-minute client assertion (subject
 *   `agent-guardrails:agent:<agent>:tool:<tool>:environment:<environment>`) with a Key Vault key
 *   (`RSA-HSM` in a Premium vault) that its identity may only `sign` with (a custom role holding
 *   `keys/sign/action` alone, assigned on that key; the key's own operations are `sign` only). Its
 *   discovery document and JWKS are published on a storage static website, whose URL is the issuer.
 *   Pass the broker as the agent's `broker`: each tool identity's federated credential then trusts
 *   exactly this issuer and the tool's subject, and nothing of the runtime.
 * - **Kill switch and approvals in Table Storage** (`agkillswitch`, `agapprovals`): the broker may
 *   read the flag and read/add/update approvals; the revocation principals may set the flag. Both
 *   through custom roles on the one table; the state account takes no shared keys.
 * - **Decision records** go to stdout, collected by Application Insights into Log Analytics.
 * - **Approvers** (`approverPrincipalIds`) are admitted by Entra authentication too; the function's
 *   `approve` route answers them only (approver = the validated principal, ETag-conditional write),
 *   its `broker` route the runtime only.
 *
 * **Token lifetime.** Microsoft Entra access tokens live 60–90 minutes (about 1 h by default) and
 * this flow cannot shorten them, so the Azure broker's session is 5,400 s whatever the baseline's
 * `session.brokerSessionSeconds`. The kill switch therefore has to cut tokens already issued: the
 * agent's kill-switch role deletes the tool identities' role assignments (RBAC is checked on every
 * request; Azure Resource Manager may cache assignments for up to ~10 minutes) and federated
 * credentials (no new exchange), and the broker flag (set by the same principals) refuses every new
 * request at once.
 *
 * Order: create the broker, pass it as the agent's `broker`, then `broker.addAgent(agent)`. One agent per broker.
 * Deploying needs the azurerm provider with `storage_use_azuread = true` (the storage accounts take no shared keys)
 * and a deployer allowed to create Key Vault keys (Key Vault Crypto Officer); without `apiClientId`, also the
 * azuread provider and a deployer allowed to create app registrations and assign app roles
 * (Application Administrator, or Application.ReadWrite.OwnedBy with AppRoleAssignment.ReadWrite.All).
 */
export class CredentialBroker extends Construct implements IBrokerIssuer {
  /** Whether `x` is an Azure CredentialBroker (works across copies of this package). */
  public static isCredentialBroker(x: unknown): x is CredentialBroker {
    return typeof x === 'object' && x !== null && AZURE_BROKER_SYMBOL in x;
  }

  /** The broker's own user-assigned managed identity. */
  public readonly identity: UserAssignedIdentity;
  /** The issuer of the broker's client assertions: `https://<issuer account static website host>`. */
  public readonly issuer: string;
  /** The signing key (sign only). */
  public readonly signingKey: KeyVaultKey;
  /** The broker API's application (client) id: `apiClientId`, or the created app registration's (a Terraform reference). */
  public readonly apiClientId: string;
  /** The created app registration's resources (none when `apiClientId` was given). */
  private readonly apiRegistration: TerraformResource[];
  private readonly props: CredentialBrokerProps;
  private readonly azure: AzureEnvironmentProps;
  private readonly baseline: Baseline;
  private readonly issuerAccount: StorageAccount;
  private readonly vault: KeyVault;
  private readonly names: { readonly state: string; readonly issuer: string; readonly vault: string; readonly key: string };
  private agent?: AgentIdentity;
  private fn?: FunctionAppFlexConsumption;

  constructor(scope: Construct, id: string, props: CredentialBrokerProps) {
    super(scope, id);
    Object.defineProperty(this, AZURE_BROKER_SYMBOL, { value: true });
    this.props = props;
    this.azure = props.environment.requireAzure('azure.CredentialBroker');
    this.baseline = props.baseline ?? Baseline.default();
    validateProps(props);
    const { resourceGroup, location, subscriptionId } = this.azure;
    // Storage accounts and vaults have global names: derived from where the broker is, stable across synths.
    const hash = shortHash([subscriptionId, resourceGroup, this.node.path], 12);
    this.names = { state: `agb${hash}s`, issuer: `agb${hash}w`, vault: `agb-${hash}`, key: 'assertion-signing' };

    this.identity = new UserAssignedIdentity(this, 'Identity', {
      name: fitName(`agent-guardrails-broker-${props.environment.name}-${hash}`, 128, [hash]),
      resourceGroupName: resourceGroup, location,
    });

    // The issuer: a static website holding only the discovery document and the JWKS (public by design: Entra fetches them anonymously).
    this.issuerAccount = new StorageAccount(this, 'IssuerAccount', {
      name: this.names.issuer, resourceGroupName: resourceGroup, location,
      accountTier: 'Standard', accountReplicationType: 'ZRS', accountKind: 'StorageV2',
      minTlsVersion: 'TLS1_2', httpsTrafficOnlyEnabled: true,
      allowNestedItemsToBePublic: false, sharedAccessKeyEnabled: false, defaultToOauthAuthentication: true,
      crossTenantReplicationEnabled: false, localUserEnabled: false, sftpEnabled: false,
    });
    this.issuer = `https://${this.issuerAccount.primaryWebHost}`;

    this.vault = new KeyVault(this, 'Vault', {
      name: this.names.vault, resourceGroupName: resourceGroup, location, tenantId: props.tenantId,
      skuName: 'premium', // HSM-protected keys
      rbacAuthorizationEnabled: true, purgeProtectionEnabled: true, softDeleteRetentionDays: 90,
      enabledForDeployment: false, enabledForDiskEncryption: false, enabledForTemplateDeployment: false,
    });
    this.signingKey = new KeyVaultKey(this, 'SigningKey', {
      name: this.names.key, keyVaultId: this.vault.id, keyType: 'RSA-HSM', keySize: 2048, keyOpts: ['sign'],
    });

    if (props.apiClientId !== undefined) {
      this.apiClientId = props.apiClientId;
      this.apiRegistration = [];
    } else {
      const approvers = props.approverPrincipalIds ?? [];
      const registration = new (loadBrokerApiRegistration().BrokerApiRegistration)(this, 'Api', {
        displayName: `agent-guardrails credential broker ${props.environment.name} ${hash}`,
        runtimePrincipalId: props.runtime.principalId, approverPrincipalIds: approvers,
        approverClientIds: approvers.length > 0 ? (props.approverClientIds ?? [AZURE_CLI_CLIENT_ID]) : [],
        seed: [subscriptionId, resourceGroup, this.node.path],
      });
      this.apiClientId = registration.clientId;
      this.apiRegistration = registration.resources;
    }
  }

  /** The state account (kill-switch flag and approvals tables): its name and ARM id, for an activity monitor's access. */
  public get stateAccount(): { readonly name: string; readonly id: string } {
    return { name: this.names.state, id: this.armId('Microsoft.Storage', 'storageAccounts', this.names.state) };
  }

  /** The broker's issuer account id, key scope and other ARM ids, as literals (so the checks read them from cdk.tf.json). */
  private armId(provider: string, ...path: string[]): string {
    return `/subscriptions/${this.azure.subscriptionId}/resourceGroups/${this.azure.resourceGroup}/providers/${provider}/${path.join('/')}`;
  }

  /** Serve `agent`'s tools: the published issuer documents, the state tables, the function and its access. One agent per broker. */
  public addAgent(agent: AgentIdentity): void {
    if (this.agent) fail('AG_BROKER_ONE_AGENT', 'azure.CredentialBroker.addAgent', 'serves one agent', agent.agentName, `This broker serves ${this.agent.agentName}; create one CredentialBroker per agent.`);
    if (agent.environment.name !== this.props.environment.name) {
      fail('AG_BROKER_ENVIRONMENT', 'azure.CredentialBroker.addAgent', `must be an agent of the broker's environment (${this.props.environment.name})`, agent.environment.name, 'Create one broker per environment.');
    }
    if (agent.broker !== this) {
      fail('AG_AZ_BROKER_NOT_TRUSTED', 'azure.CredentialBroker.addAgent', 'must be an agent created with this broker as its `broker`', agent.agentName,
        'Pass `broker` to the AgentIdentity, so its tool identities trust exactly this broker\'s issuer.');
    }
    requireApproversForGatedTools('azure.CredentialBroker.approverPrincipalIds', agent.agentName, agent.tools, this.props.approverPrincipalIds, 'approverPrincipalIds: ["<object id>"] (the people who approve)');
    this.agent = agent;
    const { resourceGroup, location } = this.azure;
    const owner: OwnerLabels = { agent: agent.agentName, tier: agent.tier, environment: agent.environment.name };
    const tag = (r: TerraformResource, component = Component.BROKER) => attachGuardrailMetadata(r, owner, component);
    this.identity.tags = guardrailTags(owner, Component.BROKER);
    for (const r of [this.identity, this.issuerAccount, this.vault, this.signingKey, ...this.apiRegistration]) tag(r);

    this.publishIssuer(tag);
    const state = this.stateStore(agent, owner, tag);

    let workspaceId = this.props.logAnalyticsWorkspaceId;
    if (workspaceId === undefined) {
      const workspace = new LogAnalyticsWorkspace(this, 'DecisionWorkspace', {
        name: fitName(`${agent.agentName}-${agent.environment.name}-broker`, 63, [agent.agentName, agent.environment.name]),
        resourceGroupName: resourceGroup, location, sku: 'PerGB2018', retentionInDays: 365,
      });
      tag(workspace, Component.AUDIT);
      workspaceId = workspace.id;
    }
    const insightsName = fitName(`${agent.agentName}-${agent.environment.name}-broker`, 255, [agent.agentName]);
    const insights = new ApplicationInsights(this, 'Insights', {
      name: insightsName, resourceGroupName: resourceGroup, location, applicationType: 'other', workspaceId,
      localAuthenticationDisabled: true, // telemetry only with the broker's Entra identity
    });
    tag(insights, Component.AUDIT);
    this.assign('PublishesTelemetry', this.armId('Microsoft.Insights', 'components', insightsName), MONITORING_METRICS_PUBLISHER, this.identity.principalId, owner, [insights]);

    const plan = new ServicePlan(this, 'Plan', {
      name: fitName(`${agent.agentName}-${agent.environment.name}-broker`, 60, [agent.agentName]),
      resourceGroupName: resourceGroup, location, osType: 'Linux', skuName: 'FC1',
    });
    tag(plan);
    const approvers = this.props.approverPrincipalIds ?? [];
    const approveConfig = approvers.length > 0 ? this.approveConfig(agent) : undefined;
    for (const [i, id] of approvers.entries()) {
      if (approveConfig!.deniedApprovers.some((d) => !Token.isUnresolved(d) && d.toLowerCase() === id.toLowerCase())) {
        fail('AG_APPROVER_IS_AGENT', `azure.CredentialBroker.approverPrincipalIds[${i}]`, 'must be a person, never the agent runtime, the broker or one of the agent\'s tool identities', id,
          'Name the object ids of the people who approve; an agent identity approving its own requests defeats the approval.');
      }
    }
    const clients = approvers.length > 0 ? (this.props.approverClientIds ?? [AZURE_CLI_CLIENT_ID]) : [];
    const bundle = new TerraformAsset(this, 'HandlerAsset', { path: handlerBundleDir('azure-broker'), type: AssetType.ARCHIVE });
    const tenantEndpoint = `https://login.microsoftonline.com/${this.props.tenantId}/v2.0`;
    this.fn = new FunctionAppFlexConsumption(this, 'Function', {
      ...hardenedFunctionAppConfig({
        name: fitName(`ag-broker-${agent.agentName}-${shortHash([this.names.state], 6)}`, 60, [agent.agentName]),
        resourceGroupName: resourceGroup, location, servicePlanId: plan.id,
        identity: this.identity, storageAccountName: this.names.state, storagePrimaryBlobEndpoint: state.account.primaryBlobEndpoint,
        deploymentContainer: DEPLOYMENT_CONTAINER, zipDeployFile: bundle.path, insightsConnectionString: insights.connectionString,
        appSettings: {
          BROKER_CONFIG: JSON.stringify(this.config(agent)),
          STATE_TABLE_ENDPOINT: `https://${this.names.state}.table.core.windows.net`,
          SIGNING_KEY_ID: this.signingKey.id,
          ASSERTION_KEY_KID: this.signingKey.version,
          BROKER_ISSUER: this.issuer,
          AZURE_TENANT_ID: this.props.tenantId,
          RUNTIME_PRINCIPAL_ID: this.props.runtime.principalId,
          ...(approveConfig ? { APPROVE_CONFIG: JSON.stringify(approveConfig) } : {}),
        },
      }),
      // Entra authentication in front of the function: a token of the runtime identity, for the broker's API, or 401.
      authSettingsV2: {
        authEnabled: true, requireAuthentication: true, unauthenticatedAction: 'Return401', requireHttps: true,
        defaultProvider: 'azureactivedirectory',
        activeDirectoryV2: {
          clientId: this.apiClientId, tenantAuthEndpoint: tenantEndpoint,
          allowedAudiences: [`api://${this.apiClientId}`, this.apiClientId],
          // The approvers are admitted too; each route then checks its caller (broker: the runtime only; approve: the approvers only).
          allowedApplications: [this.props.runtime.clientId, ...clients],
          jwtAllowedClientApplications: [this.props.runtime.clientId, ...clients],
          allowedIdentities: [this.props.runtime.principalId, ...approvers],
        },
        login: { tokenStoreEnabled: false },
      },
      dependsOn: state.access,
    });
    tag(this.fn);
    attachBrokerRecord(this.fn, {
      cloud: 'azure', agent: agent.agentName, environment: agent.environment.name,
      identity: this.identity.name, issuer: this.issuer, invokers: [this.props.runtime.principalId, this.props.runtime.clientId],
      ...(approvers.length > 0 ? { approvers: [...approvers] } : {}),
    });
  }

  /** The discovery document and the JWKS (the key's public part only) on the issuer account's static website. */
  private publishIssuer(tag: (r: TerraformResource) => void): void {
    const website = new StorageAccountStaticWebsite(this, 'IssuerWebsite', { storageAccountId: this.issuerAccount.id });
    tag(website);
    const jwks = { keys: [{ kty: 'RSA', use: 'sig', alg: 'RS256', kid: this.signingKey.version, n: this.signingKey.n, e: this.signingKey.e }] };
    const discovery = {
      issuer: this.issuer, jwks_uri: `${this.issuer}/${JWKS_PATH}`,
      response_types_supported: ['id_token'], subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
    };
    for (const [id, name, doc] of [['Discovery', OIDC_DISCOVERY_PATH, discovery], ['Jwks', JWKS_PATH, jwks]] as const) {
      const blob = new StorageBlob(this, id, {
        name, storageAccountName: this.names.issuer, storageContainerName: '$web', type: 'Block',
        contentType: 'application/json', sourceContent: Fn.jsonencode(doc), dependsOn: [website],
      });
      tag(blob);
    }
  }

  /** The state account: kill-switch and approvals tables, the deployment container, and who may do what there. */
  private stateStore(agent: AgentIdentity, owner: OwnerLabels, tag: (r: TerraformResource, c?: Component) => void) {
    const { resourceGroup, location } = this.azure;
    const account = new StorageAccount(this, 'StateAccount', {
      name: this.names.state, resourceGroupName: resourceGroup, location,
      accountTier: 'Standard', accountReplicationType: 'ZRS', accountKind: 'StorageV2',
      minTlsVersion: 'TLS1_2', httpsTrafficOnlyEnabled: true,
      allowNestedItemsToBePublic: false, sharedAccessKeyEnabled: false, defaultToOauthAuthentication: true,
      crossTenantReplicationEnabled: false, localUserEnabled: false, sftpEnabled: false,
    });
    tag(account);
    const killTable = new StorageTable(this, 'KillSwitchTable', { name: AZURE_KILL_SWITCH_TABLE, storageAccountName: this.names.state, dependsOn: [account] });
    const approvalsTable = new StorageTable(this, 'ApprovalsTable', { name: AZURE_APPROVALS_TABLE, storageAccountName: this.names.state, dependsOn: [account] });
    const container = new StorageContainer(this, 'PackageContainer', { name: DEPLOYMENT_CONTAINER, storageAccountId: account.id, containerAccessType: 'private' });
    tag(killTable, Component.KILL_SWITCH);
    tag(approvalsTable);
    tag(container);
    const flag = new StorageTableEntity(this, 'KillSwitchFlag', {
      storageTableId: killTable.id, partitionKey: AZURE_KILL_SWITCH_PARTITION, rowKey: agent.agentName,
      entity: { state: AZURE_KILL_SWITCH_DISENGAGED },
    });
    tag(flag, Component.KILL_SWITCH);

    const accountId = this.armId('Microsoft.Storage', 'storageAccounts', this.names.state);
    const tableScope = (table: string) => `${accountId}/tableServices/default/tables/${table}`;
    const rg = `/subscriptions/${this.azure.subscriptionId}/resourceGroups/${resourceGroup}`;
    const role = (id: string, name: string, description: string, dataActions: string[]) => {
      const def = new RoleDefinition(this, id, {
        name: `agent-guardrails ${agent.agentName} ${agent.environment.name} ${name}`, scope: rg, description,
        permissions: [{ actions: [], notActions: [], dataActions, notDataActions: [] }], assignableScopes: [rg],
      });
      tag(def, id === 'SetKillSwitchRole' ? Component.KILL_SWITCH : Component.BROKER);
      return def;
    };
    const readFlag = role('ReadKillSwitchRole', 'broker reads kill switch', 'Read the kill-switch entities; nothing else.', [`${TABLE_ENTITIES}/read`]);
    const setFlag = role('SetKillSwitchRole', 'sets kill switch', 'Read and set the kill-switch entities; nothing else (no delete).', [`${TABLE_ENTITIES}/read`, `${TABLE_ENTITIES}/write`, `${TABLE_ENTITIES}/update/action`]);
    const approvals = role('ApprovalsRole', 'broker approvals', 'Read, add and update approval entities (ETag-conditional); no delete.', [`${TABLE_ENTITIES}/read`, `${TABLE_ENTITIES}/write`, `${TABLE_ENTITIES}/add/action`, `${TABLE_ENTITIES}/update/action`]);
    const sign = role('SignRole', 'broker signs', 'Sign with the broker\'s assertion key; no other key operation.', [KEY_SIGN_ACTION]);

    const access: TerraformResource[] = [
      this.assign('ReadsKillSwitch', tableScope(AZURE_KILL_SWITCH_TABLE), readFlag, this.identity.principalId, owner, [killTable]),
      this.assign('OwnsApprovals', tableScope(AZURE_APPROVALS_TABLE), approvals, this.identity.principalId, owner, [approvalsTable]),
      this.assign('SignsAssertions', this.armId('Microsoft.KeyVault', 'vaults', this.names.vault, 'keys', this.names.key), sign, this.identity.principalId, owner, [this.signingKey]),
      // The Functions host and the Flex deployment read and write blobs of the state account (package, host locks); tables are a separate data plane.
      this.assign('HostStorage', accountId, STORAGE_BLOB_DATA_OWNER, this.identity.principalId, owner, [account]),
    ];
    this.props.revocationPrincipalIds.forEach((principalId, i) => {
      const a = this.assign(`RevocationSetsKillSwitch${i}`, tableScope(AZURE_KILL_SWITCH_TABLE), setFlag, principalId, owner, [killTable]);
      attachGuardrailMetadata(a, owner, Component.KILL_SWITCH);
    });
    return { account, access };
  }

  private assign(id: string, scope: string, role: RoleDefinition | string, principalId: string, owner: OwnerLabels, dependsOn: TerraformResource[]): RoleAssignment {
    const roleDefinitionId = typeof role === 'string'
      ? `/subscriptions/${this.azure.subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${role}`
      : role.roleDefinitionResourceId;
    const assignment = new RoleAssignment(this, id, {
      scope, roleDefinitionId, principalId, description: `agent-guardrails broker of ${owner.agent} (${owner.environment}): ${id}`, dependsOn,
    });
    attachGuardrailMetadata(assignment, owner, Component.BROKER);
    return assignment;
  }

  /** The approve route's configuration (`APPROVE_CONFIG`): its approvers and who may never approve. */
  public approveConfig(agent: AgentIdentity = this.agent!): ApproveEndpointConfig {
    return {
      agent: agent.agentName, environment: agent.environment.name,
      approvers: [...(this.props.approverPrincipalIds ?? [])], deniedApprovers: this.config(agent).requesterIdentities,
    };
  }

  /** The broker configuration the function reads (`BROKER_CONFIG`); tool identities are client ids. */
  public config(agent: AgentIdentity = this.agent!): BrokerConfig {
    return {
      agent: agent.agentName,
      environment: agent.environment.name,
      sessionSeconds: ENTRA_TOKEN_MAX_SECONDS,
      approvalMaxAgeSeconds: this.baseline.approvalMaxAgeSeconds,
      requesterIdentities: [this.props.runtime.principalId, this.props.runtime.clientId, this.identity.principalId, ...agent.tools.map((t) => agent.identityFor(t.name).principalId)],
      openPendingApprovals: this.props.openPendingApprovals ?? true,
      tools: agent.tools.map((t) => toolBrokerConfig(t, agent.identityFor(t.name).clientId, 'azure', [this.props.scopes?.[t.name] ?? ARM_SCOPE])),
    };
  }
}

/**
 * The app-registration module, loaded only when the broker creates its API's registration: it is the
 * one module that needs `@cdktf/provider-azuread`, which an app passing `apiClientId` need not install.
 */
function loadBrokerApiRegistration(): typeof import('./private/broker-api-registration') {
  try {
    return require('./private/broker-api-registration') as typeof import('./private/broker-api-registration');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && String((e as Error).message).includes('@cdktf/provider-azuread')) {
      fail('AG_AZ_BROKER_AZUREAD_MISSING', 'azure.CredentialBroker.apiClientId', 'is absent, so the broker creates its API\'s app registration, which needs the package @cdktf/provider-azuread', undefined,
        'Install it (npm install @cdktf/provider-azuread) and add an AzureadProvider to the stack, or pass the client id of an existing app registration as apiClientId.');
    }
    throw e;
  }
}

function validateProps(props: CredentialBrokerProps): void {
  const field = 'azure.CredentialBroker';
  const guids: Array<[string, string]> = [
    ['tenantId', props.tenantId], ['runtime.clientId', props.runtime.clientId], ['runtime.principalId', props.runtime.principalId],
    ...(props.apiClientId !== undefined ? [['apiClientId', props.apiClientId] as [string, string]] : []),
    ...props.revocationPrincipalIds.map((id, i) => [`revocationPrincipalIds[${i}]`, id] as [string, string]),
    ...(props.approverPrincipalIds ?? []).map((id, i) => [`approverPrincipalIds[${i}]`, id] as [string, string]),
    ...(props.approverClientIds ?? []).map((id, i) => [`approverClientIds[${i}]`, id] as [string, string]),
  ];
  for (const [name, value] of guids) {
    if (!Token.isUnresolved(value) && !GUID.test(value)) {
      fail('AG_AZ_PRINCIPAL_ID', `${field}.${name}`, 'must be a GUID (one tenant, application or object id; the broker is never open to everyone)', value, 'Pass the Microsoft Entra id itself, not a name or a wildcard.');
    }
  }
  const approvers = (props.approverPrincipalIds ?? []).map((id) => id.toLowerCase());
  for (const [i, id] of approvers.entries()) {
    if (id === props.runtime.principalId.toLowerCase() || id === props.runtime.clientId.toLowerCase()) {
      fail('AG_APPROVER_IS_AGENT', `${field}.approverPrincipalIds[${i}]`, 'must be a person, never the agent runtime (which asks for the approvals)', props.approverPrincipalIds![i], 'Name the object ids of the people who approve.');
    }
    if (approvers.indexOf(id) !== i) fail('AG_AZ_APPROVER', `${field}.approverPrincipalIds`, 'must list each approver once', props.approverPrincipalIds![i], 'Remove the duplicate.');
  }
  if (props.approverClientIds !== undefined && approvers.length === 0) {
    fail('AG_AZ_APPROVER', `${field}.approverClientIds`, 'is only meaningful with approverPrincipalIds', props.approverClientIds, 'Declare the approvers (approverPrincipalIds), or drop approverClientIds.');
  }
  if (props.revocationPrincipalIds.length === 0) {
    fail('AG_KILL_SWITCH_MEMBERS', `${field}.revocationPrincipalIds`, 'must name at least one principal', props.revocationPrincipalIds, 'Pass the object id of the on-call group.');
  }
  for (const [tool, scope] of Object.entries(props.scopes ?? {})) {
    if (!/^\S+\/\.default$/.test(scope) && !/^https:\/\/\S+$/.test(scope)) {
      fail('AG_AZ_BROKER_SCOPE', `${field}.scopes[${tool}]`, 'must be one resource scope such as https://management.azure.com/.default', scope, 'An Entra token is for one resource: give its `.default` scope.');
    }
  }
}
