import { ApiHandler } from '../context';
import { JoinResult } from '../group/group-coordinator';
import { ApiKey } from '../protocol/api-keys';
import { Encoder } from '../protocol/encoder';

function encode(r: JoinResult): Encoder {
  return new Encoder()
    .int32(0)
    .int16(r.errorCode)
    .int32(r.generationId)
    .string(r.protocol)
    .string(r.leaderId)
    .string(r.memberId)
    .array(r.members, (w, m) => w.string(m.memberId).bytes(m.metadata));
}

/** JoinGroup v2: an empty member id is assigned directly (no MEMBER_ID_REQUIRED round trip). */
export const joinGroupHandler: ApiHandler = {
  key: ApiKey.JoinGroup,
  minVersion: 2,
  maxVersion: 2,
  handle(ctx, d) {
    const groupId = d.string();
    const sessionTimeout = d.int32();
    const rebalanceTimeout = d.int32();
    const memberId = d.string();
    const protocolType = d.string();
    const protocols = d.array((p) => ({ name: p.string(), metadata: Buffer.from(p.bytes()) }));
    return ctx.broker.coordinator
      .join({
        groupId,
        sessionTimeout,
        rebalanceTimeout,
        memberId,
        protocolType,
        protocols,
        clientId: ctx.clientId,
        clientHost: ctx.clientHost,
      })
      .then(encode);
  },
};
