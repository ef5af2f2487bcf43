import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { IKillSwitchState } from '../../../lib/broker/ports';

/** The only value that means "not engaged"; anything else (or nothing) counts as engaged. */
export const KILL_SWITCH_DISENGAGED = 'disengaged';
/** The value the revocation role writes to engage the kill switch. */
export const KILL_SWITCH_ENGAGED = 'engaged';

/**
 * Reads an agent's kill switch from one SSM parameter on every request (no cache, so engaging it
 * takes effect on the very next request). Fail closed: any value other than exactly `disengaged`
 * is engaged, and an unreadable parameter throws, which the broker turns into a refusal.
 */
export class SsmKillSwitchState implements IKillSwitchState {
  constructor(private readonly client: SSMClient, private readonly parameterName: string) {}

  public async isEngaged(_agent?: string, signal?: AbortSignal): Promise<boolean> {
    const out = await this.client.send(new GetParameterCommand({ Name: this.parameterName }), { abortSignal: signal });
    const value = out.Parameter?.Value;
    if (typeof value !== 'string') throw new Error('kill switch parameter has no value');
    return value.trim() !== KILL_SWITCH_DISENGAGED;
  }
}
