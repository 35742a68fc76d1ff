import {
  decodeText,
  hasPersonalFields,
  mapPersonalFields,
  mapPersonalFieldsInRaw,
  type BillingEvent,
  type PersonalField,
} from '@credit-ledger/domain';
import type { InboundEvent, InboundSealer, MessageOrigin, Rejection } from '@credit-ledger/ledger-store';
import { PersonalDataKeys, type Queryable } from './key-store';
import { ERASED, isSealed, type DataKey } from './sealed';

/** Shown where a personal value was removed from bytes that could not be attributed to a customer. */
export const REDACTED = '[redacted]';
/** E-mail addresses in text that has no structure to find personal fields by (unparseable bytes, reasons). */
const EMAIL_IN_TEXT = /[^\s@<>()[\]\\,;:"'{}]+@[^\s@<>()[\]\\,;:"'{}.]+(\.[^\s@<>()[\]\\,;:"'{}.]+)+/g;

/**
 * Seals the personal data of a chunk before the LedgerWriter hashes or stores any of it: the personal fields of
 * each event (so ledger rows, states and parked rows hold sealed values), and the raw bytes and reasons kept for
 * parked, rejected and dead-lettered messages. A value of a forgotten customer is stored as `[erased]`.
 */
export class PersonalDataSealer implements InboundSealer {
  constructor(private readonly keys: PersonalDataKeys) {}

  async seal(
    q: Queryable,
    inbound: InboundEvent[],
    invalid: Rejection[],
  ): Promise<{ inbound: InboundEvent[]; invalid: Rejection[] }> {
    const personal = inbound.filter((i) => hasPersonalFields(i.event));
    const raws = invalid.map((r) => rawMessage(r.origin.value));
    const owners = new Set(personal.map((i) => i.event.customerId));
    raws.forEach((raw, n) => {
      const owner = raw && ownerOf(raw, invalid[n]);
      if (owner) owners.add(owner);
    });
    if (owners.size === 0 && raws.every((r) => r === null)) {
      return { inbound, invalid: invalid.map((r) => ({ ...r, reason: redactText(r.reason) })) };
    }
    const keys =
      owners.size > 0 ? await this.keys.forSealing(q, [...owners]) : new Map<string, DataKey | null>();
    const sealer = (customerId: string | null) => {
      const key = customerId === null ? undefined : keys.get(customerId);
      // Already sealed (an item handed in again, e.g. by poison isolation) stays as it is.
      return (value: string, field: PersonalField): string =>
        isSealed(value) || value === ERASED
          ? value
          : key
            ? key.seal(value, field)
            : key === null
              ? ERASED
              : REDACTED;
    };
    return {
      inbound: inbound.map((i) => {
        if (!hasPersonalFields(i.event)) return i;
        const seal = sealer(i.event.customerId);
        const event: BillingEvent = mapPersonalFields(i.event, seal);
        return { event, origin: sealOrigin(i.origin, rawMessage(i.origin.value), seal, true).origin };
      }),
      invalid: invalid.map((r, n) => {
        const raw = raws[n];
        const { origin, replaced } = sealOrigin(r.origin, raw, sealer(raw && ownerOf(raw, r)));
        let reason = r.reason;
        for (const [clear, sealed] of replaced) reason = reason.split(clear).join(sealed);
        return { ...r, origin, reason: redactText(reason) };
      }),
    };
  }
}

interface RawMessage {
  json: Record<string, unknown>;
  text: string;
}

/** The message as a JSON object, or null when it is not one. */
function rawMessage(value: Buffer): RawMessage | null {
  const d = decodeText(value, 'value');
  if (!d.ok) return null;
  try {
    const json: unknown = JSON.parse(d.text);
    if (typeof json === 'object' && json !== null && !Array.isArray(json))
      return { json: json as Record<string, unknown>, text: d.text };
  } catch {
    // not JSON: only e-mail addresses can be found in it
  }
  return null;
}

/** Whose message it is: its customerId, else its key (the contract wants them equal). */
function ownerOf(raw: RawMessage, r: Rejection): string | null {
  const id = raw.json.customerId;
  if (typeof id === 'string' && id !== '') return id;
  return r.customerId ?? (r.origin.key === null ? null : r.origin.key.toString('utf8')) ?? null;
}

/**
 * The bytes with personal values sealed (re-serialised JSON when any were found), and what was replaced. Bytes
 * of a refused message also lose any e-mail address elsewhere; those of a `checked` (parsed) event have personal
 * data only where the contract puts it.
 */
function sealOrigin(
  origin: MessageOrigin,
  raw: RawMessage | null,
  seal: (v: string, field: PersonalField) => string,
  checked = false,
): { origin: MessageOrigin; replaced: Array<[string, string]> } {
  const replaced: Array<[string, string]> = [];
  if (raw === null) {
    const d = decodeText(origin.value, 'value');
    if (!d.ok) return { origin, replaced };
    const redacted = redactText(d.text);
    return {
      origin: redacted === d.text ? origin : { ...origin, value: Buffer.from(redacted, 'utf8') },
      replaced,
    };
  }
  const n = mapPersonalFieldsInRaw(raw.json.payload, (v, field) => {
    const s = seal(v, field);
    if (v !== '') replaced.push([v, s]);
    return s;
  });
  if (n === 0) {
    // A message whose personal fields are not where the contract puts them: at least no e-mail in clear.
    const redacted = redactText(raw.text);
    return {
      origin: redacted === raw.text ? origin : { ...origin, value: Buffer.from(redacted, 'utf8') },
      replaced,
    };
  }
  const text = JSON.stringify(raw.json);
  return { origin: { ...origin, value: Buffer.from(checked ? text : redactText(text), 'utf8') }, replaced };
}

/** Text with every e-mail address replaced by `[redacted]` (sealed values contain no `@`). */
export function redactText(text: string): string {
  return text.includes('@') ? text.replace(EMAIL_IN_TEXT, REDACTED) : text;
}
