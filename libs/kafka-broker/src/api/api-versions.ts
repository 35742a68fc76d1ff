import { ApiHandler } from '../context';
import { ApiKey } from '../protocol/api-keys';
import { Encoder } from '../protocol/encoder';
import { ErrorCode } from '../protocol/error-codes';

/** ApiVersions v0-v2: advertises exactly the (non-flexible) versions implemented by the registry. */
export function apiVersionsHandler(all: () => readonly ApiHandler[]): ApiHandler {
  return {
    key: ApiKey.ApiVersions,
    minVersion: 0,
    maxVersion: 2,
    handle(ctx) {
      const handlers = [...all()].sort((a, b) => a.key - b.key);
      const e = new Encoder(16 + handlers.length * 6).int16(ErrorCode.NONE);
      e.array(handlers, (w, h) => w.int16(h.key).int16(h.minVersion).int16(h.maxVersion));
      if (ctx.apiVersion >= 1) e.int32(0); // throttle_time_ms
      return e;
    },
  };
}
