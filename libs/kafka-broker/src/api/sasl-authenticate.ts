import { ApiHandler } from '../context';
import { ApiKey } from '../protocol/api-keys';
import { Encoder } from '../protocol/encoder';
import { ErrorCode } from '../protocol/error-codes';

/**
 * SaslAuthenticate v0–v1: one SASL token in, one out. A failed exchange answers SASL_AUTHENTICATION_FAILED with
 * Kafka's message and closes the connection after the response; v1 adds session_lifetime_ms (0: no
 * re-authentication required).
 */
export const saslAuthenticateHandler: ApiHandler = {
  key: ApiKey.SaslAuthenticate,
  minVersion: 0,
  maxVersion: 1,
  handle(ctx, req) {
    const step = ctx.sasl.authenticate(req.bytes());
    const e = new Encoder(128);
    if (step.ok) {
      if (step.principal !== null) {
        ctx.broker.info(`${ctx.clientHost} authenticated as ${step.principal} (${ctx.sasl.mechanism})`);
      }
      e.int16(ErrorCode.NONE).nullableString(null).bytes(step.token);
    } else {
      ctx.broker.info(`failed authentication with ${ctx.clientHost} (${step.message})`);
      ctx.closeAfterResponse();
      const code = step.illegalState ? ErrorCode.ILLEGAL_SASL_STATE : ErrorCode.SASL_AUTHENTICATION_FAILED;
      e.int16(code).nullableString(step.message).bytes(Buffer.alloc(0));
    }
    if (ctx.apiVersion >= 1) e.int64(0);
    return e;
  },
};
