import { AttachRolePolicyCommand, IAMClient } from '@aws-sdk/client-iam';
import { PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { IKillSwitchPuller, KillSwitchPullResult } from '../../../lib/activity/activity-monitor';
import { KILL_SWITCH_ENGAGED } from '../broker-runtime/kill-switch-flag';

/** What one agent's kill switch is made of (written by the constructs; see `KillSwitch`). */
export interface KillSwitchTarget {
  /** The agent's revocation role: the only identity that may pull the switch. */
  readonly revocationRoleArn: string;
  /** The prepared deny-all managed policy. */
  readonly denyAllPolicyArn: string;
  /** Names of the agent's tool roles (`AttachRolePolicy` takes names). */
  readonly toolRoleNames: readonly string[];
  /** The broker's kill-switch flag (SSM parameter name), when the agent has a broker. */
  readonly flagParameterName?: string;
}

/** Builds the clients that act as the revocation session (tests pass mocked ones). */
export interface RevocationClients {
  readonly sts: STSClient;
  readonly iam: (credentials: AwsSessionCredentials) => IAMClient;
  readonly ssm: (credentials: AwsSessionCredentials) => SSMClient;
}

export interface AwsSessionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

/** Session name of a pull, visible in CloudTrail next to the reason's event. */
export const REVOCATION_SESSION_NAME = 'agent-guardrails-kill-switch';

/**
 * The AWS kill switch's incident-response path, as code: assume the agent's revocation role, attach
 * the prepared deny-all policy to every tool role (IAM evaluates it on every request, so sessions
 * already issued are cut too), then set the broker's flag to `engaged` (no new sessions). Exactly
 * what the revocation role allows and nothing more; every step is idempotent, so a retry after a
 * partial failure completes the pull. Whoever pulls — a human's tooling or the activity monitor —
 * runs this same sequence.
 */
export class RevocationRoleKillSwitch implements IKillSwitchPuller {
  constructor(private readonly clients: RevocationClients, private readonly target: KillSwitchTarget) {}

  /** @param _reason why (the caller records it in its decision; the session carries no tags, so the role's trust needs no sts:TagSession) */
  public async pull(_reason: string): Promise<KillSwitchPullResult> {
    const out = await this.clients.sts.send(new AssumeRoleCommand({
      RoleArn: this.target.revocationRoleArn,
      RoleSessionName: REVOCATION_SESSION_NAME,
      DurationSeconds: 900,
    }));
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) throw new Error('AssumeRole on the revocation role returned no credentials');
    const credentials = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken };
    const steps: string[] = [];
    const iam = this.clients.iam(credentials);
    // Every role is attempted even when one fails: cut as much as possible, then report.
    const failures: string[] = [];
    for (const role of this.target.toolRoleNames) {
      try {
        await iam.send(new AttachRolePolicyCommand({ RoleName: role, PolicyArn: this.target.denyAllPolicyArn }));
        steps.push(`attached ${this.target.denyAllPolicyArn} to role ${role}`);
      } catch (e) {
        failures.push(`role ${role}: ${(e as Error).name}: ${(e as Error).message}`);
      }
    }
    if (this.target.flagParameterName) {
      try {
        await this.clients.ssm(credentials).send(new PutParameterCommand({ Name: this.target.flagParameterName, Value: KILL_SWITCH_ENGAGED, Overwrite: true }));
        steps.push(`set ${this.target.flagParameterName} to ${KILL_SWITCH_ENGAGED}`);
      } catch (e) {
        failures.push(`flag ${this.target.flagParameterName}: ${(e as Error).name}: ${(e as Error).message}`);
      }
    }
    if (failures.length > 0) throw new Error(`kill switch pulled partly (${steps.length} steps done); failed: ${failures.join('; ')}`);
    return { steps };
  }
}
