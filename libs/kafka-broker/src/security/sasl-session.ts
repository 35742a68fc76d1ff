import { BrokerSaslMechanism, SaslAuthority, SaslExchange, SaslFailure } from './sasl-server';

export type SaslStep =
  | { ok: true; token: Buffer; principal: string | null }
  | { ok: false; illegalState: boolean; message: string };

/**
 * One connection's SASL state, as Kafka's SaslServerAuthenticator keeps it: nothing but ApiVersions and the
 * SASL requests until the exchange completes; one handshake, then tokens until a principal is established.
 * A listener without SASL starts authenticated.
 */
export class SaslSession {
  private exchange: SaslExchange | null = null;
  private mechanismName: BrokerSaslMechanism | null = null;
  private principalName: string | null = null;

  constructor(readonly authority: SaslAuthority | null) {}

  get authenticated(): boolean {
    return this.authority === null || this.principalName !== null;
  }

  get principal(): string | null {
    return this.principalName;
  }

  get mechanism(): BrokerSaslMechanism | null {
    return this.mechanismName;
  }

  /** The mechanism is one the listener offers; false when a handshake already happened. */
  handshake(mechanism: BrokerSaslMechanism): boolean {
    if (this.authority === null || this.exchange !== null || this.authenticated) return false;
    this.mechanismName = mechanism;
    this.exchange = this.authority.begin(mechanism);
    return true;
  }

  authenticate(token: Buffer): SaslStep {
    if (this.exchange === null || this.authenticated) {
      return {
        ok: false,
        illegalState: true,
        message: 'SaslAuthenticate without a SaslHandshake in progress',
      };
    }
    try {
      const reply = this.exchange.evaluate(token);
      this.principalName = this.exchange.principal;
      return { ok: true, token: reply, principal: this.principalName };
    } catch (err) {
      if (!(err instanceof SaslFailure)) throw err;
      return { ok: false, illegalState: false, message: err.message };
    }
  }
}
