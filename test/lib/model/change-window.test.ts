import { GuardrailError } from '../../../lib/errors';
import { ChangeWindow, Weekday, WORKDAYS } from '../../../lib/model/change-window';

const codeOf = (fn: () => unknown): string => {
  try { fn(); } catch (e) { if (GuardrailError.isGuardrailError(e)) return e.code; throw e; }
  throw new Error('nothing thrown');
};

describe('ChangeWindow: open on workdays in the window\'s own zone', () => {
  const berlin = ChangeWindow.workdays('Europe/Berlin', '09:00', '17:00');

  test('open inside the slot, closed before, at the end (exclusive) and on weekends', () => {
    // Wednesday 2026-01-14, Berlin is UTC+1 in winter.
    expect(berlin.isOpen(new Date('2026-01-14T08:00:00Z'))).toBe(true); // 09:00 local
    expect(berlin.isOpen(new Date('2026-01-14T07:59:00Z'))).toBe(false); // 08:59 local
    expect(berlin.isOpen(new Date('2026-01-14T15:59:00Z'))).toBe(true); // 16:59 local
    expect(berlin.isOpen(new Date('2026-01-14T16:00:00Z'))).toBe(false); // 17:00 local
    expect(berlin.isOpen(new Date('2026-01-17T10:00:00Z'))).toBe(false); // Saturday
  });

  test('DST: the same local hours map to different UTC hours in summer', () => {
    // Wednesday 2026-07-15, Berlin is UTC+2 in summer: 09:00 local = 07:00 UTC.
    expect(berlin.isOpen(new Date('2026-07-15T07:00:00Z'))).toBe(true);
    expect(berlin.isOpen(new Date('2026-07-15T06:59:00Z'))).toBe(false);
    expect(berlin.isOpen(new Date('2026-07-15T15:00:00Z'))).toBe(false); // 17:00 local
  });

  test('DST: the days of the switch follow local time (2026-03-29 spring forward, 2026-10-25 fall back)', () => {
    const sunday = ChangeWindow.weekly('Europe/Berlin', [Weekday.SUNDAY], '01:00', '04:00');
    // 02:00–03:00 local does not exist on 2026-03-29: 00:59 UTC = 01:59 CET (open), 01:00 UTC = 03:00 CEST (open), 02:00 UTC = 04:00 CEST (closed).
    expect(sunday.isOpen(new Date('2026-03-29T00:59:00Z'))).toBe(true);
    expect(sunday.isOpen(new Date('2026-03-29T01:00:00Z'))).toBe(true);
    expect(sunday.localTime(new Date('2026-03-29T01:00:00Z'))).toEqual({ weekday: Weekday.SUNDAY, minute: 180 });
    expect(sunday.isOpen(new Date('2026-03-29T02:00:00Z'))).toBe(false);
    // 02:00–03:00 local happens twice on 2026-10-25; 03:00 CET = 02:00 UTC is the close.
    expect(sunday.isOpen(new Date('2026-10-25T00:30:00Z'))).toBe(true); // 02:30 CEST
    expect(sunday.isOpen(new Date('2026-10-25T01:30:00Z'))).toBe(true); // 02:30 CET
    expect(sunday.isOpen(new Date('2026-10-25T03:00:00Z'))).toBe(false); // 04:00 CET
  });

  test('a zone on the other side of the date line sees another weekday', () => {
    const auckland = ChangeWindow.weekly('Pacific/Auckland', [Weekday.MONDAY], '08:00', '10:00');
    // Sunday 2026-01-11 20:00 UTC = Monday 09:00 NZDT (UTC+13).
    expect(auckland.isOpen(new Date('2026-01-11T20:00:00Z'))).toBe(true);
    expect(auckland.isOpen(new Date('2026-01-12T20:00:00Z'))).toBe(false);
  });

  test('several slots, 24:00 as end of day', () => {
    const w = ChangeWindow.of({ timeZone: 'UTC', slots: [{ days: [Weekday.MONDAY], start: '22:00', end: '24:00' }, { days: [Weekday.TUESDAY], start: '00:00', end: '02:00' }] });
    expect(w.isOpen(new Date('2026-01-12T23:59:00Z'))).toBe(true);
    expect(w.isOpen(new Date('2026-01-13T01:00:00Z'))).toBe(true);
    expect(w.isOpen(new Date('2026-01-13T02:00:00Z'))).toBe(false);
    expect(w.slots[0]).toEqual({ days: [Weekday.MONDAY], startMinute: 1320, endMinute: 1440 });
  });

  test('absolute expiry closes the window for good', () => {
    const w = ChangeWindow.workdays('UTC', '00:00', '24:00', '2026-06-01T00:00:00+02:00');
    expect(w.expiresAt).toBe('2026-05-31T22:00:00.000Z');
    expect(w.isOpen(new Date('2026-05-29T12:00:00Z'))).toBe(true);
    expect(w.isExpired(new Date('2026-05-31T21:59:59Z'))).toBe(false);
    expect(w.isExpired(new Date('2026-05-31T22:00:00Z'))).toBe(true);
    expect(w.isOpen(new Date('2026-06-01T12:00:00Z'))).toBe(false); // a Monday, but expired
  });
});

describe('ChangeWindow: bad input is refused with a stable code', () => {
  test.each([
    ['AG_WINDOW_TIME_ZONE', () => ChangeWindow.workdays('Mars/Olympus', '09:00', '17:00')],
    ['AG_WINDOW_SLOTS', () => ChangeWindow.of({ timeZone: 'UTC', slots: [] })],
    ['AG_WINDOW_DAYS', () => ChangeWindow.weekly('UTC', [], '09:00', '17:00')],
    ['AG_WINDOW_DAYS', () => ChangeWindow.weekly('UTC', [7 as Weekday], '09:00', '17:00')],
    ['AG_WINDOW_TIME', () => ChangeWindow.workdays('UTC', '9:00', '17:00')],
    ['AG_WINDOW_TIME', () => ChangeWindow.workdays('UTC', '09:00', '24:01')],
    ['AG_WINDOW_ORDER', () => ChangeWindow.workdays('UTC', '22:00', '02:00')],
    ['AG_WINDOW_EXPIRY', () => ChangeWindow.workdays('UTC', '09:00', '17:00', '2026-06-01')],
    ['AG_WINDOW_EXPIRY', () => ChangeWindow.workdays('UTC', '09:00', '17:00', 'tomorrow')],
  ])('%s', (code, fn) => {
    expect(codeOf(fn)).toBe(code);
  });

  test('the message says how to fix it', () => {
    expect(() => ChangeWindow.workdays('UTC', '22:00', '02:00')).toThrow('ChangeWindow.slots[0].end must be later than start on the same day; got "22:00-02:00". Split a slot that crosses midnight into two slots.');
  });

  test('WORKDAYS is Monday to Friday', () => {
    expect(WORKDAYS).toEqual([1, 2, 3, 4, 5]);
  });
});
