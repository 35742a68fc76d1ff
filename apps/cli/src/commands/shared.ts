import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig, ROLES, loadConfig } from '@credit-ledger/config';
import { createLedgerDataSource } from '@credit-ledger/ledger-store';
import { createKafka } from '@credit-ledger/messaging';

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
