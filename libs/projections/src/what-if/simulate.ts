import { DataSource } from 'typeorm';
import {
  CustomerState,
  GradePolicy,
  WhatIfCustomer,
  WhatIfRow,
  WhatIfSummary,
  canonicalJson,
  deserializeState,
  summariseWhatIf,
  validatePolicy,
  whatIfCustomer,
  whatIfRow,
} from '@credit-ledger/domain';
import { LedgerReader, PolicyStore, policyHash } from '@credit-ledger/ledger-store';
import { replayStream } from '../as-of-replay';
import { SimulationStore, documentHash } from './simulation-store';
import { customerStreams } from '../rebuild/customer-streams';

export interface SimulationOptions {
  /** ISO instant: simulate on the customers as they were then (replayed from the ledger). */
  asOf?: string;
  customerId?: string;
  pageSize?: number;
  onProgress?: (done: number, total: number) => void;
  /** Receives the customer rows page by page, in customer order (to store them as they come). */
  onRows?: (rows: WhatIfRow[]) => Promise<void>;
}

export interface SimulationResult {
  draftHash: string;
  /** The ledger position read: every event up to this sequence, nothing after. */
  ledgerSequence: string;
  asOf: string | null;
  customerId: string | null;
  summary: WhatIfSummary;
  customers: number;
}

/**
 * Re-grades every customer under `draft` without writing anything: the decision `policy regrade` would append,
 * applied to a copy of each state (whatIfCustomer). Reads one consistent snapshot of the database (repeatable read),
 * so ingestion can go on meanwhile, and the same draft over the same ledger position gives the same result.
 * With `asOf`, each customer is first replayed from the ledger as it was then.
 */
export async function simulatePolicy(
  ds: DataSource,
  draftInput: unknown,
  opts: SimulationOptions = {},
): Promise<{ result: SimulationResult; rows: WhatIfRow[] }> {
  const draft = validatePolicy(draftInput);
  const qr = ds.createQueryRunner();
  await qr.connect();
  try {
    await qr.startTransaction('REPEATABLE READ');
    const [{ head }] = await qr.query('SELECT COALESCE(MAX(sequence), 0)::text AS head FROM ledger_events');
    const [{ total }] = await qr.query(
      `SELECT count(*)::int AS total FROM customer_positions WHERE ($1::text IS NULL OR customer_id = $1)`,
      [opts.customerId ?? null],
    );
    const rows: WhatIfCustomer[] = [];
    const views: WhatIfRow[] = [];
    let done = 0;
    const emit = async (batch: WhatIfCustomer[]): Promise<void> => {
      rows.push(...batch);
      const shown = batch.map(whatIfRow);
      views.push(...shown);
      await opts.onRows?.(shown);
      done += batch.length;
      opts.onProgress?.(done, total);
    };
    // The policy in force at the position read: what the draft is compared with (approval routing before).
    const policies = new PolicyStore(ds);
    await policies.load(qr);
    const states = opts.asOf
      ? replayedStates(new LedgerReader(qr), policies, head, opts)
      : storedStates(qr, opts.customerId, opts.pageSize ?? 1000, policies.inForceAt(head));
    let page: WhatIfCustomer[] = [];
    for await (const { state, policy } of states) {
      const row = whatIfCustomer(state, draft, state.clock ?? '1970-01-01T00:00:00.000Z', policy);
      if (row) page.push(row);
      if (page.length >= 500) {
        await emit(page);
        page = [];
      }
    }
    await emit(page);
    await qr.commitTransaction();
    const result: SimulationResult = {
      draftHash: policyHash(draft),
      ledgerSequence: head,
      asOf: opts.asOf ?? null,
      customerId: opts.customerId ?? null,
      summary: summariseWhatIf(rows, policies.inForceAt(head), draft),
      customers: rows.length,
    };
    return { result, rows: views };
  } catch (err) {
    await qr.rollbackTransaction().catch(() => undefined);
    throw err;
  } finally {
    await qr.release();
  }
}

/** Current states, in customer order, a page at a time. */
async function* storedStates(
  qr: { query: DataSource['query'] },
  customerId: string | undefined,
  pageSize: number,
  policy: GradePolicy,
): AsyncGenerator<{ state: CustomerState; policy: GradePolicy }> {
  let after = '';
  for (;;) {
    const page: Array<{ customer_id: string; state: string }> = await qr.query(
      `SELECT customer_id, state FROM customer_positions
       WHERE customer_id > $1 AND ($2::text IS NULL OR customer_id = $2) ORDER BY customer_id LIMIT $3`,
      [after, customerId ?? null, pageSize],
    );
    for (const r of page) yield { state: deserializeState(r.state), policy };
    if (page.length < pageSize) return;
    after = page[page.length - 1].customer_id;
  }
}

/** States as of an instant: each stream replayed up to its last event that occurred at or before it. */
async function* replayedStates(
  reader: LedgerReader,
  policies: PolicyStore,
  head: string,
  opts: SimulationOptions,
): AsyncGenerator<{ state: CustomerState; policy: GradePolicy }> {
  const until = new Date(opts.asOf!).toISOString();
  for await (const stream of customerStreams(reader, { customerId: opts.customerId, untilSequence: head })) {
    const cut = stream.events.findIndex((e) => e.event.occurredAt > until);
    const events = cut === -1 ? stream.events : stream.events.slice(0, cut);
    if (events.length === 0) continue;
    const policy = policies.inForceAt(events[events.length - 1].sequence);
    yield { state: replayStream(stream.customerId, events, (s) => policies.inForceAt(s)).state, policy };
  }
}

/** The result as canonical JSON text: the same draft over the same ledger position gives the same bytes. */
export function simulationDocument(result: SimulationResult, rows: WhatIfRow[]): string {
  return canonicalJson({ ...result, rows });
}

/**
 * Runs a stored simulation to the end: rows stored page by page, progress at most twice a second, then the summary
 * and the hash of the result document — or the failure, recorded on the run.
 */
export async function runStoredSimulation(
  ds: DataSource,
  store: SimulationStore,
  id: string,
  onProgress?: (done: number, total: number) => void,
): Promise<void> {
  const run = await store.draftOf(id);
  if (!run) throw new Error(`no simulation ${id}`);
  let reported = 0;
  try {
    const { result, rows } = await simulatePolicy(ds, run.draft, {
      asOf: run.asOf ?? undefined,
      customerId: run.customerId ?? undefined,
      onRows: (batch) => store.addRows(id, batch),
      onProgress: (done, total) => {
        onProgress?.(done, total);
        if (Date.now() - reported < 500) return;
        reported = Date.now();
        void store.progress(id, done, total).catch(() => undefined);
      },
    });
    await store.finish(id, result, documentHash(simulationDocument(result, rows)));
  } catch (err) {
    await store.fail(id, (err as Error).message);
  }
}
