import type { Firestore } from '@google-cloud/firestore';
import type { IKillSwitchState } from '../../../lib/broker/ports';
import { GCP_KILL_SWITCH_DISENGAGED, KILL_SWITCH_COLLECTION } from './firestore-layout';

/**
 * Reads an agent's kill switch from one Firestore document (`killSwitches/<agent>`, field `state`)
 * on every request, with no cache. Fail closed: a missing document or a state that is not a string
 * throws (the broker refuses with `KILL_SWITCH_UNREADABLE`); any string but exactly `disengaged` is
 * engaged.
 */
export class FirestoreKillSwitchState implements IKillSwitchState {
  constructor(private readonly db: Pick<Firestore, 'doc'>) {}

  public async isEngaged(agent: string): Promise<boolean> {
    const snap = await this.db.doc(`${KILL_SWITCH_COLLECTION}/${agent}`).get();
    if (!snap.exists) throw new Error('kill switch document does not exist');
    const state: unknown = snap.get('state');
    if (typeof state !== 'string') throw new Error('kill switch state is not a string');
    return state.trim() !== GCP_KILL_SWITCH_DISENGAGED;
  }
}
