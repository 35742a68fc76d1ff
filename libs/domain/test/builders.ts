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

/** A v1 event from wire-style input; throws when the contract rejects it. */
export function wire(
  type: EventType,
  payload: Record<string, unknown>,
  occurredAt = '2026-01-01T00:00:00Z',
  customerId = 'C-1',
): BillingEvent {
  counter += 1;
  const r = parseEvent({
    eventId: `E-${counter}`,
    type,
    version: 1,
    customerId,
    occurredAt,
    source: 'test',
    payload,
  });
  if (!r.ok) throw new Error(`${r.code}: ${r.reason}`);
  return r.event;
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
  add(type: EventType, payload: Record<string, unknown>, at?: string): ApplyOutcome {
    const event = wire(type, payload, at, this.state.customerId);
    const d = decide(this.state, event);
    if (d.kind !== 'accept') throw new Error(`${type} not accepted: ${d.code} ${d.reason}`);
    this.sequence += 1;
    return apply(
      this.state,
      { event, sequence: String(this.sequence * 10), streamVersion: this.sequence },
      this.policy,
    );
  }

  onboard(currency = 'EUR', creditLimit?: string, at = '2026-01-01T00:00:00Z', name = 'Acme'): ApplyOutcome {
    return this.add(
      'CustomerOnboarded',
      creditLimit === undefined ? { name, currency } : { name, currency, creditLimit },
      at,
    );
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
