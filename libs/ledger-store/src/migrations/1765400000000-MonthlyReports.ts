import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Month-end credit reports, one row per month ('YYYY-MM'): the document (figures as of the month's last instant,
 * rebuilt from the ledger byte for byte) and its SHA-256, so a rebuild proves it reproduces what was stored.
 */
export class MonthlyReports1765400000000 implements MigrationInterface {
  name = 'MonthlyReports1765400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE monthly_credit_reports (
        month      text PRIMARY KEY CHECK (month ~ '^\\d{4}-(0[1-9]|1[0-2])$'),
        document   text        NOT NULL,
        hash       text        NOT NULL,
        built_at   timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE IF EXISTS monthly_credit_reports`);
  }
}
