import { Partitioners } from 'kafkajs';
import { Client } from 'pg';
import { PLAINTEXT_KAFKA, postgresClientConfig } from '@credit-ledger/config';
import { dropDatabase, migrate } from '@credit-ledger/ledger-store';
import { createKafka, ensureTopics, publishEvents } from '@credit-ledger/messaging';
import { generateEvents } from '@credit-ledger/testing';
import {
  CLI,
  NodeChild,
  cpuSecondsOf,
  memoryOf,
  postgresCpuSeconds,
  sleep,
  startBrokerProcess,
} from './proc';

export const EVENTS_TOPIC = 'billing.events';
export const DLQ_TOPIC = 'billing.events.dlq';
export const SEED = 42;
export const EVENTS_PER_CUSTOMER = 10;

export interface IngestRun {
  events: number;
  customers: number;
  /** Sustained rate: events appended between the first and the last observed checkpoint, per second. */
  eventsPerSec: number;
  seconds: number;
  produceEventsPerSec: number;
  /** From spawning the ledger process to its first committed append (start-up + group join + first chunk). */
  startupSeconds: number;
  ledgerPeakRssMb: number | null;
  /** CPU seconds the ledger process used per 1,000 events during the measured window. */
  ledgerCpuMsPerKEvent: number | null;
  /** CPU seconds all PostgreSQL processes used per 1,000 events during the measured window. */
  postgresCpuMsPerKEvent: number;
  /** Events the ledger appended itself (control events of the alert rules), beside the published ones. */
  derivedEvents: number;
  /** derivedEvents per published billing event (controlled billing: see the README's generated billing). */
  derivedPerBillingEvent: number;
  rejected: number;
  parked: number;
  /** Ledger processes consuming in one group (the partitions split between them). */
  instances: number;
  /**
   * Share of the ledger database's active backends found waiting for a heavyweight lock (pg_stat_activity
   * wait_event_type 'Lock', sampled every 100 ms): what appends lose to each other.
   */
  lockWaitShare: number | null;
}

export interface LiveLedger {
  ledger: NodeChild;
  broker: NodeChild;
  brokerAddress: string;
  databaseUrl: string;
  apiUrl: string;
  readerKey: string;
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

export interface IngestOptions {
  databaseUrl: string;
  events: number;
  port: number;
  /** Write a CPU profile of the ledger process over the ingest window to this file. */
  cpuProfile?: string;
  /** Ledger processes in the consumer group (default 1; the others listen on port + 1, + 2 …). */
  instances?: number;
  log: (line: string) => void;
}

const READER_KEY = 'bench-reader-key-0123456789';

/**
 * One end-to-end ingest measurement on a fresh database and a fresh broker: the generated history is
 * published first (so the topic holds a backlog), then the real ledger process (`credit-ledger serve`, its own
 * process) is started and consumes it through kafkajs → parse/validate → LedgerWriter → customer_positions.
 * The checkpoint of the projection is polled (one tiny query every 100 ms) until it reaches the event count.
 * Returns the measurement and the still-running ledger + broker for the measurements that need a full ledger.
 */
export async function runIngest(o: IngestOptions): Promise<{ run: IngestRun; live: LiveLedger }> {
  const customers = Math.round(o.events / EVENTS_PER_CUSTOMER);
  await dropDatabase(o.databaseUrl);
  await migrate(o.databaseUrl);
  const { child: broker, address } = await startBrokerProcess();
  let ledger: NodeChild | null = null;
  const others: NodeChild[] = [];
  const instances = o.instances ?? 1;
  try {
    const kafka = createKafka({ clientId: 'bench-producer', brokers: [address], security: PLAINTEXT_KAFKA });
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [EVENTS_TOPIC, DLQ_TOPIC]);
    await admin.disconnect();
    const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();
    const p0 = process.hrtime.bigint();
    const sent = await publishEvents(
      producer,
      EVENTS_TOPIC,
      generateEvents({
        seed: SEED,
        customers,
        eventsPerCustomer: EVENTS_PER_CUSTOMER,
        billing: 'controlled',
      }),
      { chunkSize: 5000 },
    );
    const produceSecs = Number(process.hrtime.bigint() - p0) / 1e9;
    await producer.disconnect();
    if (sent !== o.events) throw new Error(`generator produced ${sent} events, expected ${o.events}`);
    o.log(`  published ${sent} events (${customers} customers) in ${produceSecs.toFixed(1)} s`);

    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: o.databaseUrl,
      KAFKA_BROKERS: address,
      PORT: String(o.port),
      API_KEYS: `reader:${READER_KEY}`,
      LOG_LEVEL: 'warn',
      KAFKA_GROUP_ID: 'bench-ingest',
      EVENTS_TOPIC,
      DLQ_TOPIC,
    };
    const nodeArgs = o.cpuProfile
      ? ['-r', require.resolve('./cpu-profile-preload'), CLI, 'serve']
      : [CLI, 'serve'];
    if (o.cpuProfile) env.BENCH_CPU_PROFILE = o.cpuProfile;
    const db = new Client(postgresClientConfig(o.databaseUrl));
    await db.connect();
    // Progress = offsets the ingestion consumer group has committed (it commits only after the append
    // transaction), summed over partitions: derived events the ledger may append itself are not counted.
    const progressAdmin = kafka.admin();
    await progressAdmin.connect();
    const checkpoint = async (): Promise<number> => {
      const [topic] = await progressAdmin.fetchOffsets({ groupId: 'bench-ingest', topics: [EVENTS_TOPIC] });
      let n = 0;
      for (const p of topic?.partitions ?? []) n += Math.max(0, Number(p.offset));
      return n;
    };

    const s0 = Date.now();
    ledger = new NodeChild('ledger', nodeArgs, env, { ipc: Boolean(o.cpuProfile) });
    for (let i = 1; i < instances; i++) {
      others.push(new NodeChild(`ledger-${i + 1}`, [CLI, 'serve'], { ...env, PORT: String(o.port + i) }));
    }
    const lockSamples = { lock: 0, active: 0 };
    let first: { t: bigint; wall: number; n: number; cpu: number | null; pg: number } | null = null;
    let peak = 0;
    let last = 0;
    let lastProgress = Date.now();
    let lastLogged = 0;
    for (;;) {
      for (const l of [ledger, ...others])
        if (l.proc.exitCode !== null) throw new Error(`ledger exited:\n${l.log()}`);
      const n = await checkpoint();
      if (first !== null) {
        const w = await db.query(
          `SELECT count(*) FILTER (WHERE wait_event_type = 'Lock')::int AS lock,
                  count(*) FILTER (WHERE state = 'active')::int AS active
           FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`,
        );
        const r = w.rows[0] as { lock: number; active: number };
        lockSamples.lock += r.lock;
        lockSamples.active += r.active;
      }
      const now = process.hrtime.bigint();
      const mem = memoryOf(ledger.pid);
      if (mem) peak = Math.max(peak, mem.hwmMb);
      if (n > 0 && first === null)
        first = { t: now, wall: Date.now(), n, cpu: cpuSecondsOf(ledger.pid), pg: postgresCpuSeconds() };
      if (n > last) {
        last = n;
        lastProgress = Date.now();
      }
      if (n - lastLogged >= 100_000) {
        lastLogged = n;
        o.log(`  ${n} / ${o.events}`);
      }
      if (n >= o.events) break;
      // Start-up (Nest, the group join) gets longer on a busy machine, and longer still with two processes.
      const patience = last === 0 ? 180_000 : 60_000;
      if (Date.now() - lastProgress > patience) {
        const logs = [ledger, ...others].map((l) => `${l.name}:\n${l.log()}`).join('\n');
        throw new Error(`ingest stalled at ${n}/${o.events} for ${patience / 1000} s:\n${logs}`);
      }
      await sleep(100);
    }
    const done = process.hrtime.bigint();
    const cpuDone = cpuSecondsOf(ledger.pid);
    const pgDone = postgresCpuSeconds();
    if (o.cpuProfile) {
      ledger.send({ cmd: 'stop-profile' });
      await ledger.waitFor(/cpu profile written: .*/, 60_000);
    }
    const f = first!;
    const seconds = Number(done - f.t) / 1e9;
    await progressAdmin.disconnect();
    const counts = await db.query(
      `SELECT (SELECT count(*) FROM rejected_events)::int AS rejected, (SELECT count(*) FROM parked_events)::int AS parked,
              (SELECT count(*) FROM ledger_events WHERE NOT metadata ? 'derived')::int AS appended,
              (SELECT count(*) FROM ledger_events WHERE metadata ? 'derived')::int AS derived`,
    );
    await db.end();
    const { rejected, parked, appended, derived } = counts.rows[0] as {
      rejected: number;
      parked: number;
      appended: number;
      derived: number;
    };
    if (appended !== o.events) throw new Error(`ledger has ${appended} events, expected ${o.events}`);
    await ledger.waitFor(/API listening on (\S+)/, 30_000);
    const run: IngestRun = {
      events: o.events,
      customers,
      eventsPerSec: Math.round((last - f.n) / seconds),
      seconds: round(seconds, 2),
      produceEventsPerSec: Math.round(sent / produceSecs),
      startupSeconds: round((f.wall - s0) / 1000, 2),
      ledgerPeakRssMb: peak ? Math.round(peak) : null,
      ledgerCpuMsPerKEvent:
        f.cpu !== null && cpuDone !== null ? round(((cpuDone - f.cpu) * 1e6) / (last - f.n), 1) : null,
      postgresCpuMsPerKEvent: round(((pgDone - f.pg) * 1e6) / (last - f.n), 1),
      derivedEvents: derived,
      derivedPerBillingEvent: round(derived / o.events, 3),
      rejected,
      parked,
      instances,
      lockWaitShare: lockSamples.active ? round(lockSamples.lock / lockSamples.active, 3) : null,
    };
    const l = ledger;
    const live: LiveLedger = {
      ledger: l,
      broker,
      brokerAddress: address,
      databaseUrl: o.databaseUrl,
      apiUrl: `http://127.0.0.1:${o.port}`,
      readerKey: READER_KEY,
      env,
      stop: async () => {
        for (const other of others) await other.stop();
        await l.stop();
        await broker.stop();
      },
    };
    return { run, live };
  } catch (err) {
    for (const other of others) await other.stop();
    await ledger?.stop();
    await broker.stop();
    throw err;
  }
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
