/**
 * Azure Functions custom-handler entry point of the Azure credential broker (bundled with its Azure
 * clients to dist-handler/azure-broker/ by scripts/build-broker-handler.js; synth never bundles).
 * Entra authentication in front of the function admits only the agent runtime's identity.
 *
 * Environment (written by the azure `CredentialBroker` construct):
 * - `BROKER_CONFIG`: the `BrokerConfig` JSON (tool identities are client ids)
 * - `STATE_TABLE_ENDPOINT`: `https://<account>.table.core.windows.net`
 * - `SIGNING_KEY_ID`: the Key Vault key id (`https://<vault>.vault.azure.net/keys/<name>/<version>`)
 * - `ASSERTION_KEY_KID`: the key's `kid` in the published JWKS
 * - `BROKER_ISSUER`: the broker's issuer URL (the storage static website)
 * - `AZURE_TENANT_ID`, `AZURE_CLIENT_ID` (the broker's own managed identity)
 * - `FUNCTIONS_CUSTOMHANDLER_PORT`: set by the Functions host
 */
import { TableClient } from '@azure/data-tables';
import { ManagedIdentityCredential } from '@azure/identity';
import { CryptographyClient } from '@azure/keyvault-keys';
import { CredentialBrokerCore } from '../../../lib/broker/credential-broker-core';
import { createBrokerHandler } from '../../../lib/broker/guarded-decide';
import { createBrokerServer } from '../../../lib/broker/http-broker-server';
import type { BrokerPorts } from '../../../lib/broker/ports';
import { StdoutDecisionLog } from '../../../lib/broker/stdout-decision-log';
import { EntraTokenMinter, FetchLike } from './entra-token-minter';
import { TableApprovalStore } from './table-approval-store';
import { TableKillSwitchState } from './table-kill-switch-state';
import { AZURE_APPROVALS_TABLE, AZURE_KILL_SWITCH_TABLE } from './table-layout';

/** The Azure services the broker's adapters call: Table Storage, Key Vault `sign`, Entra's token endpoint. */
export interface AzureBrokerClients {
  table(name: string): Pick<TableClient, 'getEntity' | 'createEntity' | 'updateEntity'>;
  sign(digest: Uint8Array, signal?: AbortSignal): Promise<Uint8Array>;
  readonly fetch?: FetchLike;
  /** The time (assertions, token expiry, decisions); the system clock unless given. */
  readonly now?: () => Date;
}

/** The real clients, authenticated as the broker's managed identity. */
function managedIdentityClients(env: NodeJS.ProcessEnv): AzureBrokerClients {
  const credential = new ManagedIdentityCredential({ clientId: env.AZURE_CLIENT_ID! });
  const crypto = new CryptographyClient(env.SIGNING_KEY_ID!, credential);
  return {
    table: (name) => new TableClient(env.STATE_TABLE_ENDPOINT!, name, credential),
    sign: async (digest, signal) => (await crypto.sign('RS256', digest, { abortSignal: signal })).result,
  };
}

/**
 * The Azure adapters of the broker's ports, from the Functions environment.
 * @param clients the Azure services (bench/broker passes in-process fakes)
 */
export function azurePorts(env: NodeJS.ProcessEnv, agent: string, clients?: AzureBrokerClients): BrokerPorts {
  const required = ['STATE_TABLE_ENDPOINT', 'SIGNING_KEY_ID', 'ASSERTION_KEY_KID', 'BROKER_ISSUER', 'AZURE_TENANT_ID', 'AZURE_CLIENT_ID'];
  const missing = required.filter((k) => !env[k]);
  if (missing.length > 0) throw new Error(`${missing.join(', ')} must be set`);
  const cloud = clients ?? managedIdentityClients(env);
  return {
    killSwitch: new TableKillSwitchState(cloud.table(AZURE_KILL_SWITCH_TABLE)),
    approvals: new TableApprovalStore(cloud.table(AZURE_APPROVALS_TABLE), agent),
    minter: new EntraTokenMinter({ keyId: env.ASSERTION_KEY_KID!, sign: cloud.sign }, { issuer: env.BROKER_ISSUER!, tenantId: env.AZURE_TENANT_ID! }, cloud.fetch, cloud.now),
    clock: { now: cloud.now ?? (() => new Date()) },
    log: new StdoutDecisionLog(),
  };
}

/* istanbul ignore next: the Functions host start-up */
if (require.main === module) {
  const handler = createBrokerHandler(() => {
    const config = CredentialBrokerCore.parseConfig(process.env.BROKER_CONFIG ?? '');
    return new CredentialBrokerCore(config, azurePorts(process.env, config.agent));
  });
  createBrokerServer(handler).listen(Number(process.env.FUNCTIONS_CUSTOMHANDLER_PORT ?? 8080));
}
