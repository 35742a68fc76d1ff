import * as fs from 'node:fs';
import { batchBaseOffset, batchSize, patchBaseOffset } from '../protocol/record-batch';
import { readInt64 } from '../protocol/encoder';

export type AppendWaiter = () => void;

/**
 * In-memory log of one partition: stored v2 record batches (raw Buffers, base offset patched)
 * plus parallel arrays for an O(log n) offset index. Optionally mirrored to an append-only file.
 */
export class PartitionLog {
  private readonly batches: Buffer[] = [];
  private readonly baseOffsets: number[] = [];
  /** Byte position of each batch in the concatenated log (for cheap "bytes available" checks). */
  private readonly positions: number[] = [];
  private totalBytes = 0;
  private messages = 0;
  private nextOffset = 0;
  private readonly startOffset = 0;
  private readonly waiters = new Set<AppendWaiter>();
  private fd: number | null = null;

  constructor(
    readonly topic: string,
    readonly partition: number,
    file: string | null = null,
  ) {
    if (file) {
      if (fs.existsSync(file)) this.load(file);
      this.fd = fs.openSync(file, 'a');
    }
  }

  get highWatermark(): number {
    return this.nextOffset;
  }

  get logStartOffset(): number {
    return this.startOffset;
  }

  get messageCount(): number {
    return this.messages;
  }

  get byteSize(): number {
    return this.totalBytes;
  }

  /** Appends a validated batch; assigns and returns its base offset. */
  append(batch: Buffer, lastOffsetDelta: number, recordCount: number): number {
    const base = this.nextOffset;
    patchBaseOffset(batch, base);
    this.push(batch, base, lastOffsetDelta, recordCount);
    if (this.fd !== null) fs.writeSync(this.fd, batch);
    if (this.waiters.size > 0) {
      const ws = [...this.waiters];
      this.waiters.clear();
      for (const w of ws) w();
    }
    return base;
  }

  private push(batch: Buffer, base: number, lastOffsetDelta: number, recordCount: number): void {
    this.batches.push(batch);
    this.baseOffsets.push(base);
    this.positions.push(this.totalBytes);
    this.totalBytes += batch.length;
    this.messages += recordCount;
    this.nextOffset = base + lastOffsetDelta + 1;
  }

  /** Index of the batch containing `offset` (largest base offset <= offset), or -1. */
  private indexOf(offset: number): number {
    const b = this.baseOffsets;
    let lo = 0;
    let hi = b.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      if (b[mid] <= offset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Bytes stored from the batch containing `offset` to the end of the log. */
  bytesAvailable(offset: number): number {
    if (offset >= this.nextOffset) return 0;
    const i = this.indexOf(offset);
    return i < 0 ? this.totalBytes : this.totalBytes - this.positions[i];
  }

  /** Whole batches starting with the one containing `offset`, at least one, up to ~maxBytes. */
  read(offset: number, maxBytes: number): Buffer[] {
    if (offset >= this.nextOffset) return [];
    let i = Math.max(this.indexOf(offset), 0);
    const out: Buffer[] = [];
    let bytes = 0;
    while (i < this.batches.length) {
      const b = this.batches[i];
      if (out.length > 0 && bytes + b.length > maxBytes) break;
      out.push(b);
      bytes += b.length;
      i++;
    }
    return out;
  }

  /** Offset of the first batch whose max timestamp is >= ts, or -1. */
  offsetForTimestamp(ts: number): number {
    for (let i = 0; i < this.batches.length; i++) {
      if (readInt64(this.batches[i], 35) >= ts) return Math.max(this.baseOffsets[i], this.startOffset);
    }
    return -1;
  }

  addWaiter(w: AppendWaiter): void {
    this.waiters.add(w);
  }

  removeWaiter(w: AppendWaiter): void {
    this.waiters.delete(w);
  }

  close(): void {
    if (this.fd !== null) {
      fs.closeSync(this.fd);
      this.fd = null;
    }
  }

  private load(file: string): void {
    const data = fs.readFileSync(file);
    let pos = 0;
    while (pos + 61 <= data.length) {
      const size = batchSize(data, pos);
      if (size < 61 || pos + size > data.length) break;
      const batch = data.subarray(pos, pos + size);
      this.push(batch, batchBaseOffset(batch), batch.readInt32BE(23), batch.readInt32BE(57));
      pos += size;
    }
    if (pos < data.length) fs.truncateSync(file, pos); // drop a torn tail write
  }
}
