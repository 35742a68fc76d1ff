import { DomainError } from './errors';

const EXPONENT_0 = 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF';
const EXPONENT_3 = 'BHD IQD JOD KWD LYD OMR TND';
const EXPONENT_4 = 'CLF UYW';
/**
 * Active ISO-4217 codes with two minor units. Codes whose minor unit is "N.A." in ISO-4217
 * (precious metals XAU/XAG/XPD/XPT, XDR, XSU, XUA, the bond units XBA..XBD, XTS, XXX) are not
 * money in this ledger and are deliberately absent.
 */
const EXPONENT_2 =
  'AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP BYN BZD ' +
  'CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL ' +
  'GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW KYD KZT LAK LBP LKR LRD ' +
  'LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD PAB PEN ' +
  'PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL ' +
  'THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD XCG YER ZAR ZMW ZWG ZWL';

const EXPONENTS: ReadonlyMap<string, number> = (() => {
  const m = new Map<string, number>();
  const add = (codes: string, exponent: number): void => {
    for (const code of codes.split(' ')) m.set(code, exponent);
  };
  add(EXPONENT_2, 2);
  add(EXPONENT_0, 0);
  add(EXPONENT_3, 3);
  add(EXPONENT_4, 4);
  return m;
})();

/** All supported ISO-4217 codes, sorted. */
export const CURRENCY_CODES: readonly string[] = Object.freeze([...EXPONENTS.keys()].sort());

export function isCurrency(code: string): boolean {
  return typeof code === 'string' && EXPONENTS.has(code);
}

/** ISO-4217 minor units of a currency; throws DomainError('UNKNOWN_CURRENCY') for unknown codes. */
export function currencyExponent(currency: string): number {
  const e = typeof currency === 'string' ? EXPONENTS.get(currency) : undefined;
  if (e === undefined) {
    throw new DomainError('UNKNOWN_CURRENCY', `${JSON.stringify(currency)} is not an ISO-4217 currency code`);
  }
  return e;
}
