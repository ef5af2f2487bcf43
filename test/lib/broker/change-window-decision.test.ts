import { CredentialBrokerCore, BrokerDecision, ReasonCode } from '../../../lib/broker';
import { config, fakes } from './fakes';

/** The broker's answer for `tool` at `iso`, with the given window on it. */
async function at(iso: string, window: object): Promise<ReasonCode> {
  const base = config();
  const tools = base.tools.map((t) => (t.name === 'deploy-service' ? { ...t, window } : t)) as typeof base.tools;
  const f = fakes(new Date(iso));
  const res = await new CredentialBrokerCore({ ...base, tools }, f).decide({ tool: 'deploy-service', lineageId: 'run-1' });
  expect(res.decision === BrokerDecision.GRANTED).toBe(res.reasonCode === ReasonCode.GRANTED);
  return res.reasonCode;
}

const BERLIN_WORKDAYS = { timeZone: 'Europe/Berlin', slots: [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:00' }] };

describe('change windows are evaluated in local time, across DST and midnight', () => {
  test('spring forward (Europe/Berlin, 2026-03-29): 09:00 local moves from 08:00 UTC to 07:00 UTC', async () => {
    // Friday before the change: CET (UTC+1).
    expect(await at('2026-03-27T07:30:00Z', BERLIN_WORKDAYS)).toBe(ReasonCode.WINDOW_CLOSED); // 08:30 local
    expect(await at('2026-03-27T08:00:00Z', BERLIN_WORKDAYS)).toBe(ReasonCode.GRANTED); // 09:00 local
    expect(await at('2026-03-27T15:30:00Z', BERLIN_WORKDAYS)).toBe(ReasonCode.GRANTED); // 16:30 local
    // Monday after the change: CEST (UTC+2).
    expect(await at('2026-03-30T07:30:00Z', BERLIN_WORKDAYS)).toBe(ReasonCode.GRANTED); // 09:30 local
    expect(await at('2026-03-30T06:59:00Z', BERLIN_WORKDAYS)).toBe(ReasonCode.WINDOW_CLOSED); // 08:59 local
    expect(await at('2026-03-30T15:00:00Z', BERLIN_WORKDAYS)).toBe(ReasonCode.WINDOW_CLOSED); // 17:00 local: end is exclusive
  });

  test('a slot inside the skipped hour never opens; a slot in the repeated hour opens twice (fall back)', async () => {
    const sundayTwoToThree = { timeZone: 'Europe/Berlin', slots: [{ days: [0], start: '02:00', end: '03:00' }] };
    // 2026-03-29 01:00 UTC jumps 02:00 → 03:00 local.
    expect(await at('2026-03-29T00:59:00Z', sundayTwoToThree)).toBe(ReasonCode.WINDOW_CLOSED); // 01:59 CET
    expect(await at('2026-03-29T01:00:00Z', sundayTwoToThree)).toBe(ReasonCode.WINDOW_CLOSED); // 03:00 CEST
    // 2026-10-25 01:00 UTC goes 03:00 CEST → 02:00 CET: 02:30 local happens at 00:30 and 01:30 UTC.
    expect(await at('2026-10-25T00:30:00Z', sundayTwoToThree)).toBe(ReasonCode.GRANTED);
    expect(await at('2026-10-25T01:30:00Z', sundayTwoToThree)).toBe(ReasonCode.GRANTED);
    expect(await at('2026-10-25T02:00:00Z', sundayTwoToThree)).toBe(ReasonCode.WINDOW_CLOSED); // 03:00 CET
  });

  test('a slot across midnight is written as two slots and stays open through 00:00', async () => {
    const overnight = { timeZone: 'America/New_York', slots: [{ days: [6], start: '22:00', end: '24:00' }, { days: [0], start: '00:00', end: '02:00' }] };
    // Saturday 2026-01-10 23:59 EST = 04:59 UTC Sunday.
    expect(await at('2026-01-11T04:59:00Z', overnight)).toBe(ReasonCode.GRANTED);
    expect(await at('2026-01-11T05:00:00Z', overnight)).toBe(ReasonCode.GRANTED); // Sunday 00:00
    expect(await at('2026-01-11T06:59:00Z', overnight)).toBe(ReasonCode.GRANTED); // Sunday 01:59
    expect(await at('2026-01-11T07:00:00Z', overnight)).toBe(ReasonCode.WINDOW_CLOSED); // Sunday 02:00
    expect(await at('2026-01-10T04:59:00Z', overnight)).toBe(ReasonCode.WINDOW_CLOSED); // Friday 23:59
    expect(await at('2026-01-10T03:00:00Z', overnight)).toBe(ReasonCode.WINDOW_CLOSED); // Friday 22:00
  });

  test('expiry closes the window from that instant on, whatever the slots say', async () => {
    const expiring = { ...BERLIN_WORKDAYS, expiresAt: '2026-03-25T10:00:00+01:00' };
    expect(await at('2026-03-25T08:59:59Z', expiring)).toBe(ReasonCode.GRANTED);
    expect(await at('2026-03-25T09:00:00Z', expiring)).toBe(ReasonCode.WINDOW_EXPIRED);
  });
});
