import { ApiHandler } from '../context';
import { ApiKey } from '../protocol/api-keys';
import { Encoder } from '../protocol/encoder';
import { ErrorCode } from '../protocol/error-codes';

/** OffsetFetch v3: committed offsets, -1 when none; a null topic list means "all of the group's". */
export const offsetFetchHandler: ApiHandler = {
  key: ApiKey.OffsetFetch,
  minVersion: 3,
  maxVersion: 3,
  handle(ctx, d) {
    const groupId = d.string();
    const requested = d.nullableArray((t) => ({ topic: t.string(), partitions: t.array((p) => p.int32()) }));
    const store = ctx.broker.coordinator.offsets;
    const topics =
      requested ??
      [...store.forGroup(groupId)].map(([topic, parts]) => ({ topic, partitions: [...parts.keys()] }));
    const e = new Encoder().int32(0);
    e.array(topics, (w, t) => {
      w.string(t.topic).array(t.partitions, (pw, p) => {
        const c = store.get(groupId, t.topic, p);
        pw.int32(p)
          .int64(c ? c.offset : -1)
          .nullableString(c ? c.metadata : '')
          .int16(ErrorCode.NONE);
      });
    });
    return e.int16(ErrorCode.NONE);
  },
};
