import { Consumer, Kafka } from 'kafkajs';
import type { DeadLetter } from '@credit-ledger/messaging';
import { waitUntil } from './ledger-harness';

export interface ReceivedLetter {
  letter: DeadLetter;
  key: Buffer | null;
  headers: Record<string, string>;
}

/** Reads the dead-letter topic from the beginning into `letters`, as a subscriber of finance would. */
export class DeadLetterReader {
  readonly letters: ReceivedLetter[] = [];
  private constructor(private readonly consumer: Consumer) {}

  static async start(
    kafka: Kafka,
    topic: string,
    groupId = `dlq-reader-${Date.now()}`,
  ): Promise<DeadLetterReader> {
    const consumer = kafka.consumer({ groupId });
    const reader = new DeadLetterReader(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
        reader.letters.push({ letter: JSON.parse(message.value!.toString()), key: message.key, headers });
      },
    });
    return reader;
  }

  /** Waits until at least `n` letters arrived. */
  async waitFor(n: number, timeoutMs = 30_000): Promise<ReceivedLetter[]> {
    await waitUntil(
      () => this.letters.length >= n,
      timeoutMs,
      () => `${this.letters.length} of ${n} dead letters`,
    );
    return this.letters;
  }

  /** Letters by code, each origin once (delivery is at-least-once: duplicates share x-letter-id). */
  byCode(code: string): ReceivedLetter[] {
    const seen = new Set<string>();
    return this.letters.filter((l) => {
      if (l.letter.code !== code || seen.has(l.headers['x-letter-id'])) return false;
      seen.add(l.headers['x-letter-id']);
      return true;
    });
  }

  stop(): Promise<void> {
    return this.consumer.disconnect();
  }
}
