import type { IKillSwitchPuller, KillSwitchPullResult } from '../../../lib/activity/activity-monitor';
import type { IGoogleApi } from '../broker-runtime/google-api';
import { GCP_KILL_SWITCH_ENGAGED, KILL_SWITCH_COLLECTION } from '../broker-runtime/firestore-layout';
import type { MonitorFirestore } from './firestore-monitor-memory';
import type { GcpKillSwitchTarget } from './monitor-config';

/**
 * The GCP kill switch's incident-response path, as code: disable every tool service account
 * (`iam.serviceAccounts.disable`, the agent's kill-switch role: Google then rejects the account's
 * access tokens, including ones already issued) and set the broker's flag
 * (`killSwitches/<agent>` = `engaged`: no new tokens). Nothing else. Every step is idempotent
 * (disabling a disabled account and engaging an engaged flag change nothing), and every step is
 * attempted even when one fails, so a retry after a partial failure completes the pull.
 */
export class ServiceAccountKillSwitch implements IKillSwitchPuller {
  constructor(
    private readonly api: IGoogleApi,
    private readonly project: string,
    private readonly target: GcpKillSwitchTarget,
    private readonly flagDatabase?: MonitorFirestore,
    private readonly clock: () => number = Date.now,
  ) {}

  public async pull(reason: string): Promise<KillSwitchPullResult> {
    const steps: string[] = [];
    const failures: string[] = [];
    for (const email of this.target.serviceAccounts) {
      try {
        await this.api.request({ url: `https://iam.googleapis.com/v1/projects/${this.project}/serviceAccounts/${encodeURIComponent(email)}:disable`, method: 'POST', data: {} });
        steps.push(`disabled service account ${email}`);
      } catch (e) {
        failures.push(`service account ${email}: ${(e as Error).message}`);
      }
    }
    const flag = this.target.flag;
    if (flag) {
      try {
        if (!this.flagDatabase) throw new Error('no kill-switch database');
        await this.flagDatabase.doc(`${KILL_SWITCH_COLLECTION}/${flag.agent}`).set(
          { state: GCP_KILL_SWITCH_ENGAGED, engagedBy: 'agent-guardrails activity monitor', engagedAt: new Date(this.clock()).toISOString(), reason: reason.slice(0, 500) },
          { merge: true },
        );
        steps.push(`set ${flag.database}/${KILL_SWITCH_COLLECTION}/${flag.agent} to ${GCP_KILL_SWITCH_ENGAGED}`);
      } catch (e) {
        failures.push(`flag ${flag.database}/${KILL_SWITCH_COLLECTION}/${flag.agent}: ${(e as Error).message}`);
      }
    }
    if (failures.length > 0) throw new Error(`kill switch pulled partly (${steps.length} steps done); failed: ${failures.join('; ')}`);
    return { steps };
  }
}
