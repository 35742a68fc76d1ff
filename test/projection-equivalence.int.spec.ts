import fc from 'fast-check';
import { DataSource } from 'typeorm';
import {
  DEFAULT_GRADE_POLICY,
  FIVE_FACTOR_GRADE_POLICY,
  deserializeState,
  evaluatePosition,
  parseEvent,
  serializeState,
} from '@credit-ledger/domain';
import {
  InboundEvent,
  LedgerWriter,
  PolicyStore,
  adoptPolicy,
  createLedgerDataSource,
  originOf,
} from '@credit-ledger/ledger-store';
import { PositionQueries, rebuildProjections, toPositionView } from '@credit-ledger/projections';
import { TestDatabase, WireEvent, createTestDatabase, generateHistory } from '@credit-ledger/testing';
import { comparable } from './support/fold';

/**
 * The policy adopted mid-run, cycling through: the assessment model with other history weights and a faster blend,
 * a policy of the earlier five-factor format (a ledger may still switch between them), and the default.
 */
function policyVersion(version: number): Record<string, unknown> {
  if (version % 3 === 2) {
    const p = JSON.parse(JSON.stringify(DEFAULT_GRADE_POLICY));
    for (const segment of Object.values(p.segments) as Array<{ history: { weights: object } }>) {
      segment.history.weights = {
        collection: 50,
        overdueOccurrences: 20,
        volume: 10,
        tenure: 10,
        complaints: 10,
      };
    }
    p.blend = { fullHistoryInvoices: 2, fullHistoryDays: 30 };
    return { ...p, version };
  }
  return { ...(version % 3 === 0 ? FIVE_FACTOR_GRADE_POLICY : DEFAULT_GRADE_POLICY), version };
}

/** A credit-file event to weave into a generated history: after a customer's n-th event, at its time. */
interface FileEvent {
  customer: number;
  after: number;
  kind: 'report' | 'complaint' | 'litigation' | 'type' | 'industry';
  value: number;
}

const fileEvent: fc.Arbitrary<FileEvent> = fc.record({
  customer: fc.nat({ max: 3 }),
  after: fc.nat({ max: 15 }),
  kind: fc.constantFrom('report', 'complaint', 'litigation', 'type', 'industry'),
  value: fc.nat({ max: 1000 }),
});

const TYPES = ['enterprise', 'individual', 'channel', 'end-user'];
const INDUSTRIES = ['C28', 'F41', 'Q86', 'G46', 'Z99'];
const RATINGS = ['AAA', 'BBB+', 'CCC', 'NR'];

/**
 * The generator's history with extra credit-file events woven in (reports of mapped and unmapped scales, complaints,
 * profile updates that change the lawsuits, the industry, even the segment), each right after an event of its
 * customer, so every run has them however small the generated stream.
 */
function withFileEvents(history: WireEvent[], extra: FileEvent[], tag: string): WireEvent[] {
  const ids = [...new Set(history.map((e) => e.customerId))];
  const out = history.slice();
  extra.forEach((x, i) => {
    const id = ids[x.customer % ids.length];
    const own = out.filter((e) => e.customerId === id);
    const anchor = own[Math.min(x.after, own.length - 1)];
    const day = anchor.occurredAt.slice(0, 10);
    const payload: Record<string, unknown> =
      x.kind === 'report'
        ? {
            agency: x.value % 2 ? 'score-bureau' : 'rating-agency',
            reportId: `${tag}-R-${i}`,
            ...(x.value % 2
              ? { score: 300 + (x.value % 551) }
              : { rating: RATINGS[x.value % RATINGS.length] }),
            reportedOn: day,
            validUntil: day.replace(/^(\d{4})/, (y) => String(Number(y) + (x.value % 3))),
          }
        : x.kind === 'complaint'
          ? {
              complaintId: `${tag}-K-${i}`,
              category: 'quality',
              severity: ['low', 'medium', 'high'][x.value % 3],
            }
          : x.kind === 'litigation'
            ? { litigationCount: x.value % 5 }
            : x.kind === 'type'
              ? { customerType: TYPES[x.value % TYPES.length] }
              : { industry: INDUSTRIES[x.value % INDUSTRIES.length] };
    const type =
      x.kind === 'report'
        ? 'ExternalCreditReportReceived'
        : x.kind === 'complaint'
          ? 'ComplaintRecorded'
          : 'CustomerProfileUpdated';
    const event: WireEvent = {
      eventId: `${tag}-file-${i}`,
      type,
      version: 1,
      customerId: id,
      occurredAt: anchor.occurredAt,
      source: anchor.source,
      payload,
    };
    out.splice(out.indexOf(anchor) + 1, 0, event);
  });
  return out;
}

/**
 * For random valid histories (the generator with random seeds and sizes), ingested in random chunkings with an
 * optional policy change at a random chunk boundary: the incremental projection == a full rebuild == an as-of
 * replay at the end time, customer by customer. One database; each run has its own customer prefix and source.
 */
describe('incremental projection == full rebuild == as-of replay', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let policies: PolicyStore;
  let writer: LedgerWriter;
  let run = 0;

  beforeAll(async () => {
    db = await createTestDatabase();
    ds = await createLedgerDataSource(db.url, { poolSize: 4 }).initialize();
    policies = new PolicyStore(ds);
    await policies.load();
    writer = new LedgerWriter(ds, policies);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  const stateBytes = async (ids: string[]): Promise<Map<string, string>> => {
    const rows: Array<{ customer_id: string; state: string }> = await ds.query(
      'SELECT customer_id, state FROM customer_positions WHERE customer_id = ANY($1)',
      [ids],
    );
    return new Map(rows.map((r) => [r.customer_id, r.state]));
  };

  it('holds for every customer', async () => {
    const seen = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 2, max: 14 }),
        fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 8 }),
        fc.option(fc.integer({ min: 0, max: 7 })),
        fc.array(fileEvent, { maxLength: 6 }),
        async (seed, customers, eventsPerCustomer, chunkSizes, policyAtChunk, extra) => {
          run++;
          const generated = generateHistory({
            seed,
            customers,
            eventsPerCustomer,
            start: '2025-01-01',
            days: 365,
            customerIdPrefix: `P${run}`,
            source: `prop-${run}`,
          });
          const history = withFileEvents(generated, extra, `P${run}`);
          for (const e of history) seen.add(e.type);
          const inbound: InboundEvent[] = history.map((w, i) => {
            const parsed = parseEvent(w, { key: w.customerId });
            if (!parsed.ok) throw new Error(parsed.reason);
            const value = JSON.stringify(w);
            return {
              event: parsed.event,
              origin: originOf('prop', run, String(i), w.customerId, value),
            };
          });
          // Incremental: chunks of random sizes (cycling), a policy version adopted between two of them.
          let chunk = 0;
          for (let i = 0; i < inbound.length; chunk++) {
            if (policyAtChunk === chunk) {
              await policies.refresh();
              const latest = policies.current().version;
              await adoptPolicy(ds, policyVersion(latest + 1), { createdBy: 'property' });
            }
            const size = chunkSizes[chunk % chunkSizes.length];
            const r = await writer.append(inbound.slice(i, i + size));
            expect(r.rejected).toEqual([]);
            i += size;
          }
          const ids = [...new Set(history.map((e) => e.customerId))];
          const end = history.reduce((m, e) => (e.occurredAt > m ? e.occurredAt : m), '');
          const endIso = new Date(end).toISOString();
          const incremental = await stateBytes(ids);

          // As-of replay at the end time gives the same figures and rating as the stored state there.
          const queries = new PositionQueries(ds, policies);
          for (const id of ids) {
            const stored = deserializeState(incremental.get(id)!);
            const storedView = toPositionView(evaluatePosition(stored, endIso), stored.rating, {
              ledgerSequence: stored.lastSequence,
              streamVersion: stored.streamVersion,
            });
            const replayed = await queries.position(id, endIso);
            expect(comparable(replayed as unknown as Record<string, unknown>)).toEqual(
              comparable(storedView as unknown as Record<string, unknown>),
            );
            expect(replayed!.ledgerSequence).toBe(stored.lastSequence);
            expect(serializeState(stored)).toBe(incremental.get(id));
          }

          // A full rebuild reproduces the incremental bytes and grade history exactly.
          const gradesBefore = await ds.query(
            'SELECT * FROM grade_history WHERE customer_id = ANY($1) ORDER BY customer_id, sequence',
            [ids],
          );
          await rebuildProjections(ds, { pageSize: 37, writeBatch: 3 });
          expect(await stateBytes(ids)).toEqual(incremental);
          expect(
            await ds.query(
              'SELECT * FROM grade_history WHERE customer_id = ANY($1) ORDER BY customer_id, sequence',
              [ids],
            ),
          ).toEqual(gradesBefore);
        },
      ),
      { numRuns: 25 },
    );
    // Every credit-file event type was in the histories checked.
    expect([...seen]).toEqual(
      expect.arrayContaining(['CustomerProfileUpdated', 'ExternalCreditReportReceived', 'ComplaintRecorded']),
    );
  });
});
