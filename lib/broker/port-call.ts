/**
 * One call to a broker port with a bounded time. A port that never answers must not hold a
 * decision open: past `timeoutMs` the call counts as timed out, its `AbortSignal` is aborted (the
 * adapters pass it to their SDK clients, which then cancel the request), and a late answer or error
 * is ignored.
 */

/** How a port call ended. */
export type PortOutcome<T> =
  | { readonly kind: 'answered'; readonly value: T }
  | { readonly kind: 'failed' }
  | { readonly kind: 'timed-out' };

/** Default bound on each port call (kill-switch read, approval read/consume/open, mint, decision log). */
export const DEFAULT_PORT_TIMEOUT_MS = 2000;

/**
 * Run `call` with a deadline. Never throws and never leaves a rejection unhandled, also when the
 * port answers after the deadline.
 */
export function callPort<T>(call: (signal: AbortSignal) => Promise<T> | T, timeoutMs: number): Promise<PortOutcome<T>> {
  const controller = new AbortController();
  return new Promise<PortOutcome<T>>((resolve) => {
    let settled = false;
    const finish = (outcome: PortOutcome<T>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(outcome);
    };
    const timer = setTimeout(() => {
      finish({ kind: 'timed-out' });
      controller.abort(new Error('broker port timed out'));
    }, timeoutMs);
    let pending: Promise<T>;
    try {
      pending = Promise.resolve(call(controller.signal));
    } catch {
      finish({ kind: 'failed' });
      return;
    }
    pending.then((value) => finish({ kind: 'answered', value }), () => finish({ kind: 'failed' }));
  });
}
