import { Kafka, logLevel as KafkaLogLevel, LogEntry } from 'kafkajs';

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  /** Where kafkajs' own log lines go; defaults to silence below WARN. */
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

/**
 * kafkajs reports every failed connection attempt and retried request as an ERROR; the ledger says what matters
 * itself (consumer crashed, Kafka unreachable, rebuilt) and keeps trying, so kafkajs' lines are one level lower.
 */
const LEVELS: Record<number, 'debug' | 'info' | 'warn' | 'error'> = {
  [KafkaLogLevel.ERROR]: 'warn',
  [KafkaLogLevel.WARN]: 'debug',
  [KafkaLogLevel.INFO]: 'info',
  [KafkaLogLevel.DEBUG]: 'debug',
};

export function createKafka(opts: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId: opts.clientId,
    brokers: opts.brokers,
    logLevel: opts.log ? KafkaLogLevel.WARN : KafkaLogLevel.NOTHING,
    retry: { initialRetryTime: 100, retries: 10 },
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...extra } = log;
        const detail = Object.keys(extra).length ? ` ${JSON.stringify(extra)}` : '';
        opts.log?.(LEVELS[level] ?? 'info', `kafkajs: ${message}${detail}`);
      },
  });
}
