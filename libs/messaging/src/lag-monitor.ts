import { Admin, Kafka } from 'kafkajs';
import { describeFailure, type Log } from '@credit-ledger/ledger-store';

export interface PartitionLag {
  partition: number;
  /** Next offset the broker will write. */
  highWatermark: string;
  /** Next offset the group will read (the low watermark when it never committed). */
  committed: string;
  lag: string;
}

export interface KafkaHealth {
  /** The last check reached the broker. */
  reachable: boolean;
  checkedAt: string | null;
  error: string | null;
  partitions: PartitionLag[];
  totalLag: string;
  /** When the group's committed offsets last moved, or were found caught up. */
  progressAt: string | null;
}

/**
 * Watches the ingestion group from the outside, as an operator would: every `intervalMs` it asks the broker for
 * the topic's high watermarks and the group's committed offsets. Health reads the last snapshot (never a broker
 * round trip per request) and turns degraded when the broker cannot be reached or the lag stops moving.
 */
export class LagMonitor {
  private admin: Admin | null = null;
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> | null = null;
  private lastCommittedSum: bigint | null = null;
  private state: KafkaHealth = {
    reachable: false,
    checkedAt: null,
    error: null,
    partitions: [],
    totalLag: '0',
    progressAt: null,
  };

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly groupId: string,
    private readonly intervalMs: number,
    private readonly log: Log,
  ) {}

  snapshot(): KafkaHealth {
    return this.state;
  }

  start(): void {
    void this.check();
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.checking) await this.checking;
    await this.admin?.disconnect().catch(() => undefined);
    this.admin = null;
  }

  /** One look at the broker (also run on demand by tests). */
  check(): Promise<void> {
    this.checking ??= this.look().finally(() => (this.checking = null));
    return this.checking;
  }

  private async look(): Promise<void> {
    const at = new Date().toISOString();
    // An answer that takes longer than this is no answer: health must not wait on kafkajs' own retries.
    const limitMs = Math.max(1000, Math.min(5000, 2 * this.intervalMs));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Kafka did not answer within ${limitMs} ms`)), limitMs);
    });
    try {
      const [ends, groups] = await Promise.race([this.ask(), late]);
      const committedOf = new Map(
        (groups.find((g) => g.topic === this.topic)?.partitions ?? []).map((p) => [p.partition, p.offset]),
      );
      let total = 0n;
      let committedSum = 0n;
      const partitions = ends
        .map((e) => {
          const c = committedOf.get(e.partition);
          const committed = c === undefined || c === '-1' ? e.low : c;
          const lag = BigInt(e.high) - BigInt(committed);
          total += lag > 0n ? lag : 0n;
          committedSum += BigInt(committed);
          return {
            partition: e.partition,
            highWatermark: e.high,
            committed,
            lag: (lag > 0n ? lag : 0n).toString(),
          };
        })
        .sort((a, b) => a.partition - b.partition);
      const moved = this.lastCommittedSum === null || committedSum !== this.lastCommittedSum || total === 0n;
      this.lastCommittedSum = committedSum;
      if (!this.state.reachable && this.state.checkedAt !== null)
        this.log('info', 'Kafka is reachable again');
      this.state = {
        reachable: true,
        checkedAt: at,
        error: null,
        partitions,
        totalLag: total.toString(),
        progressAt: moved ? at : this.state.progressAt,
      };
    } catch (err) {
      const admin = this.admin;
      this.admin = null;
      void admin?.disconnect().catch(() => undefined);
      if (this.state.reachable || this.state.checkedAt === null)
        this.log('warn', `Kafka health check failed: ${describeFailure(err)}`);
      this.state = { ...this.state, reachable: false, checkedAt: at, error: describeFailure(err) };
    } finally {
      clearTimeout(timer);
    }
  }

  private async ask() {
    if (!this.admin) {
      // One quick retry: the next check comes soon anyway.
      const admin = this.kafka.admin({ retry: { retries: 1, initialRetryTime: 100 } });
      await admin.connect();
      this.admin = admin;
    }
    return Promise.all([
      this.admin.fetchTopicOffsets(this.topic),
      this.admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] }),
    ]);
  }
}
