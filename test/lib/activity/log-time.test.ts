import * as fc from 'fast-check';
import { parseLogTime } from '../../../lib/activity/normalize/log-time';

describe('parseLogTime reads times exactly as Date.parse does', () => {
  test.each([
    '2026-03-23T08:00:00Z', '2026-03-23T08:00:00.123Z', '2026-02-29T00:00:00Z', '2026-02-28T23:59:59Z', '2024-02-29T12:00:00Z',
    '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z', '2026-04-31T00:00:00Z', '2026-03-23T24:00:00Z', '2026-03-23T23:60:00Z',
    '2026-03-23T23:59:60Z', '1969-12-31T23:59:59Z', '0099-01-01T00:00:00Z', '2026-03-23T08:00:00+02:00', '2026-03-23T08:00:00.123456789Z',
    '2026-03-23 08:00:00Z', '2026-03-23T08:0a:00Z', '2026-03-23T08:00:00.12aZ', '2026-03-23', '', 'not a time',
  ])('%s', (s) => {
    expect(parseLogTime(s)).toEqual(Date.parse(s));
  });

  test('undefined is NaN', () => {
    expect(parseLogTime(undefined)).toBeNaN();
  });

  test('any string in the fast path\'s shape, valid or not', () => {
    const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const shaped = fc.tuple(fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')), two(19), two(39), two(29), two(69), two(69),
      fc.option(fc.integer({ min: 0, max: 999 }).map((n) => String(n).padStart(3, '0'))))
      .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${ms === null ? '' : `.${ms}`}Z`);
    fc.assert(fc.property(fc.oneof(shaped, fc.string({ maxLength: 26 })), (s) => Object.is(parseLogTime(s), Date.parse(s))), { numRuns: 5000 });
  });
});
