import { dayNumber } from '../dates';
import type { CustomerState } from '../customer/state';
import type { ExternalReport } from '../customer/credit-file-state';
import { formatMinor } from '../money';
import { currencyExponent } from '../currencies';
import { amountFor, type AssessmentPolicy, type ExternalScale, type Segment } from './policy';
import type { FactorScore, ProfileFactor } from './rating';
import { bpText, onRamp, ratioBp, toTarget } from './scale';

export interface ProfileScores {
  factors: FactorScore[];
  /** Whether any input of the profile model is on file (else the customer is unassessed until history accrues). */
  assessed: boolean;
}

/** An own entry of a policy table (a name sent by a billing system must not reach Object.prototype). */
function entry<T>(table: { [key: string]: T } | undefined, key: string): T | undefined {
  return table !== undefined && Object.hasOwn(table, key) ? table[key] : undefined;
}

/** The score of the longest prefix of `code` in the policy's industry table, or its default. */
function industryScore(code: string, policy: AssessmentPolicy): { score: number; matched: string } {
  const table = policy.profile.industryRisk;
  for (let n = code.length; n > 0; n--) {
    const s = entry(table.codes, code.slice(0, n));
    if (s !== undefined) return { score: s, matched: code.slice(0, n) };
  }
  return { score: table.default, matched: 'default' };
}

/**
 * A report on the agency's scale mapped to 0..100: a score linearly over the scale's range (clamped), else a
 * rating from its table (tried as given, then without a trailing + or -). null when the policy cannot map it.
 */
export function mapReport(report: ExternalReport, scale: ExternalScale | undefined): number | null {
  if (scale === undefined) return null;
  if (report.score !== null && scale.score !== undefined) {
    const { min, max } = scale.score;
    const v = Math.min(max, Math.max(min, report.score));
    return Math.floor((100 * (v - min)) / (max - min));
  }
  if (report.rating !== null && scale.ratings !== undefined) {
    const exact = entry(scale.ratings, report.rating);
    if (exact !== undefined) return exact;
    const base = entry(scale.ratings, report.rating.replace(/[+-]+$/, ''));
    if (base !== undefined) return base;
  }
  return null;
}

/**
 * The report the rating uses at `atDate`: among reports made by then and still valid (validUntil >= atDate) whose
 * scale the policy maps, the latest reportedOn (ties: the one received last).
 */
function currentReport(
  state: CustomerState,
  atDate: string,
  policy: AssessmentPolicy,
): { report: ExternalReport; mapped: number; valid: number } | null {
  let best: { report: ExternalReport; mapped: number } | null = null;
  let valid = 0;
  for (const r of state.reports) {
    if (r.reportedOn > atDate || r.validUntil < atDate) continue;
    const mapped = mapReport(r, entry(policy.profile.externalScales, r.agency));
    if (mapped === null) continue;
    valid++;
    if (best === null || r.reportedOn >= best.report.reportedOn) best = { report: r, mapped };
  }
  return best && { ...best, valid };
}

/**
 * The profile model at `atDate` (seed 000 §1.1: 基本信息、行业风险、财务状况、外部征信; seed 002: 流动比率、资产负债率、
 * 净利润率; seed 004: 注册资本、司法涉诉). Every input missing from the file scores 0: credit is not extended on
 * what is not known (seed 000: 宁愿少做一单生意,也不愿和信用不明的客户合作).
 */
export function profileScores(
  state: CustomerState,
  atDate: string,
  policy: AssessmentPolicy,
  segment: Segment,
): ProfileScores {
  const atDay = dayNumber(atDate);
  const currency = state.currency;
  const exponent = currency === null ? 0 : currencyExponent(currency);
  const fmt = (v: bigint): string => formatMinor(v, exponent);
  const profile = state.profile;
  const reg = profile?.registration ?? null;
  const rules = policy.profile;
  let assessed = false;
  const w = segment.profile.weights;
  const f = (
    factor: ProfileFactor,
    normalised: number,
    raw: Record<string, string | number>,
  ): FactorScore => ({
    factor,
    raw,
    normalised,
    weight: w[factor],
    contribution: w[factor] * normalised,
  });
  const unknown = (factor: ProfileFactor, field: string): FactorScore => f(factor, 0, { [field]: 'unknown' });
  const out: FactorScore[] = [];

  const founded = reg?.foundedOn ?? null;
  if (founded === null) out.push(unknown('yearsInBusiness', 'foundedOn'));
  else {
    assessed = true;
    const days = Math.max(0, atDay - dayNumber(founded));
    const target = segment.profile.yearsInBusinessTargetDays;
    out.push(
      f('yearsInBusiness', Math.min(100, Math.floor((100 * days) / target)), {
        foundedOn: founded,
        days,
        targetDays: target,
      }),
    );
  }

  const capital = reg?.registeredCapital ?? null;
  if (capital === null || currency === null) out.push(unknown('registeredCapital', 'registeredCapital'));
  else {
    assessed = true;
    const target = amountFor(segment.profile.registeredCapitalTarget, currency);
    out.push(
      f('registeredCapital', toTarget(capital, target), {
        registeredCapital: fmt(capital),
        target: fmt(target),
      }),
    );
  }

  const tax = reg?.taxRegistered ?? null;
  if (tax !== null) assessed = true;
  out.push(
    f('taxRegistration', tax === true ? 100 : 0, {
      taxRegistered: tax === null ? 'unknown' : tax ? 'yes' : 'no',
    }),
  );

  const industry = profile?.industry ?? null;
  if (industry === null) out.push(unknown('industryRisk', 'industry'));
  else {
    assessed = true;
    const { score, matched } = industryScore(industry, policy);
    out.push(f('industryRisk', score, { industry, matched }));
  }

  const fin = profile?.financials ?? null;
  const age = fin === null ? 0 : atDay - dayNumber(fin.asOf);
  if (fin === null || age < 0 || age > rules.financialsMaxAgeDays) {
    const raw = {
      financials: fin === null ? 'unknown' : age < 0 ? 'not yet in force' : 'stale',
      asOf: fin?.asOf ?? 'unknown',
    };
    out.push(f('currentRatio', 0, raw), f('debtToAsset', 0, raw), f('netMargin', 0, raw));
  } else {
    assessed = true;
    const asOf = fin.asOf;
    // No current liabilities: every current asset covers nothing owed (full marks when there are any).
    const current = fin.currentLiabilities > 0n ? ratioBp(fin.currentAssets, fin.currentLiabilities) : null;
    out.push(
      f(
        'currentRatio',
        current === null ? (fin.currentAssets > 0n ? 100 : 0) : onRamp(current, rules.currentRatioBp),
        {
          currentRatio: current === null ? 'n/a' : bpText(current),
          asOf,
        },
      ),
    );
    const debt = fin.totalAssets > 0n ? ratioBp(fin.totalLiabilities, fin.totalAssets) : null;
    out.push(
      f('debtToAsset', debt === null ? 0 : onRamp(debt, rules.debtToAssetBp), {
        debtToAsset: debt === null ? 'n/a' : bpText(debt),
        asOf,
      }),
    );
    const margin = fin.revenue > 0n ? ratioBp(fin.netIncome, fin.revenue) : null;
    out.push(
      f('netMargin', margin === null ? 0 : onRamp(margin, rules.netMarginBp), {
        netMargin: margin === null ? 'n/a' : bpText(margin),
        asOf,
      }),
    );
  }

  const report = currentReport(state, atDate, policy);
  if (report === null) out.push(f('externalScore', 0, { reports: 0 }));
  else {
    assessed = true;
    const r = report.report;
    out.push(
      f('externalScore', report.mapped, {
        agency: r.agency,
        reportId: r.reportId,
        reportedOn: r.reportedOn,
        value: r.score ?? r.rating ?? '',
        reports: report.valid,
      }),
    );
  }

  const cases = profile?.litigationCount ?? null;
  if (cases === null) out.push(unknown('litigation', 'litigationCount'));
  else {
    assessed = true;
    out.push(
      f('litigation', Math.max(0, 100 - rules.litigationPenalty * cases), {
        litigationCount: cases,
        penaltyPerCase: rules.litigationPenalty,
      }),
    );
  }
  return { factors: out, assessed };
}
