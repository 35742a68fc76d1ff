import * as net from 'node:net';
import { Connection } from './connection';
import { BrokerContext } from './context';

/**
 * TCP listener plus the set of live connections, with the hooks fault injection needs:
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
    const server = net.createServer((socket) => {
      const conn = new Connection(
        socket,
        this.broker(),
        () => this.responseDelayMs,
        (c) => this.connections.delete(c),
      );
      this.connections.add(conn);
    });
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
