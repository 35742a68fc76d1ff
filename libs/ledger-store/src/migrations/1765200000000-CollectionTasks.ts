import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * GET /collections/tasks reads collection tasks straight from the ledger: a partial index on the task id of
 * the task events keeps that to those rows.
 */
export class CollectionTasks1765200000000 implements MigrationInterface {
  name = 'CollectionTasks1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE INDEX ledger_events_collection_tasks ON ledger_events ((payload->>'taskId'), type)
        WHERE type IN ('CollectionTaskOpened', 'CollectionTaskClosed')`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX IF EXISTS ledger_events_collection_tasks`);
  }
}
