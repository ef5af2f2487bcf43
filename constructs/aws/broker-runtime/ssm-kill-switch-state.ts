import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { IKillSwitchState } from '../../../lib/broker/ports';
import { KILL_SWITCH_DISENGAGED } from './kill-switch-flag';

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
