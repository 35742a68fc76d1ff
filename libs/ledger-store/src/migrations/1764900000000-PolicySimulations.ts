import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What-if simulations of a draft grading policy: a run (its draft, the ledger position it read, progress, the
 * summary) and one row per customer. Neither is the ledger nor a projection: nothing here changes a position.
 * Adopted versions record the hash of the policy document and the simulation it was adopted from, so what was
 * simulated is provably what is in force.
 */
export class PolicySimulations1764900000000 implements MigrationInterface {
  name = 'PolicySimulations1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE policy_simulations (
        id              text PRIMARY KEY,
        status          text        NOT NULL,
        draft           jsonb       NOT NULL,
        draft_hash      text        NOT NULL,
        as_of           timestamptz,
        customer_id     text,
        requested_by    text        NOT NULL,
        requested_at    timestamptz NOT NULL DEFAULT now(),
        finished_at     timestamptz,
        done            integer     NOT NULL DEFAULT 0,
        total           integer,
        ledger_sequence bigint,
        summary         jsonb,
        result_hash     text,
        error           text
      )`);
    await q.query(`
      CREATE TABLE policy_simulation_customers (
        simulation_id text  NOT NULL REFERENCES policy_simulations(id) ON DELETE CASCADE,
        customer_id   text  NOT NULL,
        row           jsonb NOT NULL,
        PRIMARY KEY (simulation_id, customer_id)
      )`);
    await q.query(`ALTER TABLE grade_policies ADD COLUMN policy_hash text`);
    await q.query(`ALTER TABLE grade_policies ADD COLUMN simulation_id text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE grade_policies DROP COLUMN IF EXISTS simulation_id`);
    await q.query(`ALTER TABLE grade_policies DROP COLUMN IF EXISTS policy_hash`);
    await q.query(`DROP TABLE IF EXISTS policy_simulation_customers`);
    await q.query(`DROP TABLE IF EXISTS policy_simulations`);
  }
}
