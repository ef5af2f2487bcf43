import type { ActivityPolicy } from '../../../lib/activity/activity-policy';
import type { KillSwitchTarget } from './revocation-kill-switch';

/** Environment variable names of the monitor function (written by `AgentActivityMonitor`). */
export const MONITOR_ENV = {
  /** `ActivityPlaybookDocument` JSON: the agent's declarations. */
  playbook: 'ACTIVITY_PLAYBOOK',
  /** `MonitorSettings` JSON. */
  settings: 'MONITOR_SETTINGS',
} as const;

/** Everything but the declarations that the monitor function needs. */
export interface MonitorSettings {
  readonly agent: string;
  readonly environment: string;
  /** The baseline's activity section, resolved at synth. */
  readonly policy: ActivityPolicy;
  readonly alertTopicArn: string;
  readonly memoryTable: string;
  readonly killSwitch: KillSwitchTarget;
}
