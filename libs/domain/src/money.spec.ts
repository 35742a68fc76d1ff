import { CURRENCY_CODES, currencyExponent, isCurrency } from './currencies';
import { DomainError } from './errors';
import { formatAmount, parseAmount } from './money';

function errorOf(f: () => unknown): DomainError {
  try {
    f();
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('expected a DomainError');
}

describe('currencies', () => {
  it('knows ISO-4217 exponents', () => {
    expect(currencyExponent('JPY')).toBe(0);
    expect(currencyExponent('EUR')).toBe(2);
    expect(currencyExponent('USD')).toBe(2);
    expect(currencyExponent('KWD')).toBe(3);
    expect(currencyExponent('CLF')).toBe(4);
    expect(currencyExponent('UYW')).toBe(4);
    for (const c of 'BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF'.split(' ')) {
      expect([c, currencyExponent(c)]).toEqual([c, 0]);
    }
    for (const c of 'BHD IQD JOD KWD LYD OMR TND'.split(' '))
      expect([c, currencyExponent(c)]).toEqual([c, 3]);
    expect(CURRENCY_CODES.length).toBeGreaterThan(150);
  });

  it('rejects unknown codes', () => {
    expect(isCurrency('EUR')).toBe(true);
    expect(isCurrency('eur')).toBe(false);
    expect(isCurrency('XAU')).toBe(false); // no minor unit in ISO-4217: not money here
    expect(errorOf(() => currencyExponent('XYZ')).code).toBe('UNKNOWN_CURRENCY');
  });
});

describe('parseAmount', () => {
  it('converts major-unit decimals to minor units', () => {
    expect(parseAmount('12.5', 'EUR')).toBe(1250n); // 12.50 EUR = 1250 cents
    expect(parseAmount('1250', 'EUR')).toBe(125000n);
    expect(parseAmount('1250.00', 'EUR')).toBe(125000n);
    expect(parseAmount('0.05', 'EUR')).toBe(5n);
    expect(parseAmount('0', 'EUR')).toBe(0n);
    expect(parseAmount('007.10', 'EUR')).toBe(710n);
    expect(parseAmount('1500', 'JPY')).toBe(1500n); // exponent 0
    expect(parseAmount('1.234', 'KWD')).toBe(1234n); // exponent 3: 1.234 KWD = 1234 fils
    expect(parseAmount('1.5', 'KWD')).toBe(1500n);
    expect(parseAmount('1.2345', 'CLF')).toBe(12345n);
  });

  it('rejects too many decimals for the currency, naming value and currency', () => {
    const jpy = errorOf(() => parseAmount('1.5', 'JPY'));
    expect(jpy.code).toBe('BAD_AMOUNT');
    expect(jpy.message).toBe('amount "1.5" has 1 decimal but JPY allows 0');
    const eur = errorOf(() => parseAmount('1.234', 'EUR'));
    expect(eur.code).toBe('BAD_AMOUNT');
    expect(eur.message).toBe('amount "1.234" has 3 decimals but EUR allows 2');
  });

  it.each(['12,50', '-1', '+1', '1e3', ' 1', '1 ', '1.', '.5', '1 000', '', '1_000', '0x10', '١'])(
    'rejects %p',
    (text) => {
      const e = errorOf(() => parseAmount(text, 'EUR'));
      expect(e.code).toBe('BAD_AMOUNT');
      expect(e.message).toBe(`amount ${JSON.stringify(text)} is not a decimal amount (EUR)`);
    },
  );

  it('rejects amounts of 10^15 minor units and more as out of range, and unknown currencies', () => {
    expect(parseAmount('9999999999999.99', 'EUR')).toBe(999_999_999_999_999n);
    expect(parseAmount('999999999999999', 'JPY')).toBe(999_999_999_999_999n);
    const e = errorOf(() => parseAmount('10000000000000.00', 'EUR'));
    expect(e.code).toBe('AMOUNT_OUT_OF_RANGE');
    expect(e.message).toBe(
      'amount "10000000000000.00" is above the largest amount accepted, 9999999999999.99 (EUR)',
    );
    expect(errorOf(() => parseAmount('9999999999999999.99', 'EUR')).code).toBe('AMOUNT_OUT_OF_RANGE');
    expect(errorOf(() => parseAmount('1', 'XYZ')).code).toBe('UNKNOWN_CURRENCY');
  });
});

describe('formatAmount', () => {
  it('writes minor units as major-unit decimals', () => {
    expect(formatAmount(125000n, 'EUR')).toBe('1250.00');
    expect(formatAmount(-5n, 'EUR')).toBe('-0.05');
    expect(formatAmount(0n, 'EUR')).toBe('0.00');
    expect(formatAmount(1500n, 'JPY')).toBe('1500');
    expect(formatAmount(-1500n, 'JPY')).toBe('-1500');
    expect(formatAmount(1234n, 'KWD')).toBe('1.234');
    expect(formatAmount(5n, 'KWD')).toBe('0.005');
    expect(formatAmount(12345n, 'CLF')).toBe('1.2345');
  });

  it('round-trips with parseAmount', () => {
    for (const [text, cur] of [
      ['0.01', 'EUR'],
      ['99999.99', 'USD'],
      ['7', 'JPY'],
      ['0.001', 'KWD'],
      ['123456789.123', 'BHD'],
    ]) {
      expect(formatAmount(parseAmount(text, cur), cur)).toBe(text);
    }
  });
});
