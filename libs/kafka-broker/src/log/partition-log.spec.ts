import { buildRecordBatch } from '../protocol/record-batch';
import { PartitionLog } from './partition-log';
import { ProducerStateTable } from './producer-state';
import { ErrorCode } from '../protocol/error-codes';

const batchOf = (n: number): Buffer =>
  buildRecordBatch(Array.from({ length: n }, (_, i) => ({ key: null, value: Buffer.from(`v${i}`) })));

describe('PartitionLog', () => {
  it('assigns offsets and finds batches by offset', () => {
    const log = new PartitionLog('t', 0);
    expect(log.append(batchOf(3), 2, 3)).toBe(0);
    expect(log.append(batchOf(2), 1, 2)).toBe(3);
    expect(log.append(batchOf(5), 4, 5)).toBe(5);
    expect(log.highWatermark).toBe(10);
    expect(log.messageCount).toBe(10);
    expect(log.read(0, 1).length).toBe(1); // at least one batch
    expect(log.read(4, 1e9).map((b) => b.readInt32BE(4))).toEqual([3, 5]);
    expect(log.read(5, 1e9).map((b) => b.readInt32BE(4))).toEqual([5]);
    expect(log.read(10, 1e9)).toEqual([]);
    expect(log.bytesAvailable(10)).toBe(0);
    expect(log.bytesAvailable(0)).toBe(log.byteSize);
  });

  it('wakes waiters on append', () => {
    const log = new PartitionLog('t', 0);
    let woken = 0;
    log.addWaiter(() => woken++);
    log.append(batchOf(1), 0, 1);
    log.append(batchOf(1), 0, 1);
    expect(woken).toBe(1);
  });
});

describe('ProducerStateTable', () => {
  it('accepts in-order sequences, dedupes retries and rejects gaps', () => {
    const t = new ProducerStateTable();
    expect(t.check(7, 0, 0).kind).toBe('append');
    t.record(7, 0, 0, 3, 100);
    expect(t.check(7, 0, 0)).toEqual({ kind: 'duplicate', baseOffset: 100 });
    expect(t.check(7, 0, 5)).toEqual({ kind: 'error', errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER });
    expect(t.check(7, 0, 3).kind).toBe('append');
    t.record(7, 1, 0, 1, 200);
    expect(t.check(7, 0, 1)).toEqual({ kind: 'error', errorCode: ErrorCode.INVALID_PRODUCER_EPOCH });
    expect(t.check(-1, -1, -1).kind).toBe('append');
  });
});
