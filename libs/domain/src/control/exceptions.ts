import type { ControlEvent, ControlEventType } from './control-events';

/**
 * What the exceptions report lists (brief §5: every credit decision traceable, "an exceptions/overrides report";
 * seed 004 权责清晰): credit extended or refused outside the rules. A manual release is the override of the order
 * credit check (the only override the ledger has); bypasses and terms beyond the grade are billing's.
 */
export const EXCEPTION_KINDS = [
  'bypass',
  'terms-exceed',
  'manual-release',
  'temporary-limit',
  'manual-freeze',
  'manual-unfreeze',
  'blacklist',
  'unblacklist',
] as const;
export type ExceptionKind = (typeof EXCEPTION_KINDS)[number];

/** The event types an exception can be (the report reads only these rows). */
export const EXCEPTION_EVENT_TYPES: readonly ControlEventType[] = [
  'CreditBypassDetected',
  'TermsExceedGrade',
  'OrderReleased',
  'TemporaryLimitGranted',
  'CustomerFrozen',
  'CustomerUnfrozen',
  'CustomerBlacklisted',
  'CustomerUnblacklisted',
];

export interface CreditException {
  kind: ExceptionKind;
  /** The principal, or the billing system for a bypass. */
  by: string;
  reason: string;
  /** Minor units of the customer's currency; null when the event names no amount (a release: the order's). */
  amount: bigint | null;
  /** The invoice or order concerned, when one is. */
  reference: string | null;
}

/** The exception a control event records, or null when it is the rules at work (auto release, system freeze). */
export function exceptionOf(event: ControlEvent): CreditException | null {
  switch (event.type) {
    case 'CreditBypassDetected': {
      const p = event.payload;
      return { kind: 'bypass', by: p.source, reason: p.reason, amount: p.amount, reference: p.invoiceId };
    }
    case 'TermsExceedGrade': {
      const p = event.payload;
      return {
        kind: 'terms-exceed',
        by: p.source,
        reason: `${p.paymentTermsDays} days' terms, grade ${p.grade} offers at most ${p.maxPaymentTermsDays}`,
        amount: p.amount,
        reference: p.invoiceId,
      };
    }
    case 'OrderReleased': {
      const p = event.payload;
      if (p.releasedBy === 'auto') return null;
      return {
        kind: 'manual-release',
        by: p.releasedBy,
        reason: p.reason,
        amount: null,
        reference: p.orderId,
      };
    }
    case 'TemporaryLimitGranted': {
      const p = event.payload;
      return { kind: 'temporary-limit', by: p.by, reason: p.reason, amount: p.amount, reference: null };
    }
    case 'CustomerFrozen':
    case 'CustomerUnfrozen': {
      const p = event.payload;
      if (p.by === 'system') return null;
      const kind = event.type === 'CustomerFrozen' ? 'manual-freeze' : 'manual-unfreeze';
      return { kind, by: p.by, reason: p.reason, amount: null, reference: null };
    }
    case 'CustomerBlacklisted':
    case 'CustomerUnblacklisted': {
      const p = event.payload;
      const kind = event.type === 'CustomerBlacklisted' ? 'blacklist' : 'unblacklist';
      return { kind, by: p.by, reason: p.reason, amount: null, reference: null };
    }
    default:
      return null;
  }
}
