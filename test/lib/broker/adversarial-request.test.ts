import * as fc from 'fast-check';
import { CredentialBrokerCore, BrokerDecision, LINEAGE_ID_PATTERN, ReasonCode } from '../../../lib/broker';
import { config, fakes } from './fakes';

const TOOLS = config().tools.map((t) => t.name);
const SAFE_LINEAGE = new RegExp(LINEAGE_ID_PATTERN);

/** Strings an attacker would try: control chars, unicode, separators, tag injection, huge. */
const nasty = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: 'grapheme', maxLength: 100 }),
  fc.constantFrom(
    'run-1\n', 'run-1\u0000', 'run\u2028x', 'run-1,agent-guardrails:agent=root', 'run=1&tool=admin', '../../etc/passwd', '*', 'run-1 ',
    '${aws:username}', 'arn:aws:iam::*:role/*', 'run-1\u200b', 'Ｒun-1', '\ud800', 'run-1\r\nX-Inject: 1', '', ' ', 'constructor', '__proto__',
  ),
  fc.string({ minLength: 129, maxLength: 20_000 }),
);
const anyValue = fc.oneof(nasty, fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.object({ maxDepth: 2 }));

/** A request whose fields are each either valid or hostile, plus random extra keys. */
const request = fc.record({
  tool: fc.oneof(fc.constantFrom(...TOOLS), anyValue),
  lineageId: fc.oneof(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,20}$/), anyValue),
  reason: fc.option(fc.oneof(fc.string({ maxLength: 40 }), anyValue), { nil: undefined }),
  approvalId: fc.option(anyValue, { nil: undefined }),
  resource: fc.option(fc.oneof(fc.constant('arn:aws:logs:eu-west-1:111111111111:log-group:/app/api'), anyValue), { nil: undefined }),
  extra: fc.option(fc.dictionary(fc.string({ maxLength: 20 }), anyValue, { maxKeys: 3 }), { nil: undefined }),
}, { requiredKeys: [] }).map(({ extra, ...fields }) => {
  const out: Record<string, unknown> = { ...fields };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return extra ? Object.assign(out, extra) : out;
});

function isSafeString(v: unknown): v is string {
  return typeof v === 'string' && !/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(v);
}

describe('no malformed or adversarial request ever reaches the minter', () => {
  test('random fields, huge strings, unicode, control chars and injected tag values never produce a mint with unsafe values', async () => {
    await fc.assert(fc.asyncProperty(fc.oneof(request, anyValue), async (raw) => {
      const f = fakes(new Date('2026-03-25T10:00:00Z'));
      const res = await new CredentialBrokerCore(config(), f).decide(raw);
      expect(f.log.records).toHaveLength(1);
      for (const call of f.minter.calls) {
        // Whatever reached the minter is exactly a valid, declared request.
        expect(TOOLS).toContain(call.tool);
        expect(call.lineageId).toMatch(SAFE_LINEAGE);
        expect(call.identity).toBe(config().tools.find((t) => t.name === call.tool)!.identity);
        if (call.resource !== undefined) expect(call.resource).toBe('arn:aws:logs:eu-west-1:111111111111:log-group:/app/api');
      }
      if (f.minter.calls.length > 0) {
        const r = raw as Record<string, unknown>;
        expect(Object.keys(r).every((k) => ['tool', 'lineageId', 'reason', 'approvalId', 'resource'].includes(k))).toBe(true);
        if ('reason' in r) expect(isSafeString(r.reason) && r.reason.length <= 1024).toBe(true);
        expect(res.decision).toBe(BrokerDecision.GRANTED);
      } else {
        expect(res.decision).toBe(BrokerDecision.REFUSED);
        expect(res.credentials).toBeUndefined();
      }
      // Refusals never echo input: the log carries only validated tokens.
      const rec = f.log.records[0];
      if (rec.lineageId !== null) expect(rec.lineageId).toMatch(SAFE_LINEAGE);
      if (rec.tool !== null) expect(rec.tool).toMatch(/^[a-z][a-z0-9-]*$/);
    }), { numRuns: 3000 });
  });

  test('the grants that do happen are for read tools without approval only (the destructive tool needs an approval)', async () => {
    await fc.assert(fc.asyncProperty(request, async (raw) => {
      const f = fakes(new Date('2026-03-25T10:00:00Z'));
      const res = await new CredentialBrokerCore(config(), f).decide(raw);
      if (res.decision === BrokerDecision.GRANTED) expect(['read-logs', 'deploy-service']).toContain(f.minter.calls[0].tool);
      if ((raw as { tool?: unknown }).tool === 'rollback-service') expect([ReasonCode.GRANTED]).not.toContain(res.reasonCode);
    }), { numRuns: 1000 });
  });
});
