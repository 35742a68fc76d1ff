import { currencyExponent } from './currencies';
import { DomainError } from './errors';

/**
 * Largest single amount accepted from the outside, in minor units (9,999,999,999,999.99 EUR). Far below a
 * PostgreSQL bigint, so the sums the ledger keeps per customer stay in range too (MAX_FIGURE_MINOR).
 */
export const MAX_AMOUNT_MINOR = 999_999_999_999_999n;
/**
 * Largest figure the ledger keeps per customer (open receivables and orders, cash on account), in minor units:
 * an event that would push one past it is rejected AMOUNT_OUT_OF_RANGE. A bigint column holds 92 of them.
 */
export const MAX_FIGURE_MINOR = 99_999_999_999_999_999n;

const AMOUNT_RE = /^(\d+)(?:\.(\d+))?$/;

export type AmountCheck =
  { ok: true; value: bigint } | { ok: false; code: 'BAD_AMOUNT' | 'AMOUNT_OUT_OF_RANGE'; message: string };

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `${typeof value} ${typeof value === 'object' ? '' : String(value)}`.trim();
}

/**
 * Checks a major-unit decimal string against an exponent. The message has no field prefix,
 * e.g. `"1.234" has 3 decimals but EUR allows 2`.
 */
export function checkAmount(text: unknown, currency: string, exponent: number): AmountCheck {
  if (typeof text !== 'string')
    return { ok: false, code: 'BAD_AMOUNT', message: `expected a decimal string, got ${describe(text)}` };
  const m = AMOUNT_RE.exec(text);
  if (!m) return { ok: false, code: 'BAD_AMOUNT', message: `${describe(text)} is not a decimal amount` };
  const frac = m[2] ?? '';
  if (frac.length > exponent) {
    return {
      ok: false,
      code: 'BAD_AMOUNT',
      message: `${describe(text)} has ${frac.length} decimal${frac.length === 1 ? '' : 's'} but ${currency} allows ${exponent}`,
    };
  }
  const value = BigInt(m[1] + frac.padEnd(exponent, '0'));
  if (value > MAX_AMOUNT_MINOR) {
    return {
      ok: false,
      code: 'AMOUNT_OUT_OF_RANGE',
      message: `${describe(text)} is above the largest amount accepted, ${formatMinor(MAX_AMOUNT_MINOR, exponent)}`,
    };
  }
  return { ok: true, value };
}

/** Decimal string in MAJOR units -> minor units, e.g. ("12.5", "EUR") -> 1250n. */
export function parseAmount(text: string, currency: string): bigint {
  const exponent = currencyExponent(currency);
  const r = checkAmount(text, currency, exponent);
  if (!r.ok) {
    const msg = r.message.endsWith('allows ' + exponent) ? r.message : `${r.message} (${currency})`;
    throw new DomainError(r.code, `amount ${msg}`);
  }
  return r.value;
}

/** Minor units -> decimal string in major units: 125000n EUR -> "1250.00", -5n EUR -> "-0.05". */
export function formatAmount(minor: bigint, currency: string): string {
  return formatMinor(minor, currencyExponent(currency));
}

export function formatMinor(minor: bigint, exponent: number): string {
  if (exponent === 0) return minor.toString();
  const negative = minor < 0n;
  let digits = (negative ? -minor : minor).toString();
  if (digits.length <= exponent) digits = digits.padStart(exponent + 1, '0');
  const cut = digits.length - exponent;
  const text = digits.slice(0, cut) + '.' + digits.slice(cut);
  return negative ? '-' + text : text;
}

export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

export function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
