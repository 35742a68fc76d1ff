import { ApiHandler } from '../context';
import { ApiKey } from '../protocol/api-keys';
import { Encoder } from '../protocol/encoder';
import { ErrorCode } from '../protocol/error-codes';

/** OffsetCommit v3: validates generation/member when generationId >= 0, then stores offsets. */
export const offsetCommitHandler: ApiHandler = {
  key: ApiKey.OffsetCommit,
  minVersion: 3,
  maxVersion: 3,
  handle(ctx, d) {
    const groupId = d.string();
    const generationId = d.int32();
    const memberId = d.string();
    d.int64(); // retention time
    const topics = d.array((t) => ({
      topic: t.string(),
      partitions: t.array((p) => ({ partition: p.int32(), offset: p.int64(), metadata: p.nullableString() })),
    }));
    const b = ctx.broker;
    const groupError = b.coordinator.validateCommit(groupId, generationId, memberId);
    const e = new Encoder().int32(0);
    e.array(topics, (w, t) => {
      w.string(t.topic).array(t.partitions, (pw, p) => {
        let code: number = groupError;
        if (code === ErrorCode.NONE) {
          if (!b.topics.get(t.topic)?.partitions[p.partition]) code = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
          else
            b.coordinator.offsets.set(groupId, t.topic, p.partition, {
              offset: p.offset,
              metadata: p.metadata,
            });
        }
        pw.int32(p.partition).int16(code);
      });
    });
    return e;
  },
};
