import { ADVISORY_LOCKS, bytesHash, displayBytes, REJECTED_CHANNEL } from '@credit-ledger/ledger-store';
import type { OutboxSource } from './outbox-relay';

/**
 * The JSON value of a dead letter: the reason first, then the original message untouched — as text when it is
 * text, else base64 (a message that is not valid UTF-8 or holds a NUL byte). `letterId` (also header x-letter-id)
 * is the rejected_events row: delivery is at-least-once, so consumers dedupe by it.
 */
export interface DeadLetter {
  letterId: string;
  code: string;
  reason: string;
  origin: { topic: string; partition: number; offset: string; key: string | null; keyBase64?: string };
  source: string | null;
  eventId: string | null;
  customerId: string | null;
  value: string | null;
  valueBase64?: string;
  /** Content hash of the parsed event (null when the message never parsed). */
  contentHash: string | null;
  rejectedAt: string;
}

interface RejectedRow {
  id: string;
  topic: string;
  partition: number;
  offset: string;
  message_key: Buffer | null;
  raw_value: Buffer;
  code: string;
  reason: string;
  source: string | null;
  event_id: string | null;
  customer_id: string | null;
  content_hash: string | null;
  rejected_at: Date;
}

export function deadLetterOf(r: RejectedRow): DeadLetter {
  const key = displayBytes(r.message_key);
  const value = displayBytes(r.raw_value)!;
  const letter: DeadLetter = {
    letterId: r.id,
    code: r.code,
    reason: r.reason,
    origin: {
      topic: r.topic,
      partition: r.partition,
      offset: r.offset,
      key: key && 'text' in key ? key.text : null,
    },
    source: r.source,
    eventId: r.event_id,
    customerId: r.customer_id,
    value: 'text' in value ? value.text : null,
    contentHash: r.content_hash,
    rejectedAt: r.rejected_at.toISOString(),
  };
  if (key && 'base64' in key) letter.origin.keyBase64 = key.base64;
  if ('base64' in value) letter.valueBase64 = value.base64;
  return letter;
}

/**
 * rejected_events as the dead-letter outbox: every rejection is a row first (in the transaction that decided it),
 * then a letter on the DLQ topic, keyed by the original key, with headers to route and dedupe by.
 */
export function deadLetterOutbox(dlqTopic: string): OutboxSource {
  return {
    name: 'dead-letter relay',
    lockId: ADVISORY_LOCKS.deadLetterRelay,
    channel: REJECTED_CHANNEL,
    async unsent(qr, limit) {
      const rows: RejectedRow[] = await qr.query(
        `SELECT id::text, topic, partition, "offset"::text, message_key, raw_value, code, reason, source, event_id,
                customer_id, content_hash, rejected_at
         FROM rejected_events WHERE dead_lettered_at IS NULL ORDER BY id LIMIT $1`,
        [limit],
      );
      return rows.map((r) => {
        const headers: Record<string, string> = {
          'x-letter-id': r.id,
          'x-reject-code': r.code,
          'x-origin': `${r.topic}/${r.partition}/${r.offset}`,
          'x-origin-topic': r.topic,
          'x-origin-partition': String(r.partition),
          'x-origin-offset': r.offset,
          'x-content-hash': bytesHash(r.raw_value),
        };
        if (r.content_hash) headers['x-event-hash'] = r.content_hash;
        return {
          id: r.id,
          topic: dlqTopic,
          message: { key: r.message_key, value: JSON.stringify(deadLetterOf(r)), headers },
        };
      });
    },
    async markSent(qr, ids) {
      await qr.query(`UPDATE rejected_events SET dead_lettered_at = now() WHERE id = ANY($1::bigint[])`, [
        ids,
      ]);
    },
    async countUnsent(ds) {
      const [{ n }] = await ds.query(
        `SELECT count(*)::int AS n FROM rejected_events WHERE dead_lettered_at IS NULL`,
      );
      return n as number;
    },
  };
}
