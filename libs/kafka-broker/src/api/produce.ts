import { ApiHandler } from '../context';
import { ApiKey } from '../protocol/api-keys';
import { Encoder } from '../protocol/encoder';
import { ErrorCode } from '../protocol/error-codes';
import { parseRecordSet } from '../protocol/record-batch';

interface PartitionResult {
  partition: number;
  errorCode: number;
  baseOffset: number;
}

/**
 * Produce v3 (record batch v2). Verifies CRC-32C, rejects compressed batches with
 * UNSUPPORTED_COMPRESSION_TYPE, de-duplicates idempotent retries, assigns offsets.
 * acks=0 produces no response at all.
 */
export const produceHandler: ApiHandler = {
  key: ApiKey.Produce,
  minVersion: 3,
  maxVersion: 3,
  handle(ctx, d) {
    d.nullableString(); // transactional id (transactions are not supported; batches are treated as plain)
    const acks = d.int16();
    d.int32(); // timeout
    const b = ctx.broker;
    const topicCount = d.int32();
    const results: { topic: string; partitions: PartitionResult[] }[] = [];
    for (let t = 0; t < topicCount; t++) {
      const topicName = d.string();
      const topic = b.topics.get(topicName);
      const partCount = d.int32();
      const partitions: PartitionResult[] = [];
      for (let p = 0; p < partCount; p++) {
        const partition = d.int32();
        const set = d.nullableBytes();
        const target = topic?.partitions[partition];
        if (!target) {
          partitions.push({ partition, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, baseOffset: -1 });
          continue;
        }
        if (!set || set.length === 0) {
          partitions.push({ partition, errorCode: ErrorCode.CORRUPT_MESSAGE, baseOffset: -1 });
          continue;
        }
        const parsed = parseRecordSet(set);
        if (!parsed.ok) {
          b.warn(`produce to ${topicName}[${partition}] rejected: ${parsed.reason}`);
          partitions.push({ partition, errorCode: parsed.errorCode, baseOffset: -1 });
          continue;
        }
        let errorCode: number = ErrorCode.NONE;
        let firstOffset = -1;
        for (const batch of parsed.batches) {
          const check = target.producers.check(batch.producerId, batch.producerEpoch, batch.baseSequence);
          if (check.kind === 'error') {
            errorCode = check.errorCode;
            break;
          }
          if (check.kind === 'duplicate') {
            if (firstOffset < 0) firstOffset = check.baseOffset;
            continue;
          }
          const base = target.log.append(batch.buf, batch.lastOffsetDelta, batch.recordCount);
          target.producers.record(
            batch.producerId,
            batch.producerEpoch,
            batch.baseSequence,
            batch.recordCount,
            base,
          );
          if (firstOffset < 0) firstOffset = base;
        }
        partitions.push({
          partition,
          errorCode,
          baseOffset: errorCode === ErrorCode.NONE ? firstOffset : -1,
        });
      }
      results.push({ topic: topicName, partitions });
    }
    if (acks === 0) return null;
    const e = new Encoder(64 + results.length * 64);
    e.array(results, (w, r) => {
      w.string(r.topic);
      w.array(r.partitions, (pw, p) =>
        pw.int32(p.partition).int16(p.errorCode).int64(p.baseOffset).int64(-1),
      );
    });
    return e.int32(0);
  },
};
