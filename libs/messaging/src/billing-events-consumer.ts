import { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { decodeText, parseEvent } from '@credit-ledger/domain';
import {
  AppendResult,
  InboundEvent,
  IsolatingAppender,
  LedgerWriter,
  Log,
  MessageOrigin,
  Rejection,
  describeFailure,
  rejectionOf,
} from '@credit-ledger/ledger-store';
import { backoffMs, isAuthenticationFailure } from './kafka-client';

export interface IngestOptions {
  topic: string;
  groupId: string;
  sessionTimeoutMs?: number;
  batchSize: number;
  /**
   * Append transactions one process runs at once (default 2), each for other partitions, hence other customers:
   * node decides one chunk while PostgreSQL writes another, where one at a time left each idle while the other
   * worked.
   */
  appendConcurrency?: number;
  partitionsConsumedConcurrently?: number;
  fromBeginning?: boolean;
  log: Log;
  /** How far ahead of the ledger's clock an event's occurredAt may be; later ones are FUTURE_EVENT. */
  futureToleranceMs: number;
  /** Isolated events in a row (nothing stored in between) after which the fault is taken as systemic. */
  maxConsecutiveIsolations?: number;
  /** Longest wait between retries of an append that failed for a transient reason, and between rebuilds. */
  maxBackoffMs?: number;
  /** The ledger's clock (tests). */
  now?: () => Date;
  /** Test seam: runs after the append committed and before the offsets are committed. */
  afterAppend?: (result: AppendResult) => Promise<void>;
}

export interface IngestStats {
  messages: number;
  appended: number;
  duplicates: number;
  rejected: number;
  parked: number;
  unparked: number;
  batches: number;
  lastBatchMs: number;
  lastSequence: string;
  /** A consumer is connected and in its group (false while crashed, rebuilding or stopped). */
  running: boolean;
  /** Partitions of the topic assigned to this consumer at its last join (several instances split them). */
  partitions: number;
  /** Events the database refused, bisected out and dead-lettered (APPEND_FAILED). */
  isolated: number;
  /** Appends that failed for a transient reason and were retried. */
  retries: number;
  /** kafkajs consumer crashes, and consumers rebuilt (or restarted by kafkajs) after one. */
  crashes: number;
  restarts: number;
  lastAppendAt: string | null;
  lastCommitAt: string | null;
  lastError: string | null;
}

/** Most message origins named in one log line (a poisoned batch can hold thousands). */
const MAX_LOGGED_ORIGINS = 50;

/** Where a message came from, as log fields (never its bytes: they may be anything). */
const originOf = (o: MessageOrigin) => ({ topic: o.topic, partition: o.partition, offset: o.offset });

/** The counts of a consumer that has not consumed yet. */
export function emptyIngestStats(): IngestStats {
  return {
    messages: 0,
    appended: 0,
    duplicates: 0,
    rejected: 0,
    parked: 0,
    unparked: 0,
    batches: 0,
    lastBatchMs: 0,
    lastSequence: '0',
    running: false,
    partitions: 0,
    isolated: 0,
    retries: 0,
    crashes: 0,
    restarts: 0,
    lastAppendAt: null,
    lastCommitAt: null,
    lastError: null,
  };
}

/** Turns Kafka messages into ledger input: parsed events to append, or rejections carrying the reason. */
export function toLedgerInput(
  topic: string,
  partition: number,
  messages: KafkaMessage[],
  notAfter?: string,
): { inbound: InboundEvent[]; invalid: Rejection[] } {
  const inbound: InboundEvent[] = [];
  const invalid: Rejection[] = [];
  for (const m of messages) {
    const origin: MessageOrigin = {
      topic,
      partition,
      offset: m.offset,
      key: m.key ?? null,
      value: m.value ?? Buffer.alloc(0),
    };
    if (origin.value.length === 0) {
      invalid.push(rejectionOf(origin, 'BAD_JSON', 'message value is empty'));
      continue;
    }
    let key: string | null = null;
    if (origin.key !== null) {
      const k = decodeText(origin.key, 'message key');
      if (!k.ok) {
        invalid.push(rejectionOf(origin, 'BAD_ENCODING', k.reason));
        continue;
      }
      key = k.text;
    }
    const parsed = parseEvent(origin.value, { key, notAfter });
    if (parsed.ok) inbound.push({ event: parsed.event, origin });
    else invalid.push({ ...rejectionOf(origin, parsed.code, parsed.reason), ...parsed.ids });
  }
  return { inbound, invalid };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * The ingestion loop: for each chunk of a partition's batch, append (one transaction; rejections are rows of the
 * dead-letter outbox in it) and only then commit the offset past the chunk. A crash anywhere before the commit
 * means the chunk is delivered again, and the idempotency key turns the second append into a no-op.
 *
 * Nothing stops it for good. A message the database refuses is bisected out and dead-lettered (IsolatingAppender).
 * An append that fails for a transient reason is retried with backoff, heartbeating, for as long as it takes. A
 * kafkajs consumer that crashes — whatever the error, retriable or not — is rebuilt and rejoins its group from the
 * committed offsets, with backoff.
 */
export class BillingEventsConsumer {
  readonly stats: IngestStats = emptyIngestStats();
  private consumer: Consumer | null = null;
  private stopping = false;
  private rebuildTimer: NodeJS.Timeout | null = null;
  private rebuildAttempts = 0;
  private crashedSinceJoin = false;

  /**
   * Chunks of several partitions handed in while appends run go into the next append together, up to batchSize
   * messages: one transaction (one commit) instead of one each; up to appendConcurrency appends run at once. Each
   * partition still hands in one chunk at a time, in offset order, and commits its offset only after the append,
   * so appends running at once never share a partition (nor a customer: messages are keyed by customer).
   */
  private readonly appends: AppendCoalescer;
  private readonly isolating: IsolatingAppender;

  constructor(
    private readonly kafka: Kafka,
    private readonly writer: LedgerWriter,
    private readonly opts: IngestOptions,
  ) {
    this.isolating = new IsolatingAppender(writer, opts.maxConsecutiveIsolations);
    this.appends = new AppendCoalescer(opts.batchSize, opts.appendConcurrency ?? 2, (inputs) =>
      this.appendChunks(inputs),
    );
  }

  private get maxBackoffMs(): number {
    return this.opts.maxBackoffMs ?? 30_000;
  }

  private async appendChunks(inputs: ChunkInput[]): Promise<void> {
    const started = Date.now();
    const result = await this.isolating.append(
      inputs.flatMap((x) => x.input.inbound),
      inputs.flatMap((x) => x.input.invalid),
    );
    if (this.opts.afterAppend) await this.opts.afterAppend(result);
    this.record(
      inputs.reduce((n, x) => n + x.messages, 0),
      result,
      Date.now() - started,
    );
  }

  /**
   * Joins the group. A broker that cannot be reached yet is not fatal: the consumer keeps trying in the
   * background (health shows it) and this resolves; only a refused login fails start-up, since retrying a wrong
   * credential never helps.
   */
  async start(): Promise<void> {
    this.stopping = false;
    try {
      await this.spawn();
    } catch (err) {
      if (isAuthenticationFailure(err)) throw err;
      this.noteError('could not join the consumer group', err);
      this.scheduleRebuild();
    }
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.rebuildTimer) clearTimeout(this.rebuildTimer);
    this.rebuildTimer = null;
    this.stats.running = false;
    const c = this.consumer;
    this.consumer = null;
    await c?.disconnect().catch(() => undefined);
  }

  private async spawn(): Promise<void> {
    const session = this.opts.sessionTimeoutMs ?? 30_000;
    const consumer = this.kafka.consumer({
      groupId: this.opts.groupId,
      sessionTimeout: session,
      heartbeatInterval: Math.max(100, Math.floor(session / 10)),
      maxBytesPerPartition: 2 * 1024 * 1024,
      maxWaitTimeInMs: 250,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (e) => this.crashed(consumer, e.payload.error, e.payload.restart));
    consumer.on(consumer.events.GROUP_JOIN, (e) =>
      this.joined(consumer, e.payload.memberAssignment[this.opts.topic]?.length ?? 0),
    );
    await consumer.connect();
    await consumer.subscribe({ topics: [this.opts.topic], fromBeginning: this.opts.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently ?? 6,
      eachBatch: (payload) => this.handleBatch(consumer, payload),
    });
    this.opts.log('info', `ingesting ${this.opts.topic} as group ${this.opts.groupId}`);
  }

  private joined(consumer: Consumer, partitions: number): void {
    if (consumer !== this.consumer) return;
    // The partitions owned may have changed: resident states of customers now owned elsewhere would only be
    // reloaded (their stream version moved on) but would hold memory until then.
    this.writer.resident.clear();
    this.stats.running = true;
    this.stats.partitions = partitions;
    this.rebuildAttempts = 0;
    if (this.crashedSinceJoin) {
      this.crashedSinceJoin = false;
      this.stats.restarts++;
      this.opts.log('info', 'ingestion consumer rejoined its group after a crash');
    }
  }

  private crashed(consumer: Consumer, error: Error, kafkajsRestarts: boolean): void {
    if (consumer !== this.consumer || this.stopping) return;
    this.stats.crashes++;
    this.stats.running = false;
    this.crashedSinceJoin = true;
    this.noteError('ingestion consumer crashed', error);
    // kafkajs restarts it itself after a retriable error; after any other it gives up, so we rebuild it.
    if (!kafkajsRestarts) this.scheduleRebuild();
  }

  /** Replaces the consumer with a new one after a backoff; tries again until one joins. */
  private scheduleRebuild(): void {
    if (this.stopping || this.rebuildTimer) return;
    const wait = backoffMs(this.rebuildAttempts++, this.maxBackoffMs);
    this.opts.log('warn', `rebuilding the ingestion consumer in ${wait} ms`);
    this.rebuildTimer = setTimeout(() => void this.rebuild(), wait);
  }

  private async rebuild(): Promise<void> {
    this.rebuildTimer = null;
    if (this.stopping) return;
    const old = this.consumer;
    this.consumer = null;
    this.crashedSinceJoin = true;
    await old?.disconnect().catch(() => undefined);
    try {
      await this.spawn();
    } catch (err) {
      this.noteError(
        'rebuilding the ingestion consumer failed',
        err,
        this.rebuildAttempts > 3 ? 'error' : 'warn',
      );
      this.scheduleRebuild();
    }
  }

  /** Recorded for health; logged as a warning while it heals itself, as an error once it keeps failing. */
  private noteError(
    what: string,
    err: unknown,
    level: 'warn' | 'error' = 'warn',
    fields?: Record<string, unknown>,
  ): void {
    const message = `${what}: ${describeFailure(err)}`;
    this.stats.lastError = message;
    this.opts.log(level, message, fields);
  }

  private async handleBatch(
    consumer: Consumer,
    { batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload,
  ) {
    const { topic, partition } = batch;
    const live = (): boolean => isRunning() && !isStale();
    for (let i = 0; i < batch.messages.length; i += this.opts.batchSize) {
      if (!live()) return;
      const chunk = batch.messages.slice(i, i + this.opts.batchSize);
      const now = (this.opts.now ?? (() => new Date()))();
      const notAfter = new Date(now.getTime() + this.opts.futureToleranceMs).toISOString();
      const input = toLedgerInput(topic, partition, chunk, notAfter);
      const last = chunk[chunk.length - 1].offset;
      const origin = { topic, partition, offset: chunk[0].offset, lastOffset: last };
      if (!(await this.appendUntilDone(input, chunk.length, origin, heartbeat, live))) return;
      resolveOffset(last);
      await consumer.commitOffsets([{ topic, partition, offset: (BigInt(last) + 1n).toString() }]);
      this.stats.lastCommitAt = new Date().toISOString();
      await heartbeat();
    }
  }

  /**
   * Appends a chunk, retrying transient failures with backoff (poison never gets here: it is isolated inside the
   * append). Heartbeats while it waits; gives up only when the partition is no longer ours (false).
   */
  private async appendUntilDone(
    input: ChunkInput['input'],
    messages: number,
    chunk: { topic: string; partition: number; offset: string; lastOffset: string },
    heartbeat: () => Promise<void>,
    live: () => boolean,
  ): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.appends.submit(input, messages);
        return true;
      } catch (err) {
        this.stats.retries++;
        const wait = backoffMs(attempt, this.maxBackoffMs);
        if (attempt === 0 || attempt % 10 === 0)
          this.noteError(
            `append failed (attempt ${attempt + 1}); retrying in ${wait} ms`,
            err,
            attempt ? 'error' : 'warn',
            { kafka: chunk },
          );
        const until = Date.now() + wait;
        while (Date.now() < until) {
          if (!live()) return false;
          await sleep(Math.min(1000, until - Date.now()));
          // The broker may be away too: a failed heartbeat is the consumer's business (it rejoins when needed).
          await heartbeat().catch(() => undefined);
        }
        if (!live()) return false;
      }
    }
  }

  private record(messages: number, r: AppendResult, ms: number): void {
    const s = this.stats;
    s.messages += messages;
    s.appended += r.appended;
    s.duplicates += r.duplicates;
    s.rejected += r.rejected.length;
    s.parked += r.parked;
    s.unparked += r.unparked;
    s.isolated += r.isolated;
    s.batches += 1;
    s.lastBatchMs = ms;
    s.lastAppendAt = new Date().toISOString();
    if (r.appended) s.lastSequence = r.lastSequence;
    if (r.isolated) {
      const isolated = r.rejected.filter((x) => x.code === 'APPEND_FAILED');
      this.opts.log('warn', `isolated ${r.isolated} event(s) the database refused; they are dead-lettered`, {
        kafka: isolated[0] ? originOf(isolated[0].origin) : undefined,
        isolated: isolated.slice(0, MAX_LOGGED_ORIGINS).map((x) => originOf(x.origin)),
      });
    }
    if (r.rejected.length) {
      const first = r.rejected[0];
      this.opts.log('warn', `rejected ${r.rejected.length} event(s); first: ${first.code} ${first.reason}`, {
        kafka: originOf(first.origin),
        rejected: r.rejected
          .slice(0, MAX_LOGGED_ORIGINS)
          .map((x) => ({ ...originOf(x.origin), code: x.code })),
      });
    }
    this.opts.log(
      'debug',
      `batch: ${messages} msgs, ${r.appended} appended, ${r.duplicates} dup, ${r.parked} parked in ${ms} ms`,
    );
  }
}

interface ChunkInput {
  input: { inbound: InboundEvent[]; invalid: Rejection[] };
  messages: number;
}

/**
 * Runs `run` on what was submitted while the previous run was in progress, one run at a time, at most
 * `maxMessages` per run (a single larger submission runs alone): small chunks of a steady stream share a
 * transaction, while a backlog's full chunks still go one per transaction, so memory stays that of one chunk.
 */
class AppendCoalescer {
  private queue: Array<ChunkInput & { done: (err?: unknown) => void }> = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly maxMessages: number,
    private readonly concurrency: number,
    private readonly run: (inputs: ChunkInput[]) => Promise<void>,
  ) {}

  submit(input: ChunkInput['input'], messages: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ input, messages, done: (err) => (err === undefined ? resolve() : reject(err)) });
      this.schedule();
    });
  }

  /** After this turn of the event loop, so partitions handing in chunks at the same moment share the append. */
  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.concurrency || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.launch();
    });
  }

  private launch(): void {
    while (this.inFlight < this.concurrency && this.queue.length) {
      let n = 0;
      let total = 0;
      while (n < this.queue.length && (n === 0 || total + this.queue[n].messages <= this.maxMessages)) {
        total += this.queue[n].messages;
        n++;
      }
      const group = this.queue.splice(0, n);
      this.inFlight++;
      void this.run(group)
        .then(
          () => {
            for (const g of group) g.done();
          },
          (err: unknown) => {
            for (const g of group) g.done(err ?? new Error('append failed'));
          },
        )
        .finally(() => {
          this.inFlight--;
          this.schedule();
        });
    }
  }
}

/** Rejects parked events whose dependency never came, on a timer (the rejections reach the DLQ by the relay). */
export class ParkedEventSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly writer: LedgerWriter,
    private readonly timeoutMs: number,
    private readonly intervalMs: number,
    private readonly log: Log,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.sweepOnce(), this.intervalMs);
    this.timer.unref();
  }

  async sweepOnce(now: Date = new Date()): Promise<number> {
    if (this.running) await this.running;
    let count = 0;
    this.running = (async () => {
      try {
        const rejected = await this.writer.expireParked(new Date(now.getTime() - this.timeoutMs));
        count = rejected.length;
        if (count) this.log('warn', `rejected ${count} parked event(s) whose dependency never arrived`);
      } catch (err) {
        this.log('error', `parked-event sweep failed: ${(err as Error).message}`);
      }
    })();
    await this.running;
    this.running = null;
    return count;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.running) await this.running;
  }
}
