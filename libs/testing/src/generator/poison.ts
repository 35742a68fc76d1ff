import { Mulberry32, normalizeSeed } from './rng';
import type { WireEvent } from './types';

/** A Kafka message as bytes: what a hostile or broken upstream can put on the topic. */
export interface RawMessage {
  key: Buffer | null;
  value: Buffer;
}

export interface PoisonMessage extends RawMessage {
  expectedCode: string;
  kind: PoisonKind;
}

export const POISON_KINDS = [
  'nul-byte',
  'invalid-utf8',
  'nul-in-field',
  'nul-in-key',
  'lone-surrogate',
  'amount-out-of-range',
  'far-future',
  'conflicting-duplicate',
] as const;
export type PoisonKind = (typeof POISON_KINDS)[number];

const CODE: Record<PoisonKind, string> = {
  'nul-byte': 'BAD_ENCODING',
  'invalid-utf8': 'BAD_ENCODING',
  'nul-in-field': 'BAD_ENCODING',
  'nul-in-key': 'BAD_ENCODING',
  'lone-surrogate': 'BAD_ENCODING',
  'amount-out-of-range': 'AMOUNT_OUT_OF_RANGE',
  'far-future': 'FUTURE_EVENT',
  'conflicting-duplicate': 'DUPLICATE_CONFLICT',
};

const text = (s: string): Buffer => Buffer.from(s, 'utf8');

/** One poison message of `kind` next to the valid event `e` (same customer, so the same partition). */
function poisonFor(kind: PoisonKind, e: WireEvent, i: number): PoisonMessage {
  const key = text(e.customerId);
  const id = `poison-${i}`;
  const base = { ...e, eventId: id };
  const msg = (value: Buffer, k: Buffer | null = key): PoisonMessage => ({
    key: k,
    value,
    expectedCode: CODE[kind],
    kind,
  });
  switch (kind) {
    case 'nul-byte':
      return msg(Buffer.concat([text(`{"eventId":"${id}"`), Buffer.from([0x00]), text('}')]));
    case 'invalid-utf8':
      return msg(Buffer.concat([text(`{"eventId":"${id}","note":"`), Buffer.from([0xc3, 0x28]), text('"}')]));
    case 'nul-in-field':
      return msg(
        text(
          JSON.stringify({
            ...base,
            type: 'DisputeOpened',
            version: 1,
            payload: { invoiceId: 'INV-X', reason: `damaged\u0000goods ${i}` },
          }),
        ),
      );
    case 'nul-in-key':
      return msg(text(JSON.stringify(base)), Buffer.concat([key, Buffer.from([0x00])]));
    case 'lone-surrogate':
      return msg(text(JSON.stringify(base).replace(`"${e.source}"`, `"${e.source}\\ud800"`)));
    case 'amount-out-of-range':
      return msg(
        text(
          JSON.stringify({
            ...base,
            type: 'OrderPlaced',
            version: 1,
            payload: { orderId: `O-${id}`, amount: '99999999999999999.99', currency: 'EUR' },
          }),
        ),
      );
    case 'far-future':
      return msg(text(JSON.stringify({ ...base, occurredAt: '9999-12-31T23:59:59Z' })));
    case 'conflicting-duplicate':
      // The same key as `e`, one second later: other content under a key the ledger already has.
      return msg(
        text(JSON.stringify({ ...e, occurredAt: new Date(Date.parse(e.occurredAt) + 1000).toISOString() })),
      );
  }
}

/**
 * The valid events with poison interleaved: after about every `every`-th valid event (deterministic for a seed),
 * one poison message of the next kind for that event's customer — so poison and valid events share partitions.
 * A conflicting duplicate always comes after the event whose key it reuses.
 */
export function interleavePoison(
  valid: WireEvent[],
  opts: { seed: number; every: number },
): { messages: RawMessage[]; poison: PoisonMessage[] } {
  const rng = new Mulberry32(normalizeSeed(opts.seed) ^ 0x2f6b1d3a);
  const messages: RawMessage[] = [];
  const poison: PoisonMessage[] = [];
  let next = 0;
  valid.forEach((e, i) => {
    messages.push({ key: text(e.customerId), value: text(JSON.stringify(e)) });
    if (e.type === 'CustomerOnboarded' || rng.int(1, opts.every) !== 1) return;
    const p = poisonFor(POISON_KINDS[next++ % POISON_KINDS.length], e, i);
    messages.push(p);
    poison.push(p);
  });
  return { messages, poison };
}
