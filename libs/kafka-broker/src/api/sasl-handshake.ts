import { ApiHandler } from '../context';
import { ApiKey } from '../protocol/api-keys';
import { Encoder } from '../protocol/encoder';
import { ErrorCode } from '../protocol/error-codes';
import { BrokerSaslMechanism } from '../security/sasl-server';

/**
 * SaslHandshake v1 only: v0 would be followed by raw SASL tokens outside Kafka framing, which this broker does
 * not read; v1 is followed by SaslAuthenticate requests (what kafkajs sends). A mechanism the listener does not
 * offer — or any, on a listener without SASL — is UNSUPPORTED_SASL_MECHANISM with the enabled list, and the
 * connection is closed, as Kafka does.
 */
export const saslHandshakeHandler: ApiHandler = {
  key: ApiKey.SaslHandshake,
  minVersion: 1,
  maxVersion: 1,
  handle(ctx, req) {
    const mechanism = req.string();
    const enabled = ctx.sasl.authority?.mechanisms ?? [];
    let code: number = ErrorCode.NONE;
    if (!(enabled as readonly string[]).includes(mechanism)) code = ErrorCode.UNSUPPORTED_SASL_MECHANISM;
    else if (!ctx.sasl.handshake(mechanism as BrokerSaslMechanism)) code = ErrorCode.ILLEGAL_SASL_STATE;
    if (code !== ErrorCode.NONE) {
      ctx.broker.info(
        `SASL handshake from ${ctx.clientHost} refused: mechanism "${mechanism}", enabled [${enabled.join(', ')}]`,
      );
      ctx.closeAfterResponse();
    }
    return new Encoder(64).int16(code).array(enabled, (w, m) => w.string(m));
  },
};
