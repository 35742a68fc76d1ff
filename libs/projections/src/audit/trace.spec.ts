import { DEFAULT_GRADE_POLICY, GradePolicy, validatePolicy } from '@credit-ledger/domain';
import type { StoredEvent } from '@credit-ledger/ledger-store';
import { wire } from '../../../domain/test/builders';
import { replayStream } from '../as-of-replay';
import { traceStream } from './trace';

const C = 'C-1';
function stream(): StoredEvent[] {
  const events = [
    wire(
      'CustomerOnboarded',
      { name: 'Acme', currency: 'EUR', creditLimit: '10000.00' },
      '2026-01-01T09:00:00Z',
    ),
    wire(
      'InvoiceIssued',
      { invoiceId: 'I-1', amount: '1000.00', currency: 'EUR', issuedOn: '2026-01-02', dueOn: '2026-01-31' },
      '2026-01-02T09:00:00Z',
    ),
    wire(
      'PaymentReceived',
      { paymentId: 'P-1', amount: '1000.00', currency: 'EUR', receivedOn: '2026-01-20' },
      '2026-01-20T09:00:00Z',
    ),
    wire('OrderPlaced', { orderId: 'O-1', amount: '50.00', currency: 'EUR' }, '2026-06-01T09:00:00Z'),
  ];
  return events.map((event, i) => ({ sequence: String(i + 1), streamVersion: i + 1, event }));
}

describe('traceStream attribution', () => {
  it('attributes the first rating to its event, then only what each event changed', () => {
    const steps = traceStream(C, stream(), () => DEFAULT_GRADE_POLICY);
    expect(steps[0].movedByEvent).toEqual(['punctuality', 'overdue', 'volume', 'tenure', 'disputes']);
    // An invoice adds volume and open receivables (overdue's inputs), nothing else.
    expect(steps[1].movedByEvent).toEqual(['overdue', 'volume']);
    // Paying on time settles it: punctuality and the open receivables change.
    expect(steps[2].movedByEvent).toEqual(['punctuality', 'overdue']);
    // An order moves no factor input; the months that passed moved tenure (and the volume window did not).
    expect(steps[3].movedByEvent).toEqual([]);
    expect(steps[3].movedByTime).toContain('tenure');
    expect(steps.every((s) => s.movedByPolicy.length === 0)).toBe(true);
  });

  it('names a policy change, not elapsed time, when the version in force changes', () => {
    const v2: GradePolicy = validatePolicy({
      ...DEFAULT_GRADE_POLICY,
      version: 2,
      weights: { punctuality: 40, overdue: 25, volume: 10, tenure: 15, disputes: 10 },
    });
    const resolve = (s: string): GradePolicy => (Number(s) >= 4 ? v2 : DEFAULT_GRADE_POLICY);
    const events = stream();
    const steps = traceStream(C, events, resolve);
    expect(steps[3].policyVersion).toBe(2);
    expect(steps[3].movedByPolicy).toEqual(expect.arrayContaining(['punctuality', 'volume']));
    expect(steps[3].movedByTime).toEqual([]);
    // The trace is the replay: same ratings and grade changes as replayStream.
    const replay = replayStream(C, events, resolve);
    expect(steps[3].after).toEqual(replay.state.rating);
    expect(steps.flatMap((s) => (s.gradeChange ? [s.gradeChange] : []))).toEqual(replay.gradeChanges);
  });
});
