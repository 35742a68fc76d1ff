import { parseEvent } from '../contract/parse';
import { fromStored, toStoredPayload, toWireEvent } from '../contract/stored';
import { alertFor } from './alerts';
import { CONTROL_EVENT_TYPES, controlEvent, type ControlEvent } from './control-events';
import { CREDIT_CONTROL_SAMPLES } from '../../test/credit-control-samples';

const AT = '2026-03-01T10:00:00.000Z';
const samples: ControlEvent[] = [
  controlEvent('LimitBreached', 'limit-breach:C-1:7:90', 'C-1', AT, {
    thresholdPct: 90,
    exposure: 912345n,
    creditLimit: 1000000n,
    causeEventId: 'evt-1',
  }),
  controlEvent('OrderHeld', 'order-held:C-1:SO-9', 'C-1', AT, {
    orderId: 'SO-9',
    reason: 'over-limit',
    exposure: 1020000n,
    available: -20000n,
  }),
  controlEvent('OrderReleased', 'order-released:C-1:SO-9', 'C-1', AT, {
    orderId: 'SO-9',
    releasedBy: 'auto',
    reason: 'credit freed by PaymentReceived PAY-1',
  }),
  controlEvent('OverdueNoticeIssued', 'overdue:C-1:INV-1:reminder', 'C-1', AT, {
    invoiceId: 'INV-1',
    step: 'reminder',
    daysPastDue: 1,
    openAmount: 125000n,
  }),
  controlEvent('CustomerFrozen', 'frozen:C-1:9', 'C-1', AT, {
    reason: 'late',
    invoiceIds: ['INV-1'],
    by: 'system',
    cause: 'overdue-amount',
    overdueAmount: 1000001n,
  }),
  controlEvent('CustomerUnfrozen', 'unfrozen:C-1:11', 'C-1', AT, { reason: 'cleared', by: 'system' }),
  controlEvent('DormantLimitFlagged', 'dormant:C-1:2025-09-01', 'C-1', AT, {
    lastUsedOn: '2025-09-01',
    creditLimit: 5000000n,
  }),
  controlEvent('CustomerRerated', 'rerate:C-1:' + AT, 'C-1', AT, {
    trigger: 'scheduled',
    policyVersion: 1,
    fromGrade: 'B',
    toGrade: 'C',
    fromScore: 81,
    toScore: 74,
  }),
  controlEvent('CreditBypassDetected', 'bypass:C-1:INV-2', 'C-1', AT, {
    invoiceId: 'INV-2',
    source: 'billing-eu',
    orderId: 'SO-9',
    reason: 'held-order',
    amount: 1020000n,
    exposure: 2040000n,
    effectiveLimit: 1000000n,
  }),
  controlEvent('TermsExceedGrade', 'terms-exceed:C-1:INV-2', 'C-1', AT, {
    invoiceId: 'INV-2',
    source: 'billing-eu',
    grade: 'C',
    paymentTermsDays: 45,
    maxPaymentTermsDays: 30,
    amount: 1020000n,
  }),
  ...CREDIT_CONTROL_SAMPLES,
  controlEvent('CustomerForgetRequested', 'forget-request:C-1:FR-1', 'C-1', AT, {
    requestId: 'FR-1',
    reason: 'erasure request',
    by: 'ada',
    byRole: 'admin',
  }),
  controlEvent('CustomerForgotten', 'forgotten:C-1:FR-1', 'C-1', AT, {
    requestId: 'FR-1',
    reason: 'erasure request',
    requestedBy: 'ada',
    approvedBy: 'abe',
    approvedByRole: 'admin',
  }),
  controlEvent('CollectionTaskOpened', 'task-opened:collection:C-1:INV-1:reminder', 'C-1', AT, {
    taskId: 'collection:C-1:INV-1:reminder',
    owner: 'u-ana',
    trigger: 'step',
    step: 'reminder',
    ladder: 'gentle',
    invoiceIds: ['INV-1'],
    amountDue: 125000n,
    daysPastDue: 3,
  }),
  controlEvent('CollectionActionRecorded', 'task-action:collection:C-1:INV-1:reminder:a1', 'C-1', AT, {
    taskId: 'collection:C-1:INV-1:reminder',
    action: 'promise',
    note: 'pays on Friday',
    promisedOn: '2026-03-20',
    promisedAmount: 125000n,
    by: 'carl',
  }),
  controlEvent('CollectionTaskClosed', 'task-closed:collection:C-1:INV-1:reminder', 'C-1', AT, {
    taskId: 'collection:C-1:INV-1:reminder',
    reason: 'paid',
    causeEventId: 'PAY-1',
  }),
];

describe('control events', () => {
  it('covers every type in the samples', () => {
    expect(samples.map((s) => s.type)).toEqual([...CONTROL_EVENT_TYPES]);
  });

  it.each(samples.map((e) => [e.type, e]))('round-trips %s through the ledger row', (_t, event) => {
    const row = { ...event, payload: JSON.parse(JSON.stringify(toStoredPayload(event))) };
    expect(fromStored(row)).toEqual(event);
    expect(() => toWireEvent(event)).toThrow(/control event/);
  });

  it('round-trips the optional fields: a receivables warning, a repair with its months, a notice with its ladder', () => {
    const optional: ControlEvent[] = [
      controlEvent('LimitBreached', 'limit-breach:C-1:8:90', 'C-1', AT, {
        thresholdPct: 90,
        exposure: 950000n,
        creditLimit: 1000000n,
        causeEventId: 'evt-2',
        measure: 'receivables',
        receivables: 900000n,
      }),
      controlEvent('CreditLimitChanged', 'limit-repair:C-1:2026-01-12:1', 'C-1', AT, {
        creditLimit: 3000000n,
        previousLimit: 1000000n,
        cause: 'repair',
        requestId: null,
        by: 'system',
        reason: 'repair step 1',
        earnedBy: ['2026-02', '2026-03', '2026-04'],
      }),
      controlEvent('OverdueNoticeIssued', 'overdue:C-1:INV-1:pre-due', 'C-1', AT, {
        invoiceId: 'INV-1',
        step: 'pre-due',
        daysPastDue: -3,
        openAmount: 125000n,
        ladder: 'gentle',
      }),
    ];
    for (const event of optional) {
      const row = { ...event, payload: JSON.parse(JSON.stringify(toStoredPayload(event))) };
      expect(fromStored(row)).toEqual(event);
    }
  });

  it.each([...CONTROL_EVENT_TYPES])('is refused from Kafka: %s is UNKNOWN_TYPE', (type) => {
    const r = parseEvent({
      eventId: 'x',
      type,
      version: 1,
      customerId: 'C-1',
      occurredAt: AT,
      source: 'credit-ledger',
      payload: { reason: 'by billing', invoiceIds: [], by: 'billing' },
    });
    expect(r).toEqual({
      ok: false,
      code: 'UNKNOWN_TYPE',
      reason: `type: "${type}" is not a known event type`,
      ids: { eventId: 'x', customerId: 'C-1', source: 'credit-ledger' },
    });
  });

  it('turns into alerts on their topics with amounts in major units', () => {
    expect(alertFor(samples[0], '8', 'EUR')).toEqual({
      topic: 'credit.alerts.limit-breach',
      key: 'C-1',
      value: {
        alertId: 'limit-breach:C-1:7:90',
        type: 'LimitBreached',
        customerId: 'C-1',
        occurredAt: AT,
        ledgerSequence: '8',
        details: {
          thresholdPct: 90,
          exposure: '9123.45',
          creditLimit: '10000.00',
          currency: 'EUR',
          causeEventId: 'evt-1',
          measure: 'exposure',
        },
      },
    });
    expect(alertFor(samples[1], '9', 'EUR').value.details).toEqual({
      orderId: 'SO-9',
      reason: 'over-limit',
      exposure: '10200.00',
      available: '-200.00',
      currency: 'EUR',
    });
    expect(samples.slice(0, 10).map((e) => alertFor(e, '1', 'EUR').topic)).toEqual([
      'credit.alerts.limit-breach',
      'credit.alerts.order-held',
      'credit.alerts.order-held',
      'credit.alerts.overdue',
      'credit.alerts.frozen',
      'credit.alerts.frozen',
      'credit.alerts.limit-review',
      'credit.alerts.grade-changed',
      'credit.alerts.bypass',
      'credit.alerts.bypass',
    ]);
    expect(alertFor(samples[4], '1', 'EUR').value.details).toEqual({
      reason: 'late',
      invoiceIds: ['INV-1'],
      by: 'system',
      cause: 'overdue-amount',
      overdueAmount: '10000.01',
      currency: 'EUR',
    });
    expect(alertFor(samples[8], '1', 'EUR').value.details).toEqual({
      invoiceId: 'INV-2',
      source: 'billing-eu',
      orderId: 'SO-9',
      reason: 'held-order',
      amount: '10200.00',
      exposure: '20400.00',
      effectiveLimit: '10000.00',
      currency: 'EUR',
    });
  });
});
