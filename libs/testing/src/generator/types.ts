/** Wire contract v1 envelope, exactly as published to Kafka (value = JSON.stringify(event), key = customerId). */
export interface WireEvent {
  eventId: string;
  type: string;
  version: number;
  customerId: string;
  occurredAt: string;
  source: string;
  payload: Record<string, unknown>;
}

export interface GeneratorOptions {
  seed: number;
  customers: number;
  /** Average events per customer, default 10. The total is exactly round(customers × eventsPerCustomer). */
  eventsPerCustomer?: number;
  /** ISO date (UTC), default '2025-01-01'. */
  start?: string;
  /** History length in days, default 365. */
  days?: number;
  /** Currencies to draw from uniformly; default mostly EUR, some USD/GBP, a few JPY and KWD. */
  currencies?: string[];
  /** Default 'C' → 'C-000001'. */
  customerIdPrefix?: string;
  /** Default 'billing-eu'. */
  source?: string;
  /**
   * How billing treats the ledger's credit decisions. 'uncontrolled' (default, the histories of the tests): it
   * ignores them, so about two thirds of its invoices are credit bypasses. 'controlled': an integrated billing
   * system (seed 004) that folds its own events through the pure domain and asks before it ships on credit:
   * terms within the grade's band, cash orders for cash-only, frozen or blacklisted customers, orders instead
   * of over-limit invoices, held orders not invoiced.
   */
  billing?: 'controlled' | 'uncontrolled';
  /** Controlled billing only: share of invoices that deliberately go around the credit check, default 0.01. */
  bypassRate?: number;
}

export interface MalformedMessage {
  key: string | null;
  value: string;
  expectedCode: string;
  note: string;
}
