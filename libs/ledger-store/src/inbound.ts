import type { BillingEvent } from '@credit-ledger/domain';

/** Where an input came from: a Kafka message, kept verbatim so a rejection can be replayed by hand. */
export interface MessageOrigin {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string;
}

export interface InboundEvent {
  event: BillingEvent;
  origin: MessageOrigin;
}

export interface Rejection {
  origin: MessageOrigin;
  code: string;
  reason: string;
  source?: string;
  eventId?: string;
  customerId?: string;
}

export interface GradeChange {
  customerId: string;
  sequence: string;
  eventId: string;
  eventType: string;
  ratedAt: string;
  fromGrade: string | null;
  toGrade: string;
  fromScore: number | null;
  toScore: number;
  policyVersion: number;
}

export interface AppendResult {
  /** Billing events appended. */
  appended: number;
  /** Control events derived from them and appended right after their cause (held orders, breaches, ...). */
  derived: number;
  duplicates: number;
  parked: number;
  unparked: number;
  rejected: Rejection[];
  gradeChanges: GradeChange[];
  lastSequence: string;
}
