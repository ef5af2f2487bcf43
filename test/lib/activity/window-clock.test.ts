import * as fc from 'fast-check';
import { WindowClock } from '../../../lib/activity/private/window-clock';
import { ChangeWindow } from '../../../lib/model/change-window';

describe('WindowClock: the evaluator\'s fast window answers agree with ChangeWindow.isOpen', () => {
  test.each(['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Chatham', 'UTC'])('%s, across a year with its DST changes', (zone) => {
    const window = ChangeWindow.of({ timeZone: zone, slots: [{ days: [1, 2, 3, 4, 5], start: '09:00', end: '17:30' }, { days: [0], start: '01:45', end: '03:15' }], expiresAt: '2027-06-01T00:00:00Z' });
    const clock = new WindowClock(window);
    fc.assert(fc.property(fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-07-01T00:00:00Z') }), (ms) => {
      expect(clock.isOpen(ms)).toBe(window.isOpen(new Date(ms)));
    }), { numRuns: 3000 });
  });

  test('a time that is no number is never inside a window', () => {
    expect(new WindowClock(ChangeWindow.workdays('UTC', '00:00', '24:00')).isOpen(NaN)).toBe(false);
  });
});
