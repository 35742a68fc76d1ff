/** Big-endian reader for Kafka's classic (non-flexible) wire types. Bounds errors throw RangeError. */
export class Decoder {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
  ) {}

  remaining(): number {
    return this.buf.length - this.pos;
  }

  int8(): number {
    const v = this.buf.readInt8(this.pos);
    this.pos += 1;
    return v;
  }

  boolean(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** int64 as a JS number (exact up to 2^53, which covers offsets, timestamps and producer ids). */
  int64(): number {
    const hi = this.buf.readInt32BE(this.pos);
    const lo = this.buf.readUInt32BE(this.pos + 4);
    this.pos += 8;
    return hi * 4294967296 + lo;
  }

  nullableString(): string | null {
    const len = this.int16();
    if (len < 0) return null;
    const end = this.pos + len;
    if (end > this.buf.length) throw new RangeError('string exceeds buffer');
    const s = this.buf.toString('utf8', this.pos, end);
    this.pos = end;
    return s;
  }

  string(): string {
    return this.nullableString() ?? '';
  }

  /** Bytes as a zero-copy view of the request buffer (null when length is -1). */
  nullableBytes(): Buffer | null {
    const len = this.int32();
    if (len < 0) return null;
    const end = this.pos + len;
    if (end > this.buf.length) throw new RangeError('bytes exceed buffer');
    const b = this.buf.subarray(this.pos, end);
    this.pos = end;
    return b;
  }

  bytes(): Buffer {
    return this.nullableBytes() ?? Buffer.alloc(0);
  }

  nullableArray<T>(item: (d: Decoder) => T): T[] | null {
    const len = this.int32();
    if (len < 0) return null;
    if (len > this.remaining()) throw new RangeError('array length exceeds buffer');
    const out: T[] = new Array<T>(len);
    for (let i = 0; i < len; i++) out[i] = item(this);
    return out;
  }

  array<T>(item: (d: Decoder) => T): T[] {
    return this.nullableArray(item) ?? [];
  }
}
