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
}

export interface MalformedMessage {
  key: string | null;
  value: string;
  expectedCode: string;
  note: string;
}
