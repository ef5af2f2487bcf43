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
 * - `RUNTIME_PRINCIPAL_ID`: the agent runtime's object id, the only caller of the `broker` route
 * - `APPROVE_CONFIG`: the `ApproveEndpointConfig` JSON of the `approve` route (absent: no approvers, no route)
 * - `FUNCTIONS_CUSTOMHANDLER_PORT`: set by the Functions host
 *
 * Two routes, both behind Entra authentication, which admits the runtime and the approvers: `POST
 * /api/broker` answers the runtime only, `POST /api/approve` the approvers only (the caller is the
 * principal Entra authentication validated, `easyAuthCaller`).
 */
import { TableClient } from '@azure/data-tables';
import { ManagedIdentityCredential } from '@azure/identity';
import { ApproveReply, createApproveEndpoint, parseApproveEndpointConfig } from '../../../lib/broker/approve-endpoint';
import { CredentialBrokerCore } from '../../../lib/broker/credential-broker-core';
import { createBrokerHandler } from '../../../lib/broker/guarded-decide';
import { createJsonServer, JsonReply, JsonRequest } from '../../../lib/broker/http-broker-server';
import type { BrokerPorts } from '../../../lib/broker/ports';
import { StdoutDecisionLog } from '../../../lib/broker/stdout-decision-log';
import { easyAuthCaller } from './easy-auth-caller';
import { keyVaultSigner } from './key-vault-signer';
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
  return {
    table: (name) => new TableClient(env.STATE_TABLE_ENDPOINT!, name, credential),
    sign: keyVaultSigner(env.SIGNING_KEY_ID!, credential),
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

/** The route of the approve endpoint (Functions route prefix `api`). */
export const AZURE_APPROVE_PATH = '/api/approve';

/**
 * The function's two routes. Entra authentication admits the runtime and the approvers alike, so
 * each route checks who the caller is: the decide route answers the runtime's object id only (an
 * approver never gets a credential), the approve route the approvers only (`createApproveEndpoint`).
 */
export function azureRoutes(
  decide: (event: unknown) => Promise<unknown>,
  approve: ((caller: string | undefined, body: unknown) => Promise<ApproveReply>) | undefined,
  runtimePrincipalId: string | undefined,
): (request: JsonRequest) => Promise<JsonReply> {
  return async ({ path, headers, body }) => {
    const caller = easyAuthCaller(headers);
    if (path === AZURE_APPROVE_PATH) {
      if (!approve) return { statusCode: 404, body: { error: 'This broker declares no approvers.' } };
      return approve(caller, body);
    }
    if (caller === undefined || runtimePrincipalId === undefined || caller !== runtimePrincipalId.toLowerCase()) {
      return { statusCode: 403, body: { error: 'Only the agent runtime may request credentials.' } };
    }
    return { statusCode: 200, body: await decide(body) };
  };
}

/* istanbul ignore next: the Functions host start-up */
if (require.main === module) {
  const handler = createBrokerHandler(() => {
    const config = CredentialBrokerCore.parseConfig(process.env.BROKER_CONFIG ?? '');
    return new CredentialBrokerCore(config, azurePorts(process.env, config.agent));
  });
  let approve: ((caller: string | undefined, body: unknown) => Promise<ApproveReply>) | undefined;
  if (process.env.APPROVE_CONFIG) {
    try {
      const config = parseApproveEndpointConfig(process.env.APPROVE_CONFIG);
      const credential = new ManagedIdentityCredential({ clientId: process.env.AZURE_CLIENT_ID! });
      approve = createApproveEndpoint(config, new TableApprovalStore(new TableClient(process.env.STATE_TABLE_ENDPOINT!, AZURE_APPROVALS_TABLE, credential), config.agent));
    } catch (e) {
      // The broker keeps answering its runtime; the approve route approves nothing.
      process.stdout.write(`${JSON.stringify({ type: 'agent-guardrails.approve-error', error: (e as Error).message })}\n`);
      approve = async () => ({ statusCode: 503, body: { error: 'The approve endpoint is misconfigured; nothing was approved.' } });
    }
  }
  createJsonServer(azureRoutes(handler, approve, process.env.RUNTIME_PRINCIPAL_ID)).listen(Number(process.env.FUNCTIONS_CUSTOMHANDLER_PORT ?? 8080));
}
