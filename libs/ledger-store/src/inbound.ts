import { createHash } from 'node:crypto';
import {
  canonicalJson,
  decodeText,
  toStoredPayload,
  type BillingEvent,
  type LedgerEvent,
} from '@credit-ledger/domain';

/**
 * Where an input came from: a Kafka message, kept byte for byte (bytea columns, the DLQ letter) so any message,
 * even one that is not text, can be dead-lettered and replayed by hand.
 */
export interface MessageOrigin {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer;
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
  /** Content hash of the parsed event, when it parsed (DUPLICATE_CONFLICT names both). */
  contentHash?: string;
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
  /** Events the database refused, found by bisecting a failed append (also in `rejected`, APPEND_FAILED). */
  isolated: number;
}

/** The envelope as the ledger stores it (payload amounts in minor units): the form replay reads back. */
export function storedEnvelope(e: LedgerEvent): Record<string, unknown> {
  return {
    eventId: e.eventId,
    type: e.type,
    version: e.version,
    customerId: e.customerId,
    occurredAt: e.occurredAt,
    source: e.source,
    payload: toStoredPayload(e),
  };
}

/**
 * sha256 (hex) of the event's canonical stored form: the same event re-sent — redelivered, re-encoded, or as an
 * older version that upcasts to the same thing — has the same hash; different content under the same key does not.
 */
export function contentHash(e: LedgerEvent): string {
  return createHash('sha256')
    .update(canonicalJson(storedEnvelope(e)))
    .digest('hex');
}

/** sha256 (hex) of raw bytes: the DLQ's `x-content-hash` for a message that never parsed. */
export function bytesHash(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Message bytes for people: the UTF-8 text when they are text, else base64. */
export function displayBytes(bytes: Buffer | null): { text: string } | { base64: string } | null {
  if (bytes === null) return null;
  const d = decodeText(bytes, 'bytes');
  return d.ok ? { text: d.text } : { base64: bytes.toString('base64') };
}

/**
 * Text as a PostgreSQL text column accepts it: NULs dropped, unpaired surrogates replaced. For reasons built from
 * error messages that may quote the offending input.
 */
export function storableText(s: string): string {
  return s
    .replaceAll('\u0000', '')
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

/** A message origin from text or bytes (seeding tools and tests write events without a real Kafka message). */
export function originOf(
  topic: string,
  partition: number,
  offset: string,
  key: string | Buffer | null,
  value: string | Buffer = '',
): MessageOrigin {
  const bytes = (v: string | Buffer): Buffer => (typeof v === 'string' ? Buffer.from(v, 'utf8') : v);
  return { topic, partition, offset, key: key === null ? null : bytes(key), value: bytes(value) };
}
