import type { FunctionAppFlexConsumptionConfig } from '@cdktf/provider-azurerm/lib/function-app-flex-consumption';
import type { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';

/** What differs between the guardrail functions (broker, monitor) that run on Flex Consumption. */
export interface HardenedFunctionAppInputs {
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  readonly servicePlanId: string;
  /** The function's own user-assigned identity: deployment storage, host storage and telemetry all use it. */
  readonly identity: UserAssignedIdentity;
  /** The storage account holding the package container and the host's state. */
  readonly storageAccountName: string;
  readonly storagePrimaryBlobEndpoint: string;
  readonly deploymentContainer: string;
  readonly zipDeployFile: string;
  readonly insightsConnectionString: string;
  /** The function's own settings; the identity-based host settings are added after them. */
  readonly appSettings: Record<string, string>;
}

/**
 * The one hardened Flex Consumption shape every guardrail function shares: identity-based storage and telemetry
 * (no keys or connection strings), HTTPS and TLS 1.2 only, no basic-auth publishing, no remote debugging.
 * Kept in one place so a hardening change reaches the broker and the monitor alike.
 */
export function hardenedFunctionAppConfig(inputs: HardenedFunctionAppInputs): FunctionAppFlexConsumptionConfig {
  const { identity } = inputs;
  return {
    name: inputs.name,
    resourceGroupName: inputs.resourceGroupName, location: inputs.location, servicePlanId: inputs.servicePlanId,
    runtimeName: 'custom', runtimeVersion: '1.0',
    storageContainerType: 'blobContainer',
    storageContainerEndpoint: `${inputs.storagePrimaryBlobEndpoint}${inputs.deploymentContainer}`,
    storageAuthenticationType: 'UserAssignedIdentity',
    storageUserAssignedIdentityId: identity.id,
    zipDeployFile: inputs.zipDeployFile,
    maximumInstanceCount: 40, instanceMemoryInMb: 2048,
    httpsOnly: true, webdeployPublishBasicAuthenticationEnabled: false, clientCertificateEnabled: false,
    identity: { type: 'UserAssigned', identityIds: [identity.id] },
    siteConfig: { minimumTlsVersion: '1.2', scmMinimumTlsVersion: '1.2', remoteDebuggingEnabled: false, applicationInsightsConnectionString: inputs.insightsConnectionString },
    appSettings: {
      ...inputs.appSettings,
      AZURE_CLIENT_ID: identity.clientId,
      AzureWebJobsStorage__accountName: inputs.storageAccountName,
      AzureWebJobsStorage__credential: 'managedidentity',
      AzureWebJobsStorage__clientId: identity.clientId,
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: `Authorization=AAD;ClientId=${identity.clientId}`,
    },
  };
}
