import { ApiHandler } from '../context';
import { ApiKey } from '../protocol/api-keys';
import { Encoder } from '../protocol/encoder';
import { ErrorCode } from '../protocol/error-codes';

/** InitProducerId v0: hands out a fresh producer id (epoch 0) for idempotent producers. */
export const initProducerIdHandler: ApiHandler = {
  key: ApiKey.InitProducerId,
  minVersion: 0,
  maxVersion: 0,
  handle(ctx, d) {
    d.nullableString(); // transactional id
    d.int32(); // transaction timeout
    return new Encoder().int32(0).int16(ErrorCode.NONE).int64(ctx.broker.nextProducerId()).int16(0);
  },
};
