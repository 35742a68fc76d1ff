import { randomBytes } from 'node:crypto';
import { AppConfig, loadConfig } from '@credit-ledger/config';
import { createKafka } from '@credit-ledger/messaging';

export function config(): AppConfig {
  return loadConfig();
}

export function kafkaFor(cfg: AppConfig) {
  return createKafka({
    brokers: cfg.kafkaBrokers,
    clientId: `${cfg.kafkaClientId}-cli`,
    log: (level, m) => {
      if (level === 'error') console.error(m);
    },
  });
}

/** Fresh keys for a local run, one per role; printed once, never written to disk. */
export function generateApiKeys(): { reader: string; finance: string; admin: string; env: string } {
  const key = () => randomBytes(18).toString('base64url');
  const keys = { reader: key(), finance: key(), admin: key() };
  return { ...keys, env: `reader:${keys.reader},finance:${keys.finance},admin:${keys.admin}` };
}

/** ISO date (UTC) `days` before today, so demo histories end today and aging looks real. */
export function daysAgo(days: number, now = new Date()): string {
  return new Date(now.getTime() - days * 86_400_000).toISOString().slice(0, 10);
}
