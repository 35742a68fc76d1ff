import { ConfigError } from './config-error';
import { Secret, redactUrl, secretSetting } from './secrets';
import {
  KafkaSecurity,
  PostgresSecurity,
  RedisSecurity,
  loadKafkaSecurity,
  loadPostgresSecurity,
  loadRedisSecurity,
  postgresClientConfig,
} from './connections';

export { ConfigError };

/**
 * Every setting the processes read, with its default, in one place. A test checks that docs/configuration.md's
 * configuration table lists every entry of CONFIG_DOC with the same default.
 */
export interface AppConfig {
  kafkaBrokers: string[];
  kafkaClientId: string;
  kafkaGroupId: string;
  kafkaSessionTimeoutMs: number;
  /** TLS and SASL of every Kafka client (KAFKA_SECURITY_PROTOCOL, KAFKA_SSL_*, KAFKA_SASL_*). */
  kafkaSecurity: KafkaSecurity;
  eventsTopic: string;
  dlqTopic: string;
  databaseUrl: string;
  /** sslmode, CA, client certificate and a password kept out of DATABASE_URL. */
  databaseSecurity: PostgresSecurity;
  redisUrl: string;
  /** User, password and TLS material of REDIS_URL's server. */
  redisSecurity: RedisSecurity;
  port: number;
  /** Port of the worker's probes and metrics; null: the worker serves no HTTP. */
  workerPort: number | null;
  apiKeys: ApiKey[];
  ingestBatchSize: number;
  /** Append transactions the ingestion runs at once, each for other partitions. */
  ingestAppendConcurrency: number;
  parkTimeoutMs: number;
  parkSweepIntervalMs: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** json (one object per line, for log shippers) or pretty (a terminal); `up` defaults to pretty. */
  logFormat: 'json' | 'pretty';
  /** Alert e-mail of the worker; null while SMTP_URL is unset. */
  alertMail: AlertMailConfig | null;
  /** Customer states the ledger API keeps in memory (LRU); 0 disables the cache. */
  positionCacheEntries: number;
  /** Estimated heap (MB) the ingesting writer may keep customer states in between appends; 0 keeps none. */
  residentStateMb: number;
  /** Quiet time after which the ledger runs one full collection and returns its unused heap to the OS; 0: never. */
  idleCompactionMs: number;
  /** How far ahead of the ledger's clock occurredAt may be before an event is FUTURE_EVENT. */
  futureEventToleranceMs: number;
  /** Lag that has not moved for this long turns health degraded. */
  ingestStallMs: number;
  /** How often the ledger asks Kafka for the topic's end offsets and the group's committed offsets. */
  kafkaHealthIntervalMs: number;
  jobs: JobsConfig;
  workspace: WorkspaceConfig;
}

/** The browser workspace at /app: its session cookie and the month-end report's PDF font. */
export interface WorkspaceConfig {
  /** Signs the session and CSRF cookies; null: a random secret per process (sessions end with a restart). */
  sessionSecret: Secret | null;
  sessionTtlMinutes: number;
  /** A TrueType/OpenType font (or collection) with CJK glyphs for the PDF report; null: the first one found. */
  pdfFont: string | null;
}

/** The BullMQ worker: queue, schedules (cron, UTC) and the alert outbox relay. */
export interface JobsConfig {
  queuePrefix: string;
  concurrency: number;
  chunkSize: number;
  lockMs: number;
  schedules: {
    overdueScan: string;
    freezeReview: string;
    dormantLimitReview: string;
    rerateCustomers: string;
    creditControlReview: string;
    monthlyReport: string;
  };
  outboxPollMs: number;
  outboxBatchSize: number;
}

/** E-mail delivery of alerts by the worker (off while SMTP_URL is unset). */
export interface AlertMailConfig {
  /** nodemailer SMTP URL (may hold a password: a Secret, never logged). */
  smtpUrl: Secret;
  from: string;
  financeTo: string[];
  retryMs: number;
  maxAttempts: number;
  windowMs: number;
}

/** reader reads; the five approver roles of seed 004 request and approve credit; admin administers only. */
export const ROLES = [
  'reader',
  'sales-manager',
  'finance-clerk',
  'finance-manager',
  'cfo',
  'general-manager',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];
/**
 * Roles of earlier releases, still accepted in API_KEYS (`finance` became `finance-manager`, `credit-analyst`
 * `finance-clerk`).
 */
export const LEGACY_ROLES: Readonly<Record<string, Role>> = {
  finance: 'finance-manager',
  'credit-analyst': 'finance-clerk',
};
export interface ApiKey {
  role: Role;
  key: string;
  /** Principal recorded in the events this key's commands append; four-eyes compares principals. */
  name?: string;
}

interface Setting {
  env: string;
  default: string;
  doc: string;
}

export const CONFIG_DOC: Setting[] = [
  { env: 'KAFKA_BROKERS', default: '127.0.0.1:9092', doc: 'Comma-separated Kafka bootstrap brokers.' },
  { env: 'KAFKA_CLIENT_ID', default: 'credit-ledger', doc: 'kafkajs client id.' },
  { env: 'KAFKA_GROUP_ID', default: 'credit-ledger-ingest', doc: 'Consumer group of the ingestion.' },
  {
    env: 'KAFKA_SESSION_TIMEOUT_MS',
    default: '30000',
    doc: 'Consumer-group session timeout: how soon a dead ingestion member loses its partitions.',
  },
  {
    env: 'KAFKA_SECURITY_PROTOCOL',
    default: 'PLAINTEXT',
    doc: "PLAINTEXT, SSL (TLS), SASL_PLAINTEXT or SASL_SSL (TLS + SASL: what managed Kafka services use), as Kafka clients' `security.protocol`.",
  },
  {
    env: 'KAFKA_SASL_MECHANISM',
    default: '(none)',
    doc: '`plain`, `scram-sha-256` or `scram-sha-512`; required with SASL_SSL and SASL_PLAINTEXT.',
  },
  { env: 'KAFKA_SASL_USERNAME', default: '(none)', doc: 'SASL user of every Kafka client of the ledger.' },
  {
    env: 'KAFKA_SASL_PASSWORD',
    default: '(none)',
    doc: 'Its password, or `KAFKA_SASL_PASSWORD_FILE`: a file holding it. Never logged.',
  },
  {
    env: 'KAFKA_SSL_CA',
    default: '(none)',
    doc: "PEM of the CA that signed the brokers' certificates (or `KAFKA_SSL_CA_FILE`: its path); unset, the system's trusted CAs.",
  },
  {
    env: 'KAFKA_SSL_CERT',
    default: '(none)',
    doc: 'Client certificate PEM for mutual TLS (or `KAFKA_SSL_CERT_FILE`), with `KAFKA_SSL_KEY` / `KAFKA_SSL_KEY_FILE` (its private key).',
  },
  { env: 'EVENTS_TOPIC', default: 'billing.events', doc: 'Topic the billing events arrive on.' },
  { env: 'DLQ_TOPIC', default: 'billing.events.dlq', doc: 'Dead-letter topic for rejected events.' },
  {
    env: 'DATABASE_URL',
    default: 'postgres://postgres@127.0.0.1:5432/credit_ledger',
    doc: 'PostgreSQL connection string (the database is created if missing by `migrate`/`up`).',
  },
  {
    env: 'DATABASE_SSL_MODE',
    default: '(none)',
    doc: "disable, require, verify-ca or verify-full (libpq's meaning; unset: the URL's `sslmode`, else disable). `sslmode`, `sslrootcert`, `sslcert`, `sslkey` in DATABASE_URL work too.",
  },
  {
    env: 'DATABASE_SSL_CA',
    default: '(none)',
    doc: "PEM of the CA of the PostgreSQL server's certificate (or `DATABASE_SSL_CA_FILE`); unset, the system's trusted CAs.",
  },
  {
    env: 'DATABASE_SSL_CERT',
    default: '(none)',
    doc: 'Client certificate PEM (or `DATABASE_SSL_CERT_FILE`), with `DATABASE_SSL_KEY` / `DATABASE_SSL_KEY_FILE`.',
  },
  {
    env: 'DATABASE_PASSWORD',
    default: '(none)',
    doc: 'PostgreSQL password when it is not in DATABASE_URL (or `DATABASE_PASSWORD_FILE`). Never logged.',
  },
  {
    env: 'REDIS_URL',
    default: 'redis://127.0.0.1:6379',
    doc: 'Redis for the BullMQ workers: `redis://[user:password@]host:port[/db]`, or `rediss://…` for TLS.',
  },
  { env: 'REDIS_USERNAME', default: '(none)', doc: 'Redis ACL user when it is not in REDIS_URL.' },
  {
    env: 'REDIS_PASSWORD',
    default: '(none)',
    doc: 'Redis password when it is not in REDIS_URL (or `REDIS_PASSWORD_FILE`). Never logged.',
  },
  {
    env: 'REDIS_TLS_CA',
    default: '(none)',
    doc: "With `rediss://`: PEM of the CA of the Redis server's certificate (or `REDIS_TLS_CA_FILE`); unset, the system's trusted CAs.",
  },
  {
    env: 'REDIS_TLS_CERT',
    default: '(none)',
    doc: 'With `rediss://`: client certificate PEM (or `REDIS_TLS_CERT_FILE`), with `REDIS_TLS_KEY` / `REDIS_TLS_KEY_FILE`.',
  },
  { env: 'PORT', default: '3000', doc: 'HTTP port of the ledger API.' },
  {
    env: 'WORKER_PORT',
    default: '(none)',
    doc: 'HTTP port of the worker for `/health/live`, `/health/ready` and `/metrics` (no API key; keep it inside the cluster). Unset: the worker serves no HTTP.',
  },
  {
    env: 'PERSONAL_DATA_MASTER_KEY',
    default: '(none)',
    doc: 'Master keys wrapping the per-customer data keys of personal data: `VERSION:BASE64` entries (32 bytes each, `openssl rand -base64 32`), the highest version current; or `PERSONAL_DATA_MASTER_KEY_FILE`. Unset: refused with NODE_ENV=production, else a key generated into `.personal-data-dev.key`.',
  },
  {
    env: 'API_KEYS',
    default: '(none)',
    doc: 'Comma-separated `role:key` or `role:name:key` entries (roles reader|sales-manager|finance-clerk|finance-manager|cfo|general-manager|admin; credit-analyst is read as finance-clerk). `up` generates keys when unset.',
  },
  {
    env: 'INGEST_BATCH_SIZE',
    default: '2000',
    doc: 'Most Kafka messages in one append transaction; small chunks of partitions arriving together share one.',
  },
  {
    env: 'INGEST_APPEND_CONCURRENCY',
    default: '2',
    doc: 'Append transactions the ingestion runs at once, each for other partitions (so other customers): node decides one chunk while PostgreSQL writes another.',
  },
  {
    env: 'PARK_TIMEOUT_MS',
    default: '86400000',
    doc: 'How long an event waiting for its invoice/payment/order/customer stays parked before it is rejected.',
  },
  { env: 'PARK_SWEEP_INTERVAL_MS', default: '30000', doc: 'How often expired parked events are swept.' },
  { env: 'LOG_LEVEL', default: 'info', doc: 'debug, info, warn or error.' },
  {
    env: 'LOG_FORMAT',
    default: 'json',
    doc: 'json (one JSON object per line, with a request id on HTTP lines and the Kafka origin on ingestion lines) or pretty (coloured text; `up` uses it unless LOG_FORMAT is set).',
  },
  {
    env: 'POSITION_CACHE_ENTRIES',
    default: '10000',
    doc: 'Customer states the ledger API keeps in memory for `GET /customers/:id` (least recently used dropped first, about 6 KB each; kept coherent with every writer through the ledger notifications). 0 disables the cache.',
  },
  {
    env: 'RESIDENT_STATE_MB',
    default: '64',
    doc: 'Estimated memory (MB) the ledger keeps the customer states it has just appended to in, so the next event of the same customer skips reading and parsing its stored state (least recently used dropped first; each is checked against the stored stream version, dropped on a consumer-group rebalance and after 5 s without an append). 0 keeps none.',
  },
  {
    env: 'IDLE_COMPACTION_MS',
    default: '6000',
    doc: 'After this long with the ledger process idle (event loop under 10 % busy), one full garbage collection returns the heap an ingest burst grew to (V8 keeps it otherwise); once per quiet period, never while busy. 0 disables it.',
  },
  {
    env: 'FUTURE_EVENT_TOLERANCE_MS',
    default: '86400000',
    doc: "Plausibility window: an event whose occurredAt (or issuedOn/receivedOn) is later than the ledger's clock plus this is rejected FUTURE_EVENT.",
  },
  {
    env: 'INGEST_STALL_MS',
    default: '60000',
    doc: 'Health turns `degraded` when the ingestion lag is above 0 and the committed offsets have not moved for this long.',
  },
  {
    env: 'KAFKA_HEALTH_INTERVAL_MS',
    default: '5000',
    doc: 'How often the ledger checks Kafka (reachable, per-partition lag of its group) for `/health` and `/metrics`.',
  },
  {
    env: 'QUEUE_PREFIX',
    default: 'credit-ledger',
    doc: 'Redis key prefix of the BullMQ queue `credit-jobs`.',
  },
  {
    env: 'WORKER_CONCURRENCY',
    default: '4',
    doc: 'Jobs (e.g. re-rating chunks) one worker process runs at once.',
  },
  { env: 'JOB_CHUNK_SIZE', default: '1000', doc: 'Customers per chunk job of a scan or re-rating.' },
  {
    env: 'JOB_LOCK_MS',
    default: '30000',
    doc: 'BullMQ job lock: a job whose worker died is retried after about this long.',
  },
  {
    env: 'SCHEDULE_OVERDUE_SCAN',
    default: '0 * * * *',
    doc: 'Cron (UTC) of the overdue scan (collections notices).',
  },
  {
    env: 'SCHEDULE_FREEZE_REVIEW',
    default: '*/15 * * * *',
    doc: 'Cron (UTC) of the freeze review (freeze once past due or over the overdue amount, unfreeze when cleared).',
  },
  {
    env: 'SCHEDULE_DORMANT_LIMIT_REVIEW',
    default: '0 3 * * *',
    doc: 'Cron (UTC) of the dormant-limit review.',
  },
  {
    env: 'SCHEDULE_RERATE_CUSTOMERS',
    default: '0 2 * * *',
    doc: 'Cron (UTC) of the re-rating of every customer.',
  },
  {
    env: 'SCHEDULE_CREDIT_CONTROL_REVIEW',
    default: '15 * * * *',
    doc: 'Cron (UTC) of the credit-control review (approval reminders, escalation and expiry; temporary-limit expiry, grade cuts, credit repair). Hourly, so a reminder is at most an hour late.',
  },
  {
    env: 'SCHEDULE_MONTHLY_REPORT',
    default: '5 0 1 * *',
    doc: "Cron (UTC, as the report's months are) of the month-end credit report: each run stores the report of the month before it, unless one is stored already.",
  },
  {
    env: 'OUTBOX_POLL_MS',
    default: '1000',
    doc: 'Fallback poll of the alert relay; a commit that writes alerts wakes it at once through NOTIFY.',
  },
  { env: 'OUTBOX_BATCH_SIZE', default: '500', doc: 'Most alerts published in one outbox relay round.' },
  {
    env: 'SMTP_URL',
    default: '(none)',
    doc: 'SMTP server the worker mails alerts through (`smtp://user:pass@host:587`, `smtps://…`; or `SMTP_URL_FILE`); unset, no e-mail. Never logged.',
  },
  { env: 'ALERT_MAIL_FROM', default: 'credit-ledger@localhost', doc: 'Sender address of alert e-mails.' },
  {
    env: 'ALERT_MAIL_FINANCE',
    default: '(none)',
    doc: 'Comma-separated addresses of the `finance` recipient of every alert; unset, finance is not mailed.',
  },
  {
    env: 'ALERT_MAIL_RETRY_MS',
    default: '30000',
    doc: 'First retry of an alert e-mail the SMTP server refused; doubles per attempt, at most one hour.',
  },
  { env: 'ALERT_MAIL_MAX_ATTEMPTS', default: '5', doc: 'Attempts per alert e-mail before it is given up.' },
  {
    env: 'ALERT_MAIL_WINDOW_MS',
    default: '86400000',
    doc: 'Only alerts raised this recently are mailed (switching e-mail on does not mail the past).',
  },
  {
    env: 'SESSION_SECRET',
    default: '(random per process)',
    doc: 'Signs the workspace session and CSRF cookies (32+ characters; or `SESSION_SECRET_FILE`). Unset: a random secret, so sessions end when the ledger restarts and are not shared between replicas.',
  },
  {
    env: 'SESSION_TTL_MINUTES',
    default: '480',
    doc: 'Lifetime of a workspace session (the signed HttpOnly cookie); sign in again after it.',
  },
  {
    env: 'PDF_FONT',
    default: '(Noto Sans CJK if installed)',
    doc: 'Font file (TTF/OTF/TTC) with Chinese glyphs for the PDF report; unset: `/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc` when present, else Helvetica (no Chinese).',
  },
];

function alertMailConfig(env: NodeJS.ProcessEnv): AlertMailConfig | null {
  const smtpUrl = secretSetting(env, 'SMTP_URL');
  if (smtpUrl === null) return null;
  if (!/^smtps?:\/\//.test(smtpUrl.reveal()))
    throw new ConfigError(`SMTP_URL must start with smtp:// or smtps://, got ${redactUrl(smtpUrl.reveal())}`);
  return {
    smtpUrl,
    from: env.ALERT_MAIL_FROM || 'credit-ledger@localhost',
    financeTo: (env.ALERT_MAIL_FINANCE ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    retryMs: intSetting(env, 'ALERT_MAIL_RETRY_MS', 30_000, 10),
    maxAttempts: intSetting(env, 'ALERT_MAIL_MAX_ATTEMPTS', 5, 1),
    windowMs: intSetting(env, 'ALERT_MAIL_WINDOW_MS', 86_400_000, 1000),
  };
}

function intSetting(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min) {
    throw new ConfigError(`${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return Number(raw);
}

const PRINCIPAL_RE = /^[A-Za-z0-9._@-]{1,64}$/;

/**
 * `role:key` or `role:name:key`, comma-separated. Without a name the principal is `<role>-<n>` (its position among
 * that role's keys), so two unnamed keys of one role are still two principals for four-eyes.
 */
export function parseApiKeys(raw: string | undefined): ApiKey[] {
  if (!raw) return [];
  const perRole = new Map<Role, number>();
  const names = new Set<string>();
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const i = entry.indexOf(':');
      const rawRole = entry.slice(0, i);
      const role = LEGACY_ROLES[rawRole] ?? rawRole;
      let rest = entry.slice(i + 1);
      let name: string | undefined;
      const j = rest.indexOf(':');
      if (j >= 0) {
        name = rest.slice(0, j);
        rest = rest.slice(j + 1);
      }
      const bad = (why: string): never => {
        throw new ConfigError(
          `API_KEYS entry "${entry.slice(0, 12)}…" must be role:key or role:name:key with role ${ROLES.join('|')}, ` +
            `a name of 1-64 characters A-Z a-z 0-9 . _ @ - and a key of 16+ characters (${why})`,
        );
      };
      if (i <= 0 || !(ROLES as readonly string[]).includes(role)) bad('unknown role');
      if (name !== undefined && !PRINCIPAL_RE.test(name)) bad('bad name');
      if (rest.length < 16) bad('key too short');
      const n = (perRole.get(role as Role) ?? 0) + 1;
      perRole.set(role as Role, n);
      const principal = name ?? `${role}-${n}`;
      // Four-eyes compares principals without regard to case, so "Sam" and "sam" would be one person.
      if (names.has(principal.toLowerCase()))
        bad(`duplicate name ${principal} (names are compared ignoring case)`);
      names.add(principal.toLowerCase());
      return { role: role as Role, key: rest, name: principal };
    });
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const logLevel = (env.LOG_LEVEL ?? 'info') as AppConfig['logLevel'];
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL must be debug, info, warn or error, got "${logLevel}"`);
  }
  const databaseUrl = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/credit_ledger';
  const databaseSecurity = loadPostgresSecurity(env);
  // Built once here so a contradiction between DATABASE_URL and the DATABASE_* variables fails at start.
  postgresClientConfig(databaseUrl, databaseSecurity);
  const redisUrl = env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const logFormat = (env.LOG_FORMAT || 'json') as AppConfig['logFormat'];
  if (!['json', 'pretty'].includes(logFormat)) {
    throw new ConfigError(`LOG_FORMAT must be json or pretty, got "${logFormat}"`);
  }
  return {
    kafkaBrokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    kafkaClientId: env.KAFKA_CLIENT_ID ?? 'credit-ledger',
    kafkaGroupId: env.KAFKA_GROUP_ID ?? 'credit-ledger-ingest',
    kafkaSessionTimeoutMs: intSetting(env, 'KAFKA_SESSION_TIMEOUT_MS', 30_000, 1000),
    eventsTopic: env.EVENTS_TOPIC ?? 'billing.events',
    dlqTopic: env.DLQ_TOPIC ?? 'billing.events.dlq',
    kafkaSecurity: loadKafkaSecurity(env),
    databaseUrl,
    databaseSecurity,
    redisUrl,
    redisSecurity: loadRedisSecurity(env, redisUrl),
    port: intSetting(env, 'PORT', 3000, 0),
    workerPort: env.WORKER_PORT ? intSetting(env, 'WORKER_PORT', 0, 0) : null,
    apiKeys: parseApiKeys(env.API_KEYS),
    ingestBatchSize: intSetting(env, 'INGEST_BATCH_SIZE', 2000, 1),
    ingestAppendConcurrency: intSetting(env, 'INGEST_APPEND_CONCURRENCY', 2, 1),
    parkTimeoutMs: intSetting(env, 'PARK_TIMEOUT_MS', 86_400_000, 0),
    parkSweepIntervalMs: intSetting(env, 'PARK_SWEEP_INTERVAL_MS', 30_000, 10),
    logLevel,
    logFormat,
    alertMail: alertMailConfig(env),
    positionCacheEntries: intSetting(env, 'POSITION_CACHE_ENTRIES', 10_000, 0),
    residentStateMb: intSetting(env, 'RESIDENT_STATE_MB', 64, 0),
    idleCompactionMs: intSetting(env, 'IDLE_COMPACTION_MS', 6000, 0),
    futureEventToleranceMs: intSetting(env, 'FUTURE_EVENT_TOLERANCE_MS', 86_400_000, 0),
    ingestStallMs: intSetting(env, 'INGEST_STALL_MS', 60_000, 1000),
    kafkaHealthIntervalMs: intSetting(env, 'KAFKA_HEALTH_INTERVAL_MS', 5000, 100),
    jobs: {
      queuePrefix: env.QUEUE_PREFIX || 'credit-ledger',
      concurrency: intSetting(env, 'WORKER_CONCURRENCY', 4, 1),
      chunkSize: intSetting(env, 'JOB_CHUNK_SIZE', 1000, 1),
      lockMs: intSetting(env, 'JOB_LOCK_MS', 30_000, 500),
      schedules: {
        overdueScan: cronSetting(env, 'SCHEDULE_OVERDUE_SCAN', '0 * * * *'),
        freezeReview: cronSetting(env, 'SCHEDULE_FREEZE_REVIEW', '*/15 * * * *'),
        dormantLimitReview: cronSetting(env, 'SCHEDULE_DORMANT_LIMIT_REVIEW', '0 3 * * *'),
        rerateCustomers: cronSetting(env, 'SCHEDULE_RERATE_CUSTOMERS', '0 2 * * *'),
        creditControlReview: cronSetting(env, 'SCHEDULE_CREDIT_CONTROL_REVIEW', '15 * * * *'),
        monthlyReport: cronSetting(env, 'SCHEDULE_MONTHLY_REPORT', '5 0 1 * *'),
      },
      outboxPollMs: intSetting(env, 'OUTBOX_POLL_MS', 1000, 10),
      outboxBatchSize: intSetting(env, 'OUTBOX_BATCH_SIZE', 500, 1),
    },
    workspace: {
      sessionSecret: sessionSecret(env),
      sessionTtlMinutes: intSetting(env, 'SESSION_TTL_MINUTES', 480, 1),
      pdfFont: env.PDF_FONT || null,
    },
  };
}

function sessionSecret(env: NodeJS.ProcessEnv): Secret | null {
  const secret = secretSetting(env, 'SESSION_SECRET');
  if (secret && secret.reveal().length < 32)
    throw new ConfigError('SESSION_SECRET must be at least 32 characters');
  return secret;
}

/** Five or six space-separated cron fields; the scheduler reports anything subtler when it parses it. */
function cronSetting(env: NodeJS.ProcessEnv, name: string, fallback: string): string {
  const raw = (env[name] ?? '').trim();
  if (raw === '') return fallback;
  const fields = raw.split(/\s+/);
  if (fields.length < 5 || fields.length > 6 || !fields.every((f) => /^[\d*/,?LW#A-Za-z-]+$/.test(f))) {
    throw new ConfigError(`${name} must be a cron expression like "0 * * * *", got "${raw}"`);
  }
  return fields.join(' ');
}
