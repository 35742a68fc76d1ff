import { exponentOf, MAGNITUDE, minorPerMajor } from './money';
import { deriveSeed, Mulberry32, normalizeSeed, Rng } from './rng';
import { GeneratorOptions } from './types';

// Builtins are bound to module constants: under jest's vm sandbox every global lookup (Math, …) goes
// through an interceptor and hot loops run several times slower.
const { floor, max, min, round } = Math;

export const DAY_MS = 86_400_000;
export const BUSINESS_OPEN_S = 8 * 3600;
export const BUSINESS_CLOSE_S = 18 * 3600;
export const BUSINESS_OPEN_MS = BUSINESS_OPEN_S * 1000;
export const BUSINESS_CLOSE_MS = BUSINESS_CLOSE_S * 1000;
export const ID_PATTERN = /^[A-Za-z0-9._:/-]{1,128}$/;

export type PayerProfile = 'good' | 'average' | 'late' | 'chronic';

/** Normalised generator options plus derived constants. */
export interface GeneratorConfig {
  seed: number;
  customers: number;
  eventsPerCustomer: number;
  startMs: number;
  days: number;
  currencies: readonly string[];
  /** Cumulative weights, same length as currencies. */
  currencyCumWeights: readonly number[];
  prefix: string;
  source: string;
  totalEvents: number;
  baseCount: number;
  extraCount: number;
  controlled: boolean;
  bypassRate: number;
}

const DEFAULT_CURRENCIES = ['EUR', 'USD', 'GBP', 'JPY', 'KWD'];
const DEFAULT_CURRENCY_WEIGHTS = [72, 12, 10, 4, 2];

export function normalizeOptions(opts: GeneratorOptions): GeneratorConfig {
  const seed = normalizeSeed(opts.seed);
  const customers = opts.customers;
  if (!Number.isSafeInteger(customers) || customers < 0) {
    throw new RangeError(`customers must be a non-negative integer, got ${customers}`);
  }
  const eventsPerCustomer = opts.eventsPerCustomer ?? 10;
  if (!Number.isFinite(eventsPerCustomer) || eventsPerCustomer < 0) {
    throw new RangeError(`eventsPerCustomer must be >= 0, got ${eventsPerCustomer}`);
  }
  const days = opts.days ?? 365;
  if (!Number.isSafeInteger(days) || days < 1)
    throw new RangeError(`days must be an integer >= 1, got ${days}`);
  const start = opts.start ?? '2025-01-01';
  const parsed = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(start) ? `${start}T00:00:00.000Z` : start);
  if (!Number.isFinite(parsed)) throw new RangeError(`start is not an ISO date: ${start}`);
  const startMs = floor(parsed / DAY_MS) * DAY_MS;
  let currencies: readonly string[];
  let weights: readonly number[];
  if (opts.currencies !== undefined) {
    if (opts.currencies.length === 0) throw new RangeError('currencies must not be empty');
    currencies = [...opts.currencies];
    weights = currencies.map(() => 1);
  } else {
    currencies = DEFAULT_CURRENCIES;
    weights = DEFAULT_CURRENCY_WEIGHTS;
  }
  currencies.forEach(exponentOf); // throws on unknown codes
  let acc = 0;
  const currencyCumWeights = weights.map((w) => (acc += w));
  const prefix = opts.customerIdPrefix ?? 'C';
  const source = opts.source ?? 'billing-eu';
  if (!ID_PATTERN.test(`${prefix}-000000`) || prefix.length > 80)
    throw new RangeError(`bad customerIdPrefix ${prefix}`);
  if (!ID_PATTERN.test(source)) throw new RangeError(`bad source ${source}`);
  const billing = opts.billing ?? 'uncontrolled';
  if (billing !== 'controlled' && billing !== 'uncontrolled')
    throw new RangeError(`billing must be 'controlled' or 'uncontrolled', got ${String(billing)}`);
  const bypassRate = opts.bypassRate ?? 0.01;
  if (!Number.isFinite(bypassRate) || bypassRate < 0 || bypassRate > 1)
    throw new RangeError(`bypassRate must be within [0, 1], got ${bypassRate}`);
  const totalEvents = round(customers * eventsPerCustomer);
  const baseCount = customers === 0 ? 0 : floor(totalEvents / customers);
  return {
    seed,
    customers,
    eventsPerCustomer,
    startMs,
    days,
    currencies,
    currencyCumWeights,
    prefix,
    source,
    totalEvents,
    baseCount,
    extraCount: totalEvents - baseCount * customers,
    controlled: billing === 'controlled',
    bypassRate,
  };
}

export function customerIdFor(prefix: string, index: number): string {
  const n = `${index + 1}`;
  return n.length >= 6 ? `${prefix}-${n}` : `${prefix}-${'000000'.slice(n.length)}${n}`;
}

/** Day of week for a day offset from startMs: 0 = Sunday … 6 = Saturday. */
export function dayOfWeek(cfg: GeneratorConfig, day: number): number {
  return (((floor(cfg.startMs / DAY_MS) + day + 4) % 7) + 7) % 7;
}

/** Moves a Saturday/Sunday to the following Monday. */
export function businessDay(cfg: GeneratorConfig, day: number): number {
  const dow = dayOfWeek(cfg, day);
  return dow === 6 ? day + 2 : dow === 0 ? day + 1 : day;
}

/**
 * Number of events customer `index` produces. Customers are paired (0,1), (2,3)…; one of each pair gets
 * +d and the other −d, so counts vary (≈ 30 %–170 % of the average) while the total stays exact.
 */
export function eventCountFor(cfg: GeneratorConfig, index: number): number {
  const own = baseCountOf(cfg, index);
  const partner = index ^ 1;
  if (partner >= cfg.customers) return own;
  const other = baseCountOf(cfg, partner);
  const rng = new Mulberry32(deriveSeed(cfg.seed, index >> 1, 7));
  const maxD = max(0, floor(0.7 * (min(own, other) - 1)));
  const d = rng.int(0, maxD) * (rng.chance(0.5) ? 1 : -1);
  return (index & 1) === 0 ? own + d : own - d;
}

function baseCountOf(cfg: GeneratorConfig, index: number): number {
  const n = cfg.customers;
  const extra = floor(((index + 1) * cfg.extraCount) / n) - floor((index * cfg.extraCount) / n);
  return cfg.baseCount + extra;
}

const LIMIT_STEPS = [
  5_000, 10_000, 15_000, 20_000, 25_000, 30_000, 40_000, 50_000, 75_000, 100_000, 150_000, 200_000, 250_000,
  300_000, 400_000, 500_000,
];
/** Mostly small and mid-sized accounts, a long tail of big ones (chronic payers get smaller limits). */
const LIMIT_WEIGHTS = [12, 12, 10, 10, 8, 8, 7, 7, 6, 5, 4, 3, 2, 2, 2, 2];
const CHRONIC_LIMIT_WEIGHTS = [25, 20, 14, 10, 8, 6, 5, 4, 3, 2, 1, 1, 1, 0, 0, 0];
const SYLLABLES = [
  'Al',
  'Ber',
  'Cor',
  'Dal',
  'El',
  'Fen',
  'Gar',
  'Hal',
  'Is',
  'Jor',
  'Kel',
  'Lum',
  'Mar',
  'Nor',
  'Or',
  'Pel',
  'Quin',
  'Ros',
  'Sol',
  'Tor',
  'Ul',
  'Ven',
  'Wil',
  'Xan',
  'Yor',
  'Zel',
];
const ENDINGS = ['ex', 'ia', 'on', 'ar', 'is', 'um', 'ix', 'ora', 'et', 'an'];
const SECTORS = [
  'Logistics',
  'Foods',
  'Textiles',
  'Engineering',
  'Pharma',
  'Retail',
  'Systems',
  'Metals',
  'Paper',
  'Electric',
  'Trading',
  'Labs',
  'Components',
  'Packaging',
  'Timber',
  'Motors',
];
const LEGAL_FORMS: Readonly<Record<string, readonly string[]>> = {
  EUR: ['GmbH', 'SA', 'BV', 'SpA', 'Oy', 'AG', 'SARL'],
  USD: ['Inc.', 'LLC', 'Corp.'],
  GBP: ['Ltd', 'PLC'],
  JPY: ['KK', 'Co., Ltd.'],
  KWD: ['WLL', 'KSCC'],
};
const OTHER_LEGAL_FORMS = ['Ltd', 'AB', 'AS', 'Sp. z o.o.', 'Inc.'];

export interface CustomerInfo {
  index: number;
  customerId: string;
  name: string;
  currency: string;
  exponent: number;
  profile: PayerProfile;
  /** Credit limit in minor units, or null when the customer is onboarded without one. */
  creditLimitMinor: number | null;
  /** Limit used to size invoices/orders (equals creditLimitMinor when present). */
  sizingLimitMinor: number;
  termsDays: number;
  onboardDay: number;
  onboardMs: number;
  eventCount: number;
}

function weighted<T>(rng: Rng, xs: readonly T[], weights: readonly number[]): T {
  let total = 0;
  for (const w of weights) total += w;
  let r = rng.next() * total;
  for (let i = 0; i < xs.length; i++) {
    r -= weights[i];
    if (r < 0) return xs[i];
  }
  return xs[xs.length - 1];
}

/** Onboarding day & time are the first draws of the customer's profile stream (cheap to compute for all). */
function onboarding(cfg: GeneratorConfig, rng: Rng, eventCount: number): { day: number; ms: number } {
  let day: number;
  if (rng.chance(0.25)) day = rng.int(0, min(4, cfg.days - 1));
  else day = floor(rng.next() * max(1, floor(cfg.days * 0.7)));
  const shifted = businessDay(cfg, day);
  if (shifted < cfg.days) day = shifted;
  return { day, ms: cfg.startMs + day * DAY_MS + rng.int(BUSINESS_OPEN_S, latestStart(eventCount)) * 1000 };
}

/**
 * Latest second of the day at which a customer with `remaining` events may start a day, so that all of
 * them still fit before closing time when they are packed (≤ 10 minutes apart) into very short histories.
 */
export function latestStart(remaining: number): number {
  return max(BUSINESS_OPEN_S, BUSINESS_CLOSE_S - 1 - min(remaining, 60) * 600);
}

export function onboardingMsFor(cfg: GeneratorConfig, index: number): number {
  return onboarding(cfg, new Mulberry32(deriveSeed(cfg.seed, index, 1)), eventCountFor(cfg, index)).ms;
}

/** Static facts about customer `index` (currency, profile, limit, terms…), without generating its events. */
export function customerInfoFor(cfg: GeneratorConfig, index: number): CustomerInfo {
  const rng = new Mulberry32(deriveSeed(cfg.seed, index, 1));
  const eventCount = eventCountFor(cfg, index);
  const { day, ms } = onboarding(cfg, rng, eventCount);
  const r = rng.next() * cfg.currencyCumWeights[cfg.currencyCumWeights.length - 1];
  let ci = 0;
  while (ci < cfg.currencies.length - 1 && r >= cfg.currencyCumWeights[ci]) ci++;
  const currency = cfg.currencies[ci];
  const exponent = exponentOf(currency);
  const profile = weighted<PayerProfile>(rng, ['good', 'average', 'late', 'chronic'], [40, 35, 17, 8]);
  const limitMajor = weighted(
    rng,
    LIMIT_STEPS,
    profile === 'chronic' ? CHRONIC_LIMIT_WEIGHTS : LIMIT_WEIGHTS,
  );
  const limitMinor = limitMajor * (MAGNITUDE[currency] ?? 1) * minorPerMajor(exponent);
  const hasLimit = !rng.chance(0.12);
  const termsDays =
    profile === 'good'
      ? weighted(rng, [14, 30, 45, 60, 90], [5, 35, 20, 20, 20])
      : weighted(rng, [14, 30, 45, 60, 90], [15, 50, 15, 15, 5]);
  const name = `${rng.pick(SYLLABLES)}${rng.pick(SYLLABLES).toLowerCase()}${rng.pick(ENDINGS)} ${rng.pick(SECTORS)} ${rng.pick(LEGAL_FORMS[currency] ?? OTHER_LEGAL_FORMS)}`;
  return {
    index,
    customerId: customerIdFor(cfg.prefix, index),
    name,
    currency,
    exponent,
    profile,
    creditLimitMinor: hasLimit ? limitMinor : null,
    sizingLimitMinor: limitMinor,
    termsDays,
    onboardDay: day,
    onboardMs: ms,
    eventCount,
  };
}

/** Public helper: facts about customer `index` for the given options (e.g. to find EUR customers). */
export function describeCustomer(opts: GeneratorOptions, index: number): CustomerInfo {
  const cfg = normalizeOptions(opts);
  if (!Number.isSafeInteger(index) || index < 0 || index >= cfg.customers) {
    throw new RangeError(`customer index ${index} out of range`);
  }
  return customerInfoFor(cfg, index);
}

/** Ids of the first `limit` customers (by index) whose currency is `currency`. */
export function customerIdsWithCurrency(
  opts: GeneratorOptions,
  currency: string,
  limit = Infinity,
): string[] {
  const cfg = normalizeOptions(opts);
  const out: string[] = [];
  for (let i = 0; i < cfg.customers && out.length < limit; i++) {
    const info = customerInfoFor(cfg, i);
    if (info.currency === currency) out.push(info.customerId);
  }
  return out;
}
