import { TestLedger } from '../../test/builders';
import { apply } from '../customer/apply';
import { decide } from '../customer/decide';
import { deserializeState, serializeState, type CustomerState } from '../customer/state';
import { DEFAULT_GRADE_POLICY } from '../rating/policy';
import { controlFromStored } from './stored-control';
import { storedControlPayload, type ControlEvent } from './control-events';
import type { CommandResult } from './credit-control';
import { approveForget, requestForget } from './forget';

const AT = '2026-06-15T12:00:00.000Z';
const ada = { name: 'ada', role: 'admin' };
const abe = { name: 'abe', role: 'admin' };
let seq = 5000;

/** Applies a command's events like the writer does: each decided, then applied. */
function run(state: CustomerState, r: CommandResult): ControlEvent[] {
  if (!r.ok) throw new Error(`${r.kind}: ${r.message}`);
  for (const event of r.events) {
    expect(decide(state, event)).toEqual({ kind: 'accept' });
    apply(
      state,
      { event, sequence: String(++seq), streamVersion: state.streamVersion + 1 },
      DEFAULT_GRADE_POLICY,
    );
  }
  return r.events;
}

describe('forgetting a customer (four eyes)', () => {
  it('given a request by one admin, when another approves, then the customer is forgotten and its figures stay', () => {
    const l = new TestLedger();
    l.onboard('EUR', '1000.00');
    const s = l.state;
    const figures = { limit: s.creditLimit, score: s.rating?.score ?? null, grade: s.rating?.grade ?? null };
    run(s, requestForget(s, ada, AT, 'FR-1', 'erasure request'));
    expect(s.forgetRequest).toEqual({
      requestId: 'FR-1',
      reason: 'erasure request',
      by: 'ada',
      requestedAt: AT,
    });
    expect(s.forgotten).toBeNull();
    const [done] = run(s, approveForget(s, abe, AT, 'FR-1'));
    expect(done).toMatchObject({
      type: 'CustomerForgotten',
      eventId: 'forgotten:C-1:FR-1',
      payload: { requestId: 'FR-1', requestedBy: 'ada', approvedBy: 'abe', approvedByRole: 'admin' },
    });
    expect(s.forgetRequest).toBeNull();
    expect(s.forgotten).toEqual({ requestId: 'FR-1', at: AT, requestedBy: 'ada', approvedBy: 'abe' });
    expect({ limit: s.creditLimit, score: s.rating?.score ?? null, grade: s.rating?.grade ?? null }).toEqual(
      figures,
    );
  });

  it('given a request, when its requester approves it, then four eyes refuse', () => {
    const l = new TestLedger();
    l.onboard('EUR', '1000.00');
    run(l.state, requestForget(l.state, ada, AT, 'FR-1', 'erasure'));
    expect(approveForget(l.state, ada, AT, 'FR-1')).toMatchObject({ ok: false, kind: 'forbidden' });
    expect(approveForget(l.state, abe, AT, 'FR-2')).toMatchObject({ ok: false, kind: 'not-found' });
    expect(approveForget(l.state, { name: 'cleo', role: 'cfo' }, AT, 'FR-1')).toMatchObject({
      ok: false,
      kind: 'forbidden',
    });
    // The decider refuses the same event, should one be appended without the command.
    const forged: ControlEvent = {
      eventId: 'x',
      type: 'CustomerForgotten',
      version: 1,
      customerId: 'C-1',
      occurredAt: AT,
      source: 'credit-ledger',
      payload: {
        requestId: 'FR-1',
        reason: 'r',
        requestedBy: 'ada',
        approvedBy: 'ada',
        approvedByRole: 'admin',
      },
    };
    expect(decide(l.state, forged).kind).toBe('reject');
  });

  it('given a non-admin, a pending request or a forgotten customer, when asked to forget, then it is refused', () => {
    const l = new TestLedger();
    l.onboard('EUR', '1000.00');
    expect(requestForget(l.state, { name: 'carl', role: 'credit-analyst' }, AT, 'FR-1', 'x')).toMatchObject({
      kind: 'forbidden',
    });
    run(l.state, requestForget(l.state, ada, AT, 'FR-1', 'x'));
    expect(requestForget(l.state, ada, AT, 'FR-2', 'x')).toMatchObject({ kind: 'conflict' });
    run(l.state, approveForget(l.state, abe, AT, 'FR-1'));
    expect(requestForget(l.state, ada, AT, 'FR-3', 'x')).toMatchObject({ kind: 'conflict' });
  });

  it('given a forgotten customer, when its state and events round-trip through storage, then they are equal', () => {
    const l = new TestLedger();
    l.onboard('EUR', '1000.00');
    const events = [
      ...run(l.state, requestForget(l.state, ada, AT, 'FR-1', 'x')),
      ...run(l.state, approveForget(l.state, abe, AT, 'FR-1')),
    ];
    expect(serializeState(deserializeState(serializeState(l.state)))).toBe(serializeState(l.state));
    for (const e of events) {
      const back = controlFromStored({ ...e, payload: storedControlPayload(e) }, e.type);
      expect(back).toEqual(e);
    }
  });
});
