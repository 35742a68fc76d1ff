import {
  DEFAULT_GRADE_POLICY,
  applyWithRules,
  cloneState,
  decide,
  initialState,
  isCashOnly,
  parseEvent,
  type BillingEvent,
  type CustomerState,
  type OrderStatus,
} from '@credit-ledger/domain';
import type { WireEvent } from './types';

/** What the credit check makes of an invoice billing is about to issue. */
export interface InvoiceVerdict {
  /** The CreditBypassDetected reason the ledger would record, or null. */
  bypass: string | null;
  /** The longest payment terms the grade's band allows once the invoice is in, or null (no terms recorded). */
  maxTermsDays: number | null;
}

/**
 * What the ledger knows of one customer, for controlled billing: the customer's own events folded through the
 * pure domain exactly as the ledger folds them (foldInMemory's steps, with the default grade policy), so an
 * integrated billing system can ask before it sells on credit. Sequences are local; no decision reads them.
 */
export class LedgerView {
  private readonly state: CustomerState;
  private sequence = 0;
  private readonly nextSequence = (): string => String(++this.sequence);

  constructor(customerId: string) {
    this.state = initialState(customerId);
  }

  /** Folds an event the generator emits; a refusal is a generator bug, so it throws. */
  evolve(wire: WireEvent): void {
    this.applyTo(this.state, this.admitted(wire));
  }

  /** True when the credit check would not let a credit order through now: frozen, blacklisted or cash-only. */
  creditRefused(): boolean {
    return this.state.status !== 'active' || isCashOnly(this.state.rating);
  }

  orderStatus(orderId: string): OrderStatus | null {
    return this.state.orders.get(orderId)?.status ?? null;
  }

  /**
   * The checks `wire` (an InvoiceIssued not yet emitted) would meet: applied to a copy of the state, as the
   * ledger will apply it, so the grade is the one re-rated at the invoice's own time.
   */
  verdict(wire: WireEvent): InvoiceVerdict {
    const copy = cloneState(this.state);
    const derived = this.applyTo(copy, this.admitted(wire));
    let bypass: string | null = null;
    for (const d of derived) {
      const e = d.applied.event;
      if (e.type === 'CreditBypassDetected') bypass = String(e.payload.reason);
    }
    const terms = copy.rating?.terms;
    return { bypass, maxTermsDays: terms === undefined ? null : terms.maxPaymentTermsDays };
  }

  private admitted(wire: WireEvent): BillingEvent {
    const parsed = parseEvent(wire, { key: wire.customerId });
    if (!parsed.ok) throw new Error(`generator produced an invalid event: ${parsed.reason}`);
    const d = decide(this.state, parsed.event);
    if (d.kind !== 'accept') throw new Error(`generator produced an inapplicable event: ${d.reason}`);
    return parsed.event;
  }

  private applyTo(state: CustomerState, event: BillingEvent) {
    const applied = { event, sequence: this.nextSequence(), streamVersion: state.streamVersion + 1 };
    return applyWithRules(state, applied, DEFAULT_GRADE_POLICY, this.nextSequence).derived;
  }
}
