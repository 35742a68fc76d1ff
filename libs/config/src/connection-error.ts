export type Service = 'Kafka' | 'Redis' | 'PostgreSQL';

/**
 * A connection the process needs was refused: the message starts with the service and where it is, says why,
 * and names the settings to check — so a wrong password at start reads "Redis rediss://cache:6380 as ledger:
 * authentication failed (…)" rather than a client library's stack trace. Never carries a credential.
 */
export class ConnectionError extends Error {
  constructor(
    readonly service: Service,
    readonly target: string,
    readonly reason: string,
    readonly hint: string,
    options?: { cause?: unknown },
  ) {
    super(`${service} ${target}: ${reason} (${hint})`, options);
    this.name = 'ConnectionError';
  }
}

/** OpenSSL's certificate verification codes, as Node reports them on a TLS socket. */
const CERTIFICATE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * A TLS failure that retrying cannot fix: the server's certificate is not trusted or names another host, the
 * handshake was refused (e.g. a client certificate is required), or the peer does not speak TLS at all.
 */
export function isTlsFailure(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return (
    CERTIFICATE_CODES.has(code) ||
    code.startsWith('ERR_SSL_') ||
    code.startsWith('ERR_TLS_') ||
    code === 'EPROTO'
  );
}

/** Several connections refused at start: one line per refusal. */
export class ConnectionsRefused extends Error {
  constructor(readonly refusals: ConnectionError[]) {
    super(refusals.map((r) => r.message).join('\n'));
    this.name = 'ConnectionsRefused';
  }
}

/** Connects once to a service a process needs; throws a ConnectionError, or returns a warning (or null). */
export type ConnectionCheck = () => Promise<string | null>;

/**
 * Checks every connection of a process at once, before it creates anything that would have to be torn down:
 * the refusals are thrown together (a single one as itself), so an operator fixes them in one round; the
 * warnings (a service that may come later) are returned.
 */
export async function checkConnections(checks: ConnectionCheck[]): Promise<string[]> {
  const outcomes = await Promise.allSettled(checks.map((check) => check()));
  const refusals: ConnectionError[] = [];
  const warnings: string[] = [];
  for (const outcome of outcomes) {
    if (outcome.status === 'fulfilled') {
      if (outcome.value !== null) warnings.push(outcome.value);
    } else if (outcome.reason instanceof ConnectionError) {
      refusals.push(outcome.reason);
    } else {
      throw outcome.reason;
    }
  }
  if (refusals.length === 1) throw refusals[0];
  if (refusals.length > 1) throw new ConnectionsRefused(refusals);
  return warnings;
}
