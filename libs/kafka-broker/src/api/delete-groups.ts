import { ApiHandler } from '../context';
import { ApiKey } from '../protocol/api-keys';
import { Encoder } from '../protocol/encoder';

/** DeleteGroups v0: removes empty groups and their committed offsets. */
export const deleteGroupsHandler: ApiHandler = {
  key: ApiKey.DeleteGroups,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, d) {
    const ids = d.array((x) => x.string());
    const results = ids.map((id) => ({ id, code: ctx.broker.coordinator.deleteGroup(id) }));
    return new Encoder().int32(0).array(results, (w, r) => w.string(r.id).int16(r.code));
  },
};
