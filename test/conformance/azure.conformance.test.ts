import { constants, createVerify, generateKeyPairSync, privateEncrypt } from 'crypto';
import type { TableClient } from '@azure/data-tables';
import { assertionSubject } from '../../constructs/azure/broker-runtime/assertion-subject';
import { EntraTokenMinter, FetchLike } from '../../constructs/azure/broker-runtime/entra-token-minter';
import { TableApprovalStore } from '../../constructs/azure/broker-runtime/table-approval-store';
import { TableKillSwitchState } from '../../constructs/azure/broker-runtime/table-kill-switch-state';
import { AZURE_APPROVALS_TABLE, AZURE_KILL_SWITCH_PARTITION, AZURE_KILL_SWITCH_TABLE } from '../../constructs/azure/broker-runtime/table-layout';
import type { IApprovalStore, IKillSwitchState } from '../../lib/broker';
import { AGENT, brokerConformance, ConformanceHarness, HarnessPorts, MintFault } from './broker-conformance';
import { Azurite } from './emulators';
import { brokenApprovals, brokenKillSwitch, swappable } from './harness-tools';

const never = () => new Promise<never>(() => undefined);
const ISSUER = 'https://agbrokerdeployop.z6.web.core.windows.net';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const CLIENT_IDS: Record<string, string> = {
  'read-logs': '11111111-1111-4111-8111-111111111111',
  'deploy-service': '22222222-2222-4222-8222-222222222222',
  'rollback-service': '33333333-3333-4333-8333-333333333333',
};
let azurite: Azurite;
let killTable: TableClient;
let approvalsTable: TableClient;

/** Decode and verify an assertion as Entra would (signature with the published key, issuer, subject, audience). */
function verifiedSubject(assertion: string): string | undefined {
  const [h, p, sig] = assertion.split('.');
  const ok = createVerify('RSA-SHA256').update(`${h}.${p}`).verify(publicKey, Buffer.from(sig, 'base64url'));
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString()) as { iss: string; sub: string; aud: string };
  return ok && payload.iss === ISSUER && payload.aud === 'api://AzureADTokenExchange' ? payload.sub : undefined;
}

/**
 * Azure: kill switch and approvals on azurite (Microsoft's Table Storage emulator, started by the
 * tests); the Key Vault signer is a local RSA key with the same RS256-over-digest contract; the Entra
 * token endpoint is answered in process and checks the assertion the way a federated credential does.
 */
const azure: ConformanceHarness = {
  cloud: 'azure',
  identities: CLIENT_IDS,
  scopes: Object.fromEntries(Object.keys(CLIENT_IDS).map((t) => [t, ['https://management.azure.com/.default']])),
  resources: {
    'read-logs': '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/prod-app/providers/Microsoft.OperationalInsights/workspaces/*',
    'deploy-service': '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/prod-app/providers/Microsoft.Web/sites/*',
    'rollback-service': '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/prod-app/providers/Microsoft.Web/sites/*',
  },
  concreteResource: '/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/prod-app/providers/Microsoft.OperationalInsights/workspaces/logs',
  outsideResource: '/subscriptions/00000000-0000-0000-0000-000000000002/resourceGroups/dev-app/providers/Microsoft.OperationalInsights/workspaces/logs',
  sessionSeconds: 5400,
  human: 'aad:0b7e3c1e-aaaa-4bbb-8ccc-000000000001',
  human2: 'aad:0b7e3c1e-aaaa-4bbb-8ccc-000000000002',
  runtime: 'aad:0b7e3c1e-aaaa-4bbb-8ccc-00000000000f',
  approveEndpoint: true,
  raceProof: 'azurite ETag-conditional Merge',
  async start() {
    azurite = await Azurite.start();
    killTable = await azurite.table(AZURE_KILL_SWITCH_TABLE);
    approvalsTable = await azurite.table(AZURE_APPROVALS_TABLE);
  },
  async stop() { await azurite.stop(); },
  async ports(clock): Promise<HarnessPorts> {
    // Clear the tables: each test starts from nothing.
    for (const t of [killTable, approvalsTable]) {
      for await (const e of t.listEntities()) await t.deleteEntity(e.partitionKey!, e.rowKey!);
    }
    const store = new TableApprovalStore(approvalsTable, AGENT);
    const approvals = swappable<IApprovalStore>(store);
    const killSwitch = swappable<IKillSwitchState>(new TableKillSwitchState(killTable));
    const minted: string[] = [];
    let fault: MintFault | undefined;
    const fetchFn: FetchLike = async (_url, init) => {
      const form = new URLSearchParams(init.body);
      const clientId = form.get('client_id')!;
      const tool = Object.keys(CLIENT_IDS).find((t) => CLIENT_IDS[t] === clientId);
      // The federated credential of each tool trusts exactly this issuer and subject.
      const subject = verifiedSubject(form.get('client_assertion')!);
      if (!tool || subject !== assertionSubject(AGENT, tool, 'prod') || form.get('scope') !== 'https://management.azure.com/.default') {
        return { ok: false, status: 400, json: async () => ({ error: 'invalid_client' }) };
      }
      minted.push(clientId);
      if (fault === 'error') return { ok: false, status: 401, json: async () => ({ error: 'unauthorized_client' }) };
      if (fault === 'hang') return never();
      if (fault === 'malformed') return { ok: true, status: 200, json: async () => ({ token_type: 'Bearer' }) };
      const expiresIn = fault === 'ten-years' ? 10 * 365 * 86_400 : fault === 'expired' ? -60 : 4499;
      return { ok: true, status: 200, json: async () => ({ token_type: 'Bearer', expires_in: expiresIn, access_token: 'eyJ.SECRET-TOKEN' }) };
    };
    const signer = { keyId: 'broker-key-1', sign: async (digest: Uint8Array) => {
      // Key Vault signs the digest; locally: RSASSA-PKCS1-v1_5 over the same SHA-256 digest.
      const prefix = Buffer.from('3031300d060960864801650304020105000420', 'hex');
      return privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([prefix, Buffer.from(digest)]));
    } };
    return {
      killSwitch: killSwitch.port,
      approvals: approvals.port,
      minter: new EntraTokenMinter(signer, { issuer: ISSUER, tenantId: '00000000-0000-0000-0000-0000000000aa' }, fetchFn, clock),
      minted,
      async setKillSwitch(state) {
        if (state === undefined) await killTable.deleteEntity(AZURE_KILL_SWITCH_PARTITION, AGENT).catch(() => undefined);
        else await killTable.upsertEntity({ partitionKey: AZURE_KILL_SWITCH_PARTITION, rowKey: AGENT, state }, 'Replace');
      },
      async putApproval(record) {
        await approvalsTable.upsertEntity({ partitionKey: AGENT, rowKey: String(record.approvalId), ...record }, 'Replace');
      },
      approver: store,
      approve: (id, approver, now) => store.approve(id, approver, now, [azure.runtime]),
      readApproval: (id) => store.get(id),
      breakPort(port, f) {
        if (port === 'killSwitch') killSwitch.swap(brokenKillSwitch(f));
        else approvals.swap(brokenApprovals(f));
      },
      breakMinter(f) { fault = f; },
      async close() { /* tables are cleared by the next test */ },
    };
  },
};

brokerConformance(azure);
