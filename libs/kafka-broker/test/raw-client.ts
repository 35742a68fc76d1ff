import * as net from 'node:net';
import { Decoder } from '../src/protocol/decoder';
import { Encoder } from '../src/protocol/encoder';

/** Minimal raw client: writes request frames, collects response frames by arrival order. */
export class RawClient {
  private buf = Buffer.alloc(0);
  private readonly frames: Buffer[] = [];
  private waiter: (() => void) | null = null;
  closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readInt32BE(0)) {
        const n = this.buf.readInt32BE(0);
        this.frames.push(this.buf.subarray(4, 4 + n));
        this.buf = this.buf.subarray(4 + n);
      }
      this.waiter?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.waiter?.();
    });
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  static request(apiKey: number, version: number, correlationId: number, body: (e: Encoder) => void): Buffer {
    const e = new Encoder().int16(apiKey).int16(version).int32(correlationId).string('raw');
    body(e);
    const chunks = e.finish(0); // header slot reused: first 8 bytes become size + dummy
    const frame = Buffer.concat(chunks).subarray(4);
    frame.writeInt32BE(frame.length - 4, 0);
    return frame;
  }

  send(...frames: Buffer[]): void {
    this.socket.write(Buffer.concat(frames));
  }

  async next(): Promise<Decoder> {
    while (this.frames.length === 0) {
      if (this.closed) throw new Error('connection closed');
      await new Promise<void>((r) => (this.waiter = r));
    }
    return new Decoder(this.frames.shift() as Buffer);
  }

  close(): void {
    this.socket.destroy();
  }
}
