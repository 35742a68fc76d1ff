import os from 'node:os';
import { Partitioners } from 'kafkajs';
import { PLAINTEXT_KAFKA } from '@credit-ledger/config';
import { createKafka } from '@credit-ledger/messaging';
import { DataSource } from 'typeorm';
import { createLedgerDataSource } from '@credit-ledger/ledger-store';
import {
  RebuildPhase,
  RebuildResult,
  rebuildProjections,
  verifyProjections,
} from '@credit-ledger/projections';
import { generateEvents } from '@credit-ledger/testing';
import { EVENTS_PER_CUSTOMER, EVENTS_TOPIC, LiveLedger } from './ingest';
import { sleep } from './proc';

export interface RebuildRun {
  /** Events the rebuild folded (the seeded ledger plus whatever ingestion appended before the swap). */
  events: number;
  customers: number;
  gradeChanges: number;
  seconds: number;
  eventsPerSec: number;
  /** Events folded under the writer's append lock (appends waited for these). */
  lockedEvents: number;
  /** Seconds per phase (replay to the head snapshot, catch-up outside the lock, swap under the lock). */
  phaseSeconds: Partial<Record<RebuildPhase, number>>;
  ledgerEventsBefore: number;
  /** Extra billing events published (new customers, prefix `R`) while the rebuild ran. */
  publishedDuringRebuild: number;
  /** Of those, appended by ingestion before the rebuild returned. */
  appendedDuringRebuild: number;
  /** Seconds from the rebuild's return until ingestion had committed every published event. */
  drainSeconds: number;
  verification: RebuildVerification;
}

export interface RebuildVerification {
  ok: boolean;
  billingEventsExpected: number;
  billingEventsInLedger: number;
  derivedEvents: number;
  duplicateIdempotencyKeys: number;
  rejected: number;
  parked: number;
  /** Every customer's position is at the last stream version in the ledger (none behind). */
  positionsAtHead: boolean;
  positionsMissing: number;
  sampleCustomers: number;
  sampleEvents: number;
  sampleDifferences: number;
  sampleStatesNotCompared: number;
  failures: string[];
}

export interface RebuildUnderIngestOptions {
  live: LiveLedger;
  /** Extra events per second published while the rebuild runs. */
  publishPerSec: number;
  /** Customers re-folded with verifyProjections after the drain (half seeded, half new). */
  sampleCustomers: number;
  log: (line: string) => void;
}

const EXTRA_SEED = 4242;
const EXTRA_PREFIX = 'R';
const BILLING = `source <> 'credit-ledger'`;

/**
 * The real projection rebuild (`rebuildProjections`, what `credit-ledger rebuild` runs) on the seeded ledger
 * while ingestion keeps running: the ledger child process keeps consuming, and this process keeps publishing
 * new customers' events (seed 4242, prefix `R`) at `publishPerSec` until the rebuild has swapped the tables in.
 * Then it waits until ingestion has committed everything, and checks: the ledger holds every published billing
 * event exactly once (no lost, no doubled event), nothing rejected or parked, every position at its stream's head, every
 * customer has a position, and a sample of customers re-folded from the ledger (`verifyProjections`) equals the
 * swapped-in projections byte for byte.
 */
export async function runRebuildUnderIngest(o: RebuildUnderIngestOptions): Promise<RebuildRun> {
  const kafka = createKafka({
    clientId: 'bench-rebuild',
    brokers: [o.live.brokerAddress],
    security: PLAINTEXT_KAFKA,
  });
  const admin = kafka.admin();
  await admin.connect();
  const ds = await createLedgerDataSource(o.live.databaseUrl, { poolSize: 3 }).initialize();
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    const backlog = async (): Promise<number> => {
      const [group] = await admin.fetchOffsets({ groupId: 'bench-ingest', topics: [EVENTS_TOPIC] });
      const ends = await admin.fetchTopicOffsets(EVENTS_TOPIC);
      const committed = new Map((group?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
      let n = 0;
      for (const e of ends) n += Number(e.offset) - Math.max(0, committed.get(e.partition) ?? 0);
      return n;
    };
    const drain = async (): Promise<void> => {
      let lastBacklog = Infinity;
      let lastProgress = Date.now();
      for (;;) {
        if (o.live.ledger.proc.exitCode !== null) throw new Error(`ledger exited:\n${o.live.ledger.log()}`);
        const n = await backlog();
        if (n === 0) return;
        if (n < lastBacklog) {
          lastBacklog = n;
          lastProgress = Date.now();
        } else if (Date.now() - lastProgress > 60_000) {
          throw new Error(`ingestion stalled with ${n} events behind:\n${o.live.ledger.log()}`);
        }
        await sleep(200);
      }
    };
    const billingCount = async (): Promise<number> =>
      (
        (await ds.query(`SELECT count(*)::int AS n FROM ledger_events WHERE ${BILLING}`)) as Array<{
          n: number;
        }>
      )[0].n;

    await drain();
    const billingBefore = await billingCount();
    const [{ n: ledgerBefore }] = (await ds.query('SELECT count(*)::int AS n FROM ledger_events')) as Array<{
      n: number;
    }>;

    // Publisher: new customers, paced at publishPerSec, until told to stop.
    let stop = false;
    let published = 0;
    const publisher = (async (): Promise<void> => {
      const chunk = Math.max(1, Math.round(o.publishPerSec / 10));
      const gen = generateEvents({
        seed: EXTRA_SEED,
        customers: 200_000,
        eventsPerCustomer: EVENTS_PER_CUSTOMER,
        customerIdPrefix: EXTRA_PREFIX,
        billing: 'controlled',
      });
      const t0 = Date.now();
      while (!stop) {
        const messages: Array<{ key: string; value: string }> = [];
        for (let i = 0; i < chunk; i++) {
          const r = gen.next();
          if (r.done) break;
          messages.push({ key: r.value.customerId, value: JSON.stringify(r.value) });
        }
        if (messages.length === 0) break;
        await producer.send({ topic: EVENTS_TOPIC, acks: -1, messages });
        published += messages.length;
        const due = t0 + (published / o.publishPerSec) * 1000;
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
      }
    })();

    const phaseStart: Partial<Record<RebuildPhase, number>> = {};
    let lastLogged = 0;
    let result: RebuildResult;
    try {
      result = await rebuildProjections(ds, {
        onProgress: (p) => {
          phaseStart[p.phase] ??= Date.now();
          if (p.events - lastLogged >= 100_000 || p.phase !== 'replay') {
            lastLogged = p.events;
            o.log(`  rebuild ${p.phase}: ${p.events} / ${p.total} events, ${p.customers} customers`);
          }
        },
      });
    } finally {
      stop = true;
      await publisher;
    }
    const returned = Date.now();
    const appendedDuring = (await billingCount()) - billingBefore;
    o.log(`  rebuild returned; ${published} events published during it, ${appendedDuring} appended so far`);
    await drain();
    const drainSeconds = (Date.now() - returned) / 1000;
    const phaseSeconds = phaseDurations(phaseStart, returned);

    const verification = await verify(ds, billingBefore + published, o.sampleCustomers, o.log);
    return {
      ...runOf(result, phaseSeconds, verification),
      lockedEvents: result.lockedEvents,
      ledgerEventsBefore: ledgerBefore,
      publishedDuringRebuild: published,
      appendedDuringRebuild: appendedDuring,
      drainSeconds: r2(drainSeconds),
    };
  } finally {
    await producer.disconnect();
    await admin.disconnect();
    await ds.destroy();
  }
}

export interface QuiescentRebuildRun {
  /** Worker threads of the replay (1: folded in the calling thread). */
  workers: number;
  /** The machine's 1-minute load average when the rebuild returned (other work on the same cores). */
  loadAverage1m: number;
  events: number;
  customers: number;
  gradeChanges: number;
  seconds: number;
  eventsPerSec: number;
  phaseSeconds: Partial<Record<RebuildPhase, number>>;
  verification: RebuildVerification;
}

/**
 * The figure of the target: `rebuildProjections` over the whole ledger while nothing is being appended (the
 * ledger process is up but idle), then the same checks as under ingestion.
 */
export async function runQuiescentRebuild(
  live: LiveLedger,
  sampleCustomers: number,
  log: (line: string) => void,
  workers?: number,
): Promise<QuiescentRebuildRun> {
  const ds = createLedgerDataSource(live.databaseUrl, { poolSize: 4 });
  await ds.initialize();
  try {
    const [{ billing }] = (await ds.query(
      `SELECT count(*)::int AS billing FROM ledger_events WHERE ${BILLING}`,
    )) as Array<{ billing: number }>;
    const phaseStart: Partial<Record<RebuildPhase, number>> = {};
    const result = await rebuildProjections(ds, {
      workers,
      onProgress: (p) => {
        phaseStart[p.phase] ??= Date.now();
      },
    });
    const done = Date.now();
    const phaseSeconds = phaseDurations(phaseStart, done);
    const verification = await verify(ds, billing, sampleCustomers, log);
    return runOf(result, phaseSeconds, verification);
  } finally {
    await ds.destroy();
  }
}

function runOf(
  result: RebuildResult,
  phaseSeconds: Partial<Record<RebuildPhase, number>>,
  verification: RebuildVerification,
): QuiescentRebuildRun {
  return {
    workers: result.workers,
    loadAverage1m: Math.round(os.loadavg()[0] * 100) / 100,
    events: result.events,
    customers: result.customers,
    gradeChanges: result.gradeChanges,
    seconds: r2(result.seconds),
    eventsPerSec: Math.round(result.eventsPerSecond),
    phaseSeconds,
    verification,
  };
}

/** Seconds per rebuild phase, from the instants each phase first reported progress until the next one. */
function phaseDurations(
  phaseStart: Partial<Record<RebuildPhase, number>>,
  end: number,
): Partial<Record<RebuildPhase, number>> {
  const out: Partial<Record<RebuildPhase, number>> = {};
  const order: RebuildPhase[] = ['replay', 'catch-up', 'swap'];
  for (let i = 0; i < order.length; i++) {
    const start = phaseStart[order[i]];
    if (start === undefined) continue;
    const next = order.slice(i + 1).find((p) => phaseStart[p] !== undefined);
    out[order[i]] = r2(((next ? phaseStart[next]! : end) - start) / 1000);
  }
  return out;
}

async function verify(
  ds: DataSource,
  billingExpected: number,
  sample: number,
  log: (line: string) => void,
): Promise<RebuildVerification> {
  const [c] = (await ds.query(
    `SELECT (SELECT count(*) FROM ledger_events WHERE ${BILLING})::int AS billing,
            (SELECT count(*) FROM ledger_events WHERE NOT (${BILLING}))::int AS derived,
            (SELECT count(*) FROM (SELECT 1 FROM ledger_events GROUP BY source, event_id HAVING count(*) > 1) d)::int
              AS dups,
            (SELECT count(*) FROM rejected_events)::int AS rejected,
            (SELECT count(*) FROM parked_events)::int AS parked,
            (SELECT count(*) FROM customer_positions p
              JOIN (SELECT customer_id, max(stream_version) AS v FROM ledger_events GROUP BY customer_id) l
              USING (customer_id) WHERE p.stream_version <> l.v)::int AS behind,
            (SELECT count(DISTINCT customer_id) FROM ledger_events l
              WHERE NOT EXISTS (SELECT 1 FROM customer_positions p WHERE p.customer_id = l.customer_id))::int
              AS missing`,
  )) as Array<{
    billing: number;
    derived: number;
    dups: number;
    rejected: number;
    parked: number;
    behind: number;
    missing: number;
  }>;
  const ids = (
    (await ds.query(
      `(SELECT customer_id FROM customer_positions WHERE customer_id NOT LIKE $1 ORDER BY random() LIMIT $2)
       UNION ALL
       (SELECT customer_id FROM customer_positions WHERE customer_id LIKE $1 ORDER BY random() LIMIT $2)`,
      [`${EXTRA_PREFIX}-%`, Math.ceil(sample / 2)],
    )) as Array<{ customer_id: string }>
  ).map((r) => r.customer_id);
  let sampleEvents = 0;
  let sampleDifferences = 0;
  let notCompared = 0;
  const failures: string[] = [];
  for (const customerId of ids) {
    const r = await verifyProjections(ds, { customerId });
    sampleEvents += r.events;
    notCompared += r.statesNotCompared;
    sampleDifferences += r.differences.length;
    for (const d of r.differences.slice(0, 3)) {
      if (failures.length < 10) failures.push(`${d.customerId} ${d.kind}: ${d.detail}`);
    }
  }
  if (c.billing !== billingExpected)
    failures.push(`ledger has ${c.billing} billing events, ${billingExpected} were published`);
  if (c.dups) failures.push(`${c.dups} duplicated (source, event_id)`);
  if (c.rejected || c.parked) failures.push(`${c.rejected} rejected, ${c.parked} parked`);
  if (c.behind) failures.push(`${c.behind} positions behind their stream's last version`);
  if (c.missing) failures.push(`${c.missing} customers with events have no position`);
  const v: RebuildVerification = {
    ok: failures.length === 0,
    billingEventsExpected: billingExpected,
    billingEventsInLedger: c.billing,
    derivedEvents: c.derived,
    duplicateIdempotencyKeys: c.dups,
    rejected: c.rejected,
    parked: c.parked,
    positionsAtHead: c.behind === 0,
    positionsMissing: c.missing,
    sampleCustomers: ids.length,
    sampleEvents,
    sampleDifferences,
    sampleStatesNotCompared: notCompared,
    failures,
  };
  log(
    `  verification ${v.ok ? 'ok' : 'FAILED'}: ${c.billing} / ${billingExpected} billing events, ${c.dups} duplicates, ` +
      `${ids.length} customers re-folded (${sampleEvents} events), ${sampleDifferences} differences` +
      (failures.length ? `\n    ${failures.join('\n    ')}` : ''),
  );
  return v;
}

function r2(x: number): number {
  return Math.round(x * 100) / 100;
}
