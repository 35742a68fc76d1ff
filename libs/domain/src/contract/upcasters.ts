import { daysBetween, isValidDate } from '../dates';
import { CURRENT_EVENT_VERSION, type EventType } from './envelope';

/**
 * Turns a raw wire envelope (already JSON-parsed) of version n into version n+1. It receives a
 * copy it may mutate; the registry sets `version` to n+1 afterwards. It may throw on a
 * malformed old event (reported as BAD_FIELD).
 */
export type Upcaster = (raw: Record<string, unknown>) => Record<string, unknown>;

export interface UpcasterDefinition {
  type: EventType;
  fromVersion: number;
  upcast: Upcaster;
}

export interface UpcasterRegistry {
  /** Version the validators expect for a type (CURRENT_EVENT_VERSION unless overridden). */
  currentVersion(type: EventType): number;
  get(type: EventType, fromVersion: number): Upcaster | undefined;
}

export function createUpcasterRegistry(
  definitions: readonly UpcasterDefinition[],
  currentVersions: Partial<Record<EventType, number>> = {},
): UpcasterRegistry {
  const map = new Map<string, Upcaster>();
  for (const d of definitions) map.set(`${d.type}@${d.fromVersion}`, d.upcast);
  const current = { ...currentVersions };
  return {
    currentVersion: (type) => current[type] ?? CURRENT_EVENT_VERSION,
    get: (type, fromVersion) => map.get(`${type}@${fromVersion}`),
  };
}

/**
 * InvoiceIssued v1 -> v2: v2 adds `paymentTermsDays` = calendar days from issuedOn to dueOn. Upcasters run on
 * the wire form and on stored rows (whose amounts are minor-unit integers), so they must not touch amounts.
 * Unparseable dates are left for the validator to report against the field the sender wrote.
 */
export const INVOICE_ISSUED_V1_TO_V2: UpcasterDefinition = {
  type: 'InvoiceIssued',
  fromVersion: 1,
  upcast: (raw) => {
    const p = raw.payload;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) return raw;
    const payload = { ...(p as Record<string, unknown>) };
    if ('paymentTermsDays' in payload) {
      throw new Error('payload.paymentTermsDays is not part of version 1 (send version 2)');
    }
    const { issuedOn, dueOn } = payload;
    if (
      typeof issuedOn === 'string' &&
      typeof dueOn === 'string' &&
      isValidDate(issuedOn) &&
      isValidDate(dueOn)
    ) {
      payload.paymentTermsDays = daysBetween(issuedOn, dueOn);
    }
    return { ...raw, payload };
  },
};

/** The credit-file fields CustomerOnboarded v2 adds (see PROFILE_FIELDS in parse.ts, which validates them). */
const ONBOARDED_V2_FIELDS = [
  'customerType',
  'customerSince',
  'accountOwner',
  'contactEmail',
  'individual',
  'industry',
  'registration',
  'financials',
  'litigationCount',
];

/**
 * CustomerOnboarded v1 -> v2: v2 adds the credit file, every field of it optional, so a v1 event is a v2 event
 * without them (its customer has no profile and is in the default segment). A v1 message that already carries
 * one of them is refused: its sender means v2.
 */
export const CUSTOMER_ONBOARDED_V1_TO_V2: UpcasterDefinition = {
  type: 'CustomerOnboarded',
  fromVersion: 1,
  upcast: (raw) => {
    const p = raw.payload;
    if (typeof p !== 'object' || p === null || Array.isArray(p)) return raw;
    for (const field of ONBOARDED_V2_FIELDS) {
      if (field in p) throw new Error(`payload.${field} is not part of version 1 (send version 2)`);
    }
    return raw;
  },
};

/** Every production upcaster step, and each type's current version where it is not CURRENT_EVENT_VERSION. */
export const UPCASTER_DEFINITIONS: readonly UpcasterDefinition[] = [
  INVOICE_ISSUED_V1_TO_V2,
  CUSTOMER_ONBOARDED_V1_TO_V2,
];
export const CURRENT_VERSIONS: Partial<Record<EventType, number>> = {
  InvoiceIssued: 2,
  CustomerOnboarded: 2,
};

/** The production registry: a new version of a type adds its step above and raises CURRENT_VERSIONS. */
export const UPCASTERS: UpcasterRegistry = createUpcasterRegistry(UPCASTER_DEFINITIONS, CURRENT_VERSIONS);

export type UpcastResult =
  | { ok: true; raw: Record<string, unknown> }
  | { ok: false; code: 'UNSUPPORTED_VERSION' | 'BAD_FIELD'; reason: string };

/** Applies upcasters until the type's current version; unknown/newer versions are unsupported. */
export function upcast(
  raw: Record<string, unknown>,
  type: EventType,
  version: number,
  registry: UpcasterRegistry = UPCASTERS,
): UpcastResult {
  const target = registry.currentVersion(type);
  if (version === target) return { ok: true, raw };
  const unsupported = (): UpcastResult => ({
    ok: false,
    code: 'UNSUPPORTED_VERSION',
    reason: `${type} version ${version} is not supported (current version is ${target})`,
  });
  if (version > target) return unsupported();
  let current = raw;
  for (let v = version; v < target; v++) {
    const step = registry.get(type, v);
    if (!step) return unsupported();
    try {
      current = step({ ...current });
    } catch (e) {
      return {
        ok: false,
        code: 'BAD_FIELD',
        reason: `cannot upcast ${type} from version ${v}: ${e instanceof Error ? e.message : String(e)}`,
      };
    }
    current = { ...current, type, version: v + 1 };
  }
  return { ok: true, raw: current };
}
