import { DataSource } from 'typeorm';
import { DEFAULT_GRADE_POLICY, daysBetween } from '@credit-ledger/domain';
import { PolicyStore, adoptPolicy, createLedgerDataSource } from '@credit-ledger/ledger-store';
import { AuditQueries, rebuildProjections, verifyProjections } from '@credit-ledger/projections';
import { generateHistory, WireEvent } from '@credit-ledger/testing';
import { regradeAll } from '../apps/cli/src/commands/policy';
import { renderExplanation } from '../apps/cli/src/commands/explain';
import { LedgerHarness } from './support/ledger-harness';

const NOW = new Date('2026-01-10T00:00:00Z');
const MID = '2025-07-01T00:00:00.000Z';

/** Every other invoice goes out as contract v2 (with paymentTermsDays): both versions share the streams. */
function mixVersions(events: WireEvent[]): WireEvent[] {
  let n = 0;
  return events.map((e) => {
    if (e.type !== 'InvoiceIssued' || n++ % 2 === 0) return e;
    const p = e.payload as { issuedOn: string; dueOn: string };
    return {
      ...e,
      version: 2,
      payload: { ...e.payload, paymentTermsDays: daysBetween(p.issuedOn, p.dueOn) },
    };
  });
}

/** A stricter policy: collection weighs more, the blend hands over to history sooner, the bands are higher. */
const POLICY_V2 = (() => {
  const p = JSON.parse(JSON.stringify(DEFAULT_GRADE_POLICY));
  for (const segment of Object.values(p.segments) as Array<{ history: { weights: object } }>) {
    segment.history.weights = {
      collection: 45,
      overdueOccurrences: 25,
      volume: 5,
      tenure: 15,
      complaints: 10,
    };
  }
  p.blend = { fullHistoryInvoices: 3, fullHistoryDays: 90 };
  p.bands = p.bands.map((b: { minScore: number }, i: number) => ({ ...b, minScore: [95, 85, 75, 0][i] }));
  return { ...p, version: 2 };
})();

describe('replay and audit over a simulated year with a policy change mid-way', () => {
  const history = mixVersions(
    generateHistory({ seed: 21, customers: 12, eventsPerCustomer: 30, start: '2025-01-01', days: 365 }),
  );
  const firstHalf = history.filter((e) => e.occurredAt < MID);
  const secondHalf = history.filter((e) => e.occurredAt >= MID);
  let h: LedgerHarness;
  let ds: DataSource;

  beforeAll(async () => {
    h = await LedgerHarness.start({ clock: () => NOW });
    ds = await createLedgerDataSource(h.config.databaseUrl, { poolSize: 3 }).initialize();
    await h.publish(firstHalf);
    await h.waitForIngestion();
    const adopted = await adoptPolicy(ds, POLICY_V2, { createdBy: 'auditor', note: 'stricter bands' });
    const [{ head }] = await h.query<{ head: string }>(
      'SELECT max(sequence)::text AS head FROM ledger_events',
    );
    expect(adopted.effectiveFromSequence).toBe(String(BigInt(head) + 1n));
    const regrade = await regradeAll(ds);
    expect(regrade.policyVersion).toBe(2);
    expect(regrade.rerated).toBeGreaterThan(0);
    await h.publish(secondHalf);
    await h.waitForIngestion();
  });

  afterAll(async () => {
    await ds?.destroy();
    await h?.stop();
  });

  it('stores v1 and v2 invoices in their upcast (v2) form', async () => {
    expect(history.some((e) => e.type === 'InvoiceIssued' && e.version === 1)).toBe(true);
    expect(history.some((e) => e.type === 'InvoiceIssued' && e.version === 2)).toBe(true);
    const rows = await h.query<{ version: number; n: number; terms: number }>(
      `SELECT version, count(*)::int AS n, count(payload->'paymentTermsDays')::int AS terms
       FROM ledger_events WHERE type = 'InvoiceIssued' GROUP BY version`,
    );
    expect(rows).toEqual([{ version: 2, n: rows[0].n, terms: rows[0].n }]);
  });

  it('grades under both policy versions, with the policy re-grade recorded in the ledger', async () => {
    const versions = await h.query<{ policy_version: number; event_type: string }>(
      'SELECT DISTINCT policy_version, event_type FROM grade_history ORDER BY policy_version',
    );
    expect(versions.map((v) => v.policy_version)).toEqual(expect.arrayContaining([1, 2]));
    expect(versions).toContainEqual({ policy_version: 2, event_type: 'CustomerRerated' });
    const { body } = await h.get('/policy/versions');
    expect(body.items.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    expect((await h.get('/policy')).body.policy.version).toBe(2);
  });

  it('replay reproduces every stored state and grade exactly', async () => {
    const r = await verifyProjections(ds);
    expect(r.differences).toEqual([]);
    expect(r.customers).toBe(12);
    expect(r.gradeChanges).toBeGreaterThan(12);
    const [{ n }] = await h.query<{ n: number }>('SELECT count(*)::int AS n FROM grade_history');
    expect(r.gradeChanges).toBe(n);
    // --until: the grade history of the first half alone is reproduced too.
    const half = await verifyProjections(ds, { until: MID });
    expect(half.differences).toEqual([]);
    expect(half.statesNotCompared).toBe(12);
  });

  it('explains every grade change: reproduced, with the events (or time/policy) that moved it', async () => {
    const policies = new PolicyStore(ds);
    await policies.load();
    const audit = new AuditQueries(ds, policies);
    const ids = [...new Set(history.map((e) => e.customerId))];
    let changes = 0;
    for (const id of ids) {
      const view = (await audit.gradeHistory(id))!;
      for (const c of view.changes) {
        changes++;
        expect(c.reproduced).toBe(true);
        const explained =
          c.events.length > 0 || c.factors.some((f) => f.movedByTime || f.movedByPolicy || f.movedBy.length);
        expect(explained).toBe(true);
        if (c.trigger.kind === 'rerating') {
          expect(c.trigger.rerating).toBe('policy-change');
          expect(c.factors.some((f) => f.movedByPolicy)).toBe(true);
        }
        for (const e of c.events) expect(history.some((w) => w.eventId === e.eventId)).toBe(true);
        const explain = (await audit.explain(id, c.ratedAt))!;
        expect(explain.change.sequence).toBe(c.sequence);
        const text = renderExplanation(explain);
        expect(text).toContain(c.trigger.eventId);
        for (const e of c.events) expect(text).toContain(e.eventId);
      }
    }
    expect(changes).toBeGreaterThan(12);
  });

  it('serves grade history and a paged timeline over HTTP, with clear 400s', async () => {
    const id = history[0].customerId;
    const gh = await h.get(`/customers/${id}/grade-history`);
    expect(gh.status).toBe(200);
    expect(gh.body.changes[0]).toMatchObject({
      from: { grade: null },
      trigger: { kind: 'event' },
      reproduced: true,
    });
    expect(gh.body.changes[0].factors).toHaveLength(15); // the blend, 5 history and 9 profile factors
    expect(gh.body.changes[0].terms).toMatchObject({ band: gh.body.changes[0].to.grade });
    expect((await h.get('/customers/NOPE/grade-history')).status).toBe(404);

    const all: Array<{ sequence: string; occurredAt: string; after: { grade: string } }> = [];
    let cursor: string | null = null;
    do {
      const q: string = `/customers/${id}/timeline?from=2025-01-01&to=2025-12-31&limit=7${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await h.get(q);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(7);
      all.push(...page.body.items);
      cursor = page.body.next;
    } while (cursor);
    const own = history.filter((e) => e.customerId === id && e.occurredAt <= '2025-12-31T23:59:59.999Z');
    expect(all.length).toBeGreaterThanOrEqual(own.length); // plus any control events
    expect(all.map((e) => e.sequence)).toEqual(
      [...all.map((e) => e.sequence)].sort((a, b) => Number(a) - Number(b)),
    );
    expect(all[all.length - 1].after.grade).toMatch(/^[A-D]$/);

    for (const [query, message] of [
      ['from=yesterday', 'from must be an ISO-8601 date or timestamp'],
      ['from=2025-06-01&to=2025-05-01', 'from (2025-06-01T00:00:00.000Z) must not be after to'],
      ['limit=1001', 'limit must be an integer from 1 to 1000'],
      ['cursor=abc', 'cursor must be the "next" value of a previous page'],
      ['sort=x', 'unknown query parameter(s): sort'],
    ]) {
      const r = await h.get(`/customers/${id}/timeline?${query}`);
      expect(r.status).toBe(400);
      expect(r.body.message).toContain(message);
    }
  });

  it('replays stored v1 rows written before InvoiceIssued v2', async () => {
    // Rows as the ledger stored them before v2 existed: version 1, no paymentTermsDays.
    await h.query(
      `INSERT INTO ledger_events (sequence, customer_id, stream_version, source, event_id, type, version, occurred_at, payload)
       VALUES (1000001, 'LEGACY-1', 1, 'old-billing', 'L-1', 'CustomerOnboarded', 1, '2025-03-01T09:00:00Z',
               '{"name":"Legacy Ltd","currency":"EUR","creditLimit":"1000000"}'),
              (1000002, 'LEGACY-1', 2, 'old-billing', 'L-2', 'InvoiceIssued', 1, '2025-03-02T09:00:00Z',
               '{"invoiceId":"LI-1","amount":"50000","currency":"EUR","issuedOn":"2025-03-02","dueOn":"2025-04-01"}')`,
    );
    const asOf = await h.get('/customers/LEGACY-1?asOf=2025-03-15');
    expect(asOf.status).toBe(200);
    expect(asOf.body.openReceivables).toBe('500.00');
    await rebuildProjections(ds);
    expect((await verifyProjections(ds)).differences).toEqual([]);
    const now = await h.get('/customers/LEGACY-1');
    expect(now.body.openReceivables).toBe('500.00');
    const timeline = await h.get('/customers/LEGACY-1/timeline');
    expect(timeline.body.items[1]).toMatchObject({ type: 'InvoiceIssued', version: 2 });
    expect(timeline.body.items[1].payload.paymentTermsDays).toBe(30);
  });

  it('reports a tampered grade and a tampered state', async () => {
    const [row] = await h.query<{ customer_id: string; sequence: string }>(
      'SELECT customer_id, sequence::text AS sequence FROM grade_history ORDER BY sequence DESC LIMIT 1',
    );
    await h.query(
      'UPDATE grade_history SET to_score = to_score + 1 WHERE customer_id = $1 AND sequence = $2',
      [row.customer_id, row.sequence],
    );
    await h.query(
      `UPDATE customer_positions SET state = replace(state, '"creditLimit":"', '"creditLimit":"1') WHERE customer_id = $1`,
      [history[0].customerId],
    );
    const r = await verifyProjections(ds);
    expect(r.differences.map((d) => [d.customerId, d.kind])).toEqual(
      expect.arrayContaining([
        [row.customer_id, 'grade-history'],
        [history[0].customerId, 'state'],
      ]),
    );
    expect(r.differences.find((d) => d.kind === 'state')!.detail).toContain('creditLimit');
  });
});
