import { Inject, Injectable } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { creditControlReview } from '@credit-ledger/domain';
import { LedgerWriter } from '@credit-ledger/ledger-store';
import { CLOCK, LEDGER_DATA_SOURCE } from '../tokens';

export interface ReviewResult {
  at: string;
  customers: number;
  appended: number;
  events: Array<{ customerId: string; sequence: string; type: string; eventId: string }>;
}

const CHUNK = 1000;

/**
 * The time-driven credit-control review (see creditControlReview): expires stale limit requests and ended
 * temporary limits, applies grade-default cuts and credit-repair steps. Idempotent (stable event ids), so it
 * can run as often as wanted: on demand (`POST /control/review`, CLI `control review`) or on a schedule.
 */
export async function runCreditReview(
  ds: DataSource,
  writer: LedgerWriter,
  at: string,
): Promise<ReviewResult> {
  // Candidates without loading every state: something to expire or repair, or a limit a grade could cut.
  const rows: Array<{ customer_id: string }> = await ds.query(
    `SELECT customer_id FROM customer_positions
     WHERE credit_limit > 0 OR state LIKE '%"limitRequests"%' OR state LIKE '%"temporaryLimit"%'
        OR state LIKE '%"limitRepair"%'
     ORDER BY customer_id`,
  );
  const ids = rows.map((r) => r.customer_id);
  const result: ReviewResult = { at, customers: ids.length, appended: 0, events: [] };
  for (let i = 0; i < ids.length; i += CHUNK) {
    const r = await writer.appendControl(ids.slice(i, i + CHUNK), (state, policy) =>
      creditControlReview(state, at, policy),
    );
    result.appended += r.appended;
    for (const e of r.events)
      result.events.push({
        customerId: e.event.customerId,
        sequence: e.sequence,
        type: e.event.type,
        eventId: e.event.eventId,
      });
  }
  return result;
}

export class RunCreditReviewCommand extends Command<ReviewResult> {
  constructor(readonly at?: string) {
    super();
  }
}

@Injectable()
@CommandHandler(RunCreditReviewCommand)
export class RunCreditReviewHandler implements ICommandHandler<RunCreditReviewCommand> {
  constructor(
    @Inject(LEDGER_DATA_SOURCE) private readonly ds: DataSource,
    @Inject(LedgerWriter) private readonly writer: LedgerWriter,
    @Inject(CLOCK) private readonly clock: () => Date,
  ) {}

  execute(c: RunCreditReviewCommand): Promise<ReviewResult> {
    return runCreditReview(this.ds, this.writer, c.at ?? this.clock().toISOString());
  }
}
