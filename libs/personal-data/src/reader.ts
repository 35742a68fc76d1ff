import type { PersonalField } from '@credit-ledger/domain';
import { PersonalDataKeys, type Queryable } from './key-store';
import { ERASED, RESTRICTED, SEALED_PATTERN, SEALED_PREFIX, findSealed, type DataKey } from './sealed';

/**
 * Who may see which personal field (least privilege): contact data (the account owner, the contact address) is
 * for the roles that deal with the customer, an individual's identity, education and income for those that
 * assess its credit; `reader` sees figures and grades, never personal data.
 */
const CONTACT_ROLES = [
  'finance-clerk',
  'sales-manager',
  'finance-manager',
  'cfo',
  'general-manager',
  'admin',
];
/** The alert mailer (worker) opens e-mail addresses to send to them, nothing else. */
const MAIL_ROLES = [...CONTACT_ROLES, 'notifier'];
/** An individual's identity, education and income: only the roles that assess credit. */
const ASSESSMENT_ROLES = ['finance-clerk', 'cfo', 'general-manager', 'admin'];
export const PERSONAL_FIELD_ROLES: Readonly<Record<PersonalField, readonly string[]>> = {
  'accountOwner.name': CONTACT_ROLES,
  'accountOwner.email': MAIL_ROLES,
  contactEmail: MAIL_ROLES,
  'individual.fullName': ASSESSMENT_ROLES,
  'individual.nationalId': ASSESSMENT_ROLES,
  'individual.dateOfBirth': ASSESSMENT_ROLES,
  'individual.education': ASSESSMENT_ROLES,
  'individual.annualIncome': ASSESSMENT_ROLES,
};

export function mayRead(role: string, field: string): boolean {
  return (
    (PERSONAL_FIELD_ROLES as Record<string, readonly string[] | undefined>)[field]?.includes(role) ?? false
  );
}

/** Who reads, and why (the route or command): what the access log records. */
export interface PersonalDataAccess {
  principal: string;
  role: string;
  purpose: string;
}

export interface AccessLogEntry {
  id: string;
  readAt: string;
  principal: string;
  role: string;
  customerId: string;
  fields: string[];
  outcome: 'opened' | 'erased';
  purpose: string;
}

/**
 * Opens the sealed values in whatever a read returns (a JSON value, or text such as raw message bytes), by
 * role: a value the role may see is opened, one it may not is `[restricted]`, one whose key is destroyed is
 * `[erased]`. Each read that opened (or met erased) personal fields is recorded in the append-only
 * `personal_data_access_log`: who, with which role, which customer's which fields, when, for what.
 */
export class PersonalDataReader {
  constructor(
    private readonly q: Queryable,
    private readonly keys: PersonalDataKeys,
  ) {}

  async open<T>(value: T, who: PersonalDataAccess): Promise<T> {
    const texts: string[] = [];
    collectTexts(value, texts);
    const tokens = texts.flatMap(findSealed);
    if (tokens.length === 0) return value;
    const keys = await this.keys.forReading(this.q, [...new Set(tokens.map((t) => t.customerId))]);
    const log = new Map<string, { fields: Set<string>; outcome: AccessLogEntry['outcome'] }>();
    const note = (customerId: string, field: string, outcome: AccessLogEntry['outcome']): void => {
      const entry = log.get(customerId) ?? { fields: new Set<string>(), outcome };
      entry.fields.add(field);
      if (outcome === 'opened') entry.outcome = 'opened';
      log.set(customerId, entry);
    };
    const replace = (text: string): string =>
      text.replace(SEALED_PATTERN, (whole) => {
        const token = findSealed(whole)[0];
        const key: DataKey | null | undefined = keys.get(token.customerId);
        const opened = key ? key.open(token) : null;
        if (opened === null) {
          note(token.customerId, '(sealed)', 'erased');
          return ERASED;
        }
        if (!mayRead(who.role, opened.field)) return RESTRICTED;
        note(token.customerId, opened.field, 'opened');
        return opened.value;
      });
    const out = mapTexts(value, (s) => (s.includes(SEALED_PREFIX) ? replace(s) : s)) as T;
    if (log.size > 0) {
      const entries = [...log];
      await this.q.query(
        `INSERT INTO personal_data_access_log (principal, role, customer_id, fields, outcome, purpose)
         SELECT $1, $2, u.customer_id, string_to_array(u.fields, ','), u.outcome, $3
         FROM unnest($4::text[], $5::text[], $6::text[]) AS u(customer_id, fields, outcome)`,
        [
          who.principal,
          who.role,
          who.purpose,
          entries.map(([id]) => id),
          entries.map(([, e]) => [...e.fields].sort().join(',')),
          entries.map(([, e]) => e.outcome),
        ],
      );
    }
    return out;
  }

  /** The access log, newest first: all of it, or one customer's or one principal's. */
  async accessLog(
    filter: { customerId?: string; principal?: string; limit?: number; before?: string } = {},
  ): Promise<AccessLogEntry[]> {
    const rows: Array<{
      id: string;
      read_at: string;
      principal: string;
      role: string;
      customer_id: string;
      fields: string[];
      outcome: AccessLogEntry['outcome'];
      purpose: string;
    }> = await this.q.query(
      `SELECT id::text, to_char(read_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS read_at,
              principal, role, customer_id, fields, outcome, purpose
       FROM personal_data_access_log
       WHERE ($1::text IS NULL OR customer_id = $1) AND ($2::text IS NULL OR principal = $2)
         AND ($3::bigint IS NULL OR id < $3)
       ORDER BY personal_data_access_log.id DESC LIMIT $4`,
      [filter.customerId ?? null, filter.principal ?? null, filter.before ?? null, filter.limit ?? 100],
    );
    return rows.map((r) => ({
      id: r.id,
      readAt: r.read_at,
      principal: r.principal,
      role: r.role,
      customerId: r.customer_id,
      fields: r.fields,
      outcome: r.outcome,
      purpose: r.purpose,
    }));
  }
}

function collectTexts(v: unknown, out: string[]): void {
  if (typeof v === 'string') {
    if (v.includes(SEALED_PREFIX)) out.push(v);
  } else if (Array.isArray(v)) {
    for (const x of v) collectTexts(x, out);
  } else if (isPlainObject(v)) {
    for (const x of Object.values(v)) collectTexts(x, out);
  }
}

/** A copy with every string mapped; other values (numbers, bigints, null) as they are. */
function mapTexts(v: unknown, f: (s: string) => string): unknown {
  if (typeof v === 'string') return f(v);
  if (Array.isArray(v)) return v.map((x) => mapTexts(x, f));
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = mapTexts(x, f);
    return out;
  }
  return v;
}

/** Objects as JSON would write their fields (response DTOs included); Dates, Buffers and the like left alone. */
function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
  return !(ArrayBuffer.isView(v) || v instanceof ArrayBuffer || v instanceof Map || v instanceof Set);
}
