import { ApiHandler } from '../context';
import { ApiKey } from '../protocol/api-keys';
import { Encoder } from '../protocol/encoder';
import { ErrorCode } from '../protocol/error-codes';

/** DescribeGroups v1. Unknown groups are reported with state "Dead", like Kafka. */
export const describeGroupsHandler: ApiHandler = {
  key: ApiKey.DescribeGroups,
  minVersion: 1,
  maxVersion: 1,
  handle(ctx, d) {
    const ids = d.array((x) => x.string());
    const groups = ids.map((id) => ctx.broker.coordinator.describe(id));
    return new Encoder().int32(0).array(groups, (w, g) => {
      w.int16(ErrorCode.NONE).string(g.groupId).string(g.state).string(g.protocolType).string(g.protocol);
      w.array(g.members, (mw, m) =>
        mw.string(m.memberId).string(m.clientId).string(m.clientHost).bytes(m.metadata).bytes(m.assignment),
      );
    });
  },
};
