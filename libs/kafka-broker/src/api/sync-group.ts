import { ApiHandler } from '../context';
import { ApiKey } from '../protocol/api-keys';
import { Encoder } from '../protocol/encoder';

/** SyncGroup v1: the leader distributes assignments; followers wait for them. */
export const syncGroupHandler: ApiHandler = {
  key: ApiKey.SyncGroup,
  minVersion: 1,
  maxVersion: 1,
  handle(ctx, d) {
    const groupId = d.string();
    const generationId = d.int32();
    const memberId = d.string();
    const assignments = d.array((a) => ({ memberId: a.string(), assignment: Buffer.from(a.bytes()) }));
    return ctx.broker.coordinator
      .sync(groupId, generationId, memberId, assignments)
      .then((r) => new Encoder().int32(0).int16(r.errorCode).bytes(r.assignment));
  },
};
