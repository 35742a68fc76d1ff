import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { DataSource } from 'typeorm';
import { AppConfig, ROLES, loadConfig } from '@credit-ledger/config';
import { createLedgerDataSource } from '@credit-ledger/ledger-store';
import { createKafka } from '@credit-ledger/messaging';
import { PersonalDataKeys, PersonalDataReader, loadMasterKeyring } from '@credit-ledger/personal-data';

export function config(): AppConfig {
  return loadConfig();
}

/** The configured ledger database (TLS and credentials applied), connected. */
export function openLedger(poolSize: number, cfg: AppConfig = config()): Promise<DataSource> {
  return createLedgerDataSource(cfg.databaseUrl, { poolSize, security: cfg.databaseSecurity }).initialize();
}

export function kafkaFor(cfg: AppConfig) {
  return createKafka({
    brokers: cfg.kafkaBrokers,
    clientId: `${cfg.kafkaClientId}-cli`,
    security: cfg.kafkaSecurity,
    log: (level, m) => {
      if (level === 'error') console.error(m);
    },
  });
}

/**
 * When API_KEYS is unset, make one fresh key per role for this run so a local start works out of the box.
 * The keys live only in this process and the returned env line, which the caller prints once.
 */
export function ensureApiKeys(cfg: AppConfig): string | null {
  if (cfg.apiKeys.length > 0) return null;
  // Named like parseApiKeys names an unnamed key, so the printed line gives the same principals.
  cfg.apiKeys = ROLES.map((role) => ({
    role,
    key: randomBytes(18).toString('base64url'),
    name: `${role}-1`,
  }));
  return cfg.apiKeys.map((k) => `${k.role}:${k.key}`).join(',');
}

/** ISO date (UTC) `days` before today, so demo histories end today and aging looks real. */
export function daysAgo(days: number, now = new Date()): string {
  return new Date(now.getTime() - days * 86_400_000).toISOString().slice(0, 10);
}

/**
 * What a command prints passes through here: sealed personal values are opened only with `--personal` (as an
 * admin, the read logged under `cli:<os user>`), else shown `[restricted]`; a forgotten customer's `[erased]`.
 */
export async function personalView<T>(
  ds: DataSource,
  value: T,
  opts: { personal?: boolean },
  purpose: string,
): Promise<T> {
  const reader = new PersonalDataReader(ds, new PersonalDataKeys(loadMasterKeyring()));
  return reader.open(value, {
    principal: `cli:${userInfo().username}`,
    role: opts.personal ? 'admin' : 'reader',
    purpose,
  });
}

export const PERSONAL_OPTION = [
  '--personal',
  'open personal data (contacts) instead of showing [restricted]; the read is logged',
] as const;
