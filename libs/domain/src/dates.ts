import { DomainError } from './errors';

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INSTANT_RE =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d{2}):?(\d{2}))$/;
/** The normalised form produced by Date#toISOString for years 1000..9999. */
const NORMAL_INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return isLeap(y) ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
function daysFromCivil(year: number, m: number, d: number): number {
  const y = m <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

function civilFromDays(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** True for a real calendar date written 'YYYY-MM-DD'. */
export function isValidDate(date: string): boolean {
  if (typeof date !== 'string') return false;
  const m = DATE_RE.exec(date);
  if (!m) return false;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

/**
 * Day number (days since 1970-01-01) of a 'YYYY-MM-DD' date that is already known to be valid.
 * Hot path: no validation, no allocation.
 */
export function dayNumber(date: string): number {
  const y =
    (date.charCodeAt(0) - 48) * 1000 +
    (date.charCodeAt(1) - 48) * 100 +
    (date.charCodeAt(2) - 48) * 10 +
    (date.charCodeAt(3) - 48);
  const m = (date.charCodeAt(5) - 48) * 10 + (date.charCodeAt(6) - 48);
  const d = (date.charCodeAt(8) - 48) * 10 + (date.charCodeAt(9) - 48);
  return daysFromCivil(y, m, d);
}

let lastDays = NaN;
let lastDate = '';

/** 'YYYY-MM-DD' of a day number (the last result is memoised: ratings ask for the same window start). */
export function dateFromDayNumber(days: number): string {
  if (days !== lastDays) {
    lastDate = civilFromDays(days);
    lastDays = days;
  }
  return lastDate;
}

function assertDate(date: string, what: string): void {
  if (!isValidDate(date))
    throw new DomainError('BAD_DATE', `${what} ${JSON.stringify(date)} is not a date YYYY-MM-DD`);
}

/** Calendar days from `fromDate` to `toDate` ('YYYY-MM-DD', UTC); negative when toDate is earlier. */
export function daysBetween(fromDate: string, toDate: string): number {
  assertDate(fromDate, 'fromDate');
  assertDate(toDate, 'toDate');
  return dayNumber(toDate) - dayNumber(fromDate);
}

/** `date` plus `n` calendar days ('YYYY-MM-DD'). */
export function addDays(date: string, n: number): string {
  assertDate(date, 'date');
  if (!Number.isInteger(n)) throw new DomainError('BAD_DATE', `addDays: ${n} is not an integer`);
  return civilFromDays(dayNumber(date) + n);
}

function digits2(s: string, i: number): number {
  return (s.charCodeAt(i) - 48) * 10 + (s.charCodeAt(i + 1) - 48);
}

/** Range checks of a string already matching NORMAL_INSTANT_RE (hot path: no allocation). */
function isRealNormalInstant(s: string): boolean {
  const y = digits2(s, 0) * 100 + digits2(s, 2);
  const mo = digits2(s, 5);
  const d = digits2(s, 8);
  return (
    y >= 1000 &&
    mo >= 1 &&
    mo <= 12 &&
    d >= 1 &&
    d <= daysInMonth(y, mo) &&
    digits2(s, 11) <= 23 &&
    digits2(s, 14) <= 59 &&
    digits2(s, 17) <= 59
  );
}

/**
 * Normalises an ISO-8601 timestamp that has a time and a zone ('Z' or ±hh:mm) to the
 * Date#toISOString form (UTC, milliseconds). Returns null when the text is not such a timestamp,
 * names an impossible date/time, or falls outside the years 1000..9999. Fractions beyond
 * milliseconds are truncated.
 */
export function normaliseInstant(text: string): string | null {
  if (typeof text !== 'string') return null;
  if (NORMAL_INSTANT_RE.test(text)) return isRealNormalInstant(text) ? text : null;
  const m = INSTANT_RE.exec(text);
  if (!m) return null;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = Number(m[4]);
  const mi = Number(m[5]);
  const s = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  if (y < 1000 || mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return null;
  if (h > 23 || mi > 59 || s > 59) return null;
  let offsetMinutes = 0;
  if (m[8] === undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const t = Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMinutes * 60_000;
  const iso = new Date(t).toISOString();
  return NORMAL_INSTANT_RE.test(iso) ? iso : null;
}

/** Like normaliseInstant but throws DomainError('BAD_INSTANT'). */
export function toInstant(text: string): string {
  const iso = normaliseInstant(text);
  if (iso === null) {
    throw new DomainError(
      'BAD_INSTANT',
      `${JSON.stringify(text)} is not an ISO-8601 timestamp with time and zone`,
    );
  }
  return iso;
}

/** UTC calendar date ('YYYY-MM-DD') of an ISO instant. A bare 'YYYY-MM-DD' is returned as is. */
export function dateOf(iso: string): string {
  if (iso.length === 24 && iso.charCodeAt(23) === 90 /* Z */ && iso.charCodeAt(10) === 84 /* T */) {
    return iso.slice(0, 10);
  }
  if (isValidDate(iso)) return iso;
  return toInstant(iso).slice(0, 10);
}
