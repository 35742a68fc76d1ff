/**
 * `npm run bench [-- --quick] [-- --profile] [-- --out FILE] [-- --keep-db]`: the performance harness of
 * issue 7. Every figure is measured in one invocation, side by side with its physical baseline, and written
 * to bench/results.json (bench/results.quick.json for --quick). See bench/README.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Client } from 'pg';
import { runBrokerBench } from '../libs/kafka-broker/bench/broker-bench';
import { loadConfig, postgresClientConfig } from '@credit-ledger/config';
import { dropDatabase } from '@credit-ledger/ledger-store';
import { generateEvents } from '@credit-ledger/testing';
import { measureAlertLatency } from './alert-latency';
import { runApiLoad } from './api-load';
import { runCopyBaseline } from './copy-baseline';
import { EVENTS_TOPIC, IngestRun, SEED, round, runIngest } from './ingest';
import { gitCommit, machineInfo } from './machine';
import { memoryOf, ROOT, sleep } from './proc';
import { summarise } from './profile-summary';
import {
  QuiescentRebuildRun,
  RebuildRun,
  RebuildVerification,
  runQuiescentRebuild,
  runRebuildUnderIngest,
} from './rebuild';
import { measureWhatIf, type WhatIfRun } from './what-if';
import { RerateJobRun, benchQueueEnv, deleteQueueKeys, measureRerateJob } from './rerate';

interface Args {
  quick: boolean;
  profile: boolean;
  keepDb: boolean;
  out: string;
  /** `--sizes 30000,100000`: ingest sizes for experiments (the results file then says so). */
  sizes: number[] | null;
  /** `--ingest-only`: skip every measurement after the ingests (profiling iterations). */
  ingestOnly: boolean;
  /** `--rebuild-only --events 1000000`: seed one ledger through the ingest, then only the rebuild figure. */
  rebuildOnly: boolean;
}

function parseArgs(argv: string[]): Args {
  const quick = argv.includes('--quick');
  const i = argv.indexOf('--out');
  const s = argv.indexOf('--sizes');
  const e = argv.indexOf('--events');
  const rebuildOnly = argv.includes('--rebuild-only');
  return {
    sizes:
      s >= 0
        ? argv[s + 1].split(',').map(Number)
        : e >= 0
          ? [Number(argv[e + 1])]
          : rebuildOnly
            ? [1_000_000]
            : null,
    ingestOnly: argv.includes('--ingest-only'),
    rebuildOnly,
    quick,
    profile: argv.includes('--profile'),
    keepDb: argv.includes('--keep-db'),
    out:
      i >= 0
        ? path.resolve(argv[i + 1])
        : path.join(
            ROOT,
            'bench',
            rebuildOnly ? 'results.rebuild.json' : quick ? 'results.quick.json' : 'results.json',
          ),
  };
}

const TARGETS = {
  ingestEventsPerSec: { target: '>= 20,000 events/s', ok: (v: number) => v >= 20_000 },
  ingestVsIndexedCopyRatio: {
    target: '<= 3 (COPY into a table with the ledger indexes is at most 3x faster)',
    ok: (v: number) => v <= 3,
  },
  twoInstancesVsOneRatio: { target: '>= 1.3 (two ledger instances vs one)', ok: (v: number) => v >= 1.3 },
  alertLatencyP99Ms: { target: '< 500 ms at 2,000 events/s', ok: (v: number) => v < 500 },
  rebuildEventsPerSec: { target: '>= 100,000 events/s', ok: (v: number) => v >= 100_000 },
  rerate100kSeconds: { target: '<= 15 s', ok: (v: number) => v <= 15 },
  apiReqPerSec: { target: '>= 5,000 req/s', ok: (v: number) => v >= 5_000 },
  apiP99Ms: { target: '< 20 ms', ok: (v: number) => v < 20 },
  ledgerRssMb: { target: '< 400 MB', ok: (v: number) => v < 400 },
  ingestGrowthRatio: { target: '>= 0.8 (slowest / fastest size)', ok: (v: number) => v >= 0.8 },
} as const;
type TargetKey = keyof typeof TARGETS;

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const loadAtStart = os.loadavg().map((l) => Math.round(l * 100) / 100);
  const log = (line: string): void =>
    console.log(`[${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${line}`);
  const databaseUrl =
    process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/credit_ledger_bench';
  const port = Number(process.env.BENCH_PORT ?? 3917);
  const sizes = args.sizes ?? (args.quick ? [30_000, 60_000, 100_000] : [100_000, 300_000, 1_000_000]);
  const largest = sizes[sizes.length - 1];
  const notes: string[] = [];
  if (args.sizes) notes.push(`ingest sizes given on the command line: ${sizes.join(' / ')}`);
  if (args.quick) {
    notes.push(
      `quick mode: ingest at ${sizes.join(' / ')} events (${largest / 10} customers at the largest), ` +
        'so re-rating, RSS and API figures are for that smaller ledger; use the full run for the targets',
    );
  }
  const details: Record<string, unknown> = {};

  // 1. broker alone, in this process: the ceiling of the transport, message size like the generated events
  let bytes = 0;
  let count = 0;
  for (const e of generateEvents({
    seed: SEED,
    customers: 200,
    eventsPerCustomer: 10,
    billing: 'controlled',
  })) {
    bytes += JSON.stringify(e).length;
    count++;
  }
  const valueBytes = Math.round(bytes / count);
  const brokerMessages = args.ingestOnly || args.rebuildOnly ? 10_000 : args.quick ? 100_000 : 1_000_000;
  log(`broker-only produce/consume: ${brokerMessages} messages of ${valueBytes} bytes, 6 partitions`);
  const broker = await runBrokerBench({ messages: brokerMessages, partitions: 6, valueBytes });
  details.broker = { ...broker, valueBytes, partitions: 6 };
  log(`  produce ${broker.produceMsgsPerSec}/s, consume ${broker.consumeMsgsPerSec}/s`);

  // 2. two ledger instances in one consumer group at the smallest size, against one instance at the same size
  // (the first run of the loop below): what a second instance adds, and how much appends wait for locks.
  let two: IngestRun | null = null;
  if (!args.rebuildOnly) {
    log(`ingest ${sizes[0]} events end to end with two ledger processes in one consumer group`);
    const r = await runIngest({ databaseUrl, events: sizes[0], port, instances: 2, log });
    await r.live.stop();
    two = r.run;
    log(`  ${two.eventsPerSec} events/s over ${two.seconds} s, lock-wait share ${two.lockWaitShare}`);
  }

  // 3. end-to-end ingest at each size, fresh database and broker each time
  const runs: IngestRun[] = [];
  let live: Awaited<ReturnType<typeof runIngest>>['live'] | null = null;
  const profileFile = path.join(ROOT, 'bench', 'profiles', `ingest-${largest}.cpuprofile`);
  if (args.profile) mkdirSync(path.dirname(profileFile), { recursive: true });
  for (const events of sizes) {
    log(`ingest ${events} events end to end (kafkajs → ledger process → PostgreSQL)`);
    const isLast = events === largest;
    const r = await runIngest({
      databaseUrl,
      events,
      port,
      cpuProfile: args.profile && isLast ? profileFile : undefined,
      log,
    });
    runs.push(r.run);
    log(`  ${r.run.eventsPerSec} events/s over ${r.run.seconds} s (start-up ${r.run.startupSeconds} s)`);
    if (isLast) live = r.live;
    else await r.live.stop();
  }
  details.ingest = runs;
  notes.push(
    `derivedPerBillingEvent: the generator's billing is controlled (it asks the ledger before it sells on credit, ` +
      `1 % of invoices go around the check on purpose); the ledger derived ` +
      runs.map((x) => `${x.derivedPerBillingEvent} (${x.events} events)`).join(', ') +
      ' control events per billing event',
  );
  details.twoInstances = two;
  const twoVsOne = two ? round(two.eventsPerSec / runs[0].eventsPerSec, 2) : null;
  if (two) {
    notes.push(
      `twoInstancesVsOneRatio: ${sizes[0]} events ingested by two \`credit-ledger serve\` processes in one consumer ` +
        `group (partitions split) at ${two.eventsPerSec} events/s, against one process at ${runs[0].eventsPerSec} ` +
        `events/s on the same machine in the same run (PostgreSQL, the broker and the bench share its cores). ` +
        `Share of active ledger backends waiting for a lock: ${two.lockWaitShare} with two, ` +
        `${runs[0].lockWaitShare} with one`,
    );
  }
  const bySize: Record<string, number> = {};
  for (const r of runs) bySize[String(r.events)] = r.eventsPerSec;
  const rates = runs.map((r) => r.eventsPerSec);
  const growth = round(Math.min(...rates) / Math.max(...rates), 3);
  const ingest = runs[runs.length - 1];

  if (args.ingestOnly) {
    await live?.stop();
    console.table(runs);
    return;
  }
  if (args.rebuildOnly) {
    let r: RebuildRuns;
    try {
      r = await measureRebuild(live!, notes, log);
    } finally {
      await live?.stop();
    }
    if (!args.keepDb) await dropDatabase(databaseUrl);
    const { commit, dirty } = gitCommit();
    const results = {
      machine: {
        ...machineInfo(await pgVersionOf(databaseUrl, args.keepDb)),
        loadAverageAtStart: loadAtStart,
      },
      commit,
      uncommittedChanges: dirty,
      mode: 'rebuild-only',
      date: new Date().toISOString(),
      durationSeconds: Math.round((Date.now() - started) / 1000),
      config: { seed: SEED, eventsPerCustomer: 10, partitions: 6 },
      figures: {
        rebuildEventsPerSec: r.quiescent.eventsPerSec,
        rebuildSingleWorkerEventsPerSec: r.singleWorker.eventsPerSec,
        rebuildUnderIngestEventsPerSec: r.underIngest.eventsPerSec,
      },
      notes,
      details: { ingest: runs, rebuild: r },
    };
    writeFileSync(args.out, `${JSON.stringify(results, null, 2)}\n`);
    for (const n of notes) console.log(`note: ${n}`);
    console.log(`\nwrote ${path.relative(process.cwd(), args.out)} in ${results.durationSeconds} s`);
    if (!r.singleWorker.verification.ok || !r.quiescent.verification.ok || !r.underIngest.verification.ok)
      process.exitCode = 1;
    return;
  }
  let rssMb: number | null = null;
  let api: Awaited<ReturnType<typeof runApiLoad>> | null = null;
  let alert: Awaited<ReturnType<typeof measureAlertLatency>> | null = null;
  let copy: Awaited<ReturnType<typeof runCopyBaseline>>;
  let copyIndexed: Awaited<ReturnType<typeof runCopyBaseline>>;
  let rerate: RerateJobRun;
  let rebuild: RebuildRuns;
  let whatIf: WhatIfRun;
  // Worker processes of the bench (alert path, re-rating) use their own BullMQ namespace on REDIS_URL, with
  // schedules that cannot fire during the run; its keys are deleted at the end.
  const queuePrefix = `credit-ledger-bench-${process.pid}-${Date.now().toString(36)}`;
  try {
    const l = live!;
    const workerEnv: NodeJS.ProcessEnv = { ...l.env, ...benchQueueEnv(queuePrefix) };
    // 3. RSS at steady state: ingestion idle for 15 s after the last append, sampled once a second (the ledger
    // returns the heap the burst grew to after IDLE_COMPACTION_MS of quiet, 6 s by default)
    const samples: number[] = [];
    for (let i = 0; i < 15; i++) {
      await sleep(1000);
      const m = memoryOf(l.ledger.pid);
      if (m) samples.push(m.rssMb);
    }
    rssMb = samples.length ? Math.round(samples[samples.length - 1]) : null;
    details.rss = {
      samplesMb: samples.map((s) => Math.round(s)),
      peakDuringIngestMb: ingest.ledgerPeakRssMb,
    };
    log(`ledger RSS at steady state: ${rssMb} MB (peak during ingest ${ingest.ledgerPeakRssMb} MB)`);

    // 4. API under load
    const seconds = args.quick ? 3 : 10;
    log(`GET /customers/:id, autocannon 50 connections, ${seconds} s`);
    api = await runApiLoad({
      apiUrl: l.apiUrl,
      databaseUrl,
      readerKey: l.readerKey,
      connections: 50,
      seconds,
    });
    details.api = api;
    log(`  ${api.reqPerSec} req/s, p50 ${api.p50Ms} ms, p99 ${api.p99Ms} ms, non-2xx ${api.non2xx}`);
    const rssAfterApi = memoryOf(l.ledger.pid);
    if (rssAfterApi) (details.rss as Record<string, unknown>).afterApiLoadMb = Math.round(rssAfterApi.rssMb);
    // and quiet again, with the position cache full (POSITION_CACHE_ENTRIES states stay live)
    await sleep(15_000);
    const rssIdleAfterApi = memoryOf(l.ledger.pid);
    if (rssIdleAfterApi)
      (details.rss as Record<string, unknown>).idleAfterApiLoadMb = Math.round(rssIdleAfterApi.rssMb);

    // 5. event → alert latency (pluggable, null until the alert path exists)
    log('event → limit-breach alert latency at 2,000 events/s');
    alert = await measureAlertLatency({
      brokers: [l.brokerAddress],
      eventsTopic: EVENTS_TOPIC,
      env: workerEnv,
      ratePerSec: 2_000,
      seconds: args.quick ? 5 : 20,
      probeTimeoutMs: args.quick ? 3_000 : 10_000,
      log,
    });
    details.alert = alert;
    if (alert.note) notes.push(alert.note);
    log(`  p99 ${alert.p99Ms ?? 'n/a'} ms${alert.note ? ` (${alert.note})` : ''}`);

    // 6. raw COPY of the same rows, into an unindexed table, then into one with the ledger's indexes (idle ledger)
    log(`raw COPY FROM STDIN of the same ${largest} ledger rows into an unindexed table`);
    copy = await runCopyBaseline(databaseUrl, largest);
    details.copy = copy;
    log(`  ${copy.rowsPerSec} rows/s (${(copy.bytes / 1024 / 1024).toFixed(0)} MiB in ${copy.seconds} s)`);
    log(`the same COPY into a table LIKE ledger_events INCLUDING ALL (its keys and indexes)`);
    copyIndexed = await runCopyBaseline(databaseUrl, largest, true);
    details.copyIndexed = copyIndexed;
    log(`  ${copyIndexed.rowsPerSec} rows/s in ${copyIndexed.seconds} s`);

    // 7. the real re-rating job: `credit-ledger worker` runs `rerate-customers` over the live ledger
    log(
      're-rating job rerate-customers --at 2026-01-01T00:00:00.000Z, run by a `credit-ledger worker` process',
    );
    rerate = await measureRerateJob({ env: workerEnv, at: '2026-01-01T00:00:00.000Z', log });
    details.rerate = { ...rerate, queuePrefix };
    notes.push(
      `rerate100kSeconds: the BullMQ job rerate-customers (--at ${rerate.at}) run by a \`credit-ledger worker\` ` +
        `process (concurrency ${rerate.workerConcurrency}, ${rerate.chunkSize} customers per chunk) over the ` +
        `live ledger: ${rerate.customers} customers in ${rerate.chunks} chunks, ${rerate.appended} grade changes ` +
        `appended, ${rerate.seconds} s from JobsClient.run to the scan job's completion` +
        (rerate.customers !== 100_000
          ? `; the figure is that time scaled linearly to 100,000 customers (${rerate.seconds100k} s)`
          : '') +
        `. Worker CPU ${rerate.workerCpuSeconds ?? 'n/a'} s, PostgreSQL CPU (the ledger database's backends) ` +
        `${rerate.postgresCpuSeconds} s; ` +
        `the same job re-run at the same instant (every customer previewed, none due, nothing locked or ` +
        `written) took ${rerate.rerun.seconds} s and appended ${rerate.rerun.appended}`,
    );
    if (
      rerate.ledgerRerated.after - rerate.ledgerRerated.before !== rerate.appended ||
      rerate.rerun.appended
    ) {
      notes.push(
        `rerate check FAILED: the job reported ${rerate.appended} appended, the ledger gained ` +
          `${rerate.ledgerRerated.after - rerate.ledgerRerated.before} CustomerRerated; the re-run appended ` +
          `${rerate.rerun.appended} (expected 0)`,
      );
    }

    // 8. the what-if simulation of a draft policy over the idle ledger, now and --as-of (a full replay)
    log('what-if: policy simulation over the current states, then with --as-of (every stream replayed)');
    whatIf = await measureWhatIf(databaseUrl);
    details.whatIf = whatIf;
    log(
      `  ${whatIf.customersPerSec} customers/s (${whatIf.customers} in ${whatIf.seconds} s, ${whatIf.changed} change grade); ` +
        `as of: ${whatIf.asOf.eventsPerSec} events/s`,
    );

    // 9. the real projection rebuild, idle and then while ingestion runs (last: it adds customers to the ledger)
    rebuild = await measureRebuild(l, notes, log);
    details.rebuild = rebuild;
  } finally {
    await live?.stop();
    const deleted = await deleteQueueKeys(loadConfig(process.env), queuePrefix).catch((err: unknown) => {
      log(`could not delete the Redis keys ${queuePrefix}:*: ${String(err)}`);
      return null;
    });
    if (deleted !== null) log(`deleted ${deleted} Redis keys of the bench queue namespace ${queuePrefix}`);
  }

  const pgVersion = await pgVersionOf(databaseUrl, true);
  if (!args.keepDb) await dropDatabase(databaseUrl);

  let profile: ReturnType<typeof summarise> | null = null;
  if (args.profile) {
    profile = summarise(profileFile, 20);
    details.profile = { file: path.relative(ROOT, profileFile), ...profile };
  }

  const figures = {
    ingestEventsPerSec: ingest.eventsPerSec,
    copyRowsPerSec: copy.rowsPerSec,
    ingestVsCopyRatio: round(copy.rowsPerSec / ingest.eventsPerSec, 2),
    copyIndexedRowsPerSec: copyIndexed.rowsPerSec,
    ingestVsIndexedCopyRatio: round(copyIndexed.rowsPerSec / ingest.eventsPerSec, 2),
    twoInstancesVsOneRatio: twoVsOne,
    twoInstancesEventsPerSec: two?.eventsPerSec ?? null,
    lockWaitShareOneInstance: runs[0].lockWaitShare,
    lockWaitShareTwoInstances: two?.lockWaitShare ?? null,
    alertLatencyP99Ms: alert?.p99Ms ?? null,
    rebuildEventsPerSec: rebuild.quiescent.eventsPerSec,
    rerate100kSeconds: rerate.seconds100k,
    apiReqPerSec: api?.reqPerSec ?? null,
    apiP99Ms: api?.p99Ms ?? null,
    ledgerRssMb: rssMb,
    ingestEventsPerSecBySize: bySize,
    ingestGrowthRatio: growth,
    brokerProduceMsgsPerSec: broker.produceMsgsPerSec,
    brokerConsumeMsgsPerSec: broker.consumeMsgsPerSec,
    apiP50Ms: api?.p50Ms ?? null,
    alertLatencyP50Ms: alert?.p50Ms ?? null,
    alertRelayBacklog: alert?.backlog ?? null,
    alertRelayDrainPerSec: alert?.relayDrainPerSec ?? null,
    ledgerPeakRssMbDuringIngest: ingest.ledgerPeakRssMb,
    ledgerCpuMsPerKEvent: ingest.ledgerCpuMsPerKEvent,
    rebuildUnderIngestEventsPerSec: rebuild.underIngest.eventsPerSec,
    rebuildSingleWorkerEventsPerSec: rebuild.singleWorker.eventsPerSec,
    simulateCustomersPerSec: whatIf.customersPerSec,
    simulateAsOfEventsPerSec: whatIf.asOf.eventsPerSec,
  };
  const { commit, dirty } = gitCommit();
  const results = {
    machine: { ...machineInfo(pgVersion), loadAverageAtStart: loadAtStart },
    commit,
    uncommittedChanges: dirty,
    mode: args.quick ? 'quick' : 'full',
    date: new Date().toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    config: {
      seed: SEED,
      eventsPerCustomer: 10,
      partitions: 6,
      ingestBatchSize: Number(process.env.INGEST_BATCH_SIZE ?? 2000),
    },
    figures,
    targets: Object.fromEntries(Object.entries(TARGETS).map(([k, t]) => [k, t.target])),
    notes,
    details,
  };
  writeFileSync(args.out, `${JSON.stringify(results, null, 2)}\n`);

  const rows = (Object.keys(TARGETS) as TargetKey[]).map((k) => {
    const v = figures[k];
    return {
      figure: k,
      target: TARGETS[k].target,
      measured: v ?? 'n/a',
      met: v === null ? 'n/a' : TARGETS[k].ok(v) ? 'yes' : 'NO',
    };
  });
  console.log();
  console.table(rows);
  console.table(
    runs.map((r) => ({
      events: r.events,
      customers: r.customers,
      'events/s': r.eventsPerSec,
      seconds: r.seconds,
      'ledger CPU ms / 1k events': r.ledgerCpuMsPerKEvent,
      'PostgreSQL CPU ms / 1k events': r.postgresCpuMsPerKEvent,
      'peak RSS MB': r.ledgerPeakRssMb,
    })),
  );
  console.log(
    `copy ${copy.rowsPerSec} rows/s (with the ledger's indexes ${copyIndexed.rowsPerSec}); broker produce ${broker.produceMsgsPerSec}/s consume ${broker.consumeMsgsPerSec}/s`,
  );
  if (profile) {
    console.log(`\ncpu profile of the ledger during the ${largest} ingest: ${profileFile}`);
    console.table(profile.byArea.slice(0, 12));
    console.table(profile.byFunction.slice(0, 20));
  }
  for (const n of notes) console.log(`note: ${n}`);
  console.log(`\nwrote ${path.relative(process.cwd(), args.out)} in ${results.durationSeconds} s`);
}

interface RebuildRuns {
  /** The same rebuild folded in one thread (REBUILD_WORKERS=1), the baseline of `quiescent`, same run. */
  singleWorker: QuiescentRebuildRun;
  quiescent: QuiescentRebuildRun;
  underIngest: RebuildRun;
}

/**
 * The real `rebuildProjections` (bench/rebuild.ts) three times: over the idle ledger in one thread (the baseline)
 * and with its worker threads (the target's figure), then again while ingestion runs and new events are published
 * (what an operator does on a live system), logged and noted.
 */
async function measureRebuild(
  live: Awaited<ReturnType<typeof runIngest>>['live'],
  notes: string[],
  log: (line: string) => void,
): Promise<RebuildRuns> {
  log('projection rebuild (rebuildProjections) over the idle ledger, one thread');
  const singleWorker = await runQuiescentRebuild(live, 500, log, 1);
  log(
    `  ${singleWorker.eventsPerSec} events/s (${singleWorker.events} events, ${singleWorker.seconds} s); ` +
      `verification ${singleWorker.verification.ok ? 'ok' : 'FAILED'}`,
  );
  log('projection rebuild over the idle ledger, worker threads (REBUILD_WORKERS or the default)');
  const quiescent = await runQuiescentRebuild(live, 500, log);
  const qv = quiescent.verification;
  log(
    `  ${quiescent.eventsPerSec} events/s with ${quiescent.workers} workers (${quiescent.events} events, ` +
      `${quiescent.customers} customers, ${quiescent.seconds} s); verification ${qv.ok ? 'ok' : 'FAILED'}`,
  );
  notes.push(
    `rebuildEventsPerSec: rebuildProjections (what \`credit-ledger rebuild\` runs) over the whole idle ledger ` +
      `(${quiescent.events} events, ${quiescent.customers} customers, ${quiescent.gradeChanges} grade changes) ` +
      `with ${quiescent.workers} replay workers; the same rebuild in one thread just before: ` +
      `${singleWorker.eventsPerSec} events/s (rebuildSingleWorkerEventsPerSec, ratio ` +
      `${(quiescent.eventsPerSec / Math.max(1, singleWorker.eventsPerSec)).toFixed(2)}). ` +
      verificationSummary(qv),
  );
  log('projection rebuild again while ingestion runs and 1,000 new events/s are published');
  const r = await runRebuildUnderIngest({ live, publishPerSec: 1_000, sampleCustomers: 500, log });
  log(
    `  ${r.eventsPerSec} events/s (${r.events} events, ${r.customers} customers, ${r.seconds} s; ` +
      `${r.lockedEvents} folded under the append lock)`,
  );
  notes.push(
    `rebuildUnderIngestEventsPerSec: rebuildProjections over ${r.ledgerEventsBefore} ` +
      `ledger events while the ledger process kept ingesting: ${r.publishedDuringRebuild} new events were ` +
      `published during the rebuild (${r.appendedDuringRebuild} appended before it returned, the rest drained in ` +
      `${r.drainSeconds} s). ` +
      verificationSummary(r.verification),
  );
  return { singleWorker, quiescent, underIngest: r };
}

/** The checks after a rebuild, as one sentence of a note. */
function verificationSummary(v: RebuildVerification): string {
  return (
    `Verification ${v.ok ? 'passed' : 'FAILED'}: ${v.billingEventsInLedger} billing events in the ledger for ` +
    `${v.billingEventsExpected} expected, ${v.duplicateIdempotencyKeys} duplicate (source, event_id), ` +
    `${v.rejected} rejected, ${v.parked} parked, positions ${v.positionsAtHead ? 'all' : 'NOT all'} at their stream's head, ` +
    `${v.positionsMissing} customers without a position; ${v.sampleCustomers} customers re-folded with ` +
    `verifyProjections (${v.sampleEvents} events): ${v.sampleDifferences} differences` +
    (v.failures.length ? `; ${v.failures.join('; ')}` : '')
  );
}

async function pgVersionOf(databaseUrl: string, exists: boolean): Promise<string> {
  const db = new Client(
    postgresClientConfig(exists ? databaseUrl : databaseUrl.replace(/\/[^/?]*(\?|$)/, '/postgres$1')),
  );
  await db.connect();
  try {
    return ((await db.query('SHOW server_version')).rows[0] as { server_version: string }).server_version;
  } finally {
    await db.end();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
