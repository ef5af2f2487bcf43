import type { ActivityPolicy } from '../../../lib/activity/activity-policy';

/** Environment variable names of the GCP monitor service (written by `gcp.AgentActivityMonitor`). No SDK imports: the construct reads them at synth. */
export const GCP_MONITOR_ENV = {
  /** `ActivityPlaybookDocument` JSON: the agent's declarations. */
  playbook: 'ACTIVITY_PLAYBOOK',
  /** `GcpMonitorSettings` JSON. */
  settings: 'MONITOR_SETTINGS',
} as const;

/** The agent's kill switch as the monitor pulls it: exactly the incident-response path. */
export interface GcpKillSwitchTarget {
  /** The agent's tool service accounts (emails), each disabled by a pull. */
  readonly serviceAccounts: readonly string[];
  /** The broker's flag, when the agent has a broker: its Firestore database and the agent's document id in `killSwitches`. */
  readonly flag?: { readonly database: string; readonly agent: string };
}

/** Everything but the declarations that the monitor service needs. */
export interface GcpMonitorSettings {
  readonly agent: string;
  readonly environment: string;
  /** The project of the monitor's databases, topics and the agent's service accounts. */
  readonly project: string;
  /** The baseline's activity section, resolved at synth. */
  readonly policy: ActivityPolicy;
  /** `projects/<p>/topics/<t>`: where alerts go. */
  readonly alertTopic: string;
  /** The monitor's own Firestore database (event claims, approvals and denial counts). */
  readonly memoryDatabase: string;
  readonly killSwitch: GcpKillSwitchTarget;
  /** The broker's approvals database, read to verify an approved decision before it counts as evidence. */
  readonly approvalsDatabase?: string;
}

/** Collections of the monitor's own database. */
export const MONITOR_EVENTS_COLLECTION = 'monitorEvents';
export const MONITOR_APPROVALS_COLLECTION = 'monitorApprovals';
/** Denial counts per session and time bucket, shared by every instance (documents expire by `expiresAt`). */
export const MONITOR_BURSTS_COLLECTION = 'monitorBursts';
