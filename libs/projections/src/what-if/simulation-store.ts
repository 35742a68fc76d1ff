import { createHash, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  WhatIfApprovals,
  WhatIfRow,
  WhatIfSummary,
  canonicalJson,
  validatePolicy,
} from '@credit-ledger/domain';
import { policyHash } from '@credit-ledger/ledger-store';
import type { SimulationResult } from './simulate';

export type SimulationStatus = 'running' | 'done' | 'failed';

export interface SimulationInfo {
  simulationId: string;
  status: SimulationStatus;
  draftHash: string;
  draftVersion: number;
  asOf: string | null;
  customerId: string | null;
  requestedBy: string;
  requestedAt: string;
  finishedAt: string | null;
  progress: { done: number; total: number | null };
  ledgerSequence: string | null;
  summary: WhatIfSummary | null;
  resultHash: string | null;
  error: string | null;
}

interface Row {
  id: string;
  status: SimulationStatus;
  draft: { version: number };
  draft_hash: string;
  as_of: Date | null;
  customer_id: string | null;
  requested_by: string;
  requested_at: Date;
  finished_at: Date | null;
  done: number;
  total: number | null;
  ledger_sequence: string | null;
  summary: WhatIfSummary | null;
  result_hash: string | null;
  error: string | null;
}

const iso = (d: Date | null): string | null => (d === null ? null : new Date(d).toISOString());

function info(r: Row): SimulationInfo {
  return {
    simulationId: r.id,
    status: r.status,
    draftHash: r.draft_hash,
    draftVersion: r.draft.version,
    asOf: iso(r.as_of),
    customerId: r.customer_id,
    requestedBy: r.requested_by,
    requestedAt: iso(r.requested_at)!,
    finishedAt: iso(r.finished_at),
    progress: { done: r.done, total: r.total },
    ledgerSequence: r.ledger_sequence,
    summary: r.summary,
    resultHash: r.result_hash,
    error: r.error,
  };
}

/** The stored runs and their per-customer rows (policy_simulations, policy_simulation_customers). */
export class SimulationStore {
  constructor(private readonly ds: DataSource) {}

  /** Records a new run of a draft (validated here: a bad draft never becomes a run). */
  async create(
    draftInput: unknown,
    opts: { requestedBy: string; asOf?: string; customerId?: string },
  ): Promise<SimulationInfo> {
    const draft = validatePolicy(draftInput);
    const id = `sim-${randomUUID()}`;
    await this.ds.query(
      `INSERT INTO policy_simulations (id, status, draft, draft_hash, as_of, customer_id, requested_by)
       VALUES ($1, 'running', $2, $3, $4, $5, $6)`,
      [
        id,
        JSON.stringify(draft),
        policyHash(draft),
        opts.asOf ?? null,
        opts.customerId ?? null,
        opts.requestedBy,
      ],
    );
    return (await this.get(id))!;
  }

  async get(id: string): Promise<SimulationInfo | null> {
    const [row] = await this.ds.query(
      `SELECT id, status, draft, draft_hash, as_of, customer_id, requested_by, requested_at, finished_at, done, total,
              ledger_sequence::text AS ledger_sequence, summary, result_hash, error
       FROM policy_simulations WHERE id = $1`,
      [id],
    );
    return row ? info(row as Row) : null;
  }

  async list(limit = 50): Promise<SimulationInfo[]> {
    const rows: Row[] = await this.ds.query(
      `SELECT id, status, draft, draft_hash, as_of, customer_id, requested_by, requested_at, finished_at, done, total,
              ledger_sequence::text AS ledger_sequence, summary, result_hash, error
       FROM policy_simulations ORDER BY requested_at DESC, id LIMIT $1`,
      [limit],
    );
    return rows.map(info);
  }

  async draftOf(
    id: string,
  ): Promise<{ draft: unknown; asOf: string | null; customerId: string | null } | null> {
    const [row] = await this.ds.query(
      `SELECT draft, as_of, customer_id FROM policy_simulations WHERE id = $1`,
      [id],
    );
    return row ? { draft: row.draft, asOf: iso(row.as_of), customerId: row.customer_id } : null;
  }

  async progress(id: string, done: number, total: number): Promise<void> {
    await this.ds.query(`UPDATE policy_simulations SET done = $2, total = $3 WHERE id = $1`, [
      id,
      done,
      total,
    ]);
  }

  async addRows(id: string, rows: WhatIfRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.ds.query(
      `INSERT INTO policy_simulation_customers (simulation_id, customer_id, row)
       SELECT $1, c, r FROM unnest($2::text[], $3::jsonb[]) AS u(c, r)`,
      [id, rows.map((r) => r.customerId), rows.map((r) => canonicalJson(r))],
    );
  }

  async finish(id: string, result: SimulationResult, resultHash: string): Promise<void> {
    await this.ds.query(
      `UPDATE policy_simulations SET status = 'done', finished_at = now(), done = $2, total = $2,
         ledger_sequence = $3, summary = $4, result_hash = $5 WHERE id = $1`,
      [id, result.customers, result.ledgerSequence, canonicalJson(result.summary), resultHash],
    );
  }

  async fail(id: string, error: string): Promise<void> {
    await this.ds.query(
      `UPDATE policy_simulations SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1`,
      [id, error.slice(0, 2000)],
    );
  }

  /** Customer rows in customer order; `changedOnly` keeps those whose grade moves. */
  async rows(id: string, opts: { changedOnly?: boolean; limit?: number; offset?: number } = {}) {
    const rows: Array<{ row: Record<string, unknown> }> = await this.ds.query(
      `SELECT row FROM policy_simulation_customers WHERE simulation_id = $1
         AND (NOT $2 OR row->'before'->>'grade' IS DISTINCT FROM row->'after'->>'grade')
       ORDER BY customer_id LIMIT $3 OFFSET $4`,
      [id, opts.changedOnly === true, opts.limit ?? 1_000_000, opts.offset ?? 0],
    );
    return rows.map((r) => r.row);
  }
}

/** The hash of the result document (simulationDocument): equal for the same draft over the same ledger position. */
export function documentHash(document: string): string {
  return createHash('sha256').update(document).digest('hex');
}

/** One CSV line per customer: before/after side by side, factors and orders joined. */
export function flatSimulationRow(r: Record<string, unknown>): Record<string, string | number | null> {
  const before = r.before as { grade: string; score: number };
  const after = r.after as { grade: string; score: number };
  const moved = r.factorsMoved as Array<{ factor: string; delta: number }>;
  const a = r.approvals as WhatIfApprovals | undefined;
  return {
    customerId: r.customerId as string,
    currency: r.currency as string | null,
    gradeBefore: before.grade,
    scoreBefore: before.score,
    gradeAfter: after.grade,
    scoreAfter: after.score,
    factorsMoved: moved.map((m) => `${m.factor} ${m.delta > 0 ? '+' : ''}${m.delta / 100}`).join('; '),
    ordersReleased: (r.ordersReleased as string[]).join(' '),
    ordersHeld: (r.ordersHeld as string[]).join(' '),
    heldBefore: r.heldBefore as string,
    heldAfter: r.heldAfter as string,
    cashOnlyHeldBefore: r.cashOnlyHeldBefore as string,
    cashOnlyHeldAfter: r.cashOnlyHeldAfter as string,
    termsBefore: termsText(r.termsBefore),
    termsAfter: termsText(r.termsAfter),
    // Rows stored before approvals were simulated have none.
    approversBefore: a ? a.routingBefore.join(' + ') : null,
    approversAfter: a ? a.routingAfter.join(' + ') : null,
    requestsBlocked: a ? a.blocked.join(' ') : null,
    requestsUnblocked: a ? a.unblocked.join(' ') : null,
  };
}

/** `B credit 60d`, `D cash-only 0d`, or null (a five-factor rating has no terms). */
function termsText(t: unknown): string | null {
  if (t === null || t === undefined) return null;
  const x = t as { band: string; settlement: string; maxPaymentTermsDays: number };
  return `${x.band} ${x.settlement} ${x.maxPaymentTermsDays}d`;
}
