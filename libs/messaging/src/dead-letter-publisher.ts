import { Producer } from 'kafkajs';
import type { Rejection } from '@credit-ledger/ledger-store';

/** The JSON value of a dead letter: the reason first, then the original message untouched. */
export interface DeadLetter {
  code: string;
  reason: string;
  origin: { topic: string; partition: number; offset: string; key: string | null };
  source: string | null;
  eventId: string | null;
  customerId: string | null;
  value: string;
  rejectedAt: string;
}

export class DeadLetterPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
  ) {}

  async publish(rejected: Rejection[], now: Date = new Date()): Promise<void> {
    if (rejected.length === 0) return;
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: rejected.map((r) => {
        const letter: DeadLetter = {
          code: r.code,
          reason: r.reason,
          origin: {
            topic: r.origin.topic,
            partition: r.origin.partition,
            offset: r.origin.offset,
            key: r.origin.key,
          },
          source: r.source ?? null,
          eventId: r.eventId ?? null,
          customerId: r.customerId ?? null,
          value: r.origin.value,
          rejectedAt: now.toISOString(),
        };
        return {
          key: r.origin.key,
          value: JSON.stringify(letter),
          headers: {
            'x-reject-code': r.code,
            'x-origin': `${r.origin.topic}/${r.origin.partition}/${r.origin.offset}`,
          },
        };
      }),
    });
  }
}
