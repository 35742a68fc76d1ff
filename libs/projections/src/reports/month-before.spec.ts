import { monthBefore, monthBounds } from './monthly-report';

describe('monthBefore: the month a run at an instant reports', () => {
  it('given a run at 00:05 UTC on the 1st, then it is the month just ended', () => {
    expect(monthBefore('2026-06-01T00:05:00.000Z')).toBe('2026-05');
  });
  it('given a run on the first instant of a year, then it is December of the year before', () => {
    expect(monthBefore('2027-01-01T00:00:00.000Z')).toBe('2026-12');
  });
  it('given a run in the middle of a month, then it is still the month before (never one not over)', () => {
    expect(monthBefore('2026-06-15T12:00:00.000Z')).toBe('2026-05');
    expect(monthBounds(monthBefore('2026-03-01T00:00:00.000Z')).end).toBe('2026-02-28T23:59:59.999Z');
  });
  it('given something that is not an instant, then it says so', () => {
    expect(() => monthBefore('June')).toThrow(/not an instant/);
  });
});
