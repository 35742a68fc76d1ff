import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Kafka, Partitioners, Producer, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { dropDatabase, migrate } from '@credit-ledger/ledger-store';
import { publishEvents } from '@credit-ledger/messaging';
import { TcpProxy, WireEvent, comparable, foldInMemory, generateHistory } from '@credit-ledger/testing';
import { ManagedProcess } from './managed-process';

export interface ChaosOptions {
  events: number;
  customers: number;
  rounds: number;
  /** Events published per second while the faults run. */
  rate: number;
  refuseMs: number;
  seed: number;
  /** PostgreSQL server (any database): the run creates and drops a database of its own there. */
  databaseUrl: string;
  keep: boolean;
  bin: string;
  log: (line: string) => void;
}

export type FaultName = 'ledger-sigkill' | 'db-sessions-terminated' | 'db-refused' | 'broker-sigkill';
export const FAULTS: FaultName[] = [
  'ledger-sigkill',
  'db-sessions-terminated',
  'db-refused',
  'broker-sigkill',
];

export interface ChaosReport {
  ok: boolean;
  published: number;
  inLedger: number;
  lost: number;
  doubled: number;
  rejected: number;
  positionsChecked: number;
  positionsEqual: number;
  /** Seconds from the end of each fault until an event published at that moment was in the ledger. */
  recoveries: Array<{ fault: FaultName; seconds: number }>;
  seconds: number;
  logDir: string;
  problems: string[];
}

const READER_KEY = `reader:chaos-reader:${randomBytes(18).toString('base64url')}`;
const PROBE_CUSTOMER = 'CHAOS-PROBE';

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(pred: () => Promise<boolean>, timeoutMs: number, what: string): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await pred().catch(() => false)) return (Date.now() - started) / 1000;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs / 1000} s: ${what}`);
    await sleep(100);
  }
}

/**
 * Ingests a generated history while, round after round, the ledger is SIGKILLed and restarted, its database
 * sessions are terminated, the database refuses connections for a while (a TCP proxy cuts the path) and the broker
 * is SIGKILLed and restarted. Then checks that nothing was lost or doubled, that positions equal an independent
 * fold of what was published, and how long ingestion took to recover by itself after each fault.
 */
export async function runChaos(o: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const logDir = mkdtempSync(path.join(os.tmpdir(), 'credit-ledger-chaos-'));
  const problems: string[] = [];
  const pgUrl = new URL(o.databaseUrl);
  const dbName = `cl_chaos_${randomBytes(4).toString('hex')}`;
  const directUrl = new URL(pgUrl.toString());
  directUrl.pathname = `/${dbName}`;
  o.log(`database ${dbName}; logs in ${logDir}`);
  await migrate(directUrl.toString());

  const proxy = new TcpProxy(pgUrl.hostname, Number(pgUrl.port || 5432));
  await proxy.start();
  const proxiedUrl = new URL(directUrl.toString());
  proxiedUrl.hostname = '127.0.0.1';
  proxiedUrl.port = String(proxy.port);

  const kafkaPort = await freePort();
  const apiPort = await freePort();
  const brokers = `127.0.0.1:${kafkaPort}`;
  const broker = new ManagedProcess(
    'broker',
    o.bin,
    [
      'broker',
      '--port',
      String(kafkaPort),
      '--data-dir',
      path.join(logDir, 'kafka-data'),
      '--partitions',
      '6',
    ],
    {},
    path.join(logDir, 'broker.log'),
    /listening on/,
  );
  const ledger = new ManagedProcess(
    'ledger',
    o.bin,
    ['serve'],
    {
      DATABASE_URL: proxiedUrl.toString(),
      KAFKA_BROKERS: brokers,
      PORT: String(apiPort),
      API_KEYS: READER_KEY,
      LOG_LEVEL: 'warn',
      KAFKA_HEALTH_INTERVAL_MS: '500',
      KAFKA_SESSION_TIMEOUT_MS: '10000',
    },
    path.join(logDir, 'ledger.log'),
    /API listening on/,
  );
  const db = new Client({ connectionString: directUrl.toString() });
  const kafka = new Kafka({ clientId: 'chaos-publisher', brokers: [brokers], logLevel: logLevel.NOTHING });
  let producer: Producer | null = null;
  const report: ChaosReport = {
    ok: false,
    published: 0,
    inLedger: 0,
    lost: 0,
    doubled: 0,
    rejected: 0,
    positionsChecked: 0,
    positionsEqual: 0,
    recoveries: [],
    seconds: 0,
    logDir,
    problems,
  };
  try {
    await broker.start();
    await ledger.start();
    await db.connect();
    producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    await producer.connect();

    const history = generateHistory({
      seed: o.seed,
      customers: o.customers,
      eventsPerCustomer: o.events / o.customers,
    });
    const published: WireEvent[] = [];
    /** Publishes, retrying while the broker is away (as an upstream would); the ledger dedupes any resend. */
    const publish = async (events: WireEvent[]): Promise<void> => {
      for (;;) {
        try {
          await publishEvents(producer!, 'billing.events', events);
          published.push(...events);
          return;
        } catch {
          await sleep(250);
        }
      }
    };
    let probes = 0;
    const probe = (): WireEvent => ({
      eventId: `chaos-probe-${++probes}`,
      type: 'OrderPlaced',
      version: 1,
      customerId: PROBE_CUSTOMER,
      occurredAt: new Date(Date.UTC(2025, 0, 1) + probes * 60_000).toISOString(),
      source: 'chaos',
      payload: { orderId: `PROBE-${probes}`, amount: '1.00', currency: 'EUR' },
    });
    await publish([
      {
        eventId: 'chaos-probe-0',
        type: 'CustomerOnboarded',
        version: 1,
        customerId: PROBE_CUSTOMER,
        occurredAt: '2024-12-31T00:00:00.000Z',
        source: 'chaos',
        payload: { name: 'Chaos probe', currency: 'EUR', creditLimit: '1000000.00' },
      },
    ]);
    const inLedger = async (eventId: string): Promise<boolean> =>
      (await db.query('SELECT 1 FROM ledger_events WHERE source = $1 AND event_id = $2', ['chaos', eventId]))
        .rowCount === 1;

    // The history goes out at a steady rate while the faults run.
    let cursor = 0;
    const chunk = Math.max(1, Math.round(o.rate / 4));
    const publishing = (async () => {
      while (cursor < history.length) {
        await publish(history.slice(cursor, cursor + chunk));
        cursor += chunk;
        await sleep(250);
      }
    })();

    const fault = async (name: FaultName): Promise<void> => {
      o.log(`fault: ${name}`);
      switch (name) {
        case 'ledger-sigkill':
          await ledger.kill();
          await sleep(1000);
          await ledger.start();
          break;
        case 'db-sessions-terminated':
          await db.query(
            'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()',
            [dbName],
          );
          break;
        case 'db-refused':
          await proxy.refuse(o.refuseMs);
          break;
        case 'broker-sigkill':
          await broker.kill();
          await sleep(2000);
          await broker.start();
          break;
      }
      // Recovery: an event published now is in the ledger — with nobody restarting anything.
      const p = probe();
      await publish([p]);
      const seconds = await until(() => inLedger(p.eventId), 120_000, `ingestion to recover after ${name}`);
      report.recoveries.push({ fault: name, seconds });
      o.log(`  recovered in ${seconds.toFixed(1)} s`);
    };
    for (let round = 0; round < o.rounds; round++) {
      for (const name of FAULTS) {
        // Each fault lands on live ingestion: wait until the ledger has caught up with part of the history.
        await sleep(1500);
        await fault(name);
      }
    }
    await publishing;
    report.published = published.length;

    // Everything published, once.
    const distinct = new Set(published.map((e) => `${e.source}\u0000${e.eventId}`));
    await until(
      async () => {
        const { rows } = await db.query(
          `SELECT count(*)::int AS n FROM ledger_events WHERE source <> 'credit-ledger'`,
        );
        return rows[0].n >= distinct.size;
      },
      300_000,
      'every published event to reach the ledger',
    );
    const { rows: counts } = await db.query(
      `SELECT count(*)::int AS n, count(DISTINCT (source, event_id))::int AS d FROM ledger_events WHERE source <> 'credit-ledger'`,
    );
    report.inLedger = counts[0].d;
    report.doubled = counts[0].n - counts[0].d;
    const { rows: keys } = await db.query(
      `SELECT source, event_id FROM ledger_events WHERE source <> 'credit-ledger'`,
    );
    const stored = new Set(
      keys.map((k: { source: string; event_id: string }) => `${k.source}\u0000${k.event_id}`),
    );
    report.lost = [...distinct].filter((k) => !stored.has(k)).length;
    report.rejected = (await db.query('SELECT count(*)::int AS n FROM rejected_events')).rows[0].n;

    // Positions equal an independent fold of what was published.
    const at = new Date().toISOString();
    const expected = foldInMemory(published, at);
    for (const [id, view] of expected) {
      report.positionsChecked++;
      const res = await fetch(`http://127.0.0.1:${apiPort}/customers/${encodeURIComponent(id)}?asOf=${at}`, {
        headers: { authorization: `Bearer ${READER_KEY.split(':')[2]}` },
      });
      const body = (await res.json()) as Record<string, unknown>;
      if (JSON.stringify(comparable(body)) === JSON.stringify(comparable(view))) report.positionsEqual++;
      else if (problems.length < 5) problems.push(`customer ${id}: position differs from the fold`);
    }
    if (report.lost) problems.push(`${report.lost} published event(s) are not in the ledger`);
    if (report.doubled) problems.push(`${report.doubled} event(s) are in the ledger twice`);
    if (report.rejected) problems.push(`${report.rejected} valid event(s) were rejected`);
    report.ok = problems.length === 0;
  } catch (err) {
    problems.push((err as Error).message);
  } finally {
    report.seconds = (Date.now() - started) / 1000;
    await producer?.disconnect().catch(() => undefined);
    await db.end().catch(() => undefined);
    await ledger.stop();
    await broker.stop();
    await proxy.close();
    if (!o.keep) await dropDatabase(directUrl.toString()).catch(() => undefined);
  }
  return report;
}

/** The one line to quote. */
export function summarise(r: ChaosReport): string {
  const faults = r.recoveries.map((x) => `${x.fault} ${x.seconds.toFixed(1)} s`).join(', ');
  const status = r.ok ? 'PASS' : `FAIL (${r.problems.join('; ')})`;
  return (
    `chaos ${status}: ${r.published} events, ${r.recoveries.length} faults recovered by themselves (${faults}); ` +
    `lost ${r.lost}, doubled ${r.doubled}, rejected ${r.rejected}, ` +
    `positions ${r.positionsEqual}/${r.positionsChecked} equal an independent fold; ${r.seconds.toFixed(0)} s`
  );
}
