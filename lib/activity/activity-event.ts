import { Cloud } from '../inventory/inventory';

/** Whether the cloud let the call through. */
export type ActivityOutcome = 'allowed' | 'denied';

/** Where a call happened, as the cloud's log says (any part may be unknown). */
export interface ActivityLocation {
  /** AWS account id (of the resource when the log names it, else the account that recorded the event). */
  readonly account?: string;
  /** AWS region. */
  readonly region?: string;
  /** GCP project id. */
  readonly project?: string;
  /** Azure subscription id. */
  readonly subscription?: string;
  /** Azure resource group. */
  readonly resourceGroup?: string;
}

/**
 * One thing an agent did, normalized from any cloud's log (CloudTrail, GCP audit log, Azure
 * activity log). Who: the claimed agent, tool, environment and lineage, and the cloud identity
 * that acted. What: the action, the resources, the time and the outcome.
 */
export interface ActivityEvent {
  readonly cloud: Cloud;
  /** The agent the session claims to act for (AWS: the session's source identity). */
  readonly agent?: string;
  /** The tool the session claims (AWS: from the broker's session name `<agent>.<tool>.<lineage>`). */
  readonly tool?: string;
  /** The environment the session claims (a session tag), when the log carries one. */
  readonly environment?: string;
  /** The run / prompt id the credential was minted for, when the log carries it. */
  readonly lineage?: string;
  /** True when `lineage` may be cut short (AWS session names stop at 64 characters). */
  readonly lineageTruncated?: boolean;
  /** The cloud identity that acted: AWS role or session ARN, GCP service account email, Azure principal id. */
  readonly identity?: string;
  /**
   * GCP: the principals that impersonated their way to `identity`, first caller first
   * (`serviceAccountDelegationInfo`); a tool among them means the agent acted as another account.
   */
  readonly delegatedBy?: readonly string[];
  /** `s3:GetObject`, `storage.objects.get`, `Microsoft.Compute/virtualMachines/restart/action`. */
  readonly action: string;
  /** Resources acted on (ARNs, GCP resource names, Azure resource ids); empty when the log names none. */
  readonly resources: readonly string[];
  /** Where it happened. */
  readonly location?: ActivityLocation;
  /** When it happened, epoch milliseconds. */
  readonly time: number;
  readonly outcome: ActivityOutcome;
  /** The log's own id of the event (CloudTrail `eventID`, GCP `insertId`, Azure `eventDataId`), for replays and reports. */
  readonly eventId?: string;
}
