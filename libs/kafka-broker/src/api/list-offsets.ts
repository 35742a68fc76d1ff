import { ApiHandler } from '../context';
import { ApiKey } from '../protocol/api-keys';
import { Encoder } from '../protocol/encoder';
import { ErrorCode } from '../protocol/error-codes';

const LATEST = -1;
const EARLIEST = -2;

/** ListOffsets v2: earliest (-2), latest (-1) or first batch at/after a timestamp. */
export const listOffsetsHandler: ApiHandler = {
  key: ApiKey.ListOffsets,
  minVersion: 2,
  maxVersion: 2,
  handle(ctx, d) {
    d.int32(); // replica id
    d.int8(); // isolation level
    const topics = d.array((t) => ({
      topic: t.string(),
      partitions: t.array((p) => ({ partition: p.int32(), timestamp: p.int64() })),
    }));
    const e = new Encoder().int32(0);
    e.array(topics, (w, t) => {
      const topic = ctx.broker.topics.get(t.topic);
      w.string(t.topic).array(t.partitions, (pw, p) => {
        const log = topic?.partitions[p.partition]?.log;
        if (!log) {
          pw.int32(p.partition).int16(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION).int64(-1).int64(-1);
          return;
        }
        let offset: number;
        if (p.timestamp === LATEST) offset = log.highWatermark;
        else if (p.timestamp === EARLIEST) offset = log.logStartOffset;
        else offset = log.offsetForTimestamp(p.timestamp);
        pw.int32(p.partition).int16(ErrorCode.NONE).int64(-1).int64(offset);
      });
    });
    return e;
  },
};
