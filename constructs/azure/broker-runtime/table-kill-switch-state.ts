import type { TableClient } from '@azure/data-tables';
import type { IKillSwitchState } from '../../../lib/broker/ports';
import { AZURE_KILL_SWITCH_DISENGAGED, AZURE_KILL_SWITCH_PARTITION } from './table-layout';

/**
 * Reads an agent's kill switch from one Table Storage entity on every request (no cache). Fail
 * closed: a missing entity or a `state` that is not a string throws; any string but exactly
 * `disengaged` is engaged.
 */
export class TableKillSwitchState implements IKillSwitchState {
  constructor(private readonly table: Pick<TableClient, 'getEntity'>) {}

  public async isEngaged(agent: string, signal?: AbortSignal): Promise<boolean> {
    const entity = await this.table.getEntity<{ state?: unknown }>(AZURE_KILL_SWITCH_PARTITION, agent, { abortSignal: signal });
    if (typeof entity.state !== 'string') throw new Error('kill switch state is not a string');
    return entity.state.trim() !== AZURE_KILL_SWITCH_DISENGAGED;
  }
}
