import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Four-eyes policy adoption: a version is proposed by one principal and put in force only when other principals,
 * of the roles the policy in force names, approve it. Proposals keep their history (approvals, rejection and its
 * reason); an adopted version records who proposed and who approved it, when, and the proposal it came from.
 */
export class PolicyProposals1765300000000 implements MigrationInterface {
  name = 'PolicyProposals1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE policy_proposals (
        id            text PRIMARY KEY,
        version       integer     NOT NULL,
        policy        jsonb       NOT NULL,
        policy_hash   text        NOT NULL,
        note          text,
        simulation_id text,
        proposed_by   text        NOT NULL,
        proposed_role text        NOT NULL,
        proposed_at   timestamptz NOT NULL,
        status        text        NOT NULL CHECK (status IN ('pending', 'adopted', 'rejected')),
        approvals     jsonb       NOT NULL DEFAULT '[]',
        closed_at     timestamptz,
        closed_by     text,
        close_reason  text
      )`);
    // One pending proposal per version, whatever races the domain check.
    await q.query(
      `CREATE UNIQUE INDEX policy_proposals_pending_version ON policy_proposals (version) WHERE status = 'pending'`,
    );
    await q.query(`ALTER TABLE grade_policies ADD COLUMN proposal_id text`);
    await q.query(`ALTER TABLE grade_policies ADD COLUMN approved_by jsonb`);
    await q.query(`ALTER TABLE grade_policies ADD COLUMN approved_roles jsonb`);
    await q.query(`ALTER TABLE grade_policies ADD COLUMN approved_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const c of ['approved_at', 'approved_roles', 'approved_by', 'proposal_id'])
      await q.query(`ALTER TABLE grade_policies DROP COLUMN IF EXISTS ${c}`);
    await q.query(`DROP TABLE IF EXISTS policy_proposals`);
  }
}
