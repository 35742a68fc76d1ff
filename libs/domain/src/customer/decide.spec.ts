import { TestLedger, wire } from '../../test/builders';
import { DomainError } from '../errors';
import { apply } from './apply';
import { decide } from './decide';
import { DEFAULT_GRADE_POLICY } from '../rating/policy';

/** A customer in EUR with INV-1 100.00 (open 40.00 after PAY-1 60.00), ORD-1 open, ORD-2 invoiced. */
function setup(): TestLedger {
  const l = new TestLedger();
  l.onboard('EUR', '1000.00');
  l.add('OrderPlaced', { orderId: 'ORD-1', amount: '10.00', currency: 'EUR' });
  l.add('OrderPlaced', { orderId: 'ORD-2', amount: '20.00', currency: 'EUR' });
  l.invoice('INV-1', '100.00', '2026-01-01', '2026-01-31', { orderId: 'ORD-2' });
  l.pay('PAY-1', '60.00', '2026-01-10'); // auto-applied to INV-1: open 100.00 - 60.00 = 40.00
  return l;
}

const reject = (code: string, reason: string) => ({ kind: 'reject', code, reason });
const park = (code: string, reason: string) => ({ kind: 'park', code, reason });

describe('decide: customer', () => {
  it('parks everything but CustomerOnboarded until the customer exists', () => {
    const l = new TestLedger();
    expect(
      l.decide('InvoiceIssued', {
        invoiceId: 'I',
        amount: '1',
        currency: 'EUR',
        issuedOn: '2026-01-01',
        dueOn: '2026-01-01',
      }),
    ).toEqual(park('UNKNOWN_CUSTOMER', 'waits for CustomerOnboarded'));
    expect(l.decide('OrderCancelled', { orderId: 'O' })).toEqual(
      park('UNKNOWN_CUSTOMER', 'waits for CustomerOnboarded'),
    );
    expect(l.decide('CustomerOnboarded', { name: 'Acme', currency: 'EUR' })).toEqual({ kind: 'accept' });
  });

  it('rejects a second onboarding', () => {
    const l = setup();
    expect(l.decide('CustomerOnboarded', { name: 'Acme', currency: 'EUR' })).toEqual(
      reject('DUPLICATE_ID', 'customer C-1 already onboarded'),
    );
  });

  it('rejects money in another currency', () => {
    const l = setup();
    expect(l.decide('OrderPlaced', { orderId: 'ORD-9', amount: '1.00', currency: 'USD' })).toEqual(
      reject('CURRENCY_MISMATCH', 'customer C-1 is in EUR, event is in USD'),
    );
    expect(
      l.decide('PaymentReceived', {
        paymentId: 'P-9',
        amount: '1',
        currency: 'JPY',
        receivedOn: '2026-01-01',
      }),
    ).toEqual(reject('CURRENCY_MISMATCH', 'customer C-1 is in EUR, event is in JPY'));
  });

  it('rejects an event of another customer', () => {
    const l = setup();
    const e = wire('OrderCancelled', { orderId: 'ORD-1' }, undefined, 'C-2');
    expect(decide(l.state, e)).toEqual(reject('KEY_MISMATCH', 'event is for customer C-2, state is of C-1'));
  });
});

describe('decide: duplicate ids', () => {
  const l = setup();
  l.add('CreditNoteIssued', { creditNoteId: 'CN-1', invoiceId: 'INV-1', amount: '1.00', currency: 'EUR' });
  it.each([
    [
      'InvoiceIssued',
      { invoiceId: 'INV-1', amount: '5', currency: 'EUR', issuedOn: '2026-02-01', dueOn: '2026-02-01' },
      'invoice INV-1 already exists',
    ],
    [
      'CreditNoteIssued',
      { creditNoteId: 'CN-1', invoiceId: 'INV-1', amount: '1', currency: 'EUR' },
      'credit note CN-1 already exists',
    ],
    [
      'PaymentReceived',
      { paymentId: 'PAY-1', amount: '1', currency: 'EUR', receivedOn: '2026-02-01' },
      'payment PAY-1 already exists',
    ],
    ['OrderPlaced', { orderId: 'ORD-1', amount: '1', currency: 'EUR' }, 'order ORD-1 already exists'],
  ] as const)('%s', (type, payload, reason) => {
    expect(l.decide(type, payload)).toEqual(reject('DUPLICATE_ID', reason));
  });
});

describe('decide: unknown references are parked', () => {
  const l = setup();
  it.each([
    [
      'CreditNoteIssued',
      { creditNoteId: 'CN-9', invoiceId: 'INV-9', amount: '1', currency: 'EUR' },
      'UNKNOWN_INVOICE',
      'waits for invoice INV-9',
    ],
    ['DisputeOpened', { invoiceId: 'INV-9', reason: 'x' }, 'UNKNOWN_INVOICE', 'waits for invoice INV-9'],
    ['DisputeResolved', { invoiceId: 'INV-9' }, 'UNKNOWN_INVOICE', 'waits for invoice INV-9'],
    ['InvoiceWrittenOff', { invoiceId: 'INV-9' }, 'UNKNOWN_INVOICE', 'waits for invoice INV-9'],
    [
      'PaymentReceived',
      {
        paymentId: 'PAY-9',
        amount: '50',
        currency: 'EUR',
        receivedOn: '2026-02-01',
        allocations: [
          { invoiceId: 'INV-1', amount: '10' },
          { invoiceId: 'INV-9', amount: '10' },
        ],
      },
      'UNKNOWN_INVOICE',
      'waits for invoice INV-9',
    ],
    [
      'PaymentReversed',
      { paymentId: 'PAY-9', reason: 'bounced' },
      'UNKNOWN_PAYMENT',
      'waits for payment PAY-9',
    ],
    ['OrderCancelled', { orderId: 'ORD-9' }, 'UNKNOWN_ORDER', 'waits for order ORD-9'],
  ] as const)('%s', (type, payload, code, reason) => {
    expect(l.decide(type, payload)).toEqual(park(code, reason));
  });

  it('records an unknown orderId on an invoice without error', () => {
    expect(
      l.decide('InvoiceIssued', {
        invoiceId: 'INV-2',
        amount: '5',
        currency: 'EUR',
        issuedOn: '2026-02-01',
        dueOn: '2026-02-01',
        orderId: 'ORD-404',
      }),
    ).toEqual({ kind: 'accept' });
  });
});

describe('decide: over-allocation', () => {
  const l = setup();
  l.add('CreditNoteIssued', { creditNoteId: 'CN-1', invoiceId: 'INV-1', amount: '30.00', currency: 'EUR' });
  // INV-1: amount 100.00, credited 30.00, allocated 60.00 -> open 10.00

  it('credit notes may not exceed the invoice amount', () => {
    // 30.00 + 70.01 = 100.01 > 100.00
    expect(
      l.decide('CreditNoteIssued', {
        creditNoteId: 'CN-2',
        invoiceId: 'INV-1',
        amount: '70.01',
        currency: 'EUR',
      }),
    ).toEqual(
      reject(
        'OVER_ALLOCATION',
        'credit notes on invoice INV-1 would total 100.01 EUR, more than its amount 100.00 EUR',
      ),
    );
    // 30.00 + 70.00 = 100.00: allowed even though only 10.00 is open (the excess becomes cash on account)
    expect(
      l.decide('CreditNoteIssued', {
        creditNoteId: 'CN-2',
        invoiceId: 'INV-1',
        amount: '70.00',
        currency: 'EUR',
      }),
    ).toEqual({
      kind: 'accept',
    });
  });

  it('allocations may not exceed the payment', () => {
    const payload = {
      paymentId: 'PAY-2',
      amount: '10.00',
      currency: 'EUR',
      receivedOn: '2026-02-01',
      allocations: [{ invoiceId: 'INV-1', amount: '10.01' }],
    };
    expect(l.decide('PaymentReceived', payload)).toEqual(
      reject(
        'OVER_ALLOCATION',
        'allocations of payment PAY-2 total 10.01 EUR, more than its amount 10.00 EUR',
      ),
    );
  });

  it('an allocation may not exceed the open amount', () => {
    const payload = (amount: string) => ({
      paymentId: 'PAY-2',
      amount: '80.00',
      currency: 'EUR',
      receivedOn: '2026-02-01',
      allocations: [{ invoiceId: 'INV-1', amount }],
    });
    expect(l.decide('PaymentReceived', payload('80.00'))).toEqual(
      reject('OVER_ALLOCATION', 'allocation of 80.00 EUR to invoice INV-1 exceeds its open amount 10.00 EUR'),
    );
    expect(l.decide('PaymentReceived', payload('10.00'))).toEqual({ kind: 'accept' });
  });
});

describe('decide: invalid state', () => {
  const l = setup();
  l.invoice('INV-2', '50.00', '2026-01-05', '2026-02-04');
  l.invoice('INV-3', '70.00', '2026-01-06', '2026-02-05');
  l.add('InvoiceWrittenOff', { invoiceId: 'INV-2' }, '2026-03-01T00:00:00Z');
  l.add('DisputeOpened', { invoiceId: 'INV-3', reason: 'damaged' }, '2026-03-01T00:00:00Z');
  l.add('PaymentReversed', { paymentId: 'PAY-1', reason: 'bounced' }, '2026-03-02T00:00:00Z');
  l.pay('PAY-2', '100.00', '2026-03-03'); // oldest-first: INV-1 100.00 (INV-2 written off, INV-3 disputed)
  l.add('OrderCancelled', { orderId: 'ORD-1' }, '2026-03-04T00:00:00Z');

  it.each([
    [
      'PaymentReceived',
      {
        paymentId: 'PAY-3',
        amount: '5',
        currency: 'EUR',
        receivedOn: '2026-03-05',
        allocations: [{ invoiceId: 'INV-2', amount: '5' }],
      },
      'cannot allocate to invoice INV-2: it is written off',
    ],
    ['PaymentReversed', { paymentId: 'PAY-1', reason: 'again' }, 'payment PAY-1 is already reversed'],
    ['DisputeOpened', { invoiceId: 'INV-3', reason: 'again' }, 'invoice INV-3 is already disputed'],
    ['DisputeResolved', { invoiceId: 'INV-1' }, 'invoice INV-1 is not disputed'],
    ['InvoiceWrittenOff', { invoiceId: 'INV-2' }, 'invoice INV-2 is already written off'],
    ['InvoiceWrittenOff', { invoiceId: 'INV-1' }, 'invoice INV-1 has no open amount to write off'],
    ['OrderCancelled', { orderId: 'ORD-2' }, 'order ORD-2 cannot be cancelled: it is already invoiced'],
    ['OrderCancelled', { orderId: 'ORD-1' }, 'order ORD-1 cannot be cancelled: it is already cancelled'],
  ] as const)('%s (case %#)', (type, payload, reason) => {
    expect(l.decide(type, payload)).toEqual(reject('INVALID_STATE', reason));
  });

  it('apply refuses what decide does not accept', () => {
    const e = wire('PaymentReversed', { paymentId: 'PAY-1', reason: 'again' });
    expect(() =>
      apply(l.state, { event: e, sequence: '999', streamVersion: 99 }, DEFAULT_GRADE_POLICY),
    ).toThrow(
      new DomainError(
        'INVALID_STATE',
        `cannot apply PaymentReversed ${e.eventId} (reject): payment PAY-1 is already reversed`,
      ),
    );
    const parked = wire('OrderCancelled', { orderId: 'ORD-9' });
    expect(() =>
      apply(l.state, { event: parked, sequence: '999', streamVersion: 99 }, DEFAULT_GRADE_POLICY),
    ).toThrow(DomainError);
  });
});

describe('decide: figures the ledger keeps stay in range', () => {
  const max = '9999999999999.99'; // the largest single amount: 10^15 − 1 minor units

  it('rejects the invoice or order that would take receivables and orders past 10^17 − 1 minor units', () => {
    const l = new TestLedger();
    l.onboard('EUR', '1.00');
    for (let i = 0; i < 99; i++) l.invoice(`I-${i}`, max, '2026-01-01', '2026-01-31');
    const over = l.decide('InvoiceIssued', {
      invoiceId: 'I-99',
      amount: max,
      currency: 'EUR',
      issuedOn: '2026-01-01',
      dueOn: '2026-01-31',
    });
    // 100 × (10^15 − 1) = 10^17 − 100 ≤ 10^17 − 1: the 100th still fits; then 100 minor units more do not.
    expect(over).toEqual({ kind: 'accept' });
    l.invoice('I-99', max, '2026-01-01', '2026-01-31');
    expect(l.decide('OrderPlaced', { orderId: 'O-1', amount: '1.00', currency: 'EUR' })).toEqual(
      reject(
        'AMOUNT_OUT_OF_RANGE',
        'payload.amount: open receivables and orders of customer C-1 would be 1000000000000000.00 EUR, ' +
          'above the largest figure the ledger keeps, 999999999999999.99 EUR',
      ),
    );
    expect(l.decide('OrderPlaced', { orderId: 'O-1', amount: '0.99', currency: 'EUR' })).toEqual({
      kind: 'accept',
    });
  });

  it('rejects a payment whose cash on account could pass the range', () => {
    const l = new TestLedger();
    l.onboard('EUR', '1.00');
    for (let i = 0; i < 100; i++) l.pay(`P-${i}`, max, '2026-01-10');
    const d = l.decide('PaymentReceived', {
      paymentId: 'P-100',
      amount: '1.00',
      currency: 'EUR',
      receivedOn: '2026-01-10',
    });
    expect(d).toMatchObject({ kind: 'reject', code: 'AMOUNT_OUT_OF_RANGE' });
    expect((d as { reason: string }).reason).toMatch(
      /^payload\.amount: cash on account of customer C-1 would be /,
    );
  });
});

describe('decide: the credit file', () => {
  it('parks a profile update until the customer exists, and checks its currency', () => {
    const l = new TestLedger();
    expect(l.decide('CustomerProfileUpdated', { litigationCount: 1 })).toEqual(
      park('UNKNOWN_CUSTOMER', 'waits for CustomerOnboarded'),
    );
    l.onboard('EUR');
    expect(l.decide('CustomerProfileUpdated', { litigationCount: 1 })).toEqual({ kind: 'accept' });
    expect(
      l.decide('CustomerProfileUpdated', { registration: { registeredCapital: '10', currency: 'USD' } }),
    ).toEqual(reject('CURRENCY_MISMATCH', 'customer C-1 is in EUR, event is in USD'));
  });

  it('refuses a report or a complaint recorded twice', () => {
    const l = new TestLedger();
    l.onboard('EUR');
    const report = {
      agency: 'a',
      reportId: 'R-1',
      rating: 'A',
      reportedOn: '2026-01-01',
      validUntil: '2026-12-31',
    };
    l.add('ExternalCreditReportReceived', report);
    expect(l.decide('ExternalCreditReportReceived', report)).toEqual(
      reject('DUPLICATE_ID', 'credit report R-1 already recorded'),
    );
    const complaint = { complaintId: 'K-1', category: 'c', severity: 'high' };
    l.add('ComplaintRecorded', complaint);
    expect(l.decide('ComplaintRecorded', complaint)).toEqual(
      reject('DUPLICATE_ID', 'complaint K-1 already recorded'),
    );
  });
});
