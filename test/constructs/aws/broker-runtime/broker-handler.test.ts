import { createBrokerHandler } from '../../../../constructs/aws/broker-runtime/broker-handler';
import { StdoutDecisionLog } from '../../../../constructs/aws/broker-runtime/stdout-decision-log';
import { CredentialBrokerCore, ReasonCode } from '../../../../lib/broker';
import { config, fakes } from '../../../lib/broker/fakes';

describe('broker Lambda handler', () => {
  let writes: jest.SpyInstance;
  beforeEach(() => { writes = jest.spyOn(process.stdout, 'write').mockImplementation(() => true); });
  afterEach(() => writes.mockRestore());

  test('a bad config refuses every request with CONFIG_INVALID (logged), instead of crashing', async () => {
    const handler = createBrokerHandler(() => new CredentialBrokerCore('{"agent":1}', fakes()));
    const res = await handler({ tool: 'read-logs', lineageId: 'run-1' });
    expect(res).toMatchObject({ decision: 'refused', reasonCode: ReasonCode.CONFIG_INVALID });
    expect((await handler({ tool: 'read-logs', lineageId: 'run-2' })).reasonCode).toBe(ReasonCode.CONFIG_INVALID);
    expect(writes.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('broker-decision'))).toHaveLength(2);
  });

  test('the stdout log writes one JSON line per decision, with no credential in it', async () => {
    const f = fakes();
    const handler = createBrokerHandler(() => new CredentialBrokerCore(config(), { ...f, log: new StdoutDecisionLog() }));
    const res = await handler({ tool: 'read-logs', lineageId: 'run-1' });
    expect(res.decision).toBe('granted');
    const lines = writes.mock.calls.map((c) => String(c[0]));
    expect(lines).toHaveLength(1);
    expect(lines[0].endsWith('\n')).toBe(true);
    expect(JSON.parse(lines[0])).toMatchObject({ type: 'agent-guardrails.broker-decision', decision: 'granted', agent: 'deploy-operator', tool: 'read-logs', lineageId: 'run-1' });
    expect(lines[0]).not.toMatch(/SECRET-VALUE|TOKEN-VALUE|ASIAFAKE/);
  });
});
