/**
 * The credit-file part of CustomerState: what the customer is (profile), who to talk to (personal data), the
 * external credit reports and the complaints recorded. Seeds: 000 §1.1 (five assessment elements), 004 (360°
 * file: 基础资料、交易记录、回款记录).
 */
import type { ProfileFields } from '../contract/payloads';
import type { ComplaintSeverity, CustomerType } from '../contract/payloads';
import { dateOf } from '../dates';
import { DomainError } from '../errors';

export interface RegistrationState {
  /** Minor units of the customer's currency. */
  registeredCapital: bigint | null;
  foundedOn: string | null;
  taxRegistered: boolean | null;
}

export interface FinancialsState {
  asOf: string;
  totalAssets: bigint;
  totalLiabilities: bigint;
  currentAssets: bigint;
  currentLiabilities: bigint;
  revenue: bigint;
  netIncome: bigint;
  operatingCashFlow: bigint | null;
}

/** The business facts the profile model grades (amounts in the customer's currency). */
export interface CreditProfile {
  customerType: CustomerType | null;
  customerSince: string | null;
  industry: string | null;
  registration: RegistrationState | null;
  financials: FinancialsState | null;
  litigationCount: number | null;
  /** occurredAt of the last event that changed the profile. */
  updatedAt: string;
}

/**
 * Personal data: people's names and e-mail addresses. Kept apart from everything graded, in this one place, so
 * that protecting it (encryption, erasure) touches one structure.
 */
export interface PersonalData {
  accountOwner: { id: string; name: string; email: string | null } | null;
  contactEmail: string | null;
}

export interface ExternalReport {
  agency: string;
  reportId: string;
  score: number | null;
  rating: string | null;
  reportedOn: string;
  validUntil: string;
  /** UTC date the ledger received it. */
  receivedOn: string;
}

export interface ComplaintRecord {
  complaintId: string;
  category: string;
  severity: ComplaintSeverity;
  /** UTC date of the event. */
  recordedOn: string;
}

export interface CreditFileState {
  /** null until an event carries a profile field. */
  profile: CreditProfile | null;
  /** null until an event carries an account owner or a contact e-mail. */
  personal: PersonalData | null;
  /** In the order received. */
  reports: ExternalReport[];
  complaints: ComplaintRecord[];
}

export function initialCreditFile(): CreditFileState {
  return { profile: null, personal: null, reports: [], complaints: [] };
}

export function cloneCreditFile(s: CreditFileState): CreditFileState {
  return {
    profile: s.profile && {
      ...s.profile,
      registration: s.profile.registration && { ...s.profile.registration },
      financials: s.profile.financials && { ...s.profile.financials },
    },
    personal: s.personal && {
      ...s.personal,
      accountOwner: s.personal.accountOwner && { ...s.personal.accountOwner },
    },
    reports: s.reports.map((r) => ({ ...r })),
    complaints: s.complaints.map((c) => ({ ...c })),
  };
}

/**
 * Records the credit-file fields of CustomerOnboarded or CustomerProfileUpdated: each field given replaces the
 * recorded one (registration and financials as a whole), fields not given are kept.
 */
export function recordProfile(s: CreditFileState, p: ProfileFields, occurredAt: string): void {
  const graded =
    p.customerType !== undefined ||
    p.customerSince !== undefined ||
    p.industry !== undefined ||
    p.registration !== undefined ||
    p.financials !== undefined ||
    p.litigationCount !== undefined;
  if (graded) {
    const profile: CreditProfile = s.profile ?? {
      customerType: null,
      customerSince: null,
      industry: null,
      registration: null,
      financials: null,
      litigationCount: null,
      updatedAt: occurredAt,
    };
    if (p.customerType !== undefined) profile.customerType = p.customerType;
    if (p.customerSince !== undefined) profile.customerSince = p.customerSince;
    if (p.industry !== undefined) profile.industry = p.industry;
    if (p.registration !== undefined) {
      profile.registration = {
        registeredCapital: p.registration.registeredCapital ?? null,
        foundedOn: p.registration.foundedOn ?? null,
        taxRegistered: p.registration.taxRegistered ?? null,
      };
    }
    if (p.financials !== undefined) {
      const f = p.financials;
      profile.financials = {
        asOf: f.asOf,
        totalAssets: f.totalAssets,
        totalLiabilities: f.totalLiabilities,
        currentAssets: f.currentAssets,
        currentLiabilities: f.currentLiabilities,
        revenue: f.revenue,
        netIncome: f.netIncome,
        operatingCashFlow: f.operatingCashFlow ?? null,
      };
    }
    if (p.litigationCount !== undefined) profile.litigationCount = p.litigationCount;
    profile.updatedAt = occurredAt;
    s.profile = profile;
  }
  if (p.accountOwner !== undefined || p.contactEmail !== undefined) {
    const personal: PersonalData = s.personal ?? { accountOwner: null, contactEmail: null };
    if (p.accountOwner !== undefined) {
      personal.accountOwner = {
        id: p.accountOwner.id,
        name: p.accountOwner.name,
        email: p.accountOwner.email ?? null,
      };
    }
    if (p.contactEmail !== undefined) personal.contactEmail = p.contactEmail;
    s.personal = personal;
  }
}

export function recordReport(
  s: CreditFileState,
  p: {
    agency: string;
    reportId: string;
    score?: number;
    rating?: string;
    reportedOn: string;
    validUntil: string;
  },
  occurredAt: string,
): void {
  s.reports.push({
    agency: p.agency,
    reportId: p.reportId,
    score: p.score ?? null,
    rating: p.rating ?? null,
    reportedOn: p.reportedOn,
    validUntil: p.validUntil,
    receivedOn: dateOf(occurredAt),
  });
}

export function recordComplaint(
  s: CreditFileState,
  p: { complaintId: string; category: string; severity: ComplaintSeverity },
  occurredAt: string,
): void {
  s.complaints.push({ ...p, recordedOn: dateOf(occurredAt) });
}

/** Adds the fields that are set to a snapshot (absent = initial, so older snapshots keep their bytes). */
export function writeCreditFile(snapshot: Record<string, unknown>, s: CreditFileState): void {
  if (s.profile !== null) snapshot.profile = s.profile;
  if (s.personal !== null) snapshot.personal = s.personal;
  if (s.reports.length > 0) snapshot.reports = s.reports;
  if (s.complaints.length > 0) snapshot.complaints = s.complaints;
}

type Json = Record<string, unknown>;

function bad(msg: string): never {
  throw new DomainError('BAD_STATE', `state: ${msg}`);
}
function o(v: unknown, what: string): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(`${what} is not an object`);
  return v as Json;
}
function str(x: Json, k: string): string {
  return typeof x[k] === 'string' ? (x[k] as string) : bad(`${k} is not a string`);
}
function strOrNull(x: Json, k: string): string | null {
  return x[k] === null || x[k] === undefined ? null : str(x, k);
}
function big(x: Json, k: string): bigint {
  const v = x[k];
  return typeof v === 'string' && /^-?\d+$/.test(v) ? BigInt(v) : bad(`${k} is not an integer string`);
}
function bigOrNull(x: Json, k: string): bigint | null {
  return x[k] === null || x[k] === undefined ? null : big(x, k);
}
function intOrNull(x: Json, k: string): number | null {
  const v = x[k];
  if (v === null || v === undefined) return null;
  return Number.isSafeInteger(v) ? (v as number) : bad(`${k} is not an integer`);
}
function boolOrNull(x: Json, k: string): boolean | null {
  const v = x[k];
  if (v === null || v === undefined) return null;
  return typeof v === 'boolean' ? v : bad(`${k} is not a boolean`);
}
function list(x: Json, k: string): unknown[] {
  if (x[k] === undefined) return [];
  return Array.isArray(x[k]) ? (x[k] as unknown[]) : bad(`${k} is not an array`);
}

/** Reads the fields writeCreditFile wrote into `target`. */
export function readCreditFile(data: Json, target: CreditFileState): void {
  if (data.profile !== undefined && data.profile !== null) {
    const p = o(data.profile, 'profile');
    const r =
      p.registration === null || p.registration === undefined ? null : o(p.registration, 'registration');
    const f = p.financials === null || p.financials === undefined ? null : o(p.financials, 'financials');
    target.profile = {
      customerType: strOrNull(p, 'customerType') as CustomerType | null,
      customerSince: strOrNull(p, 'customerSince'),
      industry: strOrNull(p, 'industry'),
      registration: r && {
        registeredCapital: bigOrNull(r, 'registeredCapital'),
        foundedOn: strOrNull(r, 'foundedOn'),
        taxRegistered: boolOrNull(r, 'taxRegistered'),
      },
      financials: f && {
        asOf: str(f, 'asOf'),
        totalAssets: big(f, 'totalAssets'),
        totalLiabilities: big(f, 'totalLiabilities'),
        currentAssets: big(f, 'currentAssets'),
        currentLiabilities: big(f, 'currentLiabilities'),
        revenue: big(f, 'revenue'),
        netIncome: big(f, 'netIncome'),
        operatingCashFlow: bigOrNull(f, 'operatingCashFlow'),
      },
      litigationCount: intOrNull(p, 'litigationCount'),
      updatedAt: str(p, 'updatedAt'),
    };
  }
  if (data.personal !== undefined && data.personal !== null) {
    const p = o(data.personal, 'personal');
    const a =
      p.accountOwner === null || p.accountOwner === undefined ? null : o(p.accountOwner, 'accountOwner');
    target.personal = {
      accountOwner: a && { id: str(a, 'id'), name: str(a, 'name'), email: strOrNull(a, 'email') },
      contactEmail: strOrNull(p, 'contactEmail'),
    };
  }
  target.reports = list(data, 'reports').map((v) => {
    const r = o(v, 'report');
    return {
      agency: str(r, 'agency'),
      reportId: str(r, 'reportId'),
      score: intOrNull(r, 'score'),
      rating: strOrNull(r, 'rating'),
      reportedOn: str(r, 'reportedOn'),
      validUntil: str(r, 'validUntil'),
      receivedOn: str(r, 'receivedOn'),
    };
  });
  target.complaints = list(data, 'complaints').map((v) => {
    const c = o(v, 'complaint');
    return {
      complaintId: str(c, 'complaintId'),
      category: str(c, 'category'),
      severity: str(c, 'severity') as ComplaintSeverity,
      recordedOn: str(c, 'recordedOn'),
    };
  });
}
