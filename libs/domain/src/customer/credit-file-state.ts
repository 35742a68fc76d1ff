/**
 * The credit-file part of CustomerState: what the customer is (profile), who to talk to (personal data), the
 * external credit reports and the complaints recorded. Seeds: 000 §1.1 (five assessment elements), 004 (360°
 * file: 基础资料、交易记录、回款记录).
 */
import type { IndividualDetails, ProfileFields } from '../contract/payloads';
import type { ComplaintSeverity, CustomerType } from '../contract/payloads';
import { dateOf } from '../dates';
import { StateReader, type Json } from './state-reader';

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
  /** An individual customer's own details (sealed strings), as last sent; null when never sent. */
  individual: IndividualDetails | null;
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

/** A request to forget the customer, waiting for a second admin (four eyes). */
export interface ForgetRequest {
  requestId: string;
  reason: string;
  by: string;
  requestedAt: string;
}

/** The customer was forgotten: its data key is destroyed, its personal values read as erased. */
export interface Forgotten {
  requestId: string;
  at: string;
  requestedBy: string;
  approvedBy: string;
}

export interface CreditFileState {
  /** null until an event carries a profile field. */
  profile: CreditProfile | null;
  /** null until an event carries an account owner or a contact e-mail (sealed values: libs/personal-data). */
  personal: PersonalData | null;
  forgetRequest: ForgetRequest | null;
  forgotten: Forgotten | null;
  /** In the order received. */
  reports: ExternalReport[];
  complaints: ComplaintRecord[];
}

export function initialCreditFile(): CreditFileState {
  return { profile: null, personal: null, forgetRequest: null, forgotten: null, reports: [], complaints: [] };
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
      individual: s.personal.individual && { ...s.personal.individual },
    },
    forgetRequest: s.forgetRequest && { ...s.forgetRequest },
    forgotten: s.forgotten && { ...s.forgotten },
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
  if (p.accountOwner !== undefined || p.contactEmail !== undefined || p.individual !== undefined) {
    const personal: PersonalData = s.personal ?? { accountOwner: null, contactEmail: null, individual: null };
    if (p.individual !== undefined) personal.individual = { ...p.individual };
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
  if (s.personal !== null) {
    // `individual` only when set, so states written before it existed keep their bytes.
    const { individual, ...rest } = s.personal;
    snapshot.personal = individual === null ? rest : s.personal;
  }
  if (s.forgetRequest !== null) snapshot.forgetRequest = s.forgetRequest;
  if (s.forgotten !== null) snapshot.forgotten = s.forgotten;
  if (s.reports.length > 0) snapshot.reports = s.reports;
  if (s.complaints.length > 0) snapshot.complaints = s.complaints;
}

/** Reads the fields writeCreditFile wrote into `target`. */
export function readCreditFile(data: Json, target: CreditFileState, read: StateReader): void {
  if (data.profile !== undefined && data.profile !== null) {
    const p = read.obj(data.profile, 'profile');
    const r =
      p.registration === null || p.registration === undefined
        ? null
        : read.obj(p.registration, 'registration');
    const f =
      p.financials === null || p.financials === undefined ? null : read.obj(p.financials, 'financials');
    target.profile = {
      customerType: read.strOrNull(p, 'customerType') as CustomerType | null,
      customerSince: read.strOrNull(p, 'customerSince'),
      industry: read.strOrNull(p, 'industry'),
      registration: r && {
        registeredCapital: read.bigOrNull(r, 'registeredCapital'),
        foundedOn: read.strOrNull(r, 'foundedOn'),
        taxRegistered: read.boolOrNull(r, 'taxRegistered'),
      },
      financials: f && {
        asOf: read.str(f, 'asOf'),
        totalAssets: read.big(f, 'totalAssets'),
        totalLiabilities: read.big(f, 'totalLiabilities'),
        currentAssets: read.big(f, 'currentAssets'),
        currentLiabilities: read.big(f, 'currentLiabilities'),
        revenue: read.big(f, 'revenue'),
        netIncome: read.big(f, 'netIncome'),
        operatingCashFlow: read.bigOrNull(f, 'operatingCashFlow'),
      },
      litigationCount: read.intOrNull(p, 'litigationCount'),
      updatedAt: read.str(p, 'updatedAt'),
    };
  }
  if (data.personal !== undefined && data.personal !== null) {
    const p = read.obj(data.personal, 'personal');
    const a =
      p.accountOwner === null || p.accountOwner === undefined
        ? null
        : read.obj(p.accountOwner, 'accountOwner');
    target.personal = {
      accountOwner: a && {
        id: read.str(a, 'id'),
        name: read.str(a, 'name'),
        email: read.strOrNull(a, 'email'),
      },
      contactEmail: read.strOrNull(p, 'contactEmail'),
      individual: null,
    };
    if (p.individual !== undefined && p.individual !== null) {
      const i = read.obj(p.individual, 'individual');
      const d: IndividualDetails = {};
      for (const k of [
        'fullName',
        'nationalId',
        'dateOfBirth',
        'education',
        'annualIncome',
        'currency',
      ] as const) {
        const v = read.strOrNull(i, k);
        if (v !== null) d[k] = v;
      }
      target.personal.individual = d;
    }
  }
  if (data.forgetRequest !== undefined && data.forgetRequest !== null) {
    const r = read.obj(data.forgetRequest, 'forgetRequest');
    target.forgetRequest = {
      requestId: read.str(r, 'requestId'),
      reason: read.str(r, 'reason'),
      by: read.str(r, 'by'),
      requestedAt: read.str(r, 'requestedAt'),
    };
  }
  if (data.forgotten !== undefined && data.forgotten !== null) {
    const f = read.obj(data.forgotten, 'forgotten');
    target.forgotten = {
      requestId: read.str(f, 'requestId'),
      at: read.str(f, 'at'),
      requestedBy: read.str(f, 'requestedBy'),
      approvedBy: read.str(f, 'approvedBy'),
    };
  }
  target.reports = read.list(data, 'reports').map((v) => {
    const r = read.obj(v, 'report');
    return {
      agency: read.str(r, 'agency'),
      reportId: read.str(r, 'reportId'),
      score: read.intOrNull(r, 'score'),
      rating: read.strOrNull(r, 'rating'),
      reportedOn: read.str(r, 'reportedOn'),
      validUntil: read.str(r, 'validUntil'),
      receivedOn: read.str(r, 'receivedOn'),
    };
  });
  target.complaints = read.list(data, 'complaints').map((v) => {
    const c = read.obj(v, 'complaint');
    return {
      complaintId: read.str(c, 'complaintId'),
      category: read.str(c, 'category'),
      severity: read.str(c, 'severity') as ComplaintSeverity,
      recordedOn: read.str(c, 'recordedOn'),
    };
  });
}
