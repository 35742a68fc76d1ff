import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Appends no longer take one exclusive lock, so ledger sequences are no longer handed out in commit order. Each row
 * records the id of the transaction that wrote it (xid8, never wraps); readers that follow the ledger in order read
 * by (tx_id, sequence) below the visibility horizon pg_snapshot_xmin(pg_current_snapshot()), under which no
 * transaction can still commit (docs/guarantees.md, "Order without a global lock"). Rows already stored get the
 * migration's own id: they are all committed, and among them the sequence orders.
 */
export class CommitOrder1765600000000 implements MigrationInterface {
  name = 'CommitOrder1765600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ledger_events ADD COLUMN tx_id xid8 NOT NULL DEFAULT pg_current_xact_id()`);
    await q.query(`CREATE INDEX ledger_events_commit_order ON ledger_events (tx_id, sequence)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE ledger_events DROP COLUMN tx_id`);
  }
}
