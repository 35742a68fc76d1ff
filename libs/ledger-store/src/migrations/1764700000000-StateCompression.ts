import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * customer_positions.state (≈3 KB of canonical JSON, rewritten on every append that touches the customer) is
 * compressed with lz4 instead of pglz: the bench measured pglz at about a third of PostgreSQL's CPU per
 * append. A server built without lz4 keeps pglz; only the speed differs.
 */
export class StateCompression1764700000000 implements MigrationInterface {
  name = 'StateCompression1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DO $$
      BEGIN
        ALTER TABLE customer_positions ALTER COLUMN state SET COMPRESSION lz4;
      EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
        RAISE NOTICE 'lz4 is not available on this server; customer_positions.state stays pglz';
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE customer_positions ALTER COLUMN state SET COMPRESSION pglz`);
  }
}
