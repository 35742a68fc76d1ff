import {
  DEFAULT_GRADE_POLICY,
  FIVE_FACTOR_GRADE_POLICY,
  GradePolicy,
  HISTORY_FACTORS,
  PROFILE_FACTORS,
  validatePolicy,
} from '@credit-ledger/domain';
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
    expect(steps[0].movedByEvent).toEqual(['blend', ...HISTORY_FACTORS, ...PROFILE_FACTORS]);
    // An invoice adds volume (and so the history points the blend records), nothing else.
    expect(steps[1].movedByEvent).toEqual(['blend', 'volume']);
    // Paying it settles it: a collection observation, and the history's share of the blend.
    expect(steps[2].movedByEvent).toEqual(['blend', 'collection']);
    // An order moves no factor input; the months that passed moved tenure (and the volume window did not).
    expect(steps[3].movedByEvent).toEqual([]);
    expect(steps[3].movedByTime).toContain('tenure');
    expect(steps.every((s) => s.movedByPolicy.length === 0)).toBe(true);
  });

  it('names a policy change, not elapsed time, when the version in force changes', () => {
    const doc = JSON.parse(JSON.stringify(DEFAULT_GRADE_POLICY));
    doc.version = 2;
    doc.segments.enterprise.history.weights = {
      collection: 40,
      overdueOccurrences: 25,
      volume: 10,
      tenure: 15,
      complaints: 10,
    };
    const v2: GradePolicy = validatePolicy(doc);
    const resolve = (s: string): GradePolicy => (Number(s) >= 4 ? v2 : DEFAULT_GRADE_POLICY);
    const events = stream();
    const steps = traceStream(C, events, resolve);
    expect(steps[3].policyVersion).toBe(2);
    expect(steps[3].movedByPolicy).toEqual(expect.arrayContaining(['collection', 'volume']));
    expect(steps[3].movedByTime).toEqual([]);
    // The trace is the replay: same ratings and grade changes as replayStream.
    const replay = replayStream(C, events, resolve);
    expect(steps[3].after).toEqual(replay.state.rating);
    expect(steps.flatMap((s) => (s.gradeChange ? [s.gradeChange] : []))).toEqual(replay.gradeChanges);
  });

  it('crosses from a five-factor policy to the assessment model, matching factors by name', () => {
    const v2: GradePolicy = validatePolicy({
      ...JSON.parse(JSON.stringify(DEFAULT_GRADE_POLICY)),
      version: 2,
    });
    const resolve = (s: string): GradePolicy => (Number(s) >= 4 ? v2 : FIVE_FACTOR_GRADE_POLICY);
    const steps = traceStream(C, stream(), resolve);
    expect(steps[2].after!.factors.map((f) => f.factor)).toEqual([
      'punctuality',
      'overdue',
      'volume',
      'tenure',
      'disputes',
    ]);
    // Every factor of the new model is absent from the five-factor rating or differs from it (volume and tenure
    // have the same names but other scales): the policy moved them all.
    expect(steps[3].movedByPolicy).toEqual(['blend', ...HISTORY_FACTORS, ...PROFILE_FACTORS]);
    expect(steps[3].after!.terms?.settlement).toBe('cash-only'); // no credit file: unassessed under v2
  });
});
