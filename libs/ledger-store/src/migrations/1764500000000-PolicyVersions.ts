import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Policy versions get the ledger sequence from which each is in force, so replay and explanations use the version
 * that produced a rating, not the newest one. Rows that predate this column are taken as in force from the start.
 */
export class PolicyVersions1764500000000 implements MigrationInterface {
  name = 'PolicyVersions1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE grade_policies ADD COLUMN effective_from_sequence bigint NOT NULL DEFAULT 1`);
    await q.query(`ALTER TABLE grade_policies ALTER COLUMN effective_from_sequence DROP DEFAULT`);
    await q.query(`ALTER TABLE grade_policies ADD COLUMN note text`);
    await q.query(
      `CREATE INDEX grade_policies_effective ON grade_policies (effective_from_sequence, version)`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS grade_policies_effective`);
    await q.query(`ALTER TABLE grade_policies DROP COLUMN IF EXISTS note`);
    await q.query(`ALTER TABLE grade_policies DROP COLUMN IF EXISTS effective_from_sequence`);
  }
}
