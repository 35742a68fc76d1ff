import { MigrationInterface, QueryRunner } from 'typeorm';
import { DEFAULT_GRADE_POLICY, validatePolicy } from '@credit-ledger/domain';
import { APPEND_LOCK } from '../ledger-writer';

const NOTE = 'assessment model: credit file, history and profile models per segment, bands with terms';

/**
 * A ledger created before the assessment model grades with a five-factor policy. Its versions stay (they replay
 * the grades they gave); this adopts the default assessment policy as the next version, in force from the next
 * ledger sequence, like `policy adopt` (under the writer's append lock). Stored grades are untouched until each
 * customer's next event, or `policy regrade`. A new ledger already starts with it (LedgerCore stores the
 * default policy as version 1): nothing to do.
 */
export class AssessmentPolicy1765000000000 implements MigrationInterface {
  name = 'AssessmentPolicy1765000000000';

  async up(q: QueryRunner): Promise<void> {
    const [latest] = await q.query(
      `SELECT version, policy FROM grade_policies ORDER BY version DESC LIMIT 1`,
    );
    if (!latest || validatePolicy(latest.policy).model === 'assessment') return;
    await q.query('SELECT pg_advisory_xact_lock($1)', [APPEND_LOCK]);
    const version = (latest.version as number) + 1;
    await q.query(
      `INSERT INTO grade_policies (version, policy, created_by, note, effective_from_sequence)
       VALUES ($1, $2, 'migration', $3, (SELECT COALESCE(MAX(sequence), 0) + 1 FROM ledger_events))`,
      [version, JSON.stringify({ ...DEFAULT_GRADE_POLICY, version }), NOTE],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DELETE FROM grade_policies WHERE created_by = 'migration' AND note = $1`, [NOTE]);
  }
}
