import { ErrorCode } from '../protocol/error-codes';

interface RecentBatch {
  firstSeq: number;
  lastSeq: number;
  baseOffset: number;
}

interface ProducerEntry {
  epoch: number;
  lastSeq: number;
  recent: RecentBatch[];
}

export type SequenceCheck =
  { kind: 'append' } | { kind: 'duplicate'; baseOffset: number } | { kind: 'error'; errorCode: number };

const RECENT_BATCHES = 5;

/** Per-partition idempotent-producer bookkeeping: last sequence and the last few batches per producer. */
export class ProducerStateTable {
  private readonly producers = new Map<number, ProducerEntry>();

  check(producerId: number, epoch: number, baseSeq: number): SequenceCheck {
    if (producerId < 0) return { kind: 'append' };
    const e = this.producers.get(producerId);
    if (!e || epoch > e.epoch) return { kind: 'append' };
    if (epoch < e.epoch) return { kind: 'error', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH };
    if (baseSeq === e.lastSeq + 1) return { kind: 'append' };
    const dup = e.recent.find((r) => r.firstSeq === baseSeq);
    if (dup) return { kind: 'duplicate', baseOffset: dup.baseOffset };
    if (baseSeq <= e.lastSeq) return { kind: 'error', errorCode: ErrorCode.DUPLICATE_SEQUENCE_NUMBER };
    return { kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
  }

  record(producerId: number, epoch: number, baseSeq: number, recordCount: number, baseOffset: number): void {
    if (producerId < 0) return;
    let e = this.producers.get(producerId);
    if (!e || epoch > e.epoch) {
      e = { epoch, lastSeq: -1, recent: [] };
      this.producers.set(producerId, e);
    }
    const lastSeq = baseSeq + recordCount - 1;
    e.lastSeq = lastSeq;
    e.recent.push({ firstSeq: baseSeq, lastSeq, baseOffset });
    if (e.recent.length > RECENT_BATCHES) e.recent.shift();
  }
}
