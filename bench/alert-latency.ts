/**
 * Event → alert latency, pluggable: the limit-breach alert is published by the alert path of the
 * "Background workers and alerts" issue. Until a limit breach actually reaches `credit.alerts.limit-breach`,
 * this reports `p99Ms: null` with a note, and the harness needs no change when the alert path lands:
 *
 *  1. If the CLI has a separate alert process (`credit-ledger worker`), it is started with the ledger's env.
 *  2. Probe: one new customer (limit 100.00) gets a 1,000.00 invoice; we wait `probeTimeoutMs` for an alert
 *     keyed by (or naming) that customer on the alert topic. None → null + note.
 *  3. Otherwise: `ratePerSec` events/s for `seconds` s — new customers onboarding with a limit, invoices under
 *     it, and every `breachEvery`-th invoice over it. The latency of each breach is the time from the send of
 *     the breaching event (just before its send) to the alert's arrival at a consumer on the alert topic.
 */
import { execFileSync } from 'node:child_process';
import { Partitioners } from 'kafkajs';
import { Client } from 'pg';
import { PLAINTEXT_KAFKA, postgresClientConfig } from '@credit-ledger/config';
import { createKafka } from '@credit-ledger/messaging';
import { CLI, NodeChild, sleep } from './proc';

export const LIMIT_BREACH_TOPIC = 'credit.alerts.limit-breach';

export interface AlertLatencyOptions {
  brokers: string[];
  eventsTopic: string;
  /** The ledger's env, used to start an alert worker process when the CLI has one. */
  env: NodeJS.ProcessEnv;
  ratePerSec: number;
  seconds: number;
  probeTimeoutMs: number;
  breachEvery?: number;
  log: (line: string) => void;
}

export interface AlertLatencyResult {
  p99Ms: number | null;
  p50Ms: number | null;
  samples: number;
  note: string | null;
  /** Alerts the ledger wrote while no relay ran (the ingest runs without a worker), before the probe. */
  backlog: number;
  /** How fast the worker's relay published that backlog to Kafka (null when there was none). */
  relayDrainPerSec: number | null;
}

interface Wire {
  key: string;
  value: string;
}

function onboarding(customerId: string, at: string, limit: string): Wire {
  return wire(customerId, `evt-alert-${customerId}-0`, 'CustomerOnboarded', at, {
    name: `Alert bench ${customerId}`,
    currency: 'EUR',
    creditLimit: limit,
  });
}

function invoice(customerId: string, n: number, at: string, amount: string): Wire {
  const day = at.slice(0, 10);
  return wire(customerId, `evt-alert-${customerId}-${n}`, 'InvoiceIssued', at, {
    invoiceId: `INV-A-${customerId}-${n}`,
    amount,
    currency: 'EUR',
    issuedOn: day,
    dueOn: day,
  });
}

function wire(customerId: string, eventId: string, type: string, at: string, payload: object): Wire {
  const value = { eventId, type, version: 1, customerId, occurredAt: at, source: 'bench-alerts', payload };
  return { key: customerId, value: JSON.stringify(value) };
}

function workerCommandExists(): boolean {
  try {
    return /^\s+worker\b/m.test(execFileSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }));
  } catch {
    return false;
  }
}

function customerOf(key: Buffer | null, value: Buffer | null): string | null {
  if (key && key.length) return key.toString('utf8');
  try {
    const v = JSON.parse(value?.toString('utf8') ?? '') as { customerId?: unknown };
    return typeof v.customerId === 'string' ? v.customerId : null;
  } catch {
    return null;
  }
}

/** Waits until the relay has published every alert of the outbox (at most 20 minutes), logging progress. */
async function drainOutbox(
  o: AlertLatencyOptions,
): Promise<Pick<AlertLatencyResult, 'backlog' | 'relayDrainPerSec'>> {
  const db = new Client(postgresClientConfig(o.env.DATABASE_URL!));
  await db.connect();
  try {
    const unsent = async (): Promise<number> =>
      (await db.query('SELECT count(*)::int AS n FROM alert_outbox WHERE sent_at IS NULL')).rows[0]
        .n as number;
    const backlog = await unsent();
    if (backlog === 0) return { backlog, relayDrainPerSec: null };
    o.log(`  alert relay: ${backlog} alerts raised during the ingest wait in the outbox`);
    const t0 = Date.now();
    let left = backlog;
    let logged = t0;
    while (left > 0) {
      if (Date.now() - t0 > 20 * 60_000)
        throw new Error(`alert relay still has ${left} of ${backlog} alerts after 20 min`);
      await sleep(200);
      left = await unsent();
      if (Date.now() - logged >= 15_000) {
        logged = Date.now();
        o.log(`  alert relay: ${backlog - left} / ${backlog} published`);
      }
    }
    const relayDrainPerSec = Math.round(backlog / ((Date.now() - t0) / 1000));
    o.log(`  alert relay: ${backlog} published at ${relayDrainPerSec} alerts/s`);
    return { backlog, relayDrainPerSec };
  } finally {
    await db.end();
  }
}

export async function measureAlertLatency(o: AlertLatencyOptions): Promise<AlertLatencyResult> {
  const kafka = createKafka({ clientId: 'bench-alerts', brokers: o.brokers, security: PLAINTEXT_KAFKA });
  const worker = workerCommandExists() ? new NodeChild('alert worker', [CLI, 'worker'], o.env) : null;
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  const consumer = kafka.consumer({ groupId: `bench-alerts-${Date.now()}`, maxWaitTimeInMs: 50 });
  const arrived = new Map<string, number>();
  const sentAt = new Map<string, number>();
  const run = Date.now().toString(36);
  try {
    // The probe's clock starts only once the worker (and its relay) is up: start-up is not alert latency.
    await worker?.waitFor(/credit-ledger worker running/, 60_000);
    // The ingest ran without a worker, so every alert it raised waits in alert_outbox; a probe sent now would
    // queue behind them. Latency is measured once the relay has caught up; how fast it did is its own figure.
    const drained = await drainOutbox(o);
    await producer.connect();
    const admin = kafka.admin();
    await admin.connect();
    const topics = await admin.listTopics();
    await admin.disconnect();
    // Alerts may create their topic on first use; subscribe either way (the broker auto-creates it).
    await consumer.connect();
    await consumer.subscribe({ topic: LIMIT_BREACH_TOPIC, fromBeginning: false });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.run({
      eachMessage: async ({ message }) => {
        const c = customerOf(message.key, message.value);
        if (c && !arrived.has(c)) arrived.set(c, Date.now());
      },
    });
    await joined;

    const probe = `ALERT-${run}-PROBE`;
    const now = new Date().toISOString();
    await producer.send({ topic: o.eventsTopic, acks: -1, messages: [onboarding(probe, now, '100.00')] });
    await producer.send({ topic: o.eventsTopic, acks: -1, messages: [invoice(probe, 1, now, '1000.00')] });
    const probeDeadline = Date.now() + o.probeTimeoutMs;
    while (!arrived.has(probe) && Date.now() < probeDeadline) await sleep(50);
    if (!arrived.has(probe)) {
      const why = topics.includes(LIMIT_BREACH_TOPIC)
        ? `no limit-breach alert arrived on ${LIMIT_BREACH_TOPIC} within ${o.probeTimeoutMs} ms of a breaching invoice`
        : `${LIMIT_BREACH_TOPIC} is not produced yet (alert path: issue "Background workers and alerts")`;
      return {
        p99Ms: null,
        p50Ms: null,
        samples: 0,
        note: `alertLatencyP99Ms: ${why}; not measured`,
        ...drained,
      };
    }

    // Steady stream at ratePerSec: 10 ms ticks, each sending its share of events in one request.
    const breachEvery = o.breachEvery ?? 20;
    const total = Math.round(o.ratePerSec * o.seconds);
    const perTick = Math.max(2, Math.round(o.ratePerSec / 100));
    const t0 = Date.now();
    let n = 0;
    let breaches = 0;
    while (n < total) {
      const messages: Wire[] = [];
      const breaching: string[] = [];
      const at = new Date().toISOString();
      for (let i = 0; i < perTick && n < total; i += 2, n += 2) {
        // a fresh customer: onboarding + one invoice; every breachEvery-th invoice breaches the limit
        const c = `ALERT-${run}-${n / 2}`;
        const breach = (n / 2) % breachEvery === 0;
        messages.push(onboarding(c, at, '1000.00'), invoice(c, 1, at, breach ? '5000.00' : '10.00'));
        if (breach) breaching.push(c);
      }
      const sent = Date.now();
      await producer.send({ topic: o.eventsTopic, acks: -1, messages });
      for (const c of breaching) sentAt.set(c, sent);
      breaches += breaching.length;
      const due = t0 + (n / o.ratePerSec) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
    }
    const deadline = Date.now() + 10_000;
    while ([...sentAt.keys()].some((c) => !arrived.has(c)) && Date.now() < deadline) await sleep(100);
    const latencies = [...sentAt.entries()]
      .filter(([c]) => arrived.has(c))
      .map(([c, t]) => arrived.get(c)! - t)
      .sort((a, b) => a - b);
    const missing = breaches - latencies.length;
    const pct = (p: number): number | null =>
      latencies.length
        ? latencies[Math.min(latencies.length - 1, Math.ceil(p * latencies.length) - 1)]
        : null;
    return {
      p99Ms: missing > 0 ? null : pct(0.99),
      p50Ms: pct(0.5),
      samples: latencies.length,
      note:
        missing > 0
          ? `alertLatencyP99Ms: ${missing} of ${breaches} limit breaches got no alert within 10 s; p99 not reported`
          : null,
      ...drained,
    };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await worker?.stop();
  }
}
