import { readFileSync } from 'node:fs';
import type { EmbeddedKafkaOptions } from '../broker';
import { BROKER_SASL_MECHANISMS, BrokerSaslMechanism } from './sasl-server';

/**
 * SASL users of a standalone broker from a file: one `name:password` per line (the password is everything
 * after the first colon), blank lines and `#` comments ignored. A file, not flags, so passwords stay out of
 * the process list.
 */
export function readSaslUsers(path: string): Record<string, string> {
  const users: Record<string, string> = {};
  readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .forEach((line, i) => {
      if (line.trim() === '' || line.trimStart().startsWith('#')) return;
      const at = line.indexOf(':');
      if (at <= 0 || at === line.length - 1) {
        throw new Error(`${path}:${i + 1}: expected name:password`);
      }
      users[line.slice(0, at)] = line.slice(at + 1);
    });
  if (Object.keys(users).length === 0) throw new Error(`${path}: no users`);
  return users;
}

/** TLS and SASL of the listener from the file options (certificates and users are read at start). */
export function listenerSecurity(args: {
  tlsCert?: string;
  tlsKey?: string;
  tlsClientCa?: string;
  saslUsers?: string;
  saslMechanisms?: string;
}): Pick<EmbeddedKafkaOptions, 'tls' | 'sasl'> {
  if ((args.tlsCert === undefined) !== (args.tlsKey === undefined)) {
    throw new Error('--tls-cert and --tls-key go together');
  }
  if (args.tlsClientCa !== undefined && args.tlsCert === undefined) {
    throw new Error('--tls-client-ca needs --tls-cert and --tls-key');
  }
  if (args.saslMechanisms !== undefined && args.saslUsers === undefined) {
    throw new Error('--sasl-mechanisms needs --sasl-users');
  }
  const mechanisms = args.saslMechanisms?.split(',').map((m) => m.trim().toUpperCase());
  for (const m of mechanisms ?? []) {
    if (!(BROKER_SASL_MECHANISMS as readonly string[]).includes(m)) {
      throw new Error(`unknown SASL mechanism ${m} (${BROKER_SASL_MECHANISMS.join(', ')})`);
    }
  }
  return {
    tls:
      args.tlsCert !== undefined && args.tlsKey !== undefined
        ? {
            cert: readFileSync(args.tlsCert),
            key: readFileSync(args.tlsKey),
            clientCa: args.tlsClientCa === undefined ? undefined : readFileSync(args.tlsClientCa),
          }
        : undefined,
    sasl:
      args.saslUsers === undefined
        ? undefined
        : {
            users: readSaslUsers(args.saslUsers),
            mechanisms: mechanisms as BrokerSaslMechanism[] | undefined,
          },
  };
}
