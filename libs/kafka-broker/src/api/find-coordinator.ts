import { ApiHandler } from '../context';
import { ApiKey } from '../protocol/api-keys';
import { Encoder } from '../protocol/encoder';
import { ErrorCode } from '../protocol/error-codes';

/** FindCoordinator v1: the single broker coordinates every group (and transactional id). */
export const findCoordinatorHandler: ApiHandler = {
  key: ApiKey.FindCoordinator,
  minVersion: 1,
  maxVersion: 1,
  handle(ctx, d) {
    d.string(); // key
    d.int8(); // key type
    const b = ctx.broker;
    return new Encoder()
      .int32(0)
      .int16(ErrorCode.NONE)
      .nullableString(null)
      .int32(b.brokerId)
      .string(b.host)
      .int32(b.port);
  },
};
