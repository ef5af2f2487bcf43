import type { ActivityPolicy } from '../../../lib/activity/activity-policy';

/** Environment variable names of the Azure monitor function (written by `azure.AgentActivityMonitor`). */
export const AZURE_MONITOR_ENV = {
  /** `ActivityPlaybookDocument` JSON: the agent's declarations (tool identities are principal ids). */
  playbook: 'ACTIVITY_PLAYBOOK',
  /** `AzureMonitorSettings` JSON. */
  settings: 'MONITOR_SETTINGS',
} as const;

/** The monitor's own table (claims, denied-burst counts). */
export const AZURE_MONITOR_TABLE = 'agmonitor';
/** The queue the monitor's alerts go to. */
export const AZURE_MONITOR_ALERT_QUEUE = 'agalerts';

/** One tool identity the kill switch cuts. */
export interface AzureKillSwitchTool {
  readonly tool: string;
  /** ARM id of the user-assigned identity. */
  readonly identityId: string;
  /** Its object (principal) id: the role assignments to delete. */
  readonly principalId: string;
}

/** Everything the kill switch touches: the tool identities, the scope its role is assignable at, the broker's flag. */
export interface AzureKillSwitchTarget {
  /** The resource group the kill-switch role is assignable at; assignments outside it are reported, not deleted. */
  readonly resourceGroupId: string;
  readonly tools: readonly AzureKillSwitchTool[];
  /** The broker's flag entity: `https://<account>.table.core.windows.net`, table, PartitionKey, RowKey. */
  readonly flag: { readonly tableEndpoint: string; readonly table: string; readonly partitionKey: string; readonly rowKey: string };
}

/** Everything but the declarations that the Azure monitor function needs. */
export interface AzureMonitorSettings {
  readonly agent: string;
  readonly environment: string;
  /** The baseline's activity section, resolved at synth. */
  readonly policy: ActivityPolicy;
  /** The monitor's state account: `https://<account>.table.core.windows.net` and `https://<account>.queue.core.windows.net`. */
  readonly tableEndpoint: string;
  readonly queueEndpoint: string;
  /** The broker's approvals (read only): approved requests are the evidence for approval-gated tools. */
  readonly approvals?: { readonly tableEndpoint: string; readonly table: string; readonly sessionSeconds: number };
  readonly killSwitch: AzureKillSwitchTarget;
}
