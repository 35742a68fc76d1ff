import type { CustomerState } from '@credit-ledger/domain';

/**
 * Heap a deserialised state takes per byte of its canonical JSON (measured on the generated histories: ~8.5 KB of
 * objects for ~5.7 KB of JSON). The budget is an estimate, not an accounting of the heap.
 */
const HEAP_PER_JSON_BYTE = 1.5;

/**
 * Customer states the writer keeps between its appends, so the consumer owning a partition does not read and
 * parse (and PostgreSQL does not detoast and send) a whole state for every event of a customer it has just
 * written. Least recently used first out, within a budget of estimated heap bytes.
 *
 * Never trusted blindly: an append hands the stream version of each state it holds to the statement that reads
 * the customers' rows, and gets the stored state back for every customer whose stored version differs (another
 * instance or process appended, a partition changed owner, a rebuild swapped the table). The same stream version
 * means the same state, since the state is a deterministic fold of the stream. A state is taken out while an
 * append uses it (the fold mutates it in place) and put back only once that append has committed, so a rolled-back
 * append leaves nothing behind.
 *
 * They serve appends that follow each other: after `idleMs` without one (ingestion caught up, nothing flowing) they
 * are all dropped, so an idle ledger does not hold them (the next event of a customer reads its state once).
 */
export class ResidentStates {
  private readonly entries = new Map<string, { state: CustomerState; jsonLength: number; bytes: number }>();
  private used = 0;
  private lastPut = 0;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly budgetBytes: number,
    private readonly idleMs = 5_000,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.used;
  }

  /**
   * Removes and returns the states held for `ids`, with the length of their JSON (the caller owns them until it
   * puts them back).
   */
  take(ids: Iterable<string>): Map<string, { state: CustomerState; jsonLength: number }> {
    const out = new Map<string, { state: CustomerState; jsonLength: number }>();
    for (const id of ids) {
      const e = this.entries.get(id);
      if (!e) continue;
      this.entries.delete(id);
      this.used -= e.bytes;
      out.set(id, { state: e.state, jsonLength: e.jsonLength });
    }
    return out;
  }

  /** Keeps a committed state; `jsonLength`: the length of its canonical JSON (the size estimate). */
  put(state: CustomerState, jsonLength: number): void {
    const bytes = Math.ceil(jsonLength * HEAP_PER_JSON_BYTE);
    const old = this.entries.get(state.customerId);
    if (old) {
      this.entries.delete(state.customerId);
      this.used -= old.bytes;
    }
    if (bytes > this.budgetBytes) return;
    this.lastPut = Date.now();
    this.armIdleDrop(this.idleMs);
    this.entries.set(state.customerId, { state, jsonLength, bytes });
    this.used += bytes;
    for (const [id, e] of this.entries) {
      if (this.used <= this.budgetBytes) break;
      this.entries.delete(id);
      this.used -= e.bytes;
    }
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }

  /** One timer, re-armed for the rest of the idle time rather than reset on every put. */
  private armIdleDrop(ms: number): void {
    if (this.idleTimer) return;
    this.idleTimer = setTimeout(() => {
      this.idleTimer = null;
      const idle = Date.now() - this.lastPut;
      if (idle >= this.idleMs) this.clear();
      else this.armIdleDrop(this.idleMs - idle);
    }, ms);
    this.idleTimer.unref();
  }
}
