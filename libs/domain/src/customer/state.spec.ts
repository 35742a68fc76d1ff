import { TestLedger } from '../../test/builders';
import { DomainError } from '../errors';
import { cloneState, deserializeState, initialState, serializeState } from './state';

function richLedger(): TestLedger {
  const l = new TestLedger();
  l.onboard('EUR', '5000.00', '2026-01-01T00:00:00Z', 'Acme "Ltd" ✓');
  l.add('OrderPlaced', { orderId: 'O-1', amount: '100.00', currency: 'EUR' }, '2026-01-01T01:00:00Z');
  l.add('OrderPlaced', { orderId: 'O-2', amount: '50.00', currency: 'EUR' }, '2026-01-01T02:00:00Z');
  l.invoice('10', '300.00', '2026-01-02', '2026-02-01', { orderId: 'O-1' }); // numeric-looking id keeps issue order
  l.invoice('2', '200.00', '2026-01-03', '2026-01-20');
  l.pay('PAY-1', '250.00', '2026-01-04', [{ invoiceId: '10', amount: '100.00' }]);
  l.add(
    'CreditNoteIssued',
    { creditNoteId: 'CN-1', invoiceId: '2', amount: '60.00', currency: 'EUR' },
    '2026-01-05T00:00:00Z',
  );
  l.add('DisputeOpened', { invoiceId: '10', reason: 'x' }, '2026-01-06T00:00:00Z');
  l.pay('PAY-2', '500.00', '2026-01-07');
  l.add('InvoiceWrittenOff', { invoiceId: '10' }, '2026-01-08T00:00:00Z');
  l.add('OrderCancelled', { orderId: 'O-2' }, '2026-01-09T00:00:00Z');
  l.add('PaymentReversed', { paymentId: 'PAY-1', reason: 'bounced' }, '2026-01-10T00:00:00Z');
  return l;
}

describe('state serialisation', () => {
  it('round-trips byte for byte', () => {
    const l = richLedger();
    const json = serializeState(l.state);
    const back = deserializeState(json);
    expect(back).toEqual(l.state);
    expect(serializeState(back)).toBe(json);
    expect(serializeState(deserializeState(JSON.parse(json)))).toBe(json);
    expect([...back.invoices.keys()]).toEqual(['10', '2']);
  });

  it('is canonical: same events, same bytes; sorted keys; bigint as strings', () => {
    const a = serializeState(richLedger().state);
    const b = serializeState(richLedger().state);
    expect(a).toBe(b);
    expect(a.startsWith('{"clock":"2026-01-10T00:00:00.000Z","creditLimit":"500000","creditNotes":[')).toBe(
      true,
    );
    const initial = serializeState(initialState('C-9'));
    expect(initial).toBe(
      '{"clock":null,"creditLimit":"0","creditNotes":[],"currency":null,"customerId":"C-9","disputes":[],' +
        '"firstEventAt":null,"format":1,"invoices":[],"lastSequence":"0","name":null,"onboarded":false,' +
        '"onboardedAt":null,"orders":[],"payments":[],"rating":null,"status":"active","streamVersion":0,"unappliedCash":[]}',
    );
    expect(deserializeState(initial)).toEqual(initialState('C-9'));
  });

  it('rejects malformed snapshots', () => {
    expect(() => deserializeState('{')).toThrow(DomainError);
    expect(() => deserializeState({ format: 2 })).toThrow(DomainError);
    const json = JSON.parse(serializeState(richLedger().state));
    json.invoices[0].amount = 12.5;
    expect(() => deserializeState(json)).toThrow(
      new DomainError('BAD_STATE', 'state: amount is not an integer string'),
    );
  });
});

describe('cloneState', () => {
  it('is deep and independent', () => {
    const l = richLedger();
    const before = serializeState(l.state);
    const copy = cloneState(l.state);
    expect(copy).toEqual(l.state);
    copy.invoices.get('2')!.allocated += 1n;
    copy.unappliedCash.push({ source: 'X', amount: 1n });
    copy.payments.get('PAY-2')!.applications[0].amount = 0n;
    copy.orders.clear();
    expect(serializeState(l.state)).toBe(before);
  });
});

describe('the credit file in the state', () => {
  it('records each profile field given, keeps the rest, and round-trips with reports and complaints', () => {
    const l = new TestLedger();
    l.onboardWith(
      {
        customerType: 'channel',
        accountOwner: { id: 'S-1', name: 'Sam' },
        registration: { registeredCapital: '1000.00', currency: 'EUR', foundedOn: '2010-01-01' },
        litigationCount: 2,
      },
      'EUR',
      '100.00',
      '2026-01-01T00:00:00Z',
    );
    l.add(
      'CustomerProfileUpdated',
      { name: 'Acme Channel', registration: { taxRegistered: true }, contactEmail: 'ap@acme.example' },
      '2026-01-02T00:00:00Z',
    );
    l.add(
      'ExternalCreditReportReceived',
      {
        agency: 'score-bureau',
        reportId: 'R-1',
        score: 700,
        reportedOn: '2026-01-02',
        validUntil: '2026-12-31',
      },
      '2026-01-03T00:00:00Z',
    );
    l.add(
      'ComplaintRecorded',
      { complaintId: 'K-1', category: 'noise', severity: 'low' },
      '2026-01-04T00:00:00Z',
    );
    const s = l.state;
    expect(s.name).toBe('Acme Channel');
    // registration replaced as a whole; the type and the lawsuits kept; personal data apart from what is graded
    expect(s.profile).toEqual({
      customerType: 'channel',
      customerSince: null,
      industry: null,
      registration: { registeredCapital: null, foundedOn: null, taxRegistered: true },
      financials: null,
      litigationCount: 2,
      updatedAt: '2026-01-02T00:00:00.000Z',
    });
    expect(s.personal).toEqual({
      accountOwner: { id: 'S-1', name: 'Sam', email: null },
      contactEmail: 'ap@acme.example',
      individual: null,
    });
    expect(s.reports).toEqual([
      {
        agency: 'score-bureau',
        reportId: 'R-1',
        score: 700,
        rating: null,
        reportedOn: '2026-01-02',
        validUntil: '2026-12-31',
        receivedOn: '2026-01-03',
      },
    ]);
    expect(s.complaints).toEqual([
      { complaintId: 'K-1', category: 'noise', severity: 'low', recordedOn: '2026-01-04' },
    ]);
    const json = serializeState(s);
    expect(serializeState(deserializeState(json))).toBe(json);
    // No individual details: the stored personal part keeps the bytes it had before they existed.
    expect(Object.keys(JSON.parse(json).personal)).toEqual(['accountOwner', 'contactEmail']);
    expect(deserializeState(json)).toEqual(s);
    const copy = cloneState(s);
    copy.profile!.registration!.taxRegistered = false;
    copy.personal!.accountOwner!.name = 'Other';
    expect([s.profile!.registration!.taxRegistered, s.personal!.accountOwner!.name]).toEqual([true, 'Sam']);
  });

  it('writes no credit-file key for a customer without one (earlier snapshots keep their bytes)', () => {
    const l = new TestLedger();
    l.onboardWith({}, 'EUR', '100.00');
    const keys = Object.keys(JSON.parse(serializeState(l.state)));
    expect(keys.filter((k) => ['profile', 'personal', 'reports', 'complaints'].includes(k))).toEqual([]);
  });
});
