/** Buffers of at least this size are appended by reference instead of being copied. */
const ZERO_COPY_THRESHOLD = 1024;

/**
 * Big-endian writer for Kafka's classic wire types. The first 8 bytes are reserved for the
 * response frame header (size + correlation id), filled in by {@link Encoder.finish}.
 * Large buffers (stored record batches) are kept by reference, so a fetch response is
 * written to the socket as a list of chunks without copying the log.
 */
export class Encoder {
  private chunks: Buffer[] = [];
  private cur: Buffer;
  private pos: number;
  private flushedBytes = 0;

  constructor(initialSize = 256) {
    this.cur = Buffer.allocUnsafe(Math.max(initialSize, 64));
    this.pos = 8;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.cur.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.cur.length * 2, this.pos + n));
    this.cur.copy(next, 0, 0, this.pos);
    this.cur = next;
  }

  int8(v: number): this {
    this.ensure(1);
    this.cur.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  boolean(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  int16(v: number): this {
    this.ensure(2);
    this.cur.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.cur.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  int64(v: number): this {
    this.ensure(8);
    writeInt64(this.cur, v, this.pos);
    this.pos += 8;
    return this;
  }

  nullableString(v: string | null): this {
    if (v === null) return this.int16(-1);
    const len = Buffer.byteLength(v, 'utf8');
    this.int16(len);
    this.ensure(len);
    this.cur.write(v, this.pos, len, 'utf8');
    this.pos += len;
    return this;
  }

  string(v: string): this {
    return this.nullableString(v);
  }

  nullableBytes(v: Buffer | null): this {
    if (v === null) return this.int32(-1);
    this.int32(v.length);
    return this.raw(v);
  }

  bytes(v: Buffer): this {
    return this.nullableBytes(v);
  }

  /** Writes the concatenation of `parts` as a single bytes field (int32 length + data). */
  bytesFromParts(parts: readonly Buffer[]): this {
    let len = 0;
    for (const p of parts) len += p.length;
    this.int32(len);
    for (const p of parts) this.raw(p);
    return this;
  }

  array<T>(items: readonly T[], item: (e: this, v: T) => void): this {
    this.int32(items.length);
    for (const v of items) item(this, v);
    return this;
  }

  int32Array(items: readonly number[]): this {
    this.int32(items.length);
    for (const v of items) this.int32(v);
    return this;
  }

  /** Appends raw bytes; large buffers are referenced, not copied. */
  raw(b: Buffer): this {
    if (b.length >= ZERO_COPY_THRESHOLD) {
      this.chunks.push(this.cur.subarray(0, this.pos));
      this.flushedBytes += this.pos;
      this.chunks.push(b);
      this.flushedBytes += b.length;
      this.cur = Buffer.allocUnsafe(256);
      this.pos = 0;
      return this;
    }
    this.ensure(b.length);
    b.copy(this.cur, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Body length so far (excluding the reserved 8-byte header). */
  get length(): number {
    return this.flushedBytes + this.pos - 8;
  }

  /** Completes the frame: returns the chunks to write, header included. */
  finish(correlationId: number): Buffer[] {
    const out = this.chunks;
    if (this.pos > 0) out.push(this.cur.subarray(0, this.pos));
    const total = this.flushedBytes + this.pos;
    const head = out[0];
    head.writeInt32BE(total - 4, 0);
    head.writeInt32BE(correlationId, 4);
    this.chunks = [];
    return out;
  }
}

export function writeInt64(buf: Buffer, v: number, pos: number): void {
  const hi = Math.floor(v / 4294967296);
  const lo = v - hi * 4294967296;
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(lo, pos + 4);
}

export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * 4294967296 + buf.readUInt32BE(pos + 4);
}
