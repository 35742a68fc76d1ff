// Test-only helpers for the domain specs: wire-style events (decimal strings) parsed through the
// real contract, and a tiny in-memory "ledger" that decides + applies them in order.
import {
  apply,
  decide,
  DEFAULT_GRADE_POLICY,
  initialState,
  parseEvent,
  type ApplyOutcome,
  type BillingEvent,
  type CustomerState,
  type Decision,
  type EventType,
  type GradePolicy,
} from '../src';

let counter = 0;

/** A wire event (v1 unless told) from wire-style input; throws when the contract rejects it. */
export function wire(
  type: EventType,
  payload: Record<string, unknown>,
  occurredAt = '2026-01-01T00:00:00Z',
  customerId = 'C-1',
  version = 1,
): BillingEvent {
  counter += 1;
  const r = parseEvent({
    eventId: `E-${counter}`,
    type,
    version,
    customerId,
    occurredAt,
    source: 'test',
    payload,
  });
  if (!r.ok) throw new Error(`${r.code}: ${r.reason}`);
  return r.event;
}

/** Amounts of the test credit file per currency: the default policy's enterprise targets, met exactly. */
const CAPITAL: Record<string, string> = { JPY: '100000000', KWD: '300000.000' };
const SCALE: Record<string, (eur: string) => string> = {
  JPY: (eur) => eur.replace('.00', '00'),
  KWD: (eur) => eur.replace('.00', '.000'),
};

/**
 * The credit file of a sound enterprise test customer, dated `on` (its onboarding day), for CustomerOnboarded v2.
 * Under the default policy it grades C before any history (hand-computed in rate.spec.ts, profile model):
 * founded 2005 (100 × 15) + capital at target (100 × 10) + tax registered (100 × 5) + industry C21 (80 × 10) +
 * current ratio 2.0 (100 × 10) + debt to assets 40 % (100 × 10) + net margin 10 % (100 × 10) + no external report
 * (0 × 20) + no litigation (100 × 10) = 7800 -> 78, C: a credit band, so test customers meant to have credit do.
 */
export function soundProfile(currency: string, on: string): Record<string, unknown> {
  const amount = SCALE[currency] ?? ((eur: string) => eur);
  return {
    customerType: 'enterprise',
    industry: 'C21',
    registration: {
      registeredCapital: CAPITAL[currency] ?? '1000000.00',
      currency,
      foundedOn: '2005-01-01',
      taxRegistered: true,
    },
    financials: {
      asOf: on,
      currency,
      totalAssets: amount('2000000.00'),
      totalLiabilities: amount('800000.00'),
      currentAssets: amount('1000000.00'),
      currentLiabilities: amount('500000.00'),
      revenue: amount('4000000.00'),
      netIncome: amount('400000.00'),
    },
    litigationCount: 0,
  };
}

export class TestLedger {
  readonly state: CustomerState;
  private sequence = 0;
  constructor(
    customerId = 'C-1',
    readonly policy: GradePolicy = DEFAULT_GRADE_POLICY,
  ) {
    this.state = initialState(customerId);
  }

  decide(type: EventType, payload: Record<string, unknown>, at?: string): Decision {
    return decide(this.state, wire(type, payload, at, this.state.customerId));
  }

  /** Applies an event that must be accepted. */
  add(type: EventType, payload: Record<string, unknown>, at?: string, version = 1): ApplyOutcome {
    const event = wire(type, payload, at, this.state.customerId, version);
    const d = decide(this.state, event);
    if (d.kind !== 'accept') throw new Error(`${type} not accepted: ${d.code} ${d.reason}`);
    this.sequence += 1;
    return apply(
      this.state,
      { event, sequence: String(this.sequence * 10), streamVersion: this.sequence },
      this.policy,
    );
  }

  /** Onboards a customer with the sound credit file (see soundProfile): it starts in a credit band. */
  onboard(currency = 'EUR', creditLimit?: string, at = '2026-01-01T00:00:00Z', name = 'Acme'): ApplyOutcome {
    return this.onboardWith(soundProfile(currency, at.slice(0, 10)), currency, creditLimit, at, name);
  }

  /** Onboards with the given credit-file fields ({} for none: an unassessed customer, cash only). */
  onboardWith(
    profile: Record<string, unknown>,
    currency = 'EUR',
    creditLimit?: string,
    at = '2026-01-01T00:00:00Z',
    name = 'Acme',
  ): ApplyOutcome {
    const payload: Record<string, unknown> = { name, currency, ...profile };
    if (creditLimit !== undefined) payload.creditLimit = creditLimit;
    return this.add('CustomerOnboarded', payload, at, 2);
  }

  invoice(
    invoiceId: string,
    amount: string,
    issuedOn: string,
    dueOn: string,
    extra: Record<string, unknown> = {},
  ) {
    return this.add(
      'InvoiceIssued',
      { invoiceId, amount, currency: this.state.currency, issuedOn, dueOn, ...extra },
      `${issuedOn}T09:00:00Z`,
    );
  }

  pay(
    paymentId: string,
    amount: string,
    receivedOn: string,
    allocations?: { invoiceId: string; amount: string }[],
  ) {
    const payload: Record<string, unknown> = { paymentId, amount, currency: this.state.currency, receivedOn };
    if (allocations) payload.allocations = allocations;
    return this.add('PaymentReceived', payload, `${receivedOn}T10:00:00Z`);
  }

  inv(id: string) {
    const i = this.state.invoices.get(id);
    if (!i) throw new Error(`no invoice ${id}`);
    return i;
  }
}
