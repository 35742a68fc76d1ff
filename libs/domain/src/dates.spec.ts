import {
  addDays,
  dateFromDayNumber,
  dateOf,
  dayNumber,
  daysBetween,
  isValidDate,
  normaliseInstant,
} from './dates';
import { DomainError } from './errors';

describe('dates', () => {
  it('counts calendar days', () => {
    expect(daysBetween('2026-01-31', '2026-03-01')).toBe(29); // Feb 2026 has 28 days: 28 + 1
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2); // leap year: 29 Feb in between
    expect(daysBetween('2026-03-01', '2026-01-31')).toBe(-29);
    expect(daysBetween('2025-01-01', '2026-01-01')).toBe(365);
    expect(daysBetween('2024-01-01', '2025-01-01')).toBe(366);
    expect(() => daysBetween('2026-02-30', '2026-03-01')).toThrow(DomainError);
  });

  it('adds days across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
    expect(addDays('2026-03-31', -90)).toBe('2025-12-31');
  });

  it('day numbers agree with Date.UTC for every day of 1999..2101', () => {
    const mismatches: string[] = [];
    for (let d = Date.UTC(1999, 0, 1); d <= Date.UTC(2101, 11, 31); d += 86_400_000) {
      const iso = new Date(d).toISOString().slice(0, 10);
      if (dayNumber(iso) !== d / 86_400_000 || dateFromDayNumber(d / 86_400_000) !== iso)
        mismatches.push(iso);
    }
    expect(mismatches).toEqual([]);
    expect(dayNumber('1970-01-01')).toBe(0);
  });

  it('validates dates strictly', () => {
    expect(isValidDate('2024-02-29')).toBe(true);
    expect(isValidDate('2026-02-29')).toBe(false);
    expect(isValidDate('2026-04-31')).toBe(false);
    expect(isValidDate('2026-13-01')).toBe(false);
    expect(isValidDate('2026-1-01')).toBe(false);
    expect(isValidDate('2026-01-01T00:00:00Z')).toBe(false);
  });

  it('normalises instants with time and zone to UTC milliseconds', () => {
    expect(normaliseInstant('2026-03-01T10:00:00Z')).toBe('2026-03-01T10:00:00.000Z');
    expect(normaliseInstant('2026-03-01T10:00Z')).toBe('2026-03-01T10:00:00.000Z');
    expect(normaliseInstant('2026-03-01T10:00:00.123456Z')).toBe('2026-03-01T10:00:00.123Z');
    expect(normaliseInstant('2026-03-01T10:00:00.5Z')).toBe('2026-03-01T10:00:00.500Z');
    expect(normaliseInstant('2026-03-01T12:00:00+02:00')).toBe('2026-03-01T10:00:00.000Z');
    expect(normaliseInstant('2026-03-01T05:30:00-0430')).toBe('2026-03-01T10:00:00.000Z');
    expect(normaliseInstant('2026-03-01T10:00:00.000Z')).toBe('2026-03-01T10:00:00.000Z');
    for (const bad of [
      '2026-03-01',
      '2026-03-01T10:00:00',
      '2026-02-30T10:00:00Z',
      '2026-03-01T24:00:00Z',
      '2026-03-01T10:60:00Z',
      '2026-03-01 10:00:00Z',
      '2026-03-01t10:00:00z',
      '0999-01-01T00:00:00Z',
      '1773400000',
      '2026-13-01T00:00:00.000Z',
    ]) {
      expect([bad, normaliseInstant(bad)]).toEqual([bad, null]);
    }
  });

  it('takes the UTC date of an instant', () => {
    expect(dateOf('2026-03-01T10:00:00.000Z')).toBe('2026-03-01');
    expect(dateOf('2026-03-01T23:30:00-02:00')).toBe('2026-03-02'); // 23:30 at -02:00 = 01:30Z next day
    expect(dateOf('2026-03-01T00:30:00+01:00')).toBe('2026-02-28'); // 00:30 at +01:00 = 23:30Z day before
    expect(dateOf('2026-03-01')).toBe('2026-03-01');
  });
});
