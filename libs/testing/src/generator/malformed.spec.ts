import { customerIdsWithCurrency, generateHistory, generateMalformed, MALFORMED_CODES } from '.';

const opts = { seed: 5, customers: 200 };

describe('generateMalformed', () => {
  const eur = customerIdsWithCurrency(opts, 'EUR');

  it('is deterministic and seed-dependent', () => {
    expect(generateMalformed(50, 1, eur)).toEqual(generateMalformed(50, 1, eur));
    expect(JSON.stringify(generateMalformed(50, 2, eur))).not.toBe(
      JSON.stringify(generateMalformed(50, 1, eur)),
    );
  });

  it('covers every expected code once count >= 10', () => {
    expect(new Set(generateMalformed(10, 3, eur).map((m) => m.expectedCode))).toEqual(
      new Set(MALFORMED_CODES),
    );
    const many = generateMalformed(200, 3, eur);
    for (const code of MALFORMED_CODES) {
      expect(many.filter((m) => m.expectedCode === code).length).toBeGreaterThanOrEqual(20);
    }
  });

  it('produces messages that are each wrong in the advertised way', () => {
    const valid = generateHistory(opts);
    const validIds = new Set(valid.map((e) => e.eventId));
    const eurSet = new Set(eur);
    const seen = new Set<string>();
    for (const m of generateMalformed(500, 11, eur)) {
      expect(m.note.length).toBeGreaterThan(0);
      let parsed: unknown;
      try {
        parsed = JSON.parse(m.value);
      } catch {
        expect(m.expectedCode).toBe('BAD_JSON');
        continue;
      }
      expect(m.expectedCode).not.toBe('BAD_JSON');
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        expect(m.expectedCode).toBe('NOT_AN_OBJECT');
        continue;
      }
      expect(m.expectedCode).not.toBe('NOT_AN_OBJECT');
      const ev = parsed as Record<string, unknown>;
      const payload = (ev.payload ?? {}) as Record<string, unknown>;
      if (typeof ev.eventId === 'string') {
        expect(ev.eventId.startsWith('bad-')).toBe(true);
        expect(validIds.has(ev.eventId)).toBe(false);
        expect(seen.has(ev.eventId)).toBe(false);
        seen.add(ev.eventId);
      }
      switch (m.expectedCode) {
        case 'UNKNOWN_TYPE':
          expect(ev.type).not.toMatch(/^(InvoiceIssued|PaymentReceived|CustomerOnboarded)$/);
          break;
        case 'UNSUPPORTED_VERSION':
          expect(ev.version).not.toBe(1);
          break;
        case 'UNKNOWN_CURRENCY':
          expect(payload.currency).toBe('XYZ');
          break;
        case 'KEY_MISMATCH':
          expect(m.key).not.toBe(ev.customerId);
          break;
        case 'CURRENCY_MISMATCH':
          expect(eurSet.has(String(ev.customerId))).toBe(true);
          expect(payload.currency).not.toBe('EUR');
          expect(m.key).toBe(ev.customerId);
          break;
        case 'BAD_AMOUNT':
          expect(String(payload.amount)).not.toMatch(/^\d+(\.\d{2})?$/);
          break;
        default:
          expect(m.key).toBe(ev.customerId);
      }
      if (m.expectedCode !== 'KEY_MISMATCH') expect(m.key).toBe(ev.customerId ?? m.key);
      if (!['UNSUPPORTED_VERSION', 'MISSING_FIELD'].includes(m.expectedCode)) expect(ev.version).toBe(1);
    }
  });

  it('falls back to a default customer id when none are given', () => {
    const msgs = generateMalformed(20, 1, []);
    expect(msgs).toHaveLength(20);
  });
});
