import { crc32c } from '../crc32c';
import { ErrorCode } from './error-codes';
import { readInt64, writeInt64 } from './encoder';

/**
 * Record batch v2 (magic 2) layout, offsets from the start of the batch:
 *   0 baseOffset int64 | 8 batchLength int32 | 12 partitionLeaderEpoch int32 | 16 magic int8
 *  17 crc uint32 (CRC-32C of bytes [21, end)) | 21 attributes int16 | 23 lastOffsetDelta int32
 *  27 firstTimestamp int64 | 35 maxTimestamp int64 | 43 producerId int64 | 51 producerEpoch int16
 *  53 baseSequence int32 | 57 recordCount int32 | 61 records...
 */
export const BATCH_HEADER_SIZE = 61;
const LOG_OVERHEAD = 12;
const CRC_START = 21;
const COMPRESSION_MASK = 0x07;

export interface BatchInfo {
  /** Zero-copy view of the whole batch inside the request. */
  buf: Buffer;
  lastOffsetDelta: number;
  recordCount: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
}

export type ParseResult =
  { ok: true; batches: BatchInfo[] } | { ok: false; errorCode: number; reason: string };

/** Splits and validates a produce record set (one or more v2 batches). */
export function parseRecordSet(set: Buffer): ParseResult {
  const batches: BatchInfo[] = [];
  let pos = 0;
  while (pos < set.length) {
    if (set.length - pos < BATCH_HEADER_SIZE) {
      return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, reason: 'truncated batch header' };
    }
    const size = LOG_OVERHEAD + set.readInt32BE(pos + 8);
    if (size < BATCH_HEADER_SIZE || pos + size > set.length) {
      return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, reason: 'batch length out of range' };
    }
    const magic = set.readInt8(pos + 16);
    if (magic !== 2) {
      return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, reason: `unsupported magic ${magic}` };
    }
    const end = pos + size;
    const expected = set.readUInt32BE(pos + 17);
    if (crc32c(set, pos + CRC_START, end) !== expected) {
      return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, reason: 'CRC32C mismatch' };
    }
    const attributes = set.readInt16BE(pos + 21);
    const codec = attributes & COMPRESSION_MASK;
    if (codec !== 0) {
      return {
        ok: false,
        errorCode: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
        reason: `compression codec ${codec} not supported (only none)`,
      };
    }
    const lastOffsetDelta = set.readInt32BE(pos + 23);
    const recordCount = set.readInt32BE(pos + 57);
    if (lastOffsetDelta < 0 || recordCount < 0) {
      return { ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE, reason: 'negative record count' };
    }
    batches.push({
      buf: set.subarray(pos, end),
      lastOffsetDelta,
      recordCount,
      maxTimestamp: readInt64(set, pos + 35),
      producerId: readInt64(set, pos + 43),
      producerEpoch: set.readInt16BE(pos + 51),
      baseSequence: set.readInt32BE(pos + 53),
    });
    pos = end;
  }
  return { ok: true, batches };
}

/** Sets the broker-assigned base offset. The CRC covers only bytes from `attributes` on, so it stays valid. */
export function patchBaseOffset(batch: Buffer, baseOffset: number): void {
  writeInt64(batch, baseOffset, 0);
}

export function batchBaseOffset(batch: Buffer): number {
  return readInt64(batch, 0);
}

export function batchSize(buf: Buffer, pos: number): number {
  return LOG_OVERHEAD + buf.readInt32BE(pos + 8);
}

// ---------------------------------------------------------------------------------------------
// Record-level codec (used by tests and tooling; the broker itself never decodes records).

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface SimpleRecord {
  key: Buffer | null;
  value: Buffer | null;
  headers?: RecordHeader[];
  timestamp?: number;
}

export interface DecodedRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

function zigzag(v: number): number {
  return v >= 0 ? v * 2 : -v * 2 - 1;
}

function pushVarint(out: number[], v: number): void {
  let z = zigzag(v);
  while (z >= 0x80) {
    out.push((z % 0x80) | 0x80);
    z = Math.floor(z / 0x80);
  }
  out.push(z);
}

function pushBytes(out: number[], b: Buffer | null): void {
  if (b === null) return pushVarint(out, -1);
  pushVarint(out, b.length);
  for (const x of b) out.push(x);
}

export interface BuildBatchOptions {
  baseOffset?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  attributes?: number;
}

/** Encodes an uncompressed v2 record batch. */
export function buildRecordBatch(records: SimpleRecord[], opts: BuildBatchOptions = {}): Buffer {
  const now = Date.now();
  const firstTs = records.length ? (records[0].timestamp ?? now) : now;
  let maxTs = firstTs;
  const body: number[] = [];
  records.forEach((r, i) => {
    const ts = r.timestamp ?? now;
    if (ts > maxTs) maxTs = ts;
    const rec: number[] = [0];
    pushVarint(rec, ts - firstTs);
    pushVarint(rec, i);
    pushBytes(rec, r.key);
    pushBytes(rec, r.value);
    const headers = r.headers ?? [];
    pushVarint(rec, headers.length);
    for (const h of headers) {
      pushBytes(rec, Buffer.from(h.key, 'utf8'));
      pushBytes(rec, h.value);
    }
    pushVarint(body, rec.length);
    for (const x of rec) body.push(x);
  });
  const buf = Buffer.alloc(BATCH_HEADER_SIZE + body.length);
  writeInt64(buf, opts.baseOffset ?? 0, 0);
  buf.writeInt32BE(buf.length - LOG_OVERHEAD, 8);
  buf.writeInt32BE(0, 12);
  buf.writeInt8(2, 16);
  buf.writeInt16BE(opts.attributes ?? 0, 21);
  buf.writeInt32BE(Math.max(records.length - 1, 0), 23);
  writeInt64(buf, firstTs, 27);
  writeInt64(buf, maxTs, 35);
  writeInt64(buf, opts.producerId ?? -1, 43);
  buf.writeInt16BE(opts.producerEpoch ?? -1, 51);
  buf.writeInt32BE(opts.baseSequence ?? -1, 53);
  buf.writeInt32BE(records.length, 57);
  Buffer.from(body).copy(buf, BATCH_HEADER_SIZE);
  buf.writeUInt32BE(crc32c(buf, CRC_START, buf.length), 17);
  return buf;
}

class VarReader {
  constructor(
    private readonly buf: Buffer,
    public pos: number,
  ) {}

  varint(): number {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = this.buf[this.pos++];
      if (b === undefined) throw new RangeError('varint past end');
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) break;
      mul *= 0x80;
    }
    return result % 2 === 0 ? result / 2 : -(result + 1) / 2;
  }

  bytes(): Buffer | null {
    const len = this.varint();
    if (len < 0) return null;
    const b = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return b;
  }
}

/** Decodes the records of an uncompressed v2 batch. */
export function decodeRecordBatch(batch: Buffer): DecodedRecord[] {
  const baseOffset = readInt64(batch, 0);
  const firstTs = readInt64(batch, 27);
  const count = batch.readInt32BE(57);
  const r = new VarReader(batch, BATCH_HEADER_SIZE);
  const out: DecodedRecord[] = [];
  for (let i = 0; i < count; i++) {
    r.varint(); // record length
    r.pos += 1; // attributes
    const tsDelta = r.varint();
    const offsetDelta = r.varint();
    const key = r.bytes();
    const value = r.bytes();
    const headerCount = r.varint();
    const headers: RecordHeader[] = [];
    for (let h = 0; h < headerCount; h++) {
      const hk = r.bytes();
      headers.push({ key: hk ? hk.toString('utf8') : '', value: r.bytes() });
    }
    out.push({ offset: baseOffset + offsetDelta, timestamp: firstTs + tsDelta, key, value, headers });
  }
  return out;
}
