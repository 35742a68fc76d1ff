import { ApiHandler } from '../context';
import { ApiKey } from '../protocol/api-keys';
import { Encoder } from '../protocol/encoder';

/** Heartbeat v1: REBALANCE_IN_PROGRESS tells members to rejoin. */
export const heartbeatHandler: ApiHandler = {
  key: ApiKey.Heartbeat,
  minVersion: 1,
  maxVersion: 1,
  handle(ctx, d) {
    const groupId = d.string();
    const generationId = d.int32();
    const memberId = d.string();
    return new Encoder(16).int32(0).int16(ctx.broker.coordinator.heartbeat(groupId, generationId, memberId));
  },
};
