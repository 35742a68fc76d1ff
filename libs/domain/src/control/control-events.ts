/**
 * Control events: ledger events the system appends itself (rules, jobs, operators), in the customer's stream,
 * with source CONTROL_SOURCE. They are never accepted from Kafka: parseEvent only knows billing types, so a
 * billing system cannot send `CustomerFrozen`. Amounts are bigint minor units of the customer's currency.
 */
import type { BillingEvent, Envelope } from '../contract/envelope';
import {
  CREDIT_CONTROL_EVENT_TYPES,
  creditControlPayloadFromStored,
  isCreditControlEvent,
  isCreditControlType,
  storedCreditControlPayload,
  type CreditControlPayloadMap,
} from './credit-control-events';
import {
  PERSONAL_DATA_EVENT_TYPES,
  isPersonalDataEvent,
  isPersonalDataType,
  personalDataPayloadFromStored,
  storedPersonalDataPayload,
  type PersonalDataPayloadMap,
} from './personal-data-events';
import type { StoredFields } from './stored-fields';
import {
  COLLECTION_EVENT_TYPES,
  COLLECTION_STEPS,
  type CollectionStep,
  collectionPayloadFromStored,
  isCollectionEvent,
  isCollectionType,
  storedCollectionPayload,
  type CollectionPayloadMap,
} from './collection-events';

export type { StoredFields } from './stored-fields';

export const CONTROL_SOURCE = 'credit-ledger';
export const CONTROL_EVENT_VERSION = 1;

export const CONTROL_EVENT_TYPES = [
  'LimitBreached',
  'OrderHeld',
  'OrderReleased',
  'OverdueNoticeIssued',
  'CustomerFrozen',
  'CustomerUnfrozen',
  'DormantLimitFlagged',
  'CustomerRerated',
  'CreditBypassDetected',
  'TermsExceedGrade',
  ...CREDIT_CONTROL_EVENT_TYPES,
  ...PERSONAL_DATA_EVENT_TYPES,
  ...COLLECTION_EVENT_TYPES,
] as const;

export type ControlEventType = (typeof CONTROL_EVENT_TYPES)[number];

/** Why the order credit check held an order ('cash-only': the grade's band extends no credit, seed 000 D). */
export const HOLD_REASONS = ['over-limit', 'frozen', 'blacklisted', 'cash-only'] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];
export { COLLECTION_STEPS, type CollectionStep } from './collection-events';
export type RerateTrigger = 'scheduled' | 'policy-change' | 'manual';

export interface LimitBreachedPayload {
  thresholdPct: number;
  exposure: bigint;
  creditLimit: bigint;
  /** The event whose application pushed the measured figure over the threshold. */
  causeEventId: string;
  /** Present when the policy measures receivables (seed 004); absent: exposure was measured. */
  measure?: 'receivables';
  receivables?: bigint;
}

export interface OrderHeldPayload {
  orderId: string;
  reason: HoldReason;
  /** Exposure without the held order (held orders never count). */
  exposure: bigint;
  /** creditLimit − exposure, before the order; may be negative. */
  available: bigint;
}

export interface OrderReleasedPayload {
  orderId: string;
  /** 'auto' when freed credit released it; otherwise the principal who released it. */
  releasedBy: string;
  reason: string;
}

export interface OverdueNoticeIssuedPayload {
  invoiceId: string;
  step: CollectionStep;
  /** Negative for a reminder before the due date. */
  daysPastDue: number;
  openAmount: bigint;
  /** The ladder of the customer's segment (absent on notices issued before ladders per segment). */
  ladder?: string;
}

/** Which freeze rule froze the customer (seed 004: any overdue invoice; an overdue amount above the threshold). */
export const FREEZE_CAUSES = ['overdue', 'overdue-amount'] as const;
export type FreezeCause = (typeof FREEZE_CAUSES)[number];

export interface CustomerFrozenPayload {
  reason: string;
  invoiceIds: string[];
  /** 'system' for the freeze rule; a principal for a manual freeze. */
  by: string;
  /** Freeze rule only (absent on manual freezes and on freezes stored before causes were recorded). */
  cause?: FreezeCause;
  /** Freeze rule only: the overdue amount when it froze (minor units). */
  overdueAmount?: bigint;
}

export interface CustomerUnfrozenPayload {
  reason: string;
  by: string;
}

export interface DormantLimitFlaggedPayload {
  /** 'YYYY-MM-DD' of the last invoice or order (onboarding date when there was none). */
  lastUsedOn: string;
  creditLimit: bigint;
}

export interface CustomerReratedPayload {
  trigger: RerateTrigger;
  policyVersion: number;
  fromGrade: string | null;
  toGrade: string;
  fromScore: number | null;
  toScore: number;
}

/**
 * Why an invoice went around the credit check (brief §3: a held order that billing invoices anyway is a bypass
 * and must be flagged, never silent; seed 004 杜绝“越权审批”和“流程绕道”).
 */
export const BYPASS_REASONS = [
  'held-order',
  'rejected-order',
  'blacklisted',
  'frozen',
  'cash-only',
  'over-limit',
] as const;
export type BypassReason = (typeof BYPASS_REASONS)[number];

export interface CreditBypassDetectedPayload {
  invoiceId: string;
  /** The billing system that invoiced (the invoice's envelope source): who went around the check. */
  source: string;
  /** The order the invoice names, null when none (or one the ledger does not know). */
  orderId: string | null;
  reason: BypassReason;
  /** The invoice's amount. */
  amount: bigint;
  /** Exposure with the invoice, and the credit the order check allows (0 for a cash-only band). */
  exposure: bigint;
  effectiveLimit: bigint;
}

export interface TermsExceedGradePayload {
  invoiceId: string;
  /** The billing system that invoiced. */
  source: string;
  grade: string;
  paymentTermsDays: number;
  /** The longest terms the grade's band offers (seed 004: AAA 90 days, A 30 days; cash-only 0). */
  maxPaymentTermsDays: number;
  amount: bigint;
}

export interface ControlPayloadMap
  extends CreditControlPayloadMap, PersonalDataPayloadMap, CollectionPayloadMap {
  LimitBreached: LimitBreachedPayload;
  OrderHeld: OrderHeldPayload;
  OrderReleased: OrderReleasedPayload;
  OverdueNoticeIssued: OverdueNoticeIssuedPayload;
  CustomerFrozen: CustomerFrozenPayload;
  CustomerUnfrozen: CustomerUnfrozenPayload;
  DormantLimitFlagged: DormantLimitFlaggedPayload;
  CustomerRerated: CustomerReratedPayload;
  CreditBypassDetected: CreditBypassDetectedPayload;
  TermsExceedGrade: TermsExceedGradePayload;
}

export type ControlEnvelope<T extends ControlEventType = ControlEventType> = Envelope<
  T,
  ControlPayloadMap[T]
>;

export type ControlEvent = { [T in ControlEventType]: ControlEnvelope<T> }[ControlEventType];
export type ControlEventOf<T extends ControlEventType> = ControlEnvelope<T>;

/** Everything that can be in the ledger. */
export type LedgerEvent = BillingEvent | ControlEvent;

const CONTROL_SET: ReadonlySet<string> = new Set(CONTROL_EVENT_TYPES);

export function isControlEventType(value: unknown): value is ControlEventType {
  return typeof value === 'string' && CONTROL_SET.has(value);
}

export function isControlEvent(event: LedgerEvent): event is ControlEvent {
  return CONTROL_SET.has(event.type);
}

/** Builds a control event (source and version filled in). */
export function controlEvent<T extends ControlEventType>(
  type: T,
  eventId: string,
  customerId: string,
  occurredAt: string,
  payload: ControlPayloadMap[T],
): ControlEnvelope<T> {
  return {
    eventId,
    type,
    version: CONTROL_EVENT_VERSION,
    customerId,
    occurredAt,
    source: CONTROL_SOURCE,
    payload,
  };
}

/** JSON-safe payload for the ledger's jsonb column (bigints as minor-unit integer strings). */
export function storedControlPayload(event: ControlEvent): Record<string, unknown> {
  if (isCreditControlEvent(event)) return storedCreditControlPayload(event);
  if (isPersonalDataEvent(event)) return storedPersonalDataPayload(event);
  if (isCollectionEvent(event)) return storedCollectionPayload(event);
  switch (event.type) {
    case 'LimitBreached': {
      const p = event.payload;
      return {
        thresholdPct: p.thresholdPct,
        exposure: p.exposure.toString(),
        creditLimit: p.creditLimit.toString(),
        causeEventId: p.causeEventId,
        ...(p.receivables === undefined
          ? {}
          : { measure: 'receivables', receivables: p.receivables.toString() }),
      };
    }
    case 'OrderHeld': {
      const p = event.payload;
      return {
        orderId: p.orderId,
        reason: p.reason,
        exposure: p.exposure.toString(),
        available: p.available.toString(),
      };
    }
    case 'OrderReleased':
      return { ...event.payload };
    case 'OverdueNoticeIssued': {
      const p = event.payload;
      return {
        invoiceId: p.invoiceId,
        step: p.step,
        daysPastDue: p.daysPastDue,
        openAmount: p.openAmount.toString(),
        ...(p.ladder === undefined ? {} : { ladder: p.ladder }),
      };
    }
    case 'CustomerFrozen': {
      const { overdueAmount, ...rest } = event.payload;
      const out: Record<string, unknown> = { ...rest, invoiceIds: rest.invoiceIds.slice() };
      if (overdueAmount !== undefined) out.overdueAmount = overdueAmount.toString();
      return out;
    }
    case 'CustomerUnfrozen':
      return { ...event.payload };
    case 'DormantLimitFlagged':
      return { lastUsedOn: event.payload.lastUsedOn, creditLimit: event.payload.creditLimit.toString() };
    case 'CustomerRerated':
      return { ...event.payload };
    case 'CreditBypassDetected': {
      const p = event.payload;
      return {
        invoiceId: p.invoiceId,
        source: p.source,
        orderId: p.orderId,
        reason: p.reason,
        amount: p.amount.toString(),
        exposure: p.exposure.toString(),
        effectiveLimit: p.effectiveLimit.toString(),
      };
    }
    case 'TermsExceedGrade':
      return { ...event.payload, amount: event.payload.amount.toString() };
  }
}

/** Inverse of storedControlPayload. */
export function controlPayloadFromStored(type: ControlEventType, f: StoredFields): ControlEvent['payload'] {
  if (isCreditControlType(type)) return creditControlPayloadFromStored(type, f);
  if (isPersonalDataType(type)) return personalDataPayloadFromStored(type, f);
  if (isCollectionType(type)) return collectionPayloadFromStored(type, f);
  switch (type) {
    case 'LimitBreached':
      return {
        thresholdPct: f.int('thresholdPct'),
        exposure: f.amount('exposure'),
        creditLimit: f.amount('creditLimit'),
        causeEventId: f.str('causeEventId'),
        ...(f.has('receivables')
          ? { measure: 'receivables' as const, receivables: f.amount('receivables') }
          : {}),
      };
    case 'OrderHeld': {
      const reason = f.str('reason');
      if (!(HOLD_REASONS as readonly string[]).includes(reason)) {
        f.bad(`payload.reason ${JSON.stringify(reason)} is not a hold reason`);
      }
      return {
        orderId: f.str('orderId'),
        reason: reason as HoldReason,
        exposure: f.amount('exposure'),
        available: f.amount('available'),
      };
    }
    case 'OrderReleased':
      return { orderId: f.str('orderId'), releasedBy: f.str('releasedBy'), reason: f.str('reason') };
    case 'OverdueNoticeIssued': {
      const step = f.str('step');
      if (!(COLLECTION_STEPS as readonly string[]).includes(step)) {
        f.bad(`payload.step ${JSON.stringify(step)} is not a collections step`);
      }
      const ladder = f.strOrNull('ladder');
      return {
        invoiceId: f.str('invoiceId'),
        step: step as CollectionStep,
        daysPastDue: f.int('daysPastDue'),
        openAmount: f.amount('openAmount'),
        ...(ladder === null ? {} : { ladder }),
      };
    }
    case 'CustomerFrozen': {
      const p: CustomerFrozenPayload = {
        reason: f.str('reason'),
        invoiceIds: f.strings('invoiceIds'),
        by: f.str('by'),
      };
      const cause = f.strOrNull('cause');
      if (cause !== null) {
        if (!(FREEZE_CAUSES as readonly string[]).includes(cause))
          f.bad(`payload.cause ${JSON.stringify(cause)} is not a freeze cause`);
        p.cause = cause as FreezeCause;
        p.overdueAmount = f.amount('overdueAmount');
      }
      return p;
    }
    case 'CustomerUnfrozen':
      return { reason: f.str('reason'), by: f.str('by') };
    case 'DormantLimitFlagged':
      return { lastUsedOn: f.str('lastUsedOn'), creditLimit: f.amount('creditLimit') };
    case 'CustomerRerated': {
      const trigger = f.str('trigger');
      if (trigger !== 'scheduled' && trigger !== 'policy-change' && trigger !== 'manual') {
        f.bad(`payload.trigger ${JSON.stringify(trigger)} is not a re-rating trigger`);
      }
      return {
        trigger,
        policyVersion: f.int('policyVersion'),
        fromGrade: f.strOrNull('fromGrade'),
        toGrade: f.str('toGrade'),
        fromScore: f.intOrNull('fromScore'),
        toScore: f.int('toScore'),
      };
    }
    case 'CreditBypassDetected': {
      const reason = f.str('reason');
      if (!(BYPASS_REASONS as readonly string[]).includes(reason))
        f.bad(`payload.reason ${JSON.stringify(reason)} is not a bypass reason`);
      return {
        invoiceId: f.str('invoiceId'),
        source: f.str('source'),
        orderId: f.strOrNull('orderId'),
        reason: reason as BypassReason,
        amount: f.amount('amount'),
        exposure: f.amount('exposure'),
        effectiveLimit: f.amount('effectiveLimit'),
      };
    }
    case 'TermsExceedGrade':
      return {
        invoiceId: f.str('invoiceId'),
        source: f.str('source'),
        grade: f.str('grade'),
        paymentTermsDays: f.int('paymentTermsDays'),
        maxPaymentTermsDays: f.int('maxPaymentTermsDays'),
        amount: f.amount('amount'),
      };
  }
}
