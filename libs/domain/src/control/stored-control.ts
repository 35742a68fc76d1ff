import { normaliseInstant } from '../dates';
import { DomainError } from '../errors';
import type { StoredEventRow } from '../contract/stored-row';
import {
  CONTROL_EVENT_VERSION,
  controlPayloadFromStored,
  type ControlEvent,
  type ControlEventType,
} from './control-events';
import type { StoredFields } from './stored-fields';

/** A stored control event back to its typed form (the control half of fromStored). */
export function controlFromStored(row: StoredEventRow, type: ControlEventType): ControlEvent {
  const bad = (what: string): never => {
    throw new DomainError('BAD_STORED_EVENT', `stored event ${String(row.eventId)} (${type}): ${what}`);
  };
  if (row.version !== CONTROL_EVENT_VERSION) {
    throw new DomainError(
      'UNSUPPORTED_VERSION',
      `stored event ${row.eventId}: ${type} version ${row.version} is not the current version ${CONTROL_EVENT_VERSION}`,
    );
  }
  const occurredAt =
    row.occurredAt instanceof Date ? row.occurredAt.toISOString() : normaliseInstant(row.occurredAt);
  if (occurredAt === null) return bad(`occurredAt ${JSON.stringify(row.occurredAt)} is not an instant`);
  const p = row.payload;
  if (typeof p !== 'object' || p === null) return bad('payload is not an object');
  const f: StoredFields = {
    bad,
    has: (k) => p[k] !== undefined,
    str: (k) => (typeof p[k] === 'string' ? (p[k] as string) : bad(`payload.${k} is not a string`)),
    strOrNull: (k) => (p[k] === null || p[k] === undefined ? null : f.str(k)),
    int: (k) => (Number.isSafeInteger(p[k]) ? (p[k] as number) : bad(`payload.${k} is not an integer`)),
    intOrNull: (k) => (p[k] === null || p[k] === undefined ? null : f.int(k)),
    amount: (k) => {
      const v = p[k];
      if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
      if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
      return bad(`payload.${k} is not a minor-unit integer`);
    },
    strings: (k) => {
      const v = p[k];
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string'))
        return bad(`payload.${k} is not a list of strings`);
      return (v as string[]).slice();
    },
  };
  return {
    eventId: row.eventId,
    type,
    version: row.version,
    customerId: row.customerId,
    occurredAt,
    source: row.source,
    payload: controlPayloadFromStored(type, f),
  } as ControlEvent;
}
