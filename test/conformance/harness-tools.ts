import type { IApprovalStore, IKillSwitchState } from '../../lib/broker';

/** A port whose adapter can be swapped for a broken one mid-test. */
export function swappable<T extends object>(initial: T): { port: T; swap(next: T): void } {
  let current = initial;
  const port = new Proxy({} as T, {
    get: (_t, key) => {
      const v = (current as Record<string | symbol, unknown>)[key];
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(current) : v;
    },
  });
  return { port, swap: (next) => { current = next; } };
}

const never = () => new Promise<never>(() => undefined);
const fail = async (): Promise<never> => { throw new Error('port down'); };

/** A kill-switch port that fails or never answers (used where the harness cannot break the transport itself). */
export function brokenKillSwitch(fault: 'error' | 'hang'): IKillSwitchState {
  return { isEngaged: fault === 'error' ? fail : never };
}

/** An approvals port that fails or never answers. */
export function brokenApprovals(fault: 'error' | 'hang'): IApprovalStore {
  const f = fault === 'error' ? fail : never;
  return { get: f, consume: f, openPending: f };
}
