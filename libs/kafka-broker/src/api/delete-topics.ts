import { ApiHandler } from '../context';
import { ApiKey } from '../protocol/api-keys';
import { Encoder } from '../protocol/encoder';
import { ErrorCode } from '../protocol/error-codes';

/** DeleteTopics v1. */
export const deleteTopicsHandler: ApiHandler = {
  key: ApiKey.DeleteTopics,
  minVersion: 1,
  maxVersion: 1,
  handle(ctx, d) {
    const names = d.array((x) => x.string());
    d.int32(); // timeout
    const results = names.map((name) => {
      const ok = ctx.broker.topics.delete(name);
      if (ok) ctx.broker.info(`deleted topic ${name}`);
      return { name, code: ok ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
    });
    return new Encoder().int32(0).array(results, (w, r) => w.string(r.name).int16(r.code));
  },
};
