import { BrokerResponse, CredentialBrokerCore } from './credential-broker-core';
import { BrokerDecision, ReasonCode } from './reason-code';

/**
 * Build a request handler around a core, for every cloud's entry point: a config or environment
 * error refuses every request with `CONFIG_INVALID` (one JSON line per request on stdout) instead
 * of crashing, so the runtime sees a reason code, never a stack trace.
 */
export function createBrokerHandler(build: () => CredentialBrokerCore, write: (line: string) => void = (l) => process.stdout.write(l)): (event: unknown) => Promise<BrokerResponse> {
  let core: CredentialBrokerCore | undefined;
  let broken = false;
  return async (event: unknown) => {
    if (!core && !broken) {
      try {
        core = build();
      } catch (e) {
        broken = true;
        write(`${JSON.stringify({ type: 'agent-guardrails.broker-error', reasonCode: ReasonCode.CONFIG_INVALID, error: (e as Error).message })}\n`);
      }
    }
    if (!core) {
      const refusal = { decision: BrokerDecision.REFUSED, decisionId: 'none', reasonCode: ReasonCode.CONFIG_INVALID, message: 'The broker is misconfigured; refusing (fail closed).' };
      write(`${JSON.stringify({ type: 'agent-guardrails.broker-decision', ...refusal, time: new Date().toISOString() })}\n`);
      return refusal;
    }
    return core.decide(event);
  };
}
