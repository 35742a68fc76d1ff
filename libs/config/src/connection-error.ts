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
