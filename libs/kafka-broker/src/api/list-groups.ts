import { ApiHandler } from '../context';
import { ApiKey } from '../protocol/api-keys';
import { Encoder } from '../protocol/encoder';
import { ErrorCode } from '../protocol/error-codes';

/** ListGroups v1. */
export const listGroupsHandler: ApiHandler = {
  key: ApiKey.ListGroups,
  minVersion: 1,
  maxVersion: 1,
  handle(ctx) {
    const groups = ctx.broker.coordinator.list();
    return new Encoder()
      .int32(0)
      .int16(ErrorCode.NONE)
      .array(groups, (w, g) => w.string(g.groupId).string(g.protocolType));
  },
};
