import * as net from 'node:net';
import * as tls from 'node:tls';
import { Connection } from './connection';
import { BrokerContext } from './context';
import { SaslAuthority } from './security/sasl-server';
import { SaslSession } from './security/sasl-session';

/** What a listener asks of its clients: TLS (server certificate, optionally client certificates) and SASL. */
export interface ListenerSecurity {
  tls: tls.TlsOptions | null;
  sasl: SaslAuthority | null;
}

/**
 * TCP (or TLS) listener plus the set of live connections, with the hooks fault injection needs:
 * close/reopen the listener on the same port and destroy every socket.
 */
export class KafkaServer {
  private server: net.Server | null = null;
  private readonly connections = new Set<Connection>();
  private boundPort = 0;
  responseDelayMs = 0;

  constructor(
    private readonly host: string,
    private readonly broker: () => BrokerContext,
    private readonly security: ListenerSecurity = { tls: null, sasl: null },
  ) {}

  get port(): number {
    return this.boundPort;
  }

  get listening(): boolean {
    return this.server !== null;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  async listen(port: number): Promise<number> {
    if (this.server) return this.boundPort;
    const accept = (socket: net.Socket): void => {
      const conn = new Connection(
        socket,
        this.broker(),
        new SaslSession(this.security.sasl),
        () => this.responseDelayMs,
        (c) => this.connections.delete(c),
      );
      this.connections.add(conn);
    };
    // A TLS server hands over a socket once its handshake has succeeded ('secureConnection').
    const server = this.security.tls ? tls.createServer(this.security.tls, accept) : net.createServer(accept);
    if (this.security.tls) {
      server.on('tlsClientError', (err, socket) =>
        this.broker().info(`TLS handshake with /${socket.remoteAddress ?? 'unknown'} failed: ${err.message}`),
      );
    }
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      server.once('error', onError);
      server.listen({ host: this.host, port, exclusive: true }, () => {
        server.off('error', onError);
        resolve();
      });
    });
    server.on('error', (err) => this.broker().warn(`listener error: ${err.message}`));
    this.server = server;
    this.boundPort = (server.address() as net.AddressInfo).port;
    return this.boundPort;
  }

  /** Stops accepting connections; existing connections are left alone. */
  closeListener(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return Promise.resolve();
    return new Promise<void>((resolve) => {
      server.close(() => resolve());
      // close() waits for open connections; don't block on them.
      if (this.connections.size > 0) setImmediate(resolve);
    });
  }

  dropConnections(): void {
    for (const c of [...this.connections]) c.destroy();
    this.connections.clear();
  }
}
