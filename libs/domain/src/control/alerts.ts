import type { CustomerState } from '../customer/state';
import { formatAmount } from '../money';
import { PERSONAL_DATA_TOPICS } from './personal-data-events';
import { COLLECTIONS_TOPIC, collectionAlertDetails, isCollectionEvent } from './collection-events';
import type { ControlEvent, ControlEventType } from './control-events';
import {
  CREDIT_CONTROL_TOPICS,
  creditControlAlertDetails,
  isCreditControlEvent,
} from './credit-control-events';

/** Topics finance subscribes to; key = customerId. */
export const ALERT_TOPICS = {
  overdue: 'credit.alerts.overdue',
  limitBreach: 'credit.alerts.limit-breach',
  orderHeld: 'credit.alerts.order-held',
  gradeChanged: 'credit.alerts.grade-changed',
  frozen: 'credit.alerts.frozen',
  limitReview: 'credit.alerts.limit-review',
  approvalReminder: 'credit.alerts.approval-reminder',
  /** Billing went around credit control: an invoice the check would not have allowed, terms beyond the grade. */
  bypass: 'credit.alerts.bypass',
  personalData: 'credit.alerts.personal-data',
  collectionTasks: COLLECTIONS_TOPIC,
} as const;

export const ALL_ALERT_TOPICS: readonly string[] = Object.values(ALERT_TOPICS);

/** Alert `type`: the control event's type, or GradeChanged for a grade moved by a billing event. */
export type AlertType = ControlEventType | 'GradeChanged';

/** Who an alert is for, as the credit file says when it is raised. */
export interface AlertRecipient {
  /** 'account-owner': the customer's salesperson; 'finance': the finance team; 'customer': its contact. */
  role: 'account-owner' | 'finance' | 'customer';
  /** The account owner's id (null for the others). */
  id: string | null;
  /** The address as the credit file holds it (sealed personal data); null: none on file, or finance (configured). */
  email: string | null;
}

/**
 * Recipients of an alert: the account owner and finance for every alert (seed 004: "向销售负责人和财务部门发送提醒"),
 * and the customer's contact for a limit warning below 100 % (seed 004: "超过信用额度的90%时,系统自动向销售和客户
 * 发送预警通知").
 */
export function alertRecipients(state: CustomerState, message: AlertMessage): AlertRecipient[] {
  const out: AlertRecipient[] = [];
  const owner = state.personal?.accountOwner ?? null;
  if (owner !== null) out.push({ role: 'account-owner', id: owner.id, email: owner.email });
  out.push({ role: 'finance', id: null, email: null });
  if (message.type === 'LimitBreached' && Number(message.details.thresholdPct) < 100)
    out.push({ role: 'customer', id: null, email: state.personal?.contactEmail ?? null });
  return out;
}

/** The JSON value published on an alert topic. */
export interface AlertMessage {
  /** Stable: the control event's eventId (or derived from the causing event), so consumers can dedupe. */
  alertId: string;
  type: AlertType;
  customerId: string;
  occurredAt: string;
  ledgerSequence: string;
  details: Record<string, unknown>;
  /** Set by the ledger when the alert is raised (alertRecipients). */
  recipients?: AlertRecipient[];
}

export interface Alert {
  topic: string;
  key: string;
  value: AlertMessage;
}

const TOPIC_OF: Record<ControlEventType, string> = {
  LimitBreached: ALERT_TOPICS.limitBreach,
  OrderHeld: ALERT_TOPICS.orderHeld,
  OrderReleased: ALERT_TOPICS.orderHeld,
  OverdueNoticeIssued: ALERT_TOPICS.overdue,
  CustomerFrozen: ALERT_TOPICS.frozen,
  CustomerUnfrozen: ALERT_TOPICS.frozen,
  DormantLimitFlagged: ALERT_TOPICS.limitReview,
  CustomerRerated: ALERT_TOPICS.gradeChanged,
  CreditBypassDetected: ALERT_TOPICS.bypass,
  TermsExceedGrade: ALERT_TOPICS.bypass,
  ...CREDIT_CONTROL_TOPICS,
  ...PERSONAL_DATA_TOPICS,
  CollectionTaskOpened: COLLECTIONS_TOPIC,
  CollectionActionRecorded: COLLECTIONS_TOPIC,
  CollectionTaskClosed: COLLECTIONS_TOPIC,
};

/** The alert a control event raises. Amounts are decimal strings in major units of `currency`. */
export function alertFor(event: ControlEvent, ledgerSequence: string, currency: string): Alert {
  const amt = (v: bigint): string => formatAmount(v, currency);
  let details: Record<string, unknown>;
  switch (event.type) {
    case 'LimitBreached': {
      const p = event.payload;
      details = {
        thresholdPct: p.thresholdPct,
        exposure: amt(p.exposure),
        creditLimit: amt(p.creditLimit),
        currency,
        causeEventId: p.causeEventId,
        measure: p.measure ?? 'exposure',
        ...(p.receivables === undefined ? {} : { receivables: amt(p.receivables) }),
      };
      break;
    }
    case 'OrderHeld': {
      const p = event.payload;
      details = {
        orderId: p.orderId,
        reason: p.reason,
        exposure: amt(p.exposure),
        available: amt(p.available),
        currency,
      };
      break;
    }
    case 'OverdueNoticeIssued': {
      const p = event.payload;
      details = {
        invoiceId: p.invoiceId,
        step: p.step,
        daysPastDue: p.daysPastDue,
        openAmount: amt(p.openAmount),
        currency,
        ...(p.ladder === undefined ? {} : { ladder: p.ladder }),
      };
      break;
    }
    case 'DormantLimitFlagged':
      details = {
        lastUsedOn: event.payload.lastUsedOn,
        creditLimit: amt(event.payload.creditLimit),
        currency,
      };
      break;
    case 'CreditBypassDetected': {
      const p = event.payload;
      details = {
        invoiceId: p.invoiceId,
        source: p.source,
        orderId: p.orderId,
        reason: p.reason,
        amount: amt(p.amount),
        exposure: amt(p.exposure),
        effectiveLimit: amt(p.effectiveLimit),
        currency,
      };
      break;
    }
    case 'TermsExceedGrade':
      details = { ...event.payload, amount: amt(event.payload.amount), currency };
      break;
    case 'CustomerFrozen': {
      const { overdueAmount, ...rest } = event.payload;
      details = { ...rest, invoiceIds: rest.invoiceIds.slice() };
      if (overdueAmount !== undefined)
        Object.assign(details, { overdueAmount: amt(overdueAmount), currency });
      break;
    }
    default:
      if (isCreditControlEvent(event)) details = creditControlAlertDetails(event, currency);
      else if (isCollectionEvent(event)) details = collectionAlertDetails(event, currency);
      else details = { ...event.payload };
  }
  return {
    topic: TOPIC_OF[event.type],
    key: event.customerId,
    value: {
      alertId: event.eventId,
      type: event.type,
      customerId: event.customerId,
      occurredAt: event.occurredAt,
      ledgerSequence,
      details,
    },
  };
}

export interface IngestGradeChange {
  customerId: string;
  sequence: string;
  occurredAt: string;
  causeEventId: string;
  causeEventType: string;
  fromGrade: string;
  toGrade: string;
  fromScore: number | null;
  toScore: number;
  policyVersion: number;
}

/** A grade moved by a billing event (re-rating on ingest); the first rating at onboarding is not a change. */
export function gradeChangedAlert(c: IngestGradeChange): Alert {
  return {
    topic: ALERT_TOPICS.gradeChanged,
    key: c.customerId,
    value: {
      alertId: `grade-changed:${c.customerId}:${c.sequence}`,
      type: 'GradeChanged',
      customerId: c.customerId,
      occurredAt: c.occurredAt,
      ledgerSequence: c.sequence,
      details: {
        trigger: 'event',
        causeEventId: c.causeEventId,
        causeEventType: c.causeEventType,
        policyVersion: c.policyVersion,
        fromGrade: c.fromGrade,
        toGrade: c.toGrade,
        fromScore: c.fromScore,
        toScore: c.toScore,
      },
    },
  };
}
