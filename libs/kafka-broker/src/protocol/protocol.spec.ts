import { Decoder } from './decoder';
import { Encoder } from './encoder';
import { buildRecordBatch, decodeRecordBatch, parseRecordSet, patchBaseOffset } from './record-batch';
import { ErrorCode } from './error-codes';

function body(e: Encoder): Buffer {
  const frame = Buffer.concat(e.finish(7));
  expect(frame.readInt32BE(0)).toBe(frame.length - 4);
  expect(frame.readInt32BE(4)).toBe(7);
  return frame.subarray(8);
}

describe('Encoder/Decoder', () => {
  it('round-trips primitive and composite types', () => {
    const big = Buffer.alloc(5000, 7);
    const e = new Encoder(8)
      .int8(-5)
      .boolean(true)
      .int16(-1234)
      .int32(2_000_000_000)
      .int64(-1)
      .int64(2 ** 53 - 1)
      .int64(1_700_000_000_123)
      .string('héllo')
      .nullableString(null)
      .bytes(Buffer.from([1, 2, 3]))
      .nullableBytes(null)
      .bytes(big)
      .array(['a', 'bb'], (w, s) => w.string(s))
      .int32Array([1, -2, 3]);
    const d = new Decoder(body(e));
    expect(d.int8()).toBe(-5);
    expect(d.boolean()).toBe(true);
    expect(d.int16()).toBe(-1234);
    expect(d.int32()).toBe(2_000_000_000);
    expect(d.int64()).toBe(-1);
    expect(d.int64()).toBe(2 ** 53 - 1);
    expect(d.int64()).toBe(1_700_000_000_123);
    expect(d.string()).toBe('héllo');
    expect(d.nullableString()).toBeNull();
    expect([...d.bytes()]).toEqual([1, 2, 3]);
    expect(d.nullableBytes()).toBeNull();
    expect(d.bytes().equals(big)).toBe(true);
    expect(d.array((x) => x.string())).toEqual(['a', 'bb']);
    expect(d.array((x) => x.int32())).toEqual([1, -2, 3]);
    expect(d.remaining()).toBe(0);
  });

  it('keeps large buffers by reference (zero copy)', () => {
    const big = Buffer.alloc(4096, 1);
    const chunks = new Encoder().int32(1).raw(big).int16(2).finish(1);
    expect(chunks).toHaveLength(3);
    expect(chunks[1]).toBe(big);
  });

  it('throws on truncated input', () => {
    expect(() => new Decoder(Buffer.from([0, 5, 65])).string()).toThrow('exceeds');
    expect(() => new Decoder(Buffer.from([0, 0, 0])).int32()).toThrow(/outside buffer bounds|out of range/);
  });
});

describe('record batch v2', () => {
  const records = [
    {
      key: Buffer.from('k1'),
      value: Buffer.from('v1'),
      headers: [{ key: 'h', value: Buffer.from('x') }],
      timestamp: 1000,
    },
    { key: null, value: Buffer.from('v2'), timestamp: 1005 },
    { key: Buffer.from('k3'), value: null, timestamp: 1003 },
  ];

  it('builds, validates and decodes batches', () => {
    const batch = buildRecordBatch(records);
    const parsed = parseRecordSet(batch);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.batches).toHaveLength(1);
    expect(parsed.batches[0]).toMatchObject({ lastOffsetDelta: 2, recordCount: 3, maxTimestamp: 1005 });
    patchBaseOffset(batch, 42);
    expect(parseRecordSet(batch).ok).toBe(true); // CRC unaffected by base offset
    const decoded = decodeRecordBatch(batch);
    expect(decoded.map((r) => r.offset)).toEqual([42, 43, 44]);
    expect(decoded[0].headers).toEqual([{ key: 'h', value: Buffer.from('x') }]);
    expect(decoded[1].key).toBeNull();
    expect(decoded[2].value).toBeNull();
    expect(decoded.map((r) => r.timestamp)).toEqual([1000, 1005, 1003]);
  });

  it('splits record sets with several batches', () => {
    const set = Buffer.concat([buildRecordBatch(records), buildRecordBatch(records.slice(0, 1))]);
    const parsed = parseRecordSet(set);
    expect(parsed.ok && parsed.batches.map((b) => b.recordCount)).toEqual([3, 1]);
  });

  it('rejects corrupt, truncated and compressed batches', () => {
    const corrupt = buildRecordBatch(records);
    corrupt[corrupt.length - 1] ^= 0xff;
    expect(parseRecordSet(corrupt)).toMatchObject({ ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE });
    const truncated = buildRecordBatch(records).subarray(0, 70);
    expect(parseRecordSet(truncated)).toMatchObject({ ok: false, errorCode: ErrorCode.CORRUPT_MESSAGE });
    const gzip = buildRecordBatch(records, { attributes: 1 });
    expect(parseRecordSet(gzip)).toMatchObject({
      ok: false,
      errorCode: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE,
    });
  });
});
