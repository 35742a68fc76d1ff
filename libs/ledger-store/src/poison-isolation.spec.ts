import { DomainError, parseEvent } from '@credit-ledger/domain';
import { AppendResult, InboundEvent, Rejection, originOf } from './inbound';
import type { AppendOptions, LedgerWriter } from './ledger-writer';
import {
  IsolatingAppender,
  SystemicFailure,
  classifyFailure,
  describeFailure,
  emptyResult,
} from './poison-isolation';

const pg = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe('classifyFailure', () => {
  it.each([
    ['22003 numeric value out of range', pg('22003'), 'poison'],
    ['22P05 untranslatable character', pg('22P05'), 'poison'],
    ['23505 unique violation', pg('23505'), 'poison'],
    ['54000 program limit', pg('54000'), 'poison'],
    ['TypeORM wrapping 22021', { message: 'x', driverError: pg('22021') }, 'poison'],
    ['our own fold throwing', new DomainError('BAD_STATE', 'state: x'), 'poison'],
    ['a TypeError in the fold', new TypeError('x is undefined'), 'poison'],
    ['40001 serialisation failure', pg('40001'), 'transient'],
    ['40P01 deadlock', pg('40P01'), 'transient'],
    ['57P01 admin shutdown', pg('57P01'), 'transient'],
    ['53300 too many connections', pg('53300'), 'transient'],
    ['P0001 a RAISE (the append-only trigger)', pg('P0001'), 'transient'],
    ['ECONNRESET', pg('ECONNRESET'), 'transient'],
    ['a lost connection', new Error('Connection terminated unexpectedly'), 'transient'],
    ['SystemicFailure', new SystemicFailure(pg('22003'), 21), 'transient'],
  ])('%s is %s', (_, err, kind) => {
    expect(classifyFailure(err)).toBe(kind);
  });

  it('describes a database error by its message and SQLSTATE, our own by its code', () => {
    expect(describeFailure(pg('22023', 'refused'))).toBe('refused (SQLSTATE 22023)');
    expect(describeFailure(new DomainError('BAD_STATE', 'state: x'))).toBe('state: x (BAD_STATE)');
    expect(describeFailure(pg('ECONNREFUSED', 'connect ECONNREFUSED'))).toBe(
      'connect ECONNREFUSED (ECONNREFUSED)',
    );
    expect(describeFailure(pg('22021', 'bad \u0000 byte'))).toBe('bad  byte (SQLSTATE 22021)');
  });
});

function event(i: number, customer = 'C-1'): InboundEvent {
  const r = parseEvent({
    eventId: `E-${i}`,
    type: 'OrderPlaced',
    version: 1,
    customerId: customer,
    occurredAt: '2026-01-01T00:00:00Z',
    source: 'test',
    payload: { orderId: `O-${i}`, amount: '1.00', currency: 'EUR' },
  });
  if (!r.ok) throw new Error(r.reason);
  return { event: r.event, origin: originOf('t', 0, String(i), customer, `value-${i}`) };
}

/** A writer that refuses any append containing one of `poison` (as the database would), recording what it stored. */
class FakeWriter {
  readonly stored: string[] = [];
  readonly rejected: Rejection[] = [];
  calls = 0;
  constructor(private readonly poison: Set<string>) {}
  async append(
    inbound: InboundEvent[],
    invalid: Rejection[] = [],
    _opts: AppendOptions = {},
  ): Promise<AppendResult> {
    this.calls++;
    if (inbound.some((i) => this.poison.has(i.event.eventId))) throw pg('22023', 'refused');
    this.stored.push(...inbound.map((i) => i.event.eventId));
    this.rejected.push(...invalid);
    return {
      ...emptyResult(),
      appended: inbound.length,
      rejected: invalid,
      lastSequence: String(this.stored.length),
    };
  }
  async parkedKeys(): Promise<Array<{ source: string; eventId: string }>> {
    return [];
  }
}

describe('IsolatingAppender', () => {
  it('bisects out each poison event, appends everything else in order, and dead-letters the poison', async () => {
    const writer = new FakeWriter(new Set(['E-3', 'E-11']));
    const appender = new IsolatingAppender(writer as unknown as LedgerWriter);
    const events = Array.from({ length: 16 }, (_, i) => event(i));
    const r = await appender.append(events);
    expect(writer.stored).toEqual(
      events.map((e) => e.event.eventId).filter((id) => id !== 'E-3' && id !== 'E-11'),
    );
    expect(r.appended).toBe(14);
    expect(r.isolated).toBe(2);
    expect(r.rejected.map((x) => [x.eventId, x.code, x.reason])).toEqual([
      ['E-3', 'APPEND_FAILED', 'the ledger could not store this event: refused (SQLSTATE 22023)'],
      ['E-11', 'APPEND_FAILED', 'the ledger could not store this event: refused (SQLSTATE 22023)'],
    ]);
    // About 2 log2(n) appends per poison, not one per event.
    expect(writer.calls).toBeLessThan(30);
  });

  it('lets a transient failure through untouched, to be retried', async () => {
    const writer = { append: async () => Promise.reject(pg('57P01', 'terminating connection')) };
    const appender = new IsolatingAppender(writer as unknown as LedgerWriter);
    await expect(appender.append([event(1)])).rejects.toMatchObject({ code: '57P01' });
  });

  it('stops isolating when too many events in a row fail: that is a broken ledger, not poison', async () => {
    const ids = Array.from({ length: 10 }, (_, i) => `E-${i}`);
    const writer = new FakeWriter(new Set(ids));
    const appender = new IsolatingAppender(writer as unknown as LedgerWriter, 3);
    await expect(appender.append(ids.map((_, i) => event(i)))).rejects.toBeInstanceOf(SystemicFailure);
    expect(writer.rejected).toHaveLength(3);
  });
});
