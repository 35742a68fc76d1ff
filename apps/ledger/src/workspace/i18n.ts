import i18next, { type TFunction } from 'i18next';
import { en } from './locales/en';
import { zhCN } from './locales/zh-CN';

export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];
export const LANG_COOKIE = 'cl_lang';

const i18n = i18next.createInstance();
void i18n.init({
  initAsync: false,
  resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
  fallbackLng: 'en',
  supportedLngs: [...LANGUAGES],
  // Templates escape on output (eta); escaping here too would show entities.
  interpolation: { escapeValue: false },
});

export const isLanguage = (v: unknown): v is Language => (LANGUAGES as readonly unknown[]).includes(v);

/** The language a request asks for: its cookie, else the first supported one in Accept-Language, else English. */
export function languageOf(cookie: string | undefined, acceptLanguage: string | undefined): Language {
  if (isLanguage(cookie)) return cookie;
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.split(';')[0].trim().toLowerCase();
    if (tag.startsWith('zh')) return 'zh-CN';
    if (tag.startsWith('en')) return 'en';
  }
  return 'en';
}

export function translator(lang: Language): TFunction {
  return i18n.getFixedT(lang);
}

/**
 * Numbers, money, ratios and instants written the locale's way (Intl). Amounts arrive as exact decimal strings
 * and are formatted as strings, so no amount passes through a float.
 */
export class Formats {
  private readonly moneyFormats = new Map<string, Intl.NumberFormat>();
  private readonly percent: Intl.NumberFormat;
  private readonly dateTime: Intl.DateTimeFormat;
  private readonly number: Intl.NumberFormat;

  constructor(readonly lang: Language) {
    this.percent = new Intl.NumberFormat(lang, {
      style: 'percent',
      minimumFractionDigits: 2,
      maximumFractionDigits: 2,
    });
    this.dateTime = new Intl.DateTimeFormat(lang, {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: 'UTC',
    });
    this.number = new Intl.NumberFormat(lang, { maximumFractionDigits: 1 });
  }

  money(amount: string | null | undefined, currency: string | null | undefined): string {
    if (amount === null || amount === undefined) return '—';
    if (!currency) return amount;
    let f = this.moneyFormats.get(currency);
    if (!f) {
      f = new Intl.NumberFormat(this.lang, { style: 'currency', currency, currencyDisplay: 'code' });
      this.moneyFormats.set(currency, f);
    }
    // Intl formats a decimal string exactly (no float on the way).
    return f.format(amount as unknown as number);
  }

  /** A ratio given as a decimal string ("0.3750") as a percentage. */
  ratio(value: string | null | undefined): string {
    return value === null || value === undefined ? '—' : this.percent.format(value as unknown as number);
  }

  num(value: number | null | undefined): string {
    return value === null || value === undefined ? '—' : this.number.format(value);
  }

  instant(iso: string | null | undefined): string {
    return iso ? `${this.dateTime.format(new Date(iso))} UTC` : '—';
  }
}
