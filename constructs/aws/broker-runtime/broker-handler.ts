/**
 * Lambda entry point of the credential broker (bundled to dist-handler/broker/index.js by
 * scripts/build-broker-handler.js; the AWS SDK v3 comes from the Lambda runtime).
 *
 * Environment (written by the `CredentialBroker` construct):
 * - `BROKER_CONFIG`: the `BrokerConfig` JSON (tools, their role ARNs, windows, declared resources)
 * - `KILL_SWITCH_PARAMETER`: name of the agent's kill-switch SSM parameter
 * - `APPROVALS_TABLE`, `APPROVALS_TOPIC_ARN`: the approval gate (optional; without it every approval-gated tool is refused)
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { STSClient } from '@aws-sdk/client-sts';
import { CredentialBrokerCore } from '../../../lib/broker/credential-broker-core';
import { createBrokerHandler } from '../../../lib/broker/guarded-decide';
import type { ApprovalRecord, BrokerPorts, IApprovalStore } from '../../../lib/broker/ports';
import { DynamoDbApprovalStore } from './dynamodb-approval-store';
import { SsmKillSwitchState } from './ssm-kill-switch-state';
import { StdoutDecisionLog } from './stdout-decision-log';
import { StsCredentialMinter } from './sts-credential-minter';

/** Used when no approval gate is configured: every approval-gated request fails closed. */
class NoApprovalStore implements IApprovalStore {
  public async get(): Promise<ApprovalRecord | undefined> { throw new Error('no approval gate configured'); }
  public async consume(): Promise<boolean> { throw new Error('no approval gate configured'); }
  public async openPending(): Promise<void> { throw new Error('no approval gate configured'); }
}

/** The AWS adapters of the broker's ports, from the Lambda environment. */
export function awsPorts(env: NodeJS.ProcessEnv): BrokerPorts {
  const parameter = env.KILL_SWITCH_PARAMETER;
  if (!parameter) throw new Error('KILL_SWITCH_PARAMETER is not set');
  const table = env.APPROVALS_TABLE;
  const topic = env.APPROVALS_TOPIC_ARN;
  return {
    killSwitch: new SsmKillSwitchState(new SSMClient({}), parameter),
    approvals: table ? new DynamoDbApprovalStore(new DynamoDBClient({}), table, topic ? { client: new SNSClient({}), topicArn: topic } : undefined) : new NoApprovalStore(),
    minter: new StsCredentialMinter(new STSClient({})),
    clock: { now: () => new Date() },
    log: new StdoutDecisionLog(),
  };
}

/** Build a handler around a core (the cloud-neutral wrapper: a broken config refuses every request). */
export { createBrokerHandler };

export const handler = createBrokerHandler(() => new CredentialBrokerCore(process.env.BROKER_CONFIG ?? '', awsPorts(process.env)));
