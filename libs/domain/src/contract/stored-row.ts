/** A ledger row as read back (payload in its stored form: amounts as minor-unit integer strings). */
export interface StoredEventRow {
  eventId: string;
  type: string;
  version: number;
  customerId: string;
  /** ISO string (a Date from a timestamptz column is accepted too). */
  occurredAt: string | Date;
  source: string;
  payload: Record<string, unknown>;
}
