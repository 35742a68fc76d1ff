import { ApiHandler } from '../context';
import { ApiKey } from '../protocol/api-keys';
import { Encoder } from '../protocol/encoder';

/** LeaveGroup v1. */
export const leaveGroupHandler: ApiHandler = {
  key: ApiKey.LeaveGroup,
  minVersion: 1,
  maxVersion: 1,
  handle(ctx, d) {
    const groupId = d.string();
    const memberId = d.string();
    return new Encoder(16).int32(0).int16(ctx.broker.coordinator.leave(groupId, memberId));
  },
};
