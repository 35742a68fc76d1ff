import { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { parseEvent } from '@credit-ledger/domain';
import {
  AppendResult,
  InboundEvent,
  LedgerWriter,
  MessageOrigin,
  Rejection,
  rejectionOf,
} from '@credit-ledger/ledger-store';
import { DeadLetterPublisher } from './dead-letter-publisher';

export interface IngestOptions {
  topic: string;
  groupId: string;
  sessionTimeoutMs?: number;
  batchSize: number;
  partitionsConsumedConcurrently?: number;
  fromBeginning?: boolean;
  log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
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
  running: boolean;
}

/** Turns Kafka messages into ledger input: parsed events to append, or rejections carrying the reason. */
export function toLedgerInput(
  topic: string,
  partition: number,
  messages: KafkaMessage[],
): { inbound: InboundEvent[]; invalid: Rejection[] } {
  const inbound: InboundEvent[] = [];
  const invalid: Rejection[] = [];
  for (const m of messages) {
    const origin: MessageOrigin = {
      topic,
      partition,
      offset: m.offset,
      key: m.key ? m.key.toString('utf8') : null,
      value: m.value ? m.value.toString('utf8') : '',
    };
    if (!m.value || m.value.length === 0) {
      invalid.push(rejectionOf(origin, 'BAD_JSON', 'message value is empty'));
      continue;
    }
    const parsed = parseEvent(origin.value, { key: origin.key });
    if (parsed.ok) inbound.push({ event: parsed.event, origin });
    else invalid.push(rejectionOf(origin, parsed.code, parsed.reason));
  }
  return { inbound, invalid };
}

/**
 * The ingestion loop: for each chunk of a partition's batch, append (one transaction), dead-letter the
 * rejections, and only then commit the offset past the chunk. A crash anywhere before the commit means the
 * chunk is delivered again, and the idempotency key turns the second append into a no-op.
 */
export class BillingEventsConsumer {
  readonly stats: IngestStats = {
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
  };
  private consumer: Consumer | null = null;

  /**
   * Chunks of several partitions handed in while an append runs go into the next append together, up to
   * batchSize messages: one transaction (one turn of the append lock, one commit) instead of one each. Each
   * partition still hands in one chunk at a time, in offset order, and commits its offset only after the append
   * and the dead-lettering of its rejections (and of any other in the same append) are done.
   */
  private readonly appends: AppendCoalescer;

  constructor(
    private readonly kafka: Kafka,
    private readonly writer: LedgerWriter,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly opts: IngestOptions,
  ) {
    this.appends = new AppendCoalescer(opts.batchSize, (inputs) => this.appendChunks(inputs));
  }

  private async appendChunks(inputs: ChunkInput[]): Promise<void> {
    const started = Date.now();
    const result = await this.writer.append(
      inputs.flatMap((x) => x.input.inbound),
      inputs.flatMap((x) => x.input.invalid),
    );
    await this.deadLetters.publish(result.rejected);
    if (this.opts.afterAppend) await this.opts.afterAppend(result);
    this.record(
      inputs.reduce((n, x) => n + x.messages, 0),
      result,
      Date.now() - started,
    );
  }

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({
      groupId: this.opts.groupId,
      sessionTimeout: this.opts.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.max(100, Math.floor((this.opts.sessionTimeoutMs ?? 30_000) / 10)),
      maxBytesPerPartition: 2 * 1024 * 1024,
      maxWaitTimeInMs: 250,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.CRASH, (e) =>
      this.opts.log('error', `ingestion consumer crashed: ${e.payload.error.message}`),
    );
    await consumer.connect();
    await consumer.subscribe({ topics: [this.opts.topic], fromBeginning: this.opts.fromBeginning ?? true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently ?? 6,
      eachBatch: (payload) => this.handleBatch(payload),
    });
    this.stats.running = true;
    this.opts.log('info', `ingesting ${this.opts.topic} as group ${this.opts.groupId}`);
  }

  async stop(): Promise<void> {
    this.stats.running = false;
    await this.consumer?.disconnect();
    this.consumer = null;
  }

  private async handleBatch({ batch, heartbeat, isRunning, isStale, resolveOffset }: EachBatchPayload) {
    const { topic, partition } = batch;
    for (let i = 0; i < batch.messages.length; i += this.opts.batchSize) {
      if (!isRunning() || isStale()) return;
      const chunk = batch.messages.slice(i, i + this.opts.batchSize);
      await this.appends.submit(toLedgerInput(topic, partition, chunk), chunk.length);
      const last = chunk[chunk.length - 1].offset;
      resolveOffset(last);
      await this.consumer!.commitOffsets([{ topic, partition, offset: (BigInt(last) + 1n).toString() }]);
      await heartbeat();
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
    s.batches += 1;
    s.lastBatchMs = ms;
    if (r.appended) s.lastSequence = r.lastSequence;
    if (r.rejected.length) {
      this.opts.log(
        'warn',
        `rejected ${r.rejected.length} event(s); first: ${r.rejected[0].code} ${r.rejected[0].reason}`,
      );
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
  private running = false;

  constructor(
    private readonly maxMessages: number,
    private readonly run: (inputs: ChunkInput[]) => Promise<void>,
  ) {}

  submit(input: ChunkInput['input'], messages: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ input, messages, done: (err) => (err === undefined ? resolve() : reject(err)) });
      if (!this.running) {
        this.running = true;
        // After this turn of the event loop, so partitions handing in chunks at the same moment share the append.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length) {
      let n = 0;
      let total = 0;
      while (n < this.queue.length && (n === 0 || total + this.queue[n].messages <= this.maxMessages)) {
        total += this.queue[n].messages;
        n++;
      }
      const group = this.queue.splice(0, n);
      try {
        await this.run(group);
        for (const g of group) g.done();
      } catch (err) {
        for (const g of group) g.done(err ?? new Error('append failed'));
      }
    }
    this.running = false;
  }
}

/** Rejects parked events whose dependency never came, on a timer. */
export class ParkedEventSweeper {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(
    private readonly writer: LedgerWriter,
    private readonly deadLetters: DeadLetterPublisher,
    private readonly timeoutMs: number,
    private readonly intervalMs: number,
    private readonly log: IngestOptions['log'],
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
        await this.deadLetters.publish(rejected, now);
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
