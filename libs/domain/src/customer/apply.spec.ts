import { TestLedger } from '../../test/builders';
import { evaluatePosition } from '../position/position';
import { unappliedTotal } from './state';

/** Open amount, allocated, credited, writtenOff, settledOn of an invoice. */
function inv(l: TestLedger, id: string) {
  const i = l.inv(id);
  expect(i.open).toBe(i.amount - i.credited - i.allocated - i.writtenOff); // cached open = formula (never < 0 here)
  return {
    open: i.open,
    allocated: i.allocated,
    credited: i.credited,
    writtenOff: i.writtenOff,
    settledOn: i.settledOn,
  };
}

function queue(l: TestLedger) {
  return l.state.unappliedCash.map((c) => [c.source, c.amount]);
}

describe('apply: payments', () => {
  function scenarioA(): TestLedger {
    const l = new TestLedger();
    l.onboard('EUR', '10000.00');
    l.invoice('INV-1', '1000.00', '2026-01-01', '2026-01-31');
    l.invoice('INV-2', '500.00', '2026-01-05', '2026-01-20'); // due first
    l.invoice('INV-3', '300.00', '2026-01-10', '2026-01-31'); // same due as INV-1, issued later
    // explicit 100.00 to INV-3, then the rest (1200.00 - 100.00 = 1100.00) oldest first:
    //   INV-2 (due 01-20): 500.00 -> settled, rest 600.00; INV-1 (due 01-31, issued 01-01): 600.00 -> open 400.00
    l.pay('PAY-1', '1200.00', '2026-02-01', [{ invoiceId: 'INV-3', amount: '100.00' }]);
    return l;
  }

  it('applies explicit allocations first, then oldest first (dueOn, issuedOn)', () => {
    const l = scenarioA();
    expect(inv(l, 'INV-1')).toMatchObject({ open: 40000n, allocated: 60000n, settledOn: null });
    expect(inv(l, 'INV-2')).toMatchObject({ open: 0n, allocated: 50000n, settledOn: '2026-02-01' });
    expect(inv(l, 'INV-3')).toMatchObject({ open: 20000n, allocated: 10000n, settledOn: null });
    expect(l.state.payments.get('PAY-1')).toMatchObject({
      unapplied: 0n,
      applications: [
        { invoiceId: 'INV-3', amount: 10000n },
        { invoiceId: 'INV-2', amount: 50000n },
        { invoiceId: 'INV-1', amount: 60000n },
      ],
    });
    // open receivables 400.00 + 0 + 200.00 = 600.00
    expect(evaluatePosition(l.state, '2026-02-01T12:00:00Z').openReceivables).toBe(60000n);
  });

  it('breaks ties on dueOn and issuedOn by issue order', () => {
    const l = new TestLedger();
    l.onboard();
    l.invoice('B', '10.00', '2026-01-01', '2026-01-31');
    l.invoice('A', '10.00', '2026-01-01', '2026-01-31');
    l.pay('P', '15.00', '2026-01-02'); // B (issued first) 10.00, then A 5.00
    expect([inv(l, 'B').open, inv(l, 'A').open]).toEqual([0n, 500n]);
  });

  it('reverses a payment exactly (explicit and automatic applications)', () => {
    const l = scenarioA();
    l.add('PaymentReversed', { paymentId: 'PAY-1', reason: 'bounced' }, '2026-02-02T00:00:00Z');
    expect(inv(l, 'INV-1')).toMatchObject({ open: 100000n, allocated: 0n, settledOn: null });
    expect(inv(l, 'INV-2')).toMatchObject({ open: 50000n, allocated: 0n, settledOn: null });
    expect(inv(l, 'INV-3')).toMatchObject({ open: 30000n, allocated: 0n, settledOn: null });
    expect(l.state.payments.get('PAY-1')).toMatchObject({
      reversed: true,
      reversedOn: '2026-02-02',
      reversalReason: 'bounced',
      applications: [],
      unapplied: 0n,
    });
    expect(l.inv('INV-1').applications).toEqual([]);
  });

  it('keeps unapplied cash on account and applies it FIFO to later invoices', () => {
    const l = new TestLedger();
    l.onboard();
    l.pay('PAY-1', '300.00', '2026-01-02');
    l.pay('PAY-2', '200.00', '2026-01-03');
    expect(queue(l)).toEqual([
      ['PAY-1', 30000n],
      ['PAY-2', 20000n],
    ]);
    // INV-1 400.00: PAY-1's 300.00 first, then 100.00 of PAY-2 -> settled on PAY-2's receivedOn
    l.invoice('INV-1', '400.00', '2026-01-05', '2026-02-04');
    expect(inv(l, 'INV-1')).toMatchObject({ open: 0n, settledOn: '2026-01-03' });
    expect(l.inv('INV-1').applications).toEqual([
      { paymentId: 'PAY-1', amount: 30000n },
      { paymentId: 'PAY-2', amount: 10000n },
    ]);
    expect(queue(l)).toEqual([['PAY-2', 10000n]]);
    const p = evaluatePosition(l.state, '2026-01-05T12:00:00Z');
    expect([p.openReceivables, p.unappliedCash, p.exposure]).toEqual([0n, 10000n, 0n]); // max(0, 0 - 100.00) = 0

    // Reversal of PAY-1, whose cash was applied FIFO: INV-1 re-opens with 300.00, then the 100.00 still on
    // account (PAY-2) is applied to it -> open 200.00, nothing on account.
    l.add('PaymentReversed', { paymentId: 'PAY-1', reason: 'chargeback' }, '2026-01-10T00:00:00Z');
    expect(inv(l, 'INV-1')).toMatchObject({ open: 20000n, allocated: 20000n, settledOn: null });
    expect(l.inv('INV-1').applications).toEqual([{ paymentId: 'PAY-2', amount: 20000n }]);
    expect(queue(l)).toEqual([]);
    expect(l.state.payments.get('PAY-2')).toMatchObject({
      unapplied: 0n,
      applications: [{ invoiceId: 'INV-1', amount: 20000n }],
    });
    expect(evaluatePosition(l.state, '2026-01-10T12:00:00Z').exposure).toBe(20000n);
  });

  it('removes the reversed payment’s cash still on account', () => {
    const l = new TestLedger();
    l.onboard();
    l.invoice('INV-1', '100.00', '2026-01-01', '2026-01-31');
    l.pay('PAY-1', '150.00', '2026-01-02'); // 100.00 to INV-1, 50.00 on account
    l.pay('PAY-2', '20.00', '2026-01-03'); // on account
    l.add('PaymentReversed', { paymentId: 'PAY-1', reason: 'bounced' }, '2026-01-04T00:00:00Z');
    // INV-1 re-opens with 100.00 and takes PAY-2's 20.00 -> open 80.00
    expect(inv(l, 'INV-1')).toMatchObject({ open: 8000n, settledOn: null });
    expect(unappliedTotal(l.state)).toBe(0n);
  });
});

describe('apply: credit notes', () => {
  it('reduces the open amount', () => {
    const l = new TestLedger();
    l.onboard();
    l.invoice('INV-1', '200.00', '2026-01-01', '2026-01-31');
    l.add('CreditNoteIssued', { creditNoteId: 'CN-1', invoiceId: 'INV-1', amount: '50.00', currency: 'EUR' });
    expect(inv(l, 'INV-1')).toMatchObject({ open: 15000n, credited: 5000n, settledOn: null }); // 200 - 50
    expect(l.state.creditNotes.get('CN-1')).toEqual({
      creditNoteId: 'CN-1',
      invoiceId: 'INV-1',
      amount: 5000n,
      issuedOn: '2026-01-01',
    });
  });

  it('turns a credit note above the open amount into cash on account, then applies it FIFO', () => {
    const l = new TestLedger();
    l.onboard();
    l.invoice('INV-1', '100.00', '2026-01-01', '2026-01-31');
    l.pay('PAY-1', '80.00', '2026-01-10'); // INV-1 open 20.00
    // CN 50.00 > open 20.00: excess 30.00 of PAY-1's application goes back on account
    l.add(
      'CreditNoteIssued',
      { creditNoteId: 'CN-1', invoiceId: 'INV-1', amount: '50.00', currency: 'EUR' },
      '2026-01-11T00:00:00Z',
    );
    expect(inv(l, 'INV-1')).toMatchObject({ open: 0n, credited: 5000n, allocated: 5000n, settledOn: null }); // 100 - 50 - 50
    expect(queue(l)).toEqual([['PAY-1', 3000n]]);
    expect(l.state.payments.get('PAY-1')).toMatchObject({
      unapplied: 3000n,
      applications: [{ invoiceId: 'INV-1', amount: 5000n }],
    });
    let p = evaluatePosition(l.state, '2026-01-11T12:00:00Z');
    expect([p.openReceivables, p.unappliedCash, p.exposure]).toEqual([0n, 3000n, 0n]);

    l.invoice('INV-2', '50.00', '2026-01-12', '2026-02-11'); // takes the 30.00 on account -> open 20.00
    expect(inv(l, 'INV-2')).toMatchObject({ open: 2000n, allocated: 3000n, settledOn: null });
    expect(queue(l)).toEqual([]);

    // Reversing PAY-1 undoes 50.00 on INV-1 and the 30.00 that reached INV-2 via the credit note
    l.add('PaymentReversed', { paymentId: 'PAY-1', reason: 'bounced' }, '2026-01-13T00:00:00Z');
    expect(inv(l, 'INV-1').open).toBe(5000n); // 100.00 - 50.00 credited
    expect(inv(l, 'INV-2').open).toBe(5000n);
    p = evaluatePosition(l.state, '2026-01-13T12:00:00Z');
    expect(p.openReceivables).toBe(10000n);
  });

  it('applies the excess of a credit note on a settled invoice to the next open invoice at once', () => {
    const l = new TestLedger();
    l.onboard();
    l.invoice('INV-A', '100.00', '2026-01-01', '2026-01-31');
    l.invoice('INV-B', '100.00', '2026-01-01', '2026-02-28');
    l.pay('PAY-1', '100.00', '2026-01-15'); // settles INV-A
    l.add(
      'CreditNoteIssued',
      { creditNoteId: 'CN-1', invoiceId: 'INV-A', amount: '40.00', currency: 'EUR' },
      '2026-01-16T00:00:00Z',
    );
    // INV-A: 100 - 40 credited - 60 allocated = 0, still settled by PAY-1; 40.00 freed -> INV-B open 60.00
    expect(inv(l, 'INV-A')).toMatchObject({ open: 0n, allocated: 6000n, settledOn: '2026-01-15' });
    expect(inv(l, 'INV-B')).toMatchObject({ open: 6000n, allocated: 4000n });
    expect(unappliedTotal(l.state)).toBe(0n);
  });

  it('shrinks a write-off before handing back payment cash', () => {
    const l = new TestLedger();
    l.onboard();
    l.invoice('INV-1', '100.00', '2026-01-01', '2026-01-31');
    l.pay('PAY-1', '60.00', '2026-01-10');
    l.add('InvoiceWrittenOff', { invoiceId: 'INV-1' }, '2026-06-01T00:00:00Z'); // writes off 40.00
    l.add(
      'CreditNoteIssued',
      { creditNoteId: 'CN-1', invoiceId: 'INV-1', amount: '30.00', currency: 'EUR' },
      '2026-06-02T00:00:00Z',
    );
    // excess 30.00 (open was 0): write-off 40.00 -> 10.00; PAY-1 keeps its 60.00
    expect(inv(l, 'INV-1')).toMatchObject({ open: 0n, writtenOff: 1000n, allocated: 6000n, credited: 3000n });
    expect(unappliedTotal(l.state)).toBe(0n);
  });
});

describe('apply: write-offs', () => {
  it('writes off the open amount and keeps the invoice out of automatic application', () => {
    const l = new TestLedger();
    l.onboard();
    l.invoice('INV-1', '100.00', '2026-01-01', '2026-01-31');
    l.invoice('INV-2', '70.00', '2026-02-01', '2026-03-03');
    l.pay('PAY-1', '60.00', '2026-01-10', [{ invoiceId: 'INV-1', amount: '60.00' }]);
    l.add('InvoiceWrittenOff', { invoiceId: 'INV-1' }, '2026-05-01T08:00:00Z');
    expect(inv(l, 'INV-1')).toMatchObject({ open: 0n, writtenOff: 4000n, settledOn: null }); // 100 - 60
    expect(l.inv('INV-1').writtenOffOn).toBe('2026-05-01');
    l.pay('PAY-2', '50.00', '2026-05-02'); // INV-1 skipped: all to INV-2 -> open 20.00
    expect(inv(l, 'INV-2').open).toBe(2000n);
    // A reversal on a written-off invoice extends the write-off: written-off invoices stay at 0 open
    l.add('PaymentReversed', { paymentId: 'PAY-1', reason: 'bounced' }, '2026-05-03T00:00:00Z');
    expect(inv(l, 'INV-1')).toMatchObject({ open: 0n, writtenOff: 10000n, allocated: 0n });
  });
});

describe('apply: disputes', () => {
  it('skips disputed invoices and applies cash on account when the dispute is resolved', () => {
    const l = new TestLedger();
    l.onboard();
    l.invoice('INV-1', '100.00', '2026-01-01', '2026-01-31');
    l.invoice('INV-2', '100.00', '2026-01-02', '2026-02-28');
    l.add('DisputeOpened', { invoiceId: 'INV-1', reason: 'damaged' }, '2026-01-05T00:00:00Z');
    l.pay('PAY-1', '150.00', '2026-01-06'); // INV-2 100.00, 50.00 on account
    expect([inv(l, 'INV-1').open, inv(l, 'INV-2').open, unappliedTotal(l.state)]).toEqual([
      10000n,
      0n,
      5000n,
    ]);
    l.add('DisputeResolved', { invoiceId: 'INV-1' }, '2026-01-20T00:00:00Z');
    expect([inv(l, 'INV-1').open, unappliedTotal(l.state)]).toEqual([5000n, 0n]);
    expect(l.state.disputes).toEqual([
      { invoiceId: 'INV-1', openedOn: '2026-01-05', resolvedOn: '2026-01-20' },
    ]);
    expect(l.inv('INV-1').disputed).toBe(false);
  });

  it('lets an explicit allocation pay a disputed invoice', () => {
    const l = new TestLedger();
    l.onboard();
    l.invoice('INV-1', '100.00', '2026-01-01', '2026-01-31');
    l.add('DisputeOpened', { invoiceId: 'INV-1', reason: 'damaged' }, '2026-01-05T00:00:00Z');
    l.pay('PAY-1', '100.00', '2026-01-06', [{ invoiceId: 'INV-1', amount: '100.00' }]);
    expect(inv(l, 'INV-1')).toMatchObject({ open: 0n, settledOn: '2026-01-06' });
  });
});

describe('apply: orders', () => {
  it('tracks open orders through invoicing and cancellation', () => {
    const l = new TestLedger();
    l.onboard();
    l.add('OrderPlaced', { orderId: 'O-1', amount: '500.00', currency: 'EUR' });
    l.add('OrderPlaced', { orderId: 'O-2', amount: '200.00', currency: 'EUR' });
    expect(l.state.openOrdersTotal).toBe(70000n);
    l.invoice('INV-1', '480.00', '2026-01-02', '2026-02-01', { orderId: 'O-1' });
    expect(l.state.orders.get('O-1')).toEqual({
      orderId: 'O-1',
      amount: 50000n,
      status: 'invoiced',
      invoiceId: 'INV-1',
    });
    l.add('OrderCancelled', { orderId: 'O-2' }, '2026-01-03T00:00:00Z');
    expect(l.state.orders.get('O-2')?.status).toBe('cancelled');
    expect(l.state.openOrdersTotal).toBe(0n);
    // an unknown orderId is just recorded; when that order arrives later it is already invoiced
    l.invoice('INV-2', '10.00', '2026-01-04', '2026-02-03', { orderId: 'O-3' });
    expect(l.inv('INV-2').orderId).toBe('O-3');
    l.add('OrderPlaced', { orderId: 'O-3', amount: '10.00', currency: 'EUR' }, '2026-01-05T00:00:00Z');
    expect(l.state.orders.get('O-3')).toMatchObject({ status: 'invoiced', invoiceId: 'INV-2' });
    expect(l.state.openOrdersTotal).toBe(0n);
  });
});

describe('apply: bookkeeping', () => {
  it('sets streamVersion, lastSequence, clock and firstEventAt', () => {
    const l = new TestLedger();
    l.onboard('EUR', undefined, '2026-01-01T08:00:00+01:00');
    expect(l.state).toMatchObject({
      onboarded: true,
      name: 'Acme',
      currency: 'EUR',
      creditLimit: 0n,
      onboardedAt: '2026-01-01T07:00:00.000Z',
      streamVersion: 1,
      lastSequence: '10',
      clock: '2026-01-01T07:00:00.000Z',
      firstEventAt: '2026-01-01T07:00:00.000Z',
    });
    l.add('OrderPlaced', { orderId: 'O-1', amount: '1.00', currency: 'EUR' }, '2026-01-03T00:00:00Z');
    l.add('OrderPlaced', { orderId: 'O-2', amount: '1.00', currency: 'EUR' }, '2026-01-02T00:00:00Z'); // late event
    expect(l.state).toMatchObject({
      streamVersion: 3,
      lastSequence: '30',
      clock: '2026-01-03T00:00:00.000Z',
    });
    expect(l.state.rating?.at).toBe('2026-01-03T00:00:00.000Z');
  });
});
