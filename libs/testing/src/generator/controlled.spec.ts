import { createHash } from 'crypto';
import {
  DEFAULT_GRADE_POLICY,
  applyWithRules,
  decide,
  initialState,
  parseEvent,
  type CustomerState,
} from '@credit-ledger/domain';
import { generateHistory, type GeneratorOptions, type WireEvent } from '.';

interface Derived {
  billingEvents: number;
  invoices: number;
  /** invoiceId → CreditBypassDetected reason. */
  bypasses: Map<string, string>;
  /** Invoice ids with TermsExceedGrade. */
  termsExceeded: Set<string>;
  byType: Record<string, number>;
}

/** Folds a history exactly as the ledger does and collects what its rules derive; throws on any refused event. */
function derive(events: WireEvent[]): Derived {
  const states = new Map<string, CustomerState>();
  const out: Derived = {
    billingEvents: 0,
    invoices: 0,
    bypasses: new Map(),
    termsExceeded: new Set(),
    byType: {},
  };
  let sequence = 0;
  const next = (): string => String(++sequence);
  for (const wire of events) {
    const parsed = parseEvent(JSON.stringify(wire), { key: wire.customerId });
    if (!parsed.ok) throw new Error(`${wire.eventId}: ${parsed.reason}`);
    const state = states.get(wire.customerId) ?? initialState(wire.customerId);
    states.set(wire.customerId, state);
    const decision = decide(state, parsed.event);
    if (decision.kind !== 'accept') throw new Error(`${wire.eventId}: ${decision.reason}`);
    out.billingEvents++;
    if (parsed.event.type === 'InvoiceIssued') out.invoices++;
    const applied = { event: parsed.event, sequence: next(), streamVersion: state.streamVersion + 1 };
    for (const d of applyWithRules(state, applied, DEFAULT_GRADE_POLICY, next).derived) {
      const e = d.applied.event;
      out.byType[e.type] = (out.byType[e.type] ?? 0) + 1;
      if (e.type === 'CreditBypassDetected') out.bypasses.set(e.payload.invoiceId, e.payload.reason);
      if (e.type === 'TermsExceedGrade') out.termsExceeded.add(e.payload.invoiceId);
    }
  }
  return out;
}

function sha256(events: WireEvent[]): string {
  const hash = createHash('sha256');
  for (const e of events) hash.update(JSON.stringify(e) + '\n');
  return hash.digest('hex');
}

describe('generateEvents, controlled billing', () => {
  const controlled: GeneratorOptions = {
    seed: 42,
    customers: 800,
    eventsPerCustomer: 10,
    billing: 'controlled',
  };

  it('leaves uncontrolled histories byte-identical to those before controlled billing existed', () => {
    // given the hash of this history taken before the option was added
    const before = '4b22f02a5ff0698803e61fe29f0fbadd1317ca3c9dee0493240fb70d47b97494';
    const small = { seed: 7, customers: 50, eventsPerCustomer: 12 };
    // then the default and the explicit 'uncontrolled' both still produce it
    expect(sha256(generateHistory(small))).toBe(before);
    expect(sha256(generateHistory({ ...small, billing: 'uncontrolled', bypassRate: 0.5 }))).toBe(before);
  });

  it('is deterministic and keeps the exact event count', () => {
    const small = { ...controlled, customers: 300 };
    const a = generateHistory(small);
    expect(JSON.stringify(generateHistory(small))).toBe(JSON.stringify(a));
    expect(a).toHaveLength(3000);
    expect(JSON.stringify(a)).not.toBe(
      JSON.stringify(generateHistory({ ...small, billing: 'uncontrolled' })),
    );
  });

  it('bypasses the credit check for about bypassRate of invoices, and exceeds terms only then', () => {
    // given a controlled history whose billing goes around the check for 1 % of invoices (the default)
    const history = generateHistory(controlled);
    // when the ledger folds it (any invalid or refused event throws)
    const d = derive(history);
    // then about 1 % of invoices are flagged, and every invoice with terms beyond its grade is one of them
    expect(d.billingEvents).toBe(8000);
    const share = d.bypasses.size / d.invoices;
    expect(share).toBeGreaterThan(0.005);
    expect(share).toBeLessThan(0.015);
    for (const id of d.termsExceeded) expect(d.bypasses.has(id)).toBe(true);
    // cash orders are used, and the ledger still holds orders for billing to wait on
    expect(history.some((e) => e.type === 'OrderPlaced' && e.payload.paymentMethod === 'cash')).toBe(true);
    expect(d.byType.OrderHeld ?? 0).toBeGreaterThan(0);
  });

  it('follows bypassRate both ways: none at 0, about 5 % at 0.05', () => {
    const none = derive(generateHistory({ ...controlled, customers: 500, bypassRate: 0 }));
    expect(none.bypasses.size).toBe(0);
    expect(none.termsExceeded.size).toBe(0);
    const more = derive(generateHistory({ ...controlled, customers: 500, bypassRate: 0.05 }));
    const share = more.bypasses.size / more.invoices;
    expect(share).toBeGreaterThan(0.035);
    expect(share).toBeLessThan(0.065);
  });

  it('rejects a bad billing mode or rate', () => {
    expect(() => generateHistory({ ...controlled, bypassRate: 1.5 })).toThrow(/bypassRate/);
    expect(() => generateHistory({ ...controlled, billing: 'other' as 'controlled' })).toThrow(/billing/);
  });
});
