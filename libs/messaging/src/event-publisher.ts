import { Producer } from 'kafkajs';

/** A billing event as it travels on the wire (v1 JSON). */
export interface WireEventLike {
  customerId: string;
}

/**
 * Publishes wire events keyed by customerId (so one customer's events share a partition and keep their order),
 * in chunks, acks=-1. Used by the demo, tests and benchmarks.
 */
export async function publishEvents(
  producer: Producer,
  topic: string,
  events: Iterable<WireEventLike>,
  opts: { chunkSize?: number; onProgress?: (sent: number) => void } = {},
): Promise<number> {
  const chunkSize = opts.chunkSize ?? 2000;
  let chunk: Array<{ key: string; value: string }> = [];
  let sent = 0;
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    await producer.send({ topic, acks: -1, messages: chunk });
    sent += chunk.length;
    chunk = [];
    opts.onProgress?.(sent);
  };
  for (const e of events) {
    chunk.push({ key: e.customerId, value: JSON.stringify(e) });
    if (chunk.length >= chunkSize) await flush();
  }
  await flush();
  return sent;
}
