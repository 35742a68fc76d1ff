/**
 * Local money helpers for the generator (the domain library is deliberately not imported here).
 * Amounts are integers in minor units; they are only turned into decimal strings on the wire.
 */

/** ISO-4217 minor-unit digits of the currencies the generator may emit. */
const { isSafeInteger } = Number;

export const GENERATOR_CURRENCY_EXPONENTS: Readonly<Record<string, number>> = Object.freeze({
  EUR: 2,
  USD: 2,
  GBP: 2,
  CHF: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  PLN: 2,
  CZK: 2,
  CAD: 2,
  AUD: 2,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  BHD: 3,
  OMR: 3,
});

/**
 * Multiplier applied to limits and invoice sizes so that low-value currencies look plausible
 * (a JPY customer gets ¥500,000–¥50,000,000 rather than ¥5,000–¥500,000).
 */
export const MAGNITUDE: Readonly<Record<string, number>> = Object.freeze({ JPY: 100, KRW: 1000 });

export function exponentOf(currency: string): number {
  const e = GENERATOR_CURRENCY_EXPONENTS[currency];
  if (e === undefined) throw new RangeError(`generator does not know currency ${JSON.stringify(currency)}`);
  return e;
}

/** 10^exponent as an integer. */
export function minorPerMajor(exponent: number): number {
  return exponent === 0 ? 1 : exponent === 2 ? 100 : exponent === 3 ? 1000 : 10 ** exponent;
}

/** Formats a non-negative integer amount of minor units, e.g. (12345, 2) → "123.45", (7, 3) → "0.007". */
export function formatMinor(minor: number, exponent: number): string {
  if (!isSafeInteger(minor) || minor < 0) throw new RangeError(`bad minor amount ${minor}`);
  const digits = `${minor}`;
  if (exponent === 0) return digits;
  const padded = digits.length > exponent ? digits : digits.padStart(exponent + 1, '0');
  return `${padded.slice(0, padded.length - exponent)}.${padded.slice(padded.length - exponent)}`;
}
