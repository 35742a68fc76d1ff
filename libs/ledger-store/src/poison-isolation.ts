import { DomainError } from '@credit-ledger/domain';
import { AppendResult, InboundEvent, Rejection, storableText } from './inbound';
import { LedgerWriter, rejectionOf } from './ledger-writer';

/**
 * Whether a failed append is the input's fault or the world's. `poison`: the same input would fail again — a data
 * or range error, a constraint, a limit (SQLSTATE classes 22, 23, 54) or an exception our own fold threw for this
 * event — so it is bisected out and dead-lettered. `transient`: a lost connection, a serialisation conflict, a
 * server shutting down, anything else — the same input is retried later with backoff, and health shows the stall.
 */
export type FailureKind = 'poison' | 'transient';

const POISON_SQLSTATE_CLASSES = new Set(['22', '23', '54']);

function innerError(err: unknown): unknown {
  const wrapped = err as { driverError?: unknown } | null;
  return wrapped && typeof wrapped === 'object' && wrapped.driverError ? wrapped.driverError : err;
}

export function classifyFailure(err: unknown): FailureKind {
  if (err instanceof SystemicFailure) return 'transient';
  const e = innerError(err);
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    return POISON_SQLSTATE_CLASSES.has(code.slice(0, 2)) ? 'poison' : 'transient';
  }
  if (
    e instanceof DomainError ||
    e instanceof TypeError ||
    e instanceof RangeError ||
    e instanceof SyntaxError
  )
    return 'poison';
  return 'transient';
}

/** The error as one line for a rejection reason: the database's own message and SQLSTATE when it has them. */
export function describeFailure(err: unknown): string {
  const e = innerError(err);
  const { message, code } = (e ?? {}) as { message?: unknown; code?: unknown };
  const text = typeof message === 'string' ? message : String(e);
  const sqlstate =
    typeof code === 'string' ? ` (${/^[0-9A-Z]{5}$/.test(code) ? 'SQLSTATE ' : ''}${code})` : '';
  // Our own exceptions are named (DomainError: ...); a database error speaks for itself.
  const name = e instanceof Error && typeof code !== 'string' ? `${e.name}: ` : '';
  return storableText(`${name}${text}${sqlstate}`).slice(0, 1000);
}

/** Thrown instead of isolating once too many events in a row failed: the fault is the system's, not the input's. */
export class SystemicFailure extends Error {
  constructor(cause: unknown, consecutive: number) {
    super(
      `${consecutive} events in a row could not be stored (last: ${describeFailure(cause)}); ` +
        'not dead-lettering more: this looks like a fault of the ledger, not of its input',
      { cause },
    );
    this.name = 'SystemicFailure';
  }
}

export function emptyResult(): AppendResult {
  return {
    appended: 0,
    derived: 0,
    duplicates: 0,
    parked: 0,
    unparked: 0,
    rejected: [],
    gradeChanges: [],
    lastSequence: '0',
    isolated: 0,
  };
}

export function mergeResults(a: AppendResult, b: AppendResult): AppendResult {
  return {
    appended: a.appended + b.appended,
    derived: a.derived + b.derived,
    duplicates: a.duplicates + b.duplicates,
    parked: a.parked + b.parked,
    unparked: a.unparked + b.unparked,
    rejected: [...a.rejected, ...b.rejected],
    gradeChanges: [...a.gradeChanges, ...b.gradeChanges],
    lastSequence: BigInt(b.lastSequence) > BigInt(a.lastSequence) ? b.lastSequence : a.lastSequence,
    isolated: a.isolated + b.isolated,
  };
}

/**
 * Appends through the writer and, when an append fails for a poison reason, bisects it until the events the
 * database refuses are found: those are dead-lettered (APPEND_FAILED, the database's error as the reason) and
 * everything else is appended, in order. One message — of any partition sharing the append — never holds back the
 * rest. A parked event that turns out to be the poison when its dependency arrives is found and rejected the same
 * way, so it cannot block its customer. After `maxConsecutive` isolated events with no event stored in between,
 * it stops isolating and throws SystemicFailure (transient): a broken ledger must stall, not dead-letter its input.
 */
export class IsolatingAppender {
  private consecutive = 0;
  /** Events dead-lettered by isolation since start (metrics). */
  isolatedTotal = 0;

  constructor(
    private readonly writer: LedgerWriter,
    private readonly maxConsecutive = 20,
  ) {}

  append(inbound: InboundEvent[], invalid: Rejection[] = []): Promise<AppendResult> {
    return this.attempt(inbound, invalid);
  }

  private async attempt(inbound: InboundEvent[], invalid: Rejection[]): Promise<AppendResult> {
    try {
      return this.stored(await this.writer.append(inbound, invalid));
    } catch (err) {
      if (classifyFailure(err) !== 'poison') throw err;
      return this.bisect(inbound, invalid, err);
    }
  }

  private async bisect(inbound: InboundEvent[], invalid: Rejection[], err: unknown): Promise<AppendResult> {
    if (inbound.length === 0) return this.rejectionsAlone(invalid, err);
    if (invalid.length > 0)
      return mergeResults(await this.attempt(inbound, []), await this.attempt([], invalid));
    if (inbound.length === 1) return this.one(inbound[0]);
    const mid = inbound.length >> 1;
    const left = await this.attempt(inbound.slice(0, mid), []);
    return mergeResults(left, await this.attempt(inbound.slice(mid), []));
  }

  /** One event: without its customer's parked events first; if it goes through, one of those is the poison. */
  private async one(item: InboundEvent): Promise<AppendResult> {
    let result: AppendResult;
    try {
      result = this.stored(await this.writer.append([item], [], { retryParked: 'none' }));
    } catch (err) {
      if (classifyFailure(err) !== 'poison') throw err;
      this.guard(err);
      const reason = `the ledger could not store this event: ${describeFailure(err)}`;
      const r = await this.attempt([], [rejectionOf(item.origin, 'APPEND_FAILED', reason, item.event)]);
      return { ...r, isolated: r.isolated + 1 };
    }
    return mergeResults(result, await this.parkedOf(item.event.customerId));
  }

  /** Retries a customer's parked events one at a time; one that cannot be stored is rejected out of the park. */
  private async parkedOf(customerId: string): Promise<AppendResult> {
    let total = emptyResult();
    for (const key of await this.writer.parkedKeys(customerId)) {
      try {
        const r = await this.writer.append([], [], { retryParked: { ...key, customerId } });
        total = mergeResults(total, this.stored(r));
      } catch (err) {
        if (classifyFailure(err) !== 'poison') throw err;
        this.guard(err);
        const reason = `the ledger could not store this parked event once its dependency arrived: ${describeFailure(err)}`;
        const rejected = await this.writer.rejectParked(key, 'APPEND_FAILED', reason);
        total = mergeResults(total, { ...emptyResult(), rejected, isolated: rejected.length });
      }
    }
    return total;
  }

  /** Rejection rows that cannot be written (bytes and reasons are made storable first, so this is a last resort). */
  private async rejectionsAlone(invalid: Rejection[], err: unknown): Promise<AppendResult> {
    if (invalid.length > 1) {
      const mid = invalid.length >> 1;
      return mergeResults(
        await this.attempt([], invalid.slice(0, mid)),
        await this.attempt([], invalid.slice(mid)),
      );
    }
    const r = invalid[0];
    const bare: Rejection = {
      origin: r.origin,
      code: r.code,
      reason: `${storableText(r.reason).slice(0, 500)} (its details could not be stored: ${describeFailure(err)})`,
    };
    return this.writer.append([], [bare]);
  }

  /** Counts an event about to be dead-lettered by isolation, or refuses once too many failed in a row. */
  private guard(err: unknown): void {
    if (this.consecutive >= this.maxConsecutive) throw new SystemicFailure(err, this.consecutive + 1);
    this.consecutive += 1;
    this.isolatedTotal += 1;
  }

  /** Anything stored (appended, parked or a known duplicate) shows the ledger works: the count starts again. */
  private stored(result: AppendResult): AppendResult {
    if (result.appended + result.duplicates + result.parked + result.unparked > 0) this.consecutive = 0;
    return result;
  }
}
