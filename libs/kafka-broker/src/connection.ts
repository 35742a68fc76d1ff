import * as net from 'node:net';
import { apiHandlers } from './api';
import { BrokerContext, RequestContext } from './context';
import { apiName } from './protocol/api-keys';
import { Decoder } from './protocol/decoder';
import { ApiKey } from './protocol/api-keys';
import { Encoder } from './protocol/encoder';
import { SaslSession } from './security/sasl-session';

/** Largest request frame accepted (Kafka's socket.request.max.bytes default). */
const MAX_FRAME = 100 * 1024 * 1024;

interface Slot {
  chunks: Buffer[] | null;
  /** The connection ends once this response is written (Kafka does so after a failed authentication). */
  closeAfter: boolean;
}

/** What a SASL listener answers before authentication; anything else closes the connection, as in Kafka. */
const BEFORE_AUTHENTICATION: ReadonlySet<number> = new Set([
  ApiKey.ApiVersions,
  ApiKey.SaslHandshake,
  ApiKey.SaslAuthenticate,
]);

/**
 * One client socket: 4-byte length framing, pipelined requests, responses written strictly in
 * request order even when some handlers park (long-poll fetch, join/sync group).
 */
export class Connection {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private expected = -1;
  private readonly slots: Slot[] = [];
  private readonly closeHooks: (() => void)[] = [];
  private isClosed = false;
  /** No further request is read: the last one's response closes the connection. */
  private closing = false;
  readonly clientHost: string;

  constructor(
    private readonly socket: net.Socket,
    private readonly broker: BrokerContext,
    private readonly sasl: SaslSession,
    private readonly responseDelay: () => number,
    private readonly onGone: (c: Connection) => void,
  ) {
    this.clientHost = `/${socket.remoteAddress ?? 'unknown'}`;
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => this.cleanup());
  }

  get closed(): boolean {
    return this.isClosed;
  }

  destroy(): void {
    this.socket.destroy();
    this.cleanup();
  }

  private cleanup(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const fn of this.closeHooks.splice(0)) fn();
    this.onGone(this);
  }

  private onData(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    while (!this.isClosed && !this.closing) {
      if (this.expected < 0) {
        if (this.pendingBytes < 4) return;
        const head = this.take(4);
        this.expected = head.readInt32BE(0);
        if (this.expected < 8 || this.expected > MAX_FRAME) {
          this.broker.warn(`closing connection from ${this.clientHost}: invalid frame size ${this.expected}`);
          this.destroy();
          return;
        }
      }
      if (this.pendingBytes < this.expected) return;
      const frame = this.take(this.expected);
      this.expected = -1;
      this.handleFrame(frame);
    }
  }

  /** Removes n bytes from the front of the pending chunks (zero-copy when they sit in one chunk). */
  private take(n: number): Buffer {
    const first = this.pending[0];
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.pending.shift();
      else this.pending[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let filled = 0;
      while (filled < n) {
        const c = this.pending[0];
        const use = Math.min(c.length, n - filled);
        c.copy(out, filled, 0, use);
        filled += use;
        if (use === c.length) this.pending.shift();
        else this.pending[0] = c.subarray(use);
      }
    }
    this.pendingBytes -= n;
    return out;
  }

  private handleFrame(frame: Buffer): void {
    const apiKey = frame.readInt16BE(0);
    const apiVersion = frame.readInt16BE(2);
    const correlationId = frame.readInt32BE(4);
    const d = new Decoder(frame, 8);
    let clientId = '';
    try {
      clientId = d.string();
    } catch {
      this.broker.warn(`closing connection from ${this.clientHost}: malformed request header`);
      this.destroy();
      return;
    }
    if (!this.sasl.authenticated && !BEFORE_AUTHENTICATION.has(apiKey)) {
      this.broker.warn(
        `closing connection from ${this.clientHost} (client ${clientId}): ${apiName(apiKey)} before SASL ` +
          'authentication (the listener requires SASL)',
      );
      this.destroy();
      return;
    }
    const handler = apiHandlers.get(apiKey);
    if (!handler || apiVersion < handler.minVersion || apiVersion > handler.maxVersion) {
      const supported = handler ? `supported ${handler.minVersion}-${handler.maxVersion}` : 'not implemented';
      this.broker.warn(
        `closing connection from ${this.clientHost} (client ${clientId}): unsupported request ` +
          `${apiName(apiKey)} (key ${apiKey}) v${apiVersion}, ${supported}`,
      );
      this.destroy();
      return;
    }
    const isClosed = (): boolean => this.isClosed;
    const slot: Slot = { chunks: null, closeAfter: false };
    const ctx: RequestContext = {
      broker: this.broker,
      apiVersion,
      correlationId,
      clientId,
      clientHost: this.clientHost,
      onClose: (fn) => {
        if (this.isClosed) fn();
        else this.closeHooks.push(fn);
      },
      get closed() {
        return isClosed();
      },
      sasl: this.sasl,
      closeAfterResponse: () => {
        slot.closeAfter = true;
        this.closing = true;
      },
    };
    let result;
    try {
      result = handler.handle(ctx, d);
    } catch (err) {
      this.broker.warn(
        `closing connection from ${this.clientHost}: failed to handle ${apiName(apiKey)} v${apiVersion}: ${String(err)}`,
      );
      this.destroy();
      return;
    }
    if (result === null) return;
    this.slots.push(slot);
    if (result instanceof Encoder) {
      this.complete(slot, result.finish(correlationId));
    } else {
      result.then(
        (enc) => this.complete(slot, enc.finish(correlationId)),
        (err: unknown) => {
          this.broker.warn(`closing connection: ${apiName(apiKey)} failed: ${String(err)}`);
          this.destroy();
        },
      );
    }
  }

  private complete(slot: Slot, chunks: Buffer[]): void {
    const delay = this.responseDelay();
    if (delay > 0) {
      setTimeout(() => {
        slot.chunks = chunks;
        this.flush();
      }, delay);
      return;
    }
    slot.chunks = chunks;
    this.flush();
  }

  private flush(): void {
    if (this.isClosed) return;
    let n = 0;
    while (n < this.slots.length && this.slots[n].chunks) n++;
    if (n === 0) return;
    const ready = this.slots.splice(0, n);
    if (n === 1 && (ready[0].chunks as Buffer[]).length === 1 && !ready[0].closeAfter) {
      this.socket.write((ready[0].chunks as Buffer[])[0]);
      return;
    }
    this.socket.cork();
    for (const s of ready) {
      for (const c of s.chunks as Buffer[]) this.socket.write(c);
      if (s.closeAfter) {
        // end() sends what is written, then FIN: the client reads the error before the connection goes.
        this.socket.uncork();
        this.socket.end();
        this.cleanup();
        return;
      }
    }
    this.socket.uncork();
  }
}
