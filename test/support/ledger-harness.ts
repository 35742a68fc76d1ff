import { INestApplication } from '@nestjs/common';
import { Kafka, Partitioners, Producer, logLevel } from 'kafkajs';
import { AppConfig, loadConfig } from '@credit-ledger/config';
import { EmbeddedKafkaBroker, startEmbeddedKafka } from '@credit-ledger/kafka-broker';
import { publishEvents, WireEventLike } from '@credit-ledger/messaging';
import { Clock } from '@credit-ledger/projections';
import type { MasterKeyring } from '@credit-ledger/personal-data';
import { TestDatabase, createTestDatabase } from '@credit-ledger/testing';
import { startLedgerApp } from '../../apps/ledger/src/ledger-app';
import { IngestHooks, IngestionService } from '../../apps/ledger/src/ingestion.service';
import type { PositionCacheOverrides } from '../../apps/ledger/src/customers/position-cache.providers';

export const KEYS = {
  reader: 'reader-key-0123456789abcdef',
  finance: 'finance-key-0123456789abcdef',
  admin: 'admin-key-0123456789abcdef-xyz',
  admin2: 'admin2-key-0123456789abcdef-xyz',
  analyst: 'analyst-key-0123456789abcdef',
  analyst2: 'analyst2-key-0123456789abcdef',
  sales: 'sales-key-0123456789abcdef',
  sales2: 'sales2-key-0123456789abcdef',
  finance2: 'finance2-key-0123456789abcdef',
  cfo: 'cfo-key-0123456789abcdef-xyz',
  gm: 'gm-key-0123456789abcdef-xyz',
};

/**
 * One principal per key (role:name:key); `finance` and `credit-analyst` are the legacy role names of
 * finance-manager and finance-clerk (carl and cora are finance clerks).
 */
export const TEST_API_KEYS = [
  `reader:${KEYS.reader}`,
  `finance:fiona:${KEYS.finance}`,
  `finance-manager:fred:${KEYS.finance2}`,
  `admin:ada:${KEYS.admin}`,
  `admin:abe:${KEYS.admin2}`,
  `credit-analyst:carl:${KEYS.analyst}`,
  `finance-clerk:cora:${KEYS.analyst2}`,
  `sales-manager:sam:${KEYS.sales}`,
  `sales-manager:sid:${KEYS.sales2}`,
  `cfo:cleo:${KEYS.cfo}`,
  `general-manager:gina:${KEYS.gm}`,
].join(',');

/**
 * A policy whose trial limit covers every onboarding limit of a suite: for suites about ingestion, positions
 * and reports, whose customers start from an approved limit. The first application itself (trial, then an
 * `initial` request) is approvals.int.spec's.
 */
export const TRIAL_COVERS_ALL = {
  approvals: { trialLimit: { default: '1000000000.00', JPY: '100000000000', KWD: '1000000000.000' } },
};

/**
 * A whole ledger on real parts: the embedded Kafka-protocol broker over TCP, a fresh PostgreSQL database, and
 * the Nest app with its kafkajs consumer. Tests talk to it through kafkajs and HTTP only.
 */
export class LedgerHarness {
  app: INestApplication | null = null;
  url = '';
  published = 0;
  /** Further ledger instances on the same database, broker and consumer group (`instances` > 1), and their URLs. */
  readonly peers: INestApplication[] = [];
  readonly peerUrls: string[] = [];
  private constructor(
    readonly broker: EmbeddedKafkaBroker,
    readonly db: TestDatabase,
    readonly kafka: Kafka,
    readonly producer: Producer,
    readonly config: AppConfig,
  ) {}

  static async start(
    opts: {
      clock?: Clock;
      hooks?: IngestHooks;
      env?: Record<string, string>;
      startApp?: boolean;
      positionCache?: PositionCacheOverrides;
      keyring?: MasterKeyring;
      /** How the app reaches the suite's database (e.g. through a TCP proxy); the harness itself goes direct. */
      databaseUrl?: (url: string) => string;
      /** Top-level fields replacing those of the policy in force before the app starts (e.g. TRIAL_COVERS_ALL). */
      policy?: Record<string, unknown>;
      /** Ledger instances consuming in one group (default 1); start returns once they split the partitions. */
      instances?: number;
    } = {},
  ): Promise<LedgerHarness> {
    const broker = await startEmbeddedKafka({ defaultPartitions: 6 });
    const db = await createTestDatabase();
    const config = loadConfig({
      KAFKA_BROKERS: broker.address,
      DATABASE_URL: opts.databaseUrl ? opts.databaseUrl(db.url) : db.url,
      PORT: '0',
      LOG_LEVEL: 'error',
      API_KEYS: TEST_API_KEYS,
      KAFKA_GROUP_ID: 'ledger-test',
      ...opts.env,
    });
    const kafka = new Kafka({
      clientId: 'test-publisher',
      brokers: [broker.address],
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: config.eventsTopic, numPartitions: 6 },
        { topic: config.dlqTopic, numPartitions: 6 },
      ],
    });
    await admin.disconnect();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const h = new LedgerHarness(broker, db, kafka, producer, config);
    if (opts.policy !== undefined)
      await h.query(
        `UPDATE grade_policies SET policy = policy || $1::jsonb
         WHERE version = (SELECT max(version) FROM grade_policies)`,
        [JSON.stringify(opts.policy)],
      );
    if (opts.startApp !== false) await h.startApp(opts);
    for (let i = 1; i < (opts.instances ?? 1); i++) {
      const { app, url } = await startLedgerApp({
        config: config,
        clock: opts.clock,
        hooks: opts.hooks,
        positionCache: opts.positionCache,
        keyring: opts.keyring,
        host: '127.0.0.1',
      });
      h.peers.push(app);
      h.peerUrls.push(url);
    }
    if (h.peers.length) await h.waitForSplit();
    return h;
  }

  /** The ingestion service of every running instance. */
  get instances(): IngestionService[] {
    return [this.app, ...this.peers].filter((a) => a !== null).map((a) => a.get(IngestionService));
  }

  /** One ingestion counter summed over every instance. */
  ingested(stat: 'messages' | 'appended' | 'duplicates' | 'rejected' | 'isolated' | 'parked'): number {
    return this.instances.reduce((n, i) => n + (i.consumer?.stats[stat] ?? 0), 0);
  }

  /** Until every instance has partitions and together they hold each of the topic's six once. */
  async waitForSplit(timeoutMs = 60_000): Promise<void> {
    const counts = () => this.instances.map((i) => i.consumer?.stats.partitions ?? 0);
    await waitUntil(
      () => counts().every((n) => n > 0) && counts().reduce((a, b) => a + b, 0) === 6,
      timeoutMs,
      () => `partitions per instance: ${counts().join(', ')}`,
    );
  }

  async startApp(
    opts: {
      clock?: Clock;
      hooks?: IngestHooks;
      positionCache?: PositionCacheOverrides;
      keyring?: MasterKeyring;
    } = {},
  ): Promise<void> {
    const { app, url } = await startLedgerApp({
      config: this.config,
      clock: opts.clock,
      hooks: opts.hooks,
      positionCache: opts.positionCache,
      keyring: opts.keyring,
      host: '127.0.0.1',
    });
    this.app = app;
    this.url = url;
  }

  async stopApp(): Promise<void> {
    this.peerUrls.splice(0);
    for (const peer of this.peers.splice(0)) await peer.close();
    await this.app?.close();
    this.app = null;
  }

  get ingestion(): IngestionService {
    return this.app!.get(IngestionService);
  }

  async publish(events: Iterable<WireEventLike>): Promise<number> {
    const n = await publishEvents(this.producer, this.config.eventsTopic, events);
    this.published += n;
    return n;
  }

  async publishRaw(messages: Array<{ key: string | Buffer | null; value: string | Buffer }>): Promise<void> {
    for (let i = 0; i < messages.length; i += 1000) {
      await this.producer.send({
        topic: this.config.eventsTopic,
        acks: -1,
        messages: messages.slice(i, i + 1000),
      });
    }
    this.published += messages.length;
  }

  /** Waits until the consumers (of every instance) have handled every message published through this harness. */
  async waitForIngestion(timeoutMs = 60_000): Promise<void> {
    await waitUntil(
      () => this.ingested('messages') >= this.published,
      timeoutMs,
      () => `ingested ${this.ingested('messages')} of ${this.published} messages`,
    );
  }

  // Response bodies are free-form JSON that each test inspects field by field.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async get(path: string, key: string | null = KEYS.reader): Promise<{ status: number; body: any }> {
    const res = await fetch(this.url + path, { headers: key ? { authorization: `Bearer ${key}` } : {} });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      /* plain text (metrics) */
    }
    return { status: res.status, body };
  }

  /** Any method with a JSON body (or a raw string body) and extra headers; answers like get(). */
  async send(
    method: string,
    path: string,
    body?: unknown,
    key: string | null = KEYS.admin,
    headers: Record<string, string> = {},
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ): Promise<{ status: number; body: any; text: string; contentType: string | null }> {
    const h: Record<string, string> = { ...headers };
    if (key) h.authorization = `Bearer ${key}`;
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      h['content-type'] ??= 'application/json';
    }
    const res = await fetch(this.url + path, { method, headers: h, body: payload });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      /* CSV or plain text */
    }
    return { status: res.status, body: parsed, text, contentType: res.headers.get('content-type') };
  }

  /**
   * Puts a policy version in force the only way the API allows, four-eyes: `proposer` proposes it
   * (`POST /policy/proposals`) and `approver`, another principal of a role the policy in force names, approves
   * it. Answers the approval (200, `body.adopted` the version now in force), or the proposal's refusal.
   */
  async adoptPolicy(
    body: { policy: unknown; note?: string; simulationId?: string },
    keys: { proposer?: string; approver?: string } = {},
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ): Promise<{ status: number; body: any; proposalId: string | null }> {
    const proposed = await this.send('POST', '/policy/proposals', body, keys.proposer ?? KEYS.admin);
    if (proposed.status !== 201) return { status: proposed.status, body: proposed.body, proposalId: null };
    const id = proposed.body.proposalId as string;
    const approved = await this.send(
      'POST',
      `/policy/proposals/${id}/approve`,
      undefined,
      keys.approver ?? KEYS.cfo,
    );
    return { status: approved.status, body: approved.body, proposalId: id };
  }

  /** One principal's approval of a pending credit request (`POST /customers/:id/limit-requests/:requestId/approve`). */
  approveRequest(customerId: string, requestId: string, key: string): ReturnType<LedgerHarness['send']> {
    return this.send('POST', `/customers/${customerId}/limit-requests/${requestId}/approve`, undefined, key);
  }

  async query<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    const { Client } = await import('pg');
    const c = new Client({ connectionString: this.db.url });
    await c.connect();
    try {
      return (await c.query(sql, params)).rows as T[];
    } finally {
      await c.end();
    }
  }

  async stop(): Promise<void> {
    await this.stopApp().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
    await this.broker.stop();
    await this.db.drop();
  }
}

export async function waitUntil(
  pred: () => boolean | Promise<boolean>,
  timeoutMs: number,
  describe: () => string = () => 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pred())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting: ${describe()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
