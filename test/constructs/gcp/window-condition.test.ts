import * as fc from 'fast-check';
import { expiryExpression, resourceExpression, windowExpression } from '../../../constructs/gcp/private/window-condition';
import { ChangeWindow, Weekday } from '../../../lib/model';
import { evaluate, WINDOW } from './gcp-fixtures';

// Europe/Berlin, workdays 09:00–17:30, expiring 2027-12-31T00:00Z (CET = UTC+1, CEST = UTC+2).
const expression = windowExpression(WINDOW)!;

describe('GCP window condition, evaluated with @bufbuild/cel', () => {
  test('inside the window → true', () => {
    expect(evaluate(expression, new Date('2026-11-23T08:00:00Z'))).toBe(true); // Mon 09:00 CET
    expect(evaluate(expression, new Date('2026-11-27T16:29:00Z'))).toBe(true); // Fri 17:29 CET
  });

  test('one minute outside → false', () => {
    expect(evaluate(expression, new Date('2026-11-23T07:59:00Z'))).toBe(false); // Mon 08:59 CET
    expect(evaluate(expression, new Date('2026-11-23T16:30:00Z'))).toBe(false); // Mon 17:30 CET (end is exclusive)
  });

  test('another weekday → false', () => {
    expect(evaluate(expression, new Date('2026-11-28T10:00:00Z'))).toBe(false); // Sat 11:00 CET
    expect(evaluate(expression, new Date('2026-11-29T10:00:00Z'))).toBe(false); // Sun 11:00 CET
  });

  test('after expiry → false, even inside the weekly slot', () => {
    expect(evaluate(expression, new Date('2027-12-30T09:00:00Z'))).toBe(true); // Thu 10:00 CET, before expiry
    expect(evaluate(expression, new Date('2028-01-03T09:00:00Z'))).toBe(false); // Mon 10:00 CET, after expiry
  });

  test('across the March DST change in Europe/Berlin (2027-03-28): the same UTC time flips', () => {
    // 07:30 UTC is 08:30 CET on Friday 26 March (closed) and 09:30 CEST on Monday 29 March (open).
    expect(evaluate(expression, new Date('2027-03-26T07:30:00Z'))).toBe(false);
    expect(evaluate(expression, new Date('2027-03-29T07:30:00Z'))).toBe(true);
    expect(evaluate(expression, new Date('2027-03-29T06:59:00Z'))).toBe(false); // 08:59 CEST
  });

  test('across the October DST change in Europe/Berlin (2026-10-25)', () => {
    // 07:30 UTC is 09:30 CEST on Friday 23 October (open) and 08:30 CET on Monday 26 October (closed).
    expect(evaluate(expression, new Date('2026-10-23T07:30:00Z'))).toBe(true);
    expect(evaluate(expression, new Date('2026-10-26T07:30:00Z'))).toBe(false);
    expect(evaluate(expression, new Date('2026-10-26T15:29:00Z'))).toBe(true); // 16:29 CET
  });

  test('agrees with ChangeWindow.isOpen on random instants, for several windows', () => {
    const windows = [
      WINDOW,
      ChangeWindow.of({ timeZone: 'America/New_York', slots: [{ days: [Weekday.SATURDAY, Weekday.SUNDAY, Weekday.MONDAY], start: '00:00', end: '06:15' }, { days: [Weekday.WEDNESDAY], start: '22:45', end: '24:00' }] }),
      ChangeWindow.weekly('Asia/Kolkata', [Weekday.TUESDAY, Weekday.THURSDAY], '10:30', '11:00'),
    ];
    for (const w of windows) {
      const expr = windowExpression(w)!;
      fc.assert(
        fc.property(fc.date({ min: new Date('2026-01-01T00:00:00Z'), max: new Date('2028-06-30T00:00:00Z'), noInvalidDate: true }), (at) => {
          expect(evaluate(expr, at)).toBe(w.isOpen(at));
        }),
        { numRuns: 300 },
      );
    }
  });

  test('no window → no condition', () => {
    expect(windowExpression(undefined)).toBeUndefined();
  });

  test('expiry alone', () => {
    const e = expiryExpression('2027-01-01T00:00:00+01:00');
    expect(e).toBe('request.time < timestamp("2026-12-31T23:00:00Z")');
    expect(evaluate(e, new Date('2026-12-31T22:59:59Z'))).toBe(true);
    expect(evaluate(e, new Date('2026-12-31T23:00:00Z'))).toBe(false);
  });
});

describe('GCP resource condition, evaluated with @bufbuild/cel', () => {
  const e = resourceExpression('projects/_/buckets/logs');
  const now = new Date('2026-11-23T08:00:00Z');

  test('the resource and what lies under it → true', () => {
    expect(evaluate(e, now, 'projects/_/buckets/logs')).toBe(true);
    expect(evaluate(e, now, 'projects/_/buckets/logs/objects/2026/app.log')).toBe(true);
  });

  test('a sibling sharing the prefix (bucket logs-archive) → false', () => {
    expect(evaluate(e, now, 'projects/_/buckets/logs-archive')).toBe(false);
    expect(evaluate(e, now, 'projects/_/buckets/logs-archive/objects/x')).toBe(false);
  });
});
