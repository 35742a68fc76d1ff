/**
 * Which fields of the contract are personal data: people's names and e-mail addresses (the account owner, the
 * contact address) and an individual customer's own details (name, identity number, birth date, education,
 * income). They are sealed at ingestion, folded opaquely (nothing is graded or computed from them),
 * opened by role at read time and erased by forgetting the customer (docs/personal-data.md). Amounts, dates and
 * grades are never personal fields, so the ledger, replay and reports work on them unchanged.
 */
import type { BillingEvent } from './envelope';
import type { ProfileFields } from './payloads';

/** What a personal value of a forgotten customer reads as (its key is destroyed). */
export const ERASED_VALUE = '[erased]';

/** Paths inside the payload of CustomerOnboarded and CustomerProfileUpdated, each a string value. */
export const PERSONAL_FIELDS = [
  'accountOwner.name',
  'accountOwner.email',
  'contactEmail',
  'individual.fullName',
  'individual.nationalId',
  'individual.dateOfBirth',
  'individual.education',
  'individual.annualIncome',
] as const;
/** The fields of `individual` that are personal (its `currency` is not). */
const INDIVIDUAL_FIELDS = ['fullName', 'nationalId', 'dateOfBirth', 'education', 'annualIncome'] as const;
export type PersonalField = (typeof PERSONAL_FIELDS)[number];

/** The event types whose payload can carry personal fields. */
export const PERSONAL_EVENT_TYPES = ['CustomerOnboarded', 'CustomerProfileUpdated'] as const;

/** A string in, a string out: sealing, opening or erasing one personal value. */
export type PersonalValueMap = (value: string, field: PersonalField) => string;

/** True when the event carries at least one personal field. */
export function hasPersonalFields(event: BillingEvent): boolean {
  if (event.type !== 'CustomerOnboarded' && event.type !== 'CustomerProfileUpdated') return false;
  const p = event.payload;
  return p.accountOwner !== undefined || p.contactEmail !== undefined || p.individual !== undefined;
}

function mapProfile<P extends ProfileFields>(p: P, f: PersonalValueMap): P {
  const out: P = { ...p };
  if (p.accountOwner !== undefined) {
    const owner = { ...p.accountOwner, name: f(p.accountOwner.name, 'accountOwner.name') };
    if (p.accountOwner.email !== undefined) owner.email = f(p.accountOwner.email, 'accountOwner.email');
    out.accountOwner = owner;
  }
  if (p.contactEmail !== undefined) out.contactEmail = f(p.contactEmail, 'contactEmail');
  if (p.individual !== undefined) {
    const d = { ...p.individual };
    for (const k of INDIVIDUAL_FIELDS) {
      const v = d[k];
      if (v !== undefined) d[k] = f(v, `individual.${k}`);
    }
    out.individual = d;
  }
  return out;
}

/** A copy of the event with each personal value replaced by `f` of it (the event itself is not changed). */
export function mapPersonalFields(event: BillingEvent, f: PersonalValueMap): BillingEvent {
  if (event.type === 'CustomerOnboarded') return { ...event, payload: mapProfile(event.payload, f) };
  if (event.type === 'CustomerProfileUpdated') return { ...event, payload: mapProfile(event.payload, f) };
  return event;
}

/**
 * The same for a payload of unknown shape (a message that was refused or could not be checked): whatever is
 * found at a personal path is replaced in place — a string by `f` of it, any other value by `f` of its JSON text
 * (an `accountOwner` that is not an object as a whole, under its name field). Returns how many were replaced.
 */
export function mapPersonalFieldsInRaw(payload: unknown, f: PersonalValueMap): number {
  if (!isRecord(payload)) return 0;
  const seal = (v: unknown, field: PersonalField): string =>
    f(typeof v === 'string' ? v : JSON.stringify(v), field);
  let n = 0;
  const owner = payload.accountOwner;
  if (owner !== undefined && !isRecord(owner)) {
    payload.accountOwner = seal(owner, 'accountOwner.name');
    n++;
  } else if (owner !== undefined) {
    for (const [k, field] of [
      ['name', 'accountOwner.name'],
      ['email', 'accountOwner.email'],
    ] as const) {
      if (owner[k] !== undefined) {
        owner[k] = seal(owner[k], field);
        n++;
      }
    }
  }
  if (payload.contactEmail !== undefined) {
    payload.contactEmail = seal(payload.contactEmail, 'contactEmail');
    n++;
  }
  const individual = payload.individual;
  if (individual !== undefined && !isRecord(individual)) {
    payload.individual = seal(individual, 'individual.fullName');
    n++;
  } else if (individual !== undefined) {
    for (const k of INDIVIDUAL_FIELDS) {
      if (individual[k] !== undefined) {
        individual[k] = seal(individual[k], `individual.${k}`);
        n++;
      }
    }
  }
  return n;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
