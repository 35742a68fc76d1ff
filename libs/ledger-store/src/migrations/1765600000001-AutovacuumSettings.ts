import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Autovacuum for the ledger's write pattern (docs/performance.md, "PostgreSQL settings"). ledger_events only
 * grows: its vacuum is triggered by inserts (PostgreSQL 13+), and the default 20 % of the table lets the
 * visibility map fall far behind on a large ledger, so index-only scans (commit-order and key lookups) hit the
 * heap. customer_positions is rewritten by every append: vacuum it at 5 % dead rows instead of 20 %, and leave
 * room in each page so an update that changes no indexed column stays on its page (HOT).
 */
export class AutovacuumSettings1765600000001 implements MigrationInterface {
  name = 'AutovacuumSettings1765600000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE ledger_events SET (autovacuum_vacuum_insert_scale_factor = 0.02,
         autovacuum_analyze_scale_factor = 0.02)`,
    );
    await q.query(
      `ALTER TABLE customer_positions SET (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.05,
         autovacuum_analyze_scale_factor = 0.05)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `ALTER TABLE ledger_events RESET (autovacuum_vacuum_insert_scale_factor, autovacuum_analyze_scale_factor)`,
    );
    await q.query(
      `ALTER TABLE customer_positions RESET (fillfactor, autovacuum_vacuum_scale_factor,
         autovacuum_analyze_scale_factor)`,
    );
  }
}
