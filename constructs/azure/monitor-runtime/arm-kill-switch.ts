import type { TableClient } from '@azure/data-tables';
import type { IKillSwitchPuller, KillSwitchPullResult } from '../../../lib/activity/activity-monitor';
import { AZURE_KILL_SWITCH_ENGAGED } from '../broker-runtime/table-layout';
import type { AzureKillSwitchTarget } from './monitor-config';

/** The two Azure Resource Manager calls the kill switch makes (paths start with `/subscriptions/`). */
export interface ArmCalls {
  /** GET, JSON answer. */
  get(path: string): Promise<unknown>;
  /** DELETE; a 404 (already gone) is success. */
  delete(path: string): Promise<void>;
}

const FEDERATED_API = '2023-01-31';
const ASSIGNMENTS_API = '2022-04-01';

interface ArmList { readonly value?: readonly { readonly id?: string; readonly properties?: { readonly principalId?: string; readonly scope?: string } }[] }

/**
 * The Azure kill switch, pulled by the monitor under its own identity, which holds the agent's
 * kill-switch role (read and delete the tool identities' federated credentials and role
 * assignments; deletes of assignments only of the tool principals, by the role assignment's
 * condition) and the broker's set-flag role: exactly what the revocation principals do by hand.
 * Per tool identity, every federated credential is deleted (no new token exchange) and every role
 * assignment of its principal within the resource group (Azure checks RBAC on each request, so
 * tokens already issued lose their access); then the broker's flag is set to `engaged` (no new
 * token). Each step is idempotent: a second pull finds nothing left and sets the same flag.
 * Assignments of a tool principal outside the resource group cannot be deleted by the kill-switch
 * role; they are reported in the steps.
 */
export class ArmKillSwitch implements IKillSwitchPuller {
  constructor(private readonly arm: ArmCalls, private readonly flagTable: Pick<TableClient, 'updateEntity'>, private readonly target: AzureKillSwitchTarget) {}

  public async pull(_reason: string): Promise<KillSwitchPullResult> {
    const steps: string[] = [];
    const rg = this.target.resourceGroupId.toLowerCase();
    for (const t of this.target.tools) {
      const creds = await this.arm.get(`${t.identityId}/federatedIdentityCredentials?api-version=${FEDERATED_API}`) as ArmList;
      for (const c of creds.value ?? []) {
        if (!c.id || !c.id.toLowerCase().startsWith(`${t.identityId.toLowerCase()}/federatedidentitycredentials/`)) continue;
        await this.arm.delete(`${c.id}?api-version=${FEDERATED_API}`);
        steps.push(`deleted federated credential ${c.id}`);
      }
      const filter = encodeURIComponent(`principalId eq '${t.principalId}'`);
      const assignments = await this.arm.get(`${this.target.resourceGroupId}/providers/Microsoft.Authorization/roleAssignments?$filter=${filter}&api-version=${ASSIGNMENTS_API}`) as ArmList;
      for (const a of assignments.value ?? []) {
        if (!a.id || a.properties?.principalId?.toLowerCase() !== t.principalId.toLowerCase()) continue;
        const scope = (a.properties.scope ?? a.id).toLowerCase();
        if (scope !== rg && !scope.startsWith(`${rg}/`)) {
          steps.push(`left role assignment ${a.id} of tool ${t.tool}: outside ${this.target.resourceGroupId}, where the kill-switch role is assignable`);
          continue;
        }
        await this.arm.delete(`${a.id}?api-version=${ASSIGNMENTS_API}`);
        steps.push(`deleted role assignment ${a.id} of tool ${t.tool}`);
      }
    }
    const f = this.target.flag;
    await this.flagTable.updateEntity({ partitionKey: f.partitionKey, rowKey: f.rowKey, state: AZURE_KILL_SWITCH_ENGAGED }, 'Merge');
    steps.push(`set ${f.tableEndpoint}/${f.table}(${f.partitionKey},${f.rowKey}) to ${AZURE_KILL_SWITCH_ENGAGED}`);
    return { steps };
  }
}

/** `ArmCalls` over HTTPS with a bearer token for Azure Resource Manager. */
export function fetchArmCalls(token: () => Promise<string>, fetchImpl: typeof fetch = fetch, host = 'https://management.azure.com'): ArmCalls {
  const call = async (method: 'GET' | 'DELETE', path: string): Promise<Response> => {
    if (!path.startsWith('/subscriptions/')) throw new Error(`refusing an ARM path outside a subscription: ${path.slice(0, 200)}`);
    const res = await fetchImpl(`${host}${path}`, { method, headers: { authorization: `Bearer ${await token()}` } });
    if (!res.ok && !(method === 'DELETE' && (res.status === 404 || res.status === 204))) {
      throw new Error(`ARM ${method} ${path.split('?')[0]} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    }
    return res;
  };
  return {
    get: async (path) => (await call('GET', path)).json(),
    delete: async (path) => { await call('DELETE', path); },
  };
}
