import { DomainError } from '../errors';
import type { BillingEvent } from './envelope';
import { parseEvent } from './parse';
import { fromStored, toStoredPayload, toWireEvent } from './stored';

const wireEvents: Record<string, unknown>[] = [
  {
    type: 'CustomerOnboarded',
    version: 2,
    payload: { name: 'Acme GmbH', currency: 'EUR', creditLimit: '50000.00' },
  },
  { type: 'CustomerOnboarded', version: 2, payload: { name: 'Tokyo KK', currency: 'JPY' } },
  {
    type: 'InvoiceIssued',
    version: 2,
    payload: {
      invoiceId: 'INV-1',
      amount: '1250.00',
      currency: 'EUR',
      issuedOn: '2026-03-01',
      dueOn: '2026-03-31',
      paymentTermsDays: 30,
      orderId: 'ORD-1',
    },
  },
  {
    type: 'CreditNoteIssued',
    payload: { creditNoteId: 'CN-1', invoiceId: 'INV-1', amount: '0.005', currency: 'KWD' },
  },
  {
    type: 'PaymentReceived',
    payload: {
      paymentId: 'PAY-1',
      amount: '1500',
      currency: 'JPY',
      receivedOn: '2026-03-05',
      allocations: [
        { invoiceId: 'INV-1', amount: '1000' },
        { invoiceId: 'INV-2', amount: '500' },
      ],
    },
  },
  { type: 'PaymentReversed', payload: { paymentId: 'PAY-1', reason: 'cheque bounced' } },
  { type: 'OrderPlaced', payload: { orderId: 'ORD-1', amount: '99.99', currency: 'USD' } },
  { type: 'OrderCancelled', payload: { orderId: 'ORD-1' } },
  { type: 'DisputeOpened', payload: { invoiceId: 'INV-1', reason: 'wrong quantity' } },
  { type: 'DisputeResolved', payload: { invoiceId: 'INV-1' } },
  { type: 'InvoiceWrittenOff', payload: { invoiceId: 'INV-1' } },
  {
    type: 'CustomerOnboarded',
    version: 2,
    payload: {
      name: 'Kuwait Trading WLL',
      currency: 'KWD',
      creditLimit: '20000.000',
      customerType: 'channel',
      customerSince: '2019-05-01',
      accountOwner: { id: 'S-7', name: 'Sara Salesperson', email: 'sara@example.com' },
      contactEmail: 'ap@kuwait-trading.example',
      industry: 'G46',
      registration: {
        registeredCapital: '250000.000',
        currency: 'KWD',
        foundedOn: '2004-02-29',
        taxRegistered: true,
      },
      financials: {
        asOf: '2025-12-31',
        currency: 'KWD',
        totalAssets: '900000.000',
        totalLiabilities: '400000.000',
        currentAssets: '500000.000',
        currentLiabilities: '250000.000',
        revenue: '2000000.000',
        netIncome: '-15000.500',
        operatingCashFlow: '-0.001',
      },
      litigationCount: 2,
    },
  },
  {
    type: 'CustomerProfileUpdated',
    payload: { name: 'Acme Group GmbH', industry: 'C28', registration: { foundedOn: '2001-01-01' } },
  },
  {
    type: 'CustomerProfileUpdated',
    payload: { registration: { registeredCapital: '1000000', currency: 'JPY' }, litigationCount: 0 },
  },
  {
    type: 'ExternalCreditReportReceived',
    payload: {
      agency: 'score-bureau',
      reportId: 'R-1',
      score: 712,
      reportedOn: '2026-02-01',
      validUntil: '2027-01-31',
    },
  },
  {
    type: 'ExternalCreditReportReceived',
    payload: {
      agency: 'rating-agency',
      reportId: 'R-2',
      rating: 'BBB+',
      reportedOn: '2026-03-01',
      validUntil: '2026-03-01',
    },
  },
  {
    type: 'ComplaintRecorded',
    payload: { complaintId: 'CMP-1', category: 'late delivery', severity: 'medium' },
  },
].map((e, i) => ({
  eventId: `evt-${i}`,
  version: 1,
  customerId: 'C-1',
  occurredAt: '2026-03-01T10:00:00.000Z',
  source: 'billing',
  ...e,
}));

function parsed(raw: unknown): BillingEvent {
  const r = parseEvent(raw);
  if (!r.ok) throw new Error(r.reason);
  return r.event;
}

describe('stored and wire forms', () => {
  it('stores amounts as minor-unit integer strings with the currency', () => {
    expect(toStoredPayload(parsed(wireEvents[2]))).toEqual({
      invoiceId: 'INV-1',
      amount: '125000', // 1250.00 EUR
      currency: 'EUR',
      issuedOn: '2026-03-01',
      dueOn: '2026-03-31',
      paymentTermsDays: 30,
      orderId: 'ORD-1',
    });
    expect(toStoredPayload(parsed(wireEvents[4]))).toEqual({
      paymentId: 'PAY-1',
      amount: '1500', // JPY has no minor unit
      currency: 'JPY',
      receivedOn: '2026-03-05',
      allocations: [
        { invoiceId: 'INV-1', amount: '1000' },
        { invoiceId: 'INV-2', amount: '500' },
      ],
    });
    expect(toStoredPayload(parsed(wireEvents[3])).amount).toBe('5'); // 0.005 KWD = 5 fils
    expect(toStoredPayload(parsed(wireEvents[0])).creditLimit).toBe('5000000');
    // A loss keeps its sign; KWD has three decimals.
    expect(toStoredPayload(parsed(wireEvents[11])).financials).toMatchObject({
      netIncome: '-15000500',
      operatingCashFlow: '-1',
      totalAssets: '900000000',
    });
    expect(toStoredPayload(parsed(wireEvents[13])).registration).toEqual({
      registeredCapital: '1000000',
      currency: 'JPY',
    });
  });

  it.each(wireEvents.map((e) => [e.type as string, e]))(
    'round-trips %s: wire -> event -> stored -> event -> wire',
    (_t, wire) => {
      const event = parsed(wire);
      const row = { ...event, payload: JSON.parse(JSON.stringify(toStoredPayload(event))) };
      const back = fromStored(row);
      expect(back).toEqual(event);
      expect(toWireEvent(back)).toEqual(wire);
      expect(parsed(JSON.stringify(toWireEvent(back)))).toEqual(event);
    },
  );

  it('accepts a Date occurredAt from a timestamptz column and normalises strings', () => {
    const event = parsed(wireEvents[7]);
    const row = { ...event, occurredAt: new Date('2026-03-01T10:00:00Z'), payload: toStoredPayload(event) };
    expect(fromStored(row)).toEqual(event);
    expect(fromStored({ ...row, occurredAt: '2026-03-01T11:00:00+01:00' }).occurredAt).toBe(event.occurredAt);
  });

  it('refuses rows it cannot read', () => {
    const event = parsed(wireEvents[2]);
    const row = { ...event, payload: toStoredPayload(event) };
    const code = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        if (e instanceof DomainError) return e.code;
      }
      return 'none';
    };
    expect(code(() => fromStored({ ...row, version: 3 }))).toBe('UNSUPPORTED_VERSION');
    expect(code(() => fromStored({ ...row, version: 0 }))).toBe('UNSUPPORTED_VERSION');
    expect(code(() => fromStored({ ...row, type: 'Nope' }))).toBe('BAD_STORED_EVENT');
    expect(code(() => fromStored({ ...row, payload: { ...row.payload, amount: '12.50' } }))).toBe(
      'BAD_STORED_EVENT',
    );
    expect(code(() => fromStored({ ...row, payload: { ...row.payload, dueOn: undefined } }))).toBe(
      'BAD_STORED_EVENT',
    );
    expect(code(() => fromStored({ ...row, occurredAt: 'yesterday' }))).toBe('BAD_STORED_EVENT');
  });

  it('upcasts a stored CustomerOnboarded v1 row on read: the same customer without a credit file', () => {
    const v2 = parsed(wireEvents[0]);
    const back = fromStored({ ...v2, version: 1, payload: toStoredPayload(v2) });
    expect(back).toEqual(v2);
    expect(back.version).toBe(2);
  });

  it('upcasts a stored InvoiceIssued v1 row (written before v2) on read', () => {
    const v2 = parsed(wireEvents[2]);
    const { paymentTermsDays, ...v1Payload } = toStoredPayload(v2);
    expect(paymentTermsDays).toBe(30);
    const back = fromStored({ ...v2, version: 1, payload: v1Payload });
    expect(back).toEqual(v2);
    expect(back.version).toBe(2);
  });
});
