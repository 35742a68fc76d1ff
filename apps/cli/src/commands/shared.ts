import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { DataSource } from 'typeorm';
import { AppConfig, ROLES, loadConfig } from '@credit-ledger/config';
import { createLedgerDataSource } from '@credit-ledger/ledger-store';
import { createKafka } from '@credit-ledger/messaging';
import { PersonalDataKeys, PersonalDataReader, loadMasterKeyring } from '@credit-ledger/personal-data';
import { ApiKeyRing } from '../../../ledger/src/auth/api-key.guard';
import type { Principal } from '../../../ledger/src/auth/roles';

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

/** The environment variable holding the API key a CLI decision is made with. */
export const CLI_KEY_ENV = 'CREDIT_LEDGER_API_KEY';

/**
 * Who a CLI decision (propose, approve, reject) is made by: the principal of the API key in
 * CREDIT_LEDGER_API_KEY, looked up in API_KEYS exactly as the HTTP API does, so a person is the same principal
 * on both paths and four-eyes holds across them (approving on the CLI what one proposed on the API is refused).
 * A name typed on the command line would prove nothing; a key proves as much as it does to the API. The CLI
 * opens the database directly, though: whoever holds DATABASE_URL can bypass any check with SQL, so the
 * database credentials stay with operators (docs/approvals.md).
 */
export function cliPrincipal(cfg: AppConfig): Principal {
  const key = process.env[CLI_KEY_ENV];
  if (!key)
    throw new Error(
      `${CLI_KEY_ENV} is not set: decisions are made with your API key (an API_KEYS entry), e.g. ` +
        `${CLI_KEY_ENV}=… credit-ledger approvals list`,
    );
  const principal = new ApiKeyRing(cfg).principal(key);
  if (!principal) throw new Error(`${CLI_KEY_ENV} is not a key of API_KEYS`);
  return principal;
}
