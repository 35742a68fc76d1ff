import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * GET /reports/exceptions reads the few ledger rows of exception types in a window of occurrence: a partial index
 * keeps that a short range scan instead of a pass over the whole ledger.
 */
export class ExceptionsIndex1765100000000 implements MigrationInterface {
  name = 'ExceptionsIndex1765100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      `CREATE INDEX ledger_events_exceptions ON ledger_events (occurred_at, sequence)
        WHERE type IN ('CreditBypassDetected', 'TermsExceedGrade', 'OrderReleased', 'TemporaryLimitGranted',
                       'CustomerFrozen', 'CustomerUnfrozen', 'CustomerBlacklisted', 'CustomerUnblacklisted')`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ledger_events_exceptions`);
  }
}
